"""The access matrix decides one representative per group of equal questions, with a pruned policy
set. These tests decide every (principal, table) pair on its own, with its whole policy sets, and
require the same answer, decision, deciding statements and failing checks for every cell.
"""

from __future__ import annotations

import json
import random

import pytest
from iam2rego.access.analysis import analysis_for
from iam2rego.access.columns import make_columns
from iam2rego.access.matrix import decide_cells
from iam2rego.access.model import PolicyDoc, Principal, Table, table_from_arn
from iam2rego.engines import get_engine
from iam2rego.terraform.pack import pack_files

pytestmark = pytest.mark.opa

ACCOUNT = "111122223333"
ACTIONS = [
    "dynamodb:DeleteBackup",
    "dynamodb:*Backup*",
    "dynamodb:Restore*",
    "dynamodb:CreateBackup",
    "dynamodb:PutItem",
    "dynamodb:*Item",
    "dynamodb:Query",
    "dynamodb:Scan",
    "dynamodb:GetItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:List*",
    "dynamodb:Describe*",
    "dynamodb:*",
    "s3:*",
    "*",
    "dynamodb:UpdateContinuousBackups",
    "dynamodb:ExportTableToPointInTime",
]
CONDITIONS = [
    None,
    {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
    {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
    {"StringEquals": {"aws:PrincipalTag/team": "ops"}},
    {"StringLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/ops-*"}},
    {"StringEquals": {"aws:RequestedRegion": "us-east-1"}},
]


def _resources(tables: list[Table]) -> list[str]:
    out = [
        "*",
        f"arn:aws:dynamodb:*:{ACCOUNT}:table/*",
        f"arn:aws:dynamodb:*:{ACCOUNT}:table/prod-*",
        f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/*/backup/*",
        f"arn:aws:dynamodb:*:{ACCOUNT}:table/${{aws:PrincipalTag/team}}-*",
    ]
    for t in tables:
        out += [t.arn, f"{t.arn}/backup/*", f"{t.arn}-restored", f"{t.arn}*"]
    return out


def _statement(rng: random.Random, resources: list[str]) -> dict:
    st: dict = {"Effect": rng.choice(["Allow", "Allow", "Allow", "Deny"])}
    acts = rng.sample(ACTIONS, rng.randint(1, 3))
    st["NotAction" if rng.random() < 0.1 else "Action"] = acts if len(acts) > 1 else acts[0]
    res = rng.sample(resources, rng.randint(1, 3))
    st["NotResource" if rng.random() < 0.1 else "Resource"] = res
    cond = rng.choice(CONDITIONS)
    if cond and rng.random() < 0.5:
        st["Condition"] = cond
    return st


def _doc(name: str, statements: list[dict], kind: str = "identity") -> PolicyDoc:
    text = json.dumps({"Version": "2012-10-17", "Statement": statements}, indent=2)
    return PolicyDoc.read(name, f"{name}.json", f"{name}.json", text, kind)


def _world(seed: int) -> tuple[list[Principal], list[Table]]:
    rng = random.Random(seed)
    tables = [
        table_from_arn(f"arn:aws:dynamodb:{region}:{ACCOUNT}:table/{name}", "test")
        for region, name in [
            ("us-east-1", "prod-orders"),
            ("us-east-1", "prod-users"),
            ("us-east-1", "dev-orders"),
            ("eu-west-1", "prod-orders"),
            ("us-east-1", "ops-ledger"),
            ("us-east-1", "scratch"),
        ]
    ]
    tables = [t for t in tables if t is not None]
    res = _resources(tables)
    rbp = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/ops-2"},
                "Action": "dynamodb:CreateBackup",
                "Resource": tables[1].arn,
            },
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "dynamodb:*",
                "Resource": tables[1].arn,
                "Condition": {"StringNotEquals": {"aws:PrincipalTag/team": "ops"}},
            },
        ],
    }
    tables[1].resource_policy = PolicyDoc.read(
        "rbp", "rbp.json", "rbp.json", json.dumps(rbp, indent=2), "resource"
    )
    shared = [_doc(f"managed{k}", [_statement(rng, res) for _ in range(rng.randint(1, 3))]) for k in range(5)]
    boundary = _doc(
        "boundary",
        [
            {"Effect": "Allow", "Action": "*", "Resource": "*"},
            {
                "Effect": "Deny",
                "Action": "dynamodb:DeleteBackup",
                "Resource": f"arn:aws:dynamodb:*:{ACCOUNT}:table/prod-*/backup/*",
            },
        ],
        "boundary",
    )
    scp = [
        _doc("FullAWSAccess", [{"Effect": "Allow", "Action": "*", "Resource": "*"}], "scp"),
        _doc(
            "scp",
            [
                {
                    "Effect": "Deny",
                    "Action": "dynamodb:DeleteBackup",
                    "Resource": "*",
                    "Condition": {"StringNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/ops-*"}},
                }
            ],
            "scp",
        ),
    ]
    principals = []
    for i in range(14):
        name = f"ops-{i}" if i % 3 == 0 else f"app-{i}"
        kind = "user" if i % 5 == 4 else "role"
        arn = f"arn:aws:iam::{ACCOUNT}:{kind}/{name}"
        p = Principal(
            f"{kind}/{name}", name, kind, arn, ACCOUNT, "test", {"team": rng.choice(["ops", "dev"])}
        )
        p.identity = rng.sample(shared, rng.randint(0, 2))
        if rng.random() < 0.6:
            p.identity.append(
                _doc(f"{name}-inline", [_statement(rng, res) for _ in range(rng.randint(1, 3))])
            )
        if i % 4 == 1:
            p.boundary = boundary
        if i % 3 == 2:
            p.scp = [scp]
        principals.append(p)
    # a policy variable in Resource: tables that the pattern with `*` for the variable matches differ
    var = Principal(
        "role/ops-var",
        "ops-var",
        "role",
        f"arn:aws:iam::{ACCOUNT}:role/ops-var",
        ACCOUNT,
        "test",
        {"team": "ops"},
    )
    var.identity = [
        _doc(
            "ops-var-inline",
            [
                {
                    "Effect": "Allow",
                    "Action": "dynamodb:*Backup*",
                    "Resource": f"arn:aws:dynamodb:*:{ACCOUNT}:table/${{aws:PrincipalTag/team}}-*",
                }
            ],
        )
    ]
    principals.append(var)
    # two principals with the same policies: they must share every answer
    twin = Principal(
        "role/app-twin",
        "app-twin",
        "role",
        f"arn:aws:iam::{ACCOUNT}:role/app-twin",
        ACCOUNT,
        "test",
        dict(principals[1].tags),
    )
    twin.identity, twin.boundary, twin.scp = (
        list(principals[1].identity),
        principals[1].boundary,
        principals[1].scp,
    )
    principals.append(twin)
    return principals, tables


def _decide(principals, tables, exact: bool):
    engine = get_engine("opa")
    modules = pack_files(access=True)
    columns = make_columns(None, None)

    def column_checks(per_table):
        return engine.evaluate(
            modules, "data.iam2rego.access.column_checks", [{"items": i} for i in per_table]
        )

    return decide_cells(
        principals, tables, columns, analysis_for(engine, modules), column_checks, exact=exact
    )


def _view(matrix) -> dict:
    out = {}
    for cell in matrix.cells():
        reasons = sorted((r["origin"], r["statement_index"], r["effect"]) for r in cell.reasons)
        out[(cell.principal, cell.table, cell.column)] = (
            cell.answer,
            cell.decision,
            reasons,
            sorted(cell.failing),
        )
    return out


@pytest.mark.parametrize("seed", [1, 2])
def test_grouped_answers_equal_every_pair_decided_alone(seed: int) -> None:
    principals, tables = _world(seed)
    grouped = _decide(principals, tables, exact=False)
    exact = _decide(principals, tables, exact=True)
    assert grouped.questions < exact.questions  # the grouping saved work
    g, e = _view(grouped), _view(exact)
    assert g.keys() == e.keys()
    diffs = [(k, g[k], e[k]) for k in g if g[k] != e[k]]
    assert not diffs, diffs[:5]
    answers = {v[0] for v in e.values()}
    assert {"allowed", "denied"} <= answers  # the generated worlds exercise both answers
