"""Differential oracle (issue 11): iam2rego's decisions against an independent implementation,
@cloud-copilot/iam-simulate (npm, pinned with its data package in tests/oracle/package.json and
package-lock.json; ``make oracle-deps`` installs it into tests/oracle/node_modules).

Compiled ≡ generic (tests/differential) catches codegen bugs but not a rule both get wrong. Here
generated policy sets (cases.py) are decided by the generic evaluator (data.iam2rego.generic, the
same library the compiled modules use) and by iam-simulate. Every difference must be on the
adjudicated list below, each entry with the AWS documentation sentence that decides it; any other
difference fails the test. Requests iam-simulate refuses to simulate (its own validation) are
counted and left out.

``IAM2REGO_ORACLE_SETS`` (default 150 policy sets x 20 requests = 3,000 cases) and
``IAM2REGO_ORACLE_SEED`` change the size and the seed; ``make fuzz`` runs a larger sample.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from iam2rego.codegen import library_files

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import cases as gen  # noqa: E402

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
SEED = int(os.environ.get("IAM2REGO_ORACLE_SEED", "1111"))
N_SETS = int(os.environ.get("IAM2REGO_ORACLE_SETS", "150"))
N_REQUESTS = 20
OURS = {"allow": "Allowed", "explicit_deny": "ExplicitlyDenied", "implicit_deny": "ImplicitlyDenied"}


# ------------------------------------------------------------------ adjudicated differences


@dataclass(frozen=True)
class Adjudication:
    """A known difference between iam-simulate and AWS's documented behaviour, decided for AWS."""

    id: str
    aws_doc: str  # the AWS documentation sentence that decides it (and where)
    applies: Callable[[dict, dict, str, str], bool]  # (case, request, ours, theirs)


def _rbp_names_session(c: dict, req: dict) -> bool:
    """The request is by a session that the table's resource policy names itself in an Allow: its
    own session ARN, or everyone ("*", which names the session as much as any other principal)."""
    doc = c["resource_policy"]
    if not doc or req["principal"] not in gen.SESSIONS or c["session"] is None:
        return False
    for st in doc["Statement"]:
        principal = st.get("Principal")
        if st["Effect"] != "Allow" or principal is None:
            continue
        if principal == "*":
            return True
        if isinstance(principal, dict):
            names = principal.get("AWS")
            if {req["principal"], "*"} & set(names if isinstance(names, list) else [names]):
                return True
    return False


def _as_list(v: object) -> list:
    return v if isinstance(v, list) else [v]


def _not_principal_lists_only_the_account(c: dict, req: dict) -> bool:
    """A Deny of the table's resource policy lists the principal's account (its root ARN or id) in
    NotPrincipal, but not the principal itself."""
    doc = c["resource_policy"]
    principal = req["principal"]
    account = principal.split(":")[4]
    if not doc or gen.is_root(principal):
        return False
    for st in doc["Statement"]:
        listed = _as_list((st.get("NotPrincipal") or {}).get("AWS", []))
        if (
            st["Effect"] == "Deny"
            and principal not in listed
            and {account, f"arn:aws:iam::{account}:root"} & set(listed)
        ):
            return True
    return False


ADJUDICATED: list[Adjudication] = [
    Adjudication(
        "root-user-full-access",
        "IAM User Guide, 'Policy evaluation logic': \"By default, all requests are implicitly denied "
        'with the exception of the AWS account root user, which has full access." (SEMANTICS §5.1, '
        "§5.2: a root principal skips the identity, boundary and session steps; across accounts the "
        "resource policy must still allow it, §5.2a). iam-simulate asks a root user for an "
        "identity-policy Allow like any IAM principal.",
        lambda c, req, ours, theirs: (
            ours == "Allowed" and theirs == "ImplicitlyDenied" and gen.is_root(req["principal"])
        ),
    ),
    Adjudication(
        "not-principal-account-arn-exempts-only-the-account",
        "IAM User Guide, 'AWS JSON policy elements: NotPrincipal': its example lists "
        '"arn:aws:iam::444455556666:user/Bob" and "arn:aws:iam::444455556666:root" in '
        'NotPrincipal of a Deny and says that "all principals except the user named Bob in AWS '
        'account 444455556666 are explicitly denied access"; listing the account ARN exempts the '
        "account principal, not the other principals of the account (SEMANTICS §5.2a). iam-simulate "
        "treats the account ARN in NotPrincipal as exempting every principal of that account.",
        lambda c, req, ours, theirs: (
            ours == "ExplicitlyDenied"
            and theirs != "ExplicitlyDenied"
            and _not_principal_lists_only_the_account(c, req)
        ),
    ),
    Adjudication(
        "session-arn-named-by-resource-policy",
        "IAM User Guide, 'Session policies': \"A resource-based policy can specify the ARN of the user "
        "or role as a principal. In that case, the permissions from the resource-based policy are "
        "added to the role or user's identity-based policy before the session is created. The session "
        "policy limits the total permissions granted by the resource-based policy and the "
        "identity-based policy. ... A resource-based policy can specify the ARN of the session as a "
        "principal. In that case, the permissions from the resource-based policy are added after the "
        "session is created. The resource-based policy permissions are not limited by the session "
        'policy." (SEMANTICS §5.2a; a Principal of "*" names the session too). iam-simulate lets the '
        "session policy cut a resource policy that names the session ARN (or everyone).",
        lambda c, req, ours, theirs: (
            ours == "Allowed" and theirs == "ImplicitlyDenied" and _rbp_names_session(c, req)
        ),
    ),
]


def adjudicate(c: dict, req: dict, ours: str, theirs: str) -> str | None:
    for a in ADJUDICATED:
        if a.applies(c, req, ours, theirs):
            return a.id
    return None


# ------------------------------------------------------------------ running both sides


def node_problem() -> str | None:
    if shutil.which("node") is None:
        return "node is not installed"
    if not (HERE / "node_modules" / "@cloud-copilot" / "iam-simulate").is_dir():
        return "iam-simulate is not installed (run `make oracle-deps`)"
    return None


@pytest.fixture(scope="module")
def node() -> str:
    problem = node_problem()
    if problem:
        if IN_CI:
            pytest.fail(f"CI=true but the oracle cannot run: {problem}", pytrace=False)
        pytest.skip(problem)
    return str(shutil.which("node"))


def simulate(node: str, oracle_cases: list[dict]) -> list[str]:
    proc = subprocess.run(
        [node, str(HERE / "simulate.mjs")],
        input=json.dumps({"cases": oracle_cases}),
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    decisions: list[str] = json.loads(proc.stdout)["decisions"]
    return decisions


def decide_ours(opa: str, root: Path, items: list[dict]) -> list[str]:
    for rel, text in library_files().items():
        (root / "lib" / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / "lib" / rel).write_text(text, encoding="utf-8")
    (root / "q").mkdir(exist_ok=True)
    (root / "q" / "q.rego").write_text(
        "package iam2rego.oracletest\n\nimport data.iam2rego.generic\n\n"
        "decisions := [generic.decide_request(x.policies, x.request, {}).decision | some x in input.cases]\n"
    )
    (root / "input.json").write_text(json.dumps({"cases": items}))
    proc = subprocess.run(
        [opa, "eval", "--format", "json", "-d", str(root / "lib"), "-d", str(root / "q"),
         "-i", str(root / "input.json"), "data.iam2rego.oracletest.decisions"],
        capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-4000:]
    out = json.loads(proc.stdout)["result"][0]["expressions"][0]["value"]
    return [OURS[d] for d in out]


def run_oracle(opa: str, node: str, root: Path, seed: int, n_sets: int) -> dict:
    rng = random.Random(seed)
    sets = [gen.case(rng, N_REQUESTS) for _ in range(n_sets)]
    pairs = [(c, req) for c in sets for req in c.requests]
    oracle_cases = [gen.oracle_case(c, req) for c, req in pairs]
    theirs = simulate(node, oracle_cases)
    ours = decide_ours(opa, root, [gen.generic_case(c, req) for c, req in pairs])
    compared = agree = 0
    errors: Counter[str] = Counter()
    adjudicated: Counter[str] = Counter()
    unexplained = []
    for oc, req, o, t in zip(oracle_cases, (r for _, r in pairs), ours, theirs, strict=True):
        if t.startswith("error"):
            errors[t[:120]] += 1
            continue
        compared += 1
        if o == t:
            agree += 1
            continue
        which = adjudicate(oc, req, o, t)
        if which:
            adjudicated[which] += 1
        else:
            unexplained.append({"ours": o, "iam-simulate": t, "case": oc})
    return {
        "cases": len(pairs), "compared": compared, "agree": agree, "errors": errors,
        "adjudicated": adjudicated, "unexplained": unexplained,
    }  # fmt: skip


@pytest.mark.opa
def test_decisions_agree_with_iam_simulate_or_are_adjudicated(
    opa_bin: str, node: str, tmp_path: Path
) -> None:
    r = run_oracle(opa_bin, node, tmp_path, SEED, N_SETS)
    share = r["agree"] / max(r["compared"], 1)
    print(
        f"\noracle: {r['cases']} cases, {r['compared']} compared, {r['agree']} agree ({share:.2%}), "
        f"adjudicated {dict(r['adjudicated'])}, iam-simulate refused {sum(r['errors'].values())}, "
        f"unexplained {len(r['unexplained'])}"
    )
    # the oracle must really decide most cases: a run that compares nothing proves nothing
    assert r["compared"] >= 0.9 * r["cases"], r["errors"].most_common(5)
    detail = json.dumps(r["unexplained"][:3], indent=1)
    assert not r["unexplained"], f"{len(r['unexplained'])} differences not on the adjudicated list:\n{detail}"


def test_adjudications_quote_aws() -> None:
    for a in ADJUDICATED:
        assert "IAM User Guide" in a.aws_doc or "docs.aws.amazon.com" in a.aws_doc, a.id
