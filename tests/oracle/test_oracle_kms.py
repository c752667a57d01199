"""Differential oracle for KMS key policies (issue 20 item 2, SEMANTICS §13.2): iam2rego's generic
evaluator with a key policy bound (``key_policies``) against @cloud-copilot/iam-simulate, which models
KMS key-policy trust (its KMS service authorizer: IAM policies count only when the key policy trusts
the account). Generated cases: keys in the principal's account and in another account; key policies
that delegate to the account (root ARN or bare id), name the principal, name someone else, allow
everyone under kms:ViaService / kms:CallerAccount, deny; identity policies, boundaries, session
policies and SCPs from the same pools as tests/oracle/test_oracle.py. Grants are not compared:
iam-simulate has no grants (they are covered by rego/iam2rego/generic/generic_kms_test.rego and the
gate tests). Every difference must be adjudicated below with the AWS sentence that decides it.
"""

from __future__ import annotations

import json
import os
import random
import sys
from collections import Counter
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import cases as gen  # noqa: E402
from test_oracle import adjudicate, decide_ours, node, simulate  # noqa: E402,F401  (node: the fixture)

SEED = int(os.environ.get("IAM2REGO_ORACLE_SEED", "2020"))
N_SETS = int(os.environ.get("IAM2REGO_ORACLE_KMS_SETS", "120"))
N_REQUESTS = 12
A, B = gen.A, gen.B
KEY = f"arn:aws:kms:us-east-1:{A}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
B_KEY = f"arn:aws:kms:us-east-1:{B}:key/0000abcd-12ab-34cd-56ef-1234567890ab"
KMS_ACTIONS = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey", "kms:CreateGrant"]
# requests are made by users and role sessions (a role itself never calls; cases.PRINCIPALS too)
PRINCIPALS = [
    f"arn:aws:iam::{A}:user/alice",
    f"arn:aws:sts::{A}:assumed-role/Ops/s1",
    f"arn:aws:sts::{A}:assumed-role/KeyAdmin/k1",
    f"arn:aws:sts::{B}:assumed-role/Partner/p1",
]
KEY_PRINCIPALS = [
    {"AWS": f"arn:aws:iam::{A}:root"},
    {"AWS": A},
    {"AWS": f"arn:aws:iam::{B}:root"},
    {"AWS": f"arn:aws:iam::{A}:role/Ops"},
    {"AWS": f"arn:aws:iam::{A}:user/alice"},
    {"AWS": f"arn:aws:iam::{A}:role/KeyAdmin"},
    {"AWS": f"arn:aws:iam::{B}:role/Partner"},
    {"AWS": "*"},
    "*",
]
KEY_CONDITIONS = [
    {"StringEquals": {"kms:CallerAccount": A}},
    {"StringLike": {"kms:ViaService": "dynamodb.*.amazonaws.com"}},
    {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}},
    {"StringEquals": {"kms:CallerAccount": A, "kms:ViaService": "dynamodb.us-east-1.amazonaws.com"}},
]
IAM_RESOURCES = ["*", KEY, B_KEY, f"arn:aws:kms:*:{A}:key/*", "arn:aws:kms:*:*:key/*"]


def _stmt(rng: random.Random, sid: str, key_policy: bool) -> dict:
    effect = "Allow" if rng.random() < 0.78 else "Deny"
    st: dict = {"Sid": sid, "Effect": effect}
    if key_policy:
        st["Principal"] = rng.choice(KEY_PRINCIPALS)
    st["Action"] = rng.choice(["kms:*", rng.choice(KMS_ACTIONS), ["kms:Decrypt", "kms:Encrypt"], "*"])
    st["Resource"] = "*" if key_policy else rng.choice(IAM_RESOURCES)
    if rng.random() < 0.35:
        st["Condition"] = rng.choice(KEY_CONDITIONS)
    return st


def _doc(rng: random.Random, n: int, key_policy: bool) -> dict:
    return {"Version": "2012-10-17", "Statement": [_stmt(rng, f"S{i}", key_policy) for i in range(n)]}


def _case(rng: random.Random) -> dict:
    c: dict = {
        "identity": [_doc(rng, rng.randint(1, 2), False)] if rng.random() < 0.85 else [],
        "boundary": _doc(rng, 1, False) if rng.random() < 0.2 else None,
        "session": _doc(rng, 1, False) if rng.random() < 0.2 else None,
        "scp": [[gen.FULL_ACCESS, _doc(rng, 1, False)]] if rng.random() < 0.15 else [],
        "key_policies": {KEY: _doc(rng, rng.randint(1, 3), True), B_KEY: _doc(rng, rng.randint(1, 2), True)},
        "requests": [],
    }
    for _ in range(N_REQUESTS):
        principal = rng.choice(PRINCIPALS)
        account = principal.split(":")[4]
        context = {"aws:PrincipalArn": principal, "aws:PrincipalAccount": account}
        if rng.random() < 0.7:
            context["kms:ViaService"] = "dynamodb.us-east-1.amazonaws.com"
        if rng.random() < 0.8:
            context["kms:CallerAccount"] = account
        key = KEY if rng.random() < 0.75 else B_KEY
        c["requests"].append(
            {"principal": principal, "action": rng.choice(KMS_ACTIONS), "resource": key, "context": context}
        )
    return c


def _oracle_case(c: dict, req: dict) -> dict:
    return {
        "identity": c["identity"], "boundary": c["boundary"],
        "session": c["session"] if req["principal"] in gen.SESSIONS else None,
        "scp": c["scp"], "rcp": [], "resource_policy": c["key_policies"][req["resource"]],
        "principal": req["principal"], "action": req["action"], "resource": req["resource"],
        "resource_account": req["resource"].split(":")[4], "context": req["context"],
    }  # fmt: skip


def _generic_case(c: dict, req: dict) -> dict:
    def p(name: str, d: dict | None) -> dict | None:
        return None if d is None else {"name": name, "document": d, "source": name}

    psd = {
        "identity": [p(f"id{i}", d) for i, d in enumerate(c["identity"])],
        "boundary": p("boundary", c["boundary"]),
        "session": p("session", c["session"]) if req["principal"] in gen.SESSIONS else None,
        "scp": [[p(f"scp0_{i}", d) for i, d in enumerate(level)] for level in c["scp"]],
        "rcp": [],
        "key_policies": {k: p(f"key{i}", d) for i, (k, d) in enumerate(sorted(c["key_policies"].items()))},
    }
    raw = {"action": req["action"], "resource": req["resource"], "context": req["context"],
           "principal": {"arn": req["principal"]}}  # fmt: skip
    return {"policies": psd, "request": raw}


# ------------------------------------------------------------------ adjudicated differences
# The differences are test_oracle.ADJUDICATED's (each with the AWS sentence that decides it); the KMS
# cases found one of them: "session-arn-named-by-resource-policy" (a key policy Allow for "*" names
# the session itself, so the session policy does not limit it). No KMS-specific difference.


def run(opa: str, node_bin: str, root: Path, seed: int, n_sets: int) -> dict:
    rng = random.Random(seed)
    sets = [_case(rng) for _ in range(n_sets)]
    pairs = [(c, req) for c in sets for req in c["requests"]]
    oracle_cases = [_oracle_case(c, req) for c, req in pairs]
    theirs = simulate(node_bin, oracle_cases)
    ours = decide_ours(opa, root, [_generic_case(c, req) for c, req in pairs])
    compared = agree = 0
    errors: Counter[str] = Counter()
    outcomes: Counter[str] = Counter()
    adjudicated: Counter[str] = Counter()
    unexplained = []
    for oc, (_, req), o, t in zip(oracle_cases, pairs, ours, theirs, strict=True):
        if t.startswith("error"):
            errors[t[:120]] += 1
            continue
        compared += 1
        outcomes[o] += 1
        if o == t:
            agree += 1
        elif which := adjudicate(oc, req, o, t):
            adjudicated[which] += 1
        else:
            unexplained.append({"ours": o, "iam-simulate": t, "case": oc})
    return {"cases": len(pairs), "compared": compared, "agree": agree, "errors": errors,
            "outcomes": outcomes, "adjudicated": adjudicated, "unexplained": unexplained}  # fmt: skip


@pytest.mark.opa
def test_key_policy_decisions_agree_with_iam_simulate(opa_bin: str, node: str, tmp_path: Path) -> None:  # noqa: F811
    r = run(opa_bin, node, tmp_path, SEED, N_SETS)
    print(
        f"\noracle (KMS): {r['cases']} cases, {r['compared']} compared, {r['agree']} agree, "
        f"outcomes {dict(r['outcomes'])}, adjudicated {dict(r['adjudicated'])}, iam-simulate refused {sum(r['errors'].values())}, "
        f"unexplained {len(r['unexplained'])}"
    )
    assert r["compared"] >= 0.9 * r["cases"], r["errors"].most_common(5)
    # the generator must reach all three outcomes, or the comparison proves little
    assert all(
        r["outcomes"][k] > 0.05 * r["compared"] for k in ("Allowed", "ImplicitlyDenied", "ExplicitlyDenied")
    )
    detail = json.dumps(r["unexplained"][:3], indent=1)
    assert not r["unexplained"], f"{len(r['unexplained'])} differences not adjudicated:\n{detail}"
