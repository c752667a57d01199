"""The iam-simulate differential on the AWS Backup plane (issue 21, SEMANTICS §14).

Generated identity policies and a vault access policy bound to the vault ``prod`` are decided by the
generic evaluator and by @cloud-copilot/iam-simulate for requests on recovery points in that vault (the
request names its vault), on the vault itself, and on a recovery point of another vault (which the prod
policy must not reach), by principals of the vault's account and of another account. iam-simulate takes
the vault policy as the resource policy of the request; it does not know that AWS Backup refuses every
cross-account action but CopyIntoBackupVault — the one adjudicated difference, decided for AWS.
Vault Lock is not an IAM policy; iam-simulate has no notion of it, so it is not compared here
(tests/e2e/test_gate_vaults.py and scenarios/vaults test it).
"""

from __future__ import annotations

import json
import os
import random
import shutil
from collections import Counter
from pathlib import Path

import pytest
import test_oracle
from test_oracle import decide_ours, simulate

A = "123456789012"
B = "210987654321"
VAULT = f"arn:aws:backup:us-east-1:{A}:backup-vault:prod"
OTHER_VAULT = f"arn:aws:backup:us-east-1:{A}:backup-vault:dev"
RP = f"arn:aws:backup:us-east-1:{A}:recovery-point:1a2b3c4d-0000-4000-8000-000000000001"
PRINCIPALS = [
    f"arn:aws:iam::{A}:role/janitor",
    f"arn:aws:iam::{A}:role/keeper",
    f"arn:aws:iam::{A}:user/alice",
    f"arn:aws:iam::{B}:role/copier",
    f"arn:aws:iam::{B}:root",
]
# (action, resource, vault holding the resource)
REQUESTS = [
    ("backup:DeleteRecoveryPoint", RP, VAULT),
    ("backup:UpdateRecoveryPointLifecycle", RP, VAULT),
    ("backup:StartRestoreJob", RP, VAULT),
    ("backup:DeleteRecoveryPoint", RP, OTHER_VAULT),
    ("backup:CopyIntoBackupVault", VAULT, VAULT),
    ("backup:DeleteBackupVault", VAULT, VAULT),
    ("backup:PutBackupVaultAccessPolicy", VAULT, VAULT),
]
ACTIONS = [
    "backup:*",
    "backup:DeleteRecoveryPoint",
    "backup:*RecoveryPoint*",
    "backup:CopyIntoBackupVault",
    "backup:Delete*",
    "*",
]
VAULT_ACTIONS = [  # a vault policy names actions without wildcards [AWSB-VAULT-POLICY]
    "backup:DeleteRecoveryPoint",
    "backup:UpdateRecoveryPointLifecycle",
    "backup:CopyIntoBackupVault",
    "backup:DeleteBackupVault",
    "backup:PutBackupVaultAccessPolicy",
    "backup:StartRestoreJob",
]
RBP_PRINCIPALS = ["*", {"AWS": A}, {"AWS": B}, {"AWS": f"arn:aws:iam::{B}:root"},
                  {"AWS": f"arn:aws:iam::{A}:role/keeper"}, {"AWS": f"arn:aws:iam::{B}:role/copier"}]  # fmt: skip
CONDITIONS = [
    ("ArnNotEquals", "aws:PrincipalArn", f"arn:aws:iam::{A}:role/keeper"),
    ("StringEquals", "aws:PrincipalAccount", A),
    ("StringNotEquals", "aws:PrincipalAccount", A),
]
SEED = int(os.environ.get("IAM2REGO_ORACLE_SEED", "2121"))
N_SETS = int(os.environ.get("IAM2REGO_ORACLE_SETS", "150"))


def _doc(statements: list[dict]) -> dict:
    return {"Version": "2012-10-17", "Statement": statements}


def _statement(rng: random.Random, i: int, vault: bool) -> dict:
    effect = "Allow" if rng.random() < 0.6 else "Deny"
    st: dict = {"Sid": f"S{i}", "Effect": effect}
    if vault:
        st["Principal"] = rng.choice(RBP_PRINCIPALS)
        k = rng.randint(1, 2)
        st["Action"] = rng.sample(VAULT_ACTIONS, k) if k > 1 else rng.choice(VAULT_ACTIONS)
        st["Resource"] = "*"
    else:
        st["Action"] = rng.choice(ACTIONS)
        st["Resource"] = rng.choice(["*", VAULT, f"arn:aws:backup:*:{A}:recovery-point:*", RP])
    if rng.random() < 0.4:
        op, key, value = rng.choice(CONDITIONS)
        st["Condition"] = {op: {key: value}}
    return st


def _sets(rng: random.Random) -> list[dict]:
    out = []
    for _ in range(N_SETS):
        identity = _doc([_statement(rng, i, False) for i in range(rng.randint(1, 3))])
        policy = (
            _doc([_statement(rng, i, True) for i in range(rng.randint(1, 3))]) if rng.random() < 0.8 else None
        )
        reqs = []
        for _ in range(12):
            principal = rng.choice(PRINCIPALS)
            action, resource, vault = rng.choice(REQUESTS)
            context = {"aws:PrincipalArn": principal, "aws:PrincipalAccount": principal.split(":")[4]}
            reqs.append({"principal": principal, "action": action, "resource": resource, "vault": vault,
                         "context": context})  # fmt: skip
        out.append({"identity": identity, "vault_policy": policy, "requests": reqs})
    return out


def _root(principal: str) -> bool:
    return principal.endswith(":root")


def _oracle_case(s: dict, r: dict) -> dict:
    bound = s["vault_policy"] if r["vault"] == VAULT else None
    return {
        "identity": [] if _root(r["principal"]) else [s["identity"]],
        "boundary": None, "session": None, "scp": [], "rcp": [],
        "resource_policy": bound, "principal": r["principal"], "action": r["action"],
        "resource": r["resource"], "resource_account": A, "context": r["context"],
    }  # fmt: skip


def _generic_case(s: dict, r: dict) -> dict:
    psd = {
        "identity": []
        if _root(r["principal"])
        else [{"name": "id", "document": s["identity"], "source": "id"}],
        "resource_policies": {VAULT: {"name": "vault", "document": s["vault_policy"], "source": "vault"}}
        if s["vault_policy"]
        else {},
    }
    raw = {"action": r["action"], "resource": r["resource"], "vault": r["vault"], "context": r["context"],
           "principal": {"arn": r["principal"]}}  # fmt: skip
    return {"policies": psd, "request": raw}


def _adjudicate(case: dict, ours: str, theirs: str) -> str | None:
    """AWS Backup developer guide, 'Vault access policies'
    (docs.aws.amazon.com/aws-backup/latest/devguide/create-a-vault-access-policy.html): "Regardless of
    the AWS Backup vault's access policy, cross-account access for any action other than
    backup:CopyIntoBackupVault will be rejected" (SEMANTICS §14.3). iam-simulate allows such a request
    when the vault policy grants it."""
    cross = case["principal"].split(":")[4] != A
    if (
        cross
        and case["action"] != "backup:CopyIntoBackupVault"
        and ours == "ImplicitlyDenied"
        and theirs == "Allowed"
    ):
        return "cross-account-vault-actions-refused"
    if _root(case["principal"]) and ours == "Allowed" and theirs == "ImplicitlyDenied":
        return "root-user-full-access"  # test_oracle.py's adjudication, same AWS sentence
    return None


@pytest.fixture(scope="module")
def node() -> str:
    """node and iam-simulate, or a skip (a failure on CI), as test_oracle.py's fixture."""
    problem = test_oracle.node_problem()
    if problem:
        if test_oracle.IN_CI:
            pytest.fail(f"CI=true but the oracle cannot run: {problem}", pytrace=False)
        pytest.skip(problem)
    return str(shutil.which("node"))


@pytest.mark.opa
def test_vault_decisions_agree_with_iam_simulate_or_are_adjudicated(
    opa_bin: str, node: str, tmp_path: Path
) -> None:
    rng = random.Random(SEED)
    pairs = [(s, r) for s in _sets(rng) for r in s["requests"]]
    theirs = simulate(node, [_oracle_case(s, r) for s, r in pairs])
    ours = decide_ours(opa_bin, tmp_path, [_generic_case(s, r) for s, r in pairs])
    compared = agree = 0
    adjudicated: Counter[str] = Counter()
    errors: Counter[str] = Counter()
    unexplained = []
    for (s, r), o, t in zip(pairs, ours, theirs, strict=True):
        if t.startswith("error"):
            errors[t[:120]] += 1
            continue
        compared += 1
        if o == t:
            agree += 1
            continue
        which = _adjudicate(_oracle_case(s, r), o, t)
        if which:
            adjudicated[which] += 1
        else:
            unexplained.append(
                {"ours": o, "iam-simulate": t, "case": _oracle_case(s, r), "vault": r["vault"]}
            )
    print(
        f"\nvault oracle: {len(pairs)} cases, {compared} compared, {agree} agree, adjudicated "
        f"{dict(adjudicated)}, iam-simulate refused {sum(errors.values())}, unexplained {len(unexplained)}"
    )
    assert compared >= 0.9 * len(pairs), errors.most_common(5)
    assert not unexplained, json.dumps(unexplained[:3], indent=1)
