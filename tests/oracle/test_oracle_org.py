"""Differential oracle for SCP scope (issue 20 item 1): the organisation levels the gate pack builds
from a plan, decided by iam2rego's generic evaluator and by @cloud-copilot/iam-simulate.

iam-simulate takes SCP and RCP levels as given (one `orgIdentifier` per level: root, OU, account) and
requires an Allow at every level and no Deny at any; it has no model of the OU tree, of the management
account or of service-linked roles (those decide WHICH levels apply, rego/iam2rego/gate/organization.rego,
SEMANTICS §13.1). So the differential runs on the levels the pack decided for the fixture plans
(tests/terraform/scp-scope, scp-org-block): the levels that provably apply and, for the world where
every level that may apply does, those too. Both evaluators must agree on every case (no
difference was found, so none is adjudicated).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from iam2rego import api
from iam2rego.terraform.gate import gate_config
from iam2rego.terraform.pack import pack_files

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from test_oracle import decide_ours, node, simulate  # noqa: E402,F401  (node: the fixture)

FIXTURES = HERE.parent / "terraform"
ACCT = "123456789012"
TABLE = f"arn:aws:dynamodb:us-east-1:{ACCT}:table/orders"
BACKUP = f"{TABLE}/backup/01700000000000-0a1b2c3d"
REQUESTS = [
    ("dynamodb:UpdateContinuousBackups", TABLE),
    ("dynamodb:DescribeContinuousBackups", TABLE),
    ("dynamodb:CreateBackup", TABLE),
    ("dynamodb:ExportTableToPointInTime", TABLE),
    ("dynamodb:DeleteBackup", BACKUP),
]
SESSION = f"arn:aws:sts::{ACCT}:assumed-role/dba/gate"

# iam-simulate applies RCPFullAWSAccess itself and rejects an RCP with an Allow: the levels it gets
# leave that one policy out (the pack lists it at every level, SEMANTICS §13.1).
#
# A level with no SCP at all cannot exist in AWS ("every root, OU, and account must have at least one
# SCP attached", [ORG-DETACH]); the pack builds one when `without_full_aws_access` names a target the
# block lists nothing for, and both evaluators deny there (no Allow at that level, [ORG-SCP-EVAL]).


def _policy_sets(case: str, data: dict) -> dict:
    plan = json.loads((FIXTURES / case / "plan.json").read_text(encoding="utf-8"))
    engine = api.get_engine("opa", quiet=True)
    [sets] = engine.evaluate(pack_files(), "data.iam2rego.gate.policy_sets", [plan], data)
    return sets


def _docs(level: list[dict]) -> list[dict]:
    out = []
    for e in level:
        d = e["document"]
        out.append(json.loads(d) if isinstance(d, str) else d)
    return out


def _worlds(pset: dict) -> list[tuple[list, list]]:
    """(scp levels, rcp levels) where nothing that may apply does, and where all of it does."""
    maybe = pset["maybe"]
    return [(pset["scp"], pset["rcp"]), (pset["scp"] + maybe["scp"], pset["rcp"] + maybe["rcp"])]


def _cases(pset: dict) -> list[tuple[dict, dict]]:
    identity = [
        json.loads(e["document"]) if isinstance(e["document"], str) else e["document"]
        for e in pset["identity"]
    ]
    out = []
    for scp, rcp in _worlds(pset):
        for action, resource in REQUESTS:
            theirs = {
                "identity": identity, "boundary": None, "session": None,
                "scp": [_docs(lv) for lv in scp], "rcp": [_docs([e for e in lv if e["name"] != "RCPFullAWSAccess"]) for lv in rcp], "resource_policy": None,
                "principal": SESSION, "action": action, "resource": resource, "resource_account": ACCT,
                "context": {},
            }  # fmt: skip
            ours = {
                "policies": {"identity": pset["identity"], "boundary": None, "session": None, "scp": scp, "rcp": rcp},
                "request": {
                    "action": action, "resource": resource, "context": {},
                    "principal": {"arn": f"arn:aws:iam::{ACCT}:role/dba", "account": ACCT, "type": "AssumedRole"},
                },
            }  # fmt: skip
            out.append((theirs, ours))
    return out


def _org_data(org: dict) -> dict:
    return {"iam2rego_gate": {"organization": org}}


WORLDS = {
    "scp-scope": lambda: gate_config(str(FIXTURES / "scp-scope" / "gate.yaml"))[0],
    "scp-org-block": lambda: gate_config(str(FIXTURES / "scp-org-block" / "gate.yaml"))[0],
    # the same plan placed by a block whose account level has FullAWSAccess detached
    "scp-org-block-detached": lambda: _org_data(
        {
            "management_account": "999999999999",
            "path": ["r-ab12", "ou-ab12-11111111", "ou-ab12-22222222"],
            "without_full_aws_access": [ACCT],
        }
    ),
}


@pytest.mark.opa
@pytest.mark.parametrize("world", sorted(WORLDS))
def test_scp_levels_decided_alike(world: str, opa_bin: str, node: str, tmp_path: Path) -> None:  # noqa: F811
    case = world.removesuffix("-detached")
    pset = _policy_sets(case, WORLDS[world]())["aws_iam_role.dba"]
    pairs = _cases(pset)
    theirs = simulate(node, [t for t, _ in pairs])
    ours = decide_ours(opa_bin, tmp_path, [o for _, o in pairs])
    assert not [t for t in theirs if t.startswith("error")], theirs
    differ = []
    for (t_case, _), o, t in zip(pairs, ours, theirs, strict=True):
        if o != t:
            differ.append((t_case["action"], len(t_case["scp"]), o, t))
    assert differ == []
    # the worlds differ where the fixtures say (an SCP of unknown scope, an RCP)
    assert len(set(ours)) > 1
