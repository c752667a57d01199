"""Seeded generator of (policy set, request) pairs for the compiled-vs-generic differential test and
the benchmark. Pools are chosen to hit every matching path: exact and wildcard actions (known,
unknown, future), NotAction/NotResource, segment-final and inner stars, ``?``, variables with
defaults and escapes, regex/glob metacharacters in ARNs, every condition family, policy sets."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field

ACCT = "123456789012"
T = f"arn:aws:dynamodb:us-east-1:{ACCT}:table"

ACTIONS = [
    "dynamodb:CreateBackup",
    "dynamodb:DeleteBackup",
    "dynamodb:DescribeBackup",
    "dynamodb:ListBackups",
    "dynamodb:RestoreTableFromBackup",
    "dynamodb:PutItem",
    "dynamodb:DescribeStream",
    "dynamodb:*",
    "dynamodb:*Backup*",
    "dynamodb:Describe?ackup",
    "dynamodb:Restore*",
    "*",
    "s3:*",
    "futuresvc:Do*",
    "DynamoDB:createBACKUP",
    "madeup:Thing",
    "dynamodb:List*",
    "kms:Decrypt",
    "dynamodb:[a]*",
]
RESOURCES = [
    "*",
    f"{T}/Music",
    f"{T}/Music*",
    f"{T}/Music/*",
    f"{T}/*/backup/*",
    "arn:aws:dynamodb:*:*:table/*",
    f"{T}/Music/stream/2021-12-10T*.000",
    "arn:aws:dynamodb:*:*:*",
    f"{T}/a[b]{{c}}.d",
    f"{T}/${{aws:username}}",
    f"{T}/team-${{aws:PrincipalTag/team, 'shared'}}",
    f"{T}/Music${{*}}",
    f"{T}/M?sic",
    f"{T}/${{aws:username}}/backup/*",
    "arn:aws:s3:::bucket/*",
    f"{T}/Secret*",
]
REQ_ACTIONS = [
    "dynamodb:CreateBackup",
    "dynamodb:DeleteBackup",
    "dynamodb:DescribeBackup",
    "dynamodb:ListBackups",
    "dynamodb:RestoreTableFromBackup",
    "dynamodb:PutItem",
    "dynamodb:DescribeStream",
    "s3:PutObject",
    "futuresvc:DoThing",
    "dynamodb:NewFutureBackupThing",
    "kms:Decrypt",
    "DYNAMODB:DescribeBackup",
    "dynamodb:a",
    "madeup:thing",
]
REQ_RESOURCES = [
    f"{T}/Music",
    f"{T}/MusicCollection",
    f"{T}/Music/backup/01489173575360-b308cd7d",
    f"{T}/movies",
    f"{T}/Music/stream/2021-12-10T00:00:00.000",
    f"{T}/alice",
    f"{T}/team-red",
    f"{T}/team-shared",
    f"{T}/Music*",
    f"{T}/a[b]{{c}}.d",
    f"{T}/aXb]{{c}}.d",
    f"{T}/Secret1",
    f"{T}/alice/backup/1",
    f"arn:aws:dynamodb:us-west-2:{ACCT}:table/Music",
    "arn:aws:s3:::bucket/key",
    "*",
]
CONDITIONS = [
    ("StringEquals", "aws:RequestedRegion", ["us-east-1"]),
    ("StringNotEquals", "aws:RequestedRegion", ["us-east-1", "eu-west-1"]),
    ("StringLike", "aws:ResourceTag/env", ["dev*"]),
    ("StringEqualsIgnoreCase", "aws:PrincipalTag/team", ["RED"]),
    ("StringNotLike", "aws:userid", ["AIDA*"]),
    ("Bool", "aws:MultiFactorAuthPresent", [True]),
    ("BoolIfExists", "aws:MultiFactorAuthPresent", ["false"]),
    ("ForAllValues:StringEquals", "aws:TagKeys", ["env", "owner"]),
    ("ForAnyValue:StringEquals", "aws:TagKeys", ["env"]),
    ("IpAddress", "aws:SourceIp", ["203.0.113.0/24"]),
    ("NotIpAddress", "aws:SourceIp", ["203.0.113.0/24"]),
    ("NumericLessThan", "aws:MultiFactorAuthAge", [3600]),
    ("Null", "aws:TokenIssueTime", ["true"]),
    ("StringLike", "aws:PrincipalTag/project", ["${aws:username}-*"]),
    ("ArnLike", "aws:PrincipalArn", [f"arn:aws:iam::{ACCT}:user/*"]),
    ("DateGreaterThan", "aws:CurrentTime", ["2020-01-01T00:00:00Z"]),
    ("StringEqualsIfExists", "aws:ViaAWSService", ["false"]),
]
CONTEXT = {
    "aws:RequestedRegion": ["us-east-1", "us-west-2", "eu-west-1"],
    "aws:ResourceTag/env": ["dev", "prod", "development"],
    "aws:PrincipalTag/team": ["red", "Red", "blue"],
    "aws:username": ["alice", "bob", "a*"],
    "aws:userid": ["AIDAEXAMPLE", "AROAEXAMPLE"],
    "aws:MultiFactorAuthPresent": [True, False, "true"],
    "aws:TagKeys": [["env"], ["env", "owner"], ["env", "other"], []],
    "aws:SourceIp": ["203.0.113.10", "198.51.100.1"],
    "aws:MultiFactorAuthAge": [10, 7200, "100"],
    "aws:TokenIssueTime": ["2024-01-01T00:00:00Z"],
    "aws:PrincipalTag/project": ["alice-x", "bob-x"],
    "aws:PrincipalArn": [f"arn:aws:iam::{ACCT}:user/alice", f"arn:aws:iam::{ACCT}:role/R"],
    "aws:CurrentTime": ["2024-06-01T00:00:00Z", "2019-06-01T00:00:00Z"],
    "aws:ViaAWSService": ["false", "true"],
}
PRINCIPALS = [
    {"arn": f"arn:aws:iam::{ACCT}:user/alice", "account": ACCT, "type": "IAMUser"},
    {"arn": f"arn:aws:sts::{ACCT}:assumed-role/R/s1", "account": ACCT, "type": "AssumedRole"},
    {"arn": "arn:aws:iam::999999999999:user/mallory", "account": "999999999999", "type": "IAMUser"},
    {"arn": f"arn:aws:iam::{ACCT}:root", "account": ACCT, "type": "Root"},  # skips the identity step
]
RBP_TABLES = [f"{T}/Music", f"{T}/MusicCollection", f"{T}/alice"]
RBP_PRINCIPALS = [
    "*",
    {"AWS": f"arn:aws:iam::{ACCT}:user/alice"},
    {"AWS": ACCT},
    {"AWS": f"arn:aws:iam::{ACCT}:root"},
    {"AWS": [ACCT, f"arn:aws:iam::{ACCT}:user/alice"]},
    {"AWS": "999999999999"},
    {"AWS": [f"arn:aws:iam::{ACCT}:role/R"]},
    {"Service": "backup.amazonaws.com"},
]


def _one_or_many(rng: random.Random, pool: list, k_max: int = 3) -> object:
    items = rng.sample(pool, rng.randint(1, k_max))
    return items[0] if len(items) == 1 and rng.random() < 0.5 else items


def statement(rng: random.Random, sid: str, *, principal: bool = False) -> dict:
    st: dict = {"Sid": sid, "Effect": rng.choice(["Allow", "Allow", "Deny"])}
    if principal:
        key = "NotPrincipal" if rng.random() < 0.15 and st["Effect"] == "Deny" else "Principal"
        st[key] = rng.choice(RBP_PRINCIPALS)
    st["NotAction" if rng.random() < 0.2 else "Action"] = _one_or_many(rng, ACTIONS)
    st["NotResource" if rng.random() < 0.2 else "Resource"] = _one_or_many(rng, RESOURCES)
    if rng.random() < 0.5:
        cond: dict = {}
        for op, key, values in rng.sample(CONDITIONS, rng.randint(1, 2)):
            cond.setdefault(op, {})[key] = values if len(values) > 1 or rng.random() < 0.5 else values[0]
        st["Condition"] = cond
    return st


def document(rng: random.Random, n: int, *, principal: bool = False) -> dict:
    version = "2012-10-17" if rng.random() < 0.85 else "2008-10-17"
    return {"Version": version, "Statement": [statement(rng, f"S{i}", principal=principal) for i in range(n)]}


@dataclass
class Case:
    """One policy set: documents by slot, and requests to decide against it."""

    identity: list[dict]
    boundary: dict | None = None
    session: dict | None = None
    scp: list[list[dict]] = field(default_factory=list)
    resource_policies: dict[str, dict] = field(default_factory=dict)  # table ARN -> document
    requests: list[dict] = field(default_factory=list)


def case(rng: random.Random, n_requests: int, statements: tuple[int, int] = (1, 4)) -> Case:
    c = Case(identity=[document(rng, rng.randint(*statements)) for _ in range(rng.randint(1, 2))])
    if rng.random() < 0.25:
        c.boundary = document(rng, rng.randint(1, 2))
    if rng.random() < 0.15:
        c.session = document(rng, 1)
    if rng.random() < 0.25:
        c.scp = [[document(rng, rng.randint(1, 2))] for _ in range(rng.randint(1, 2))]
    if rng.random() < 0.35:
        # bound to one or two of the tables the requests name (SEMANTICS §3.5)
        for table in rng.sample(RBP_TABLES, rng.randint(1, 2)):
            c.resource_policies[table] = document(rng, rng.randint(1, 2), principal=True)
    c.requests = [request(rng) for _ in range(n_requests)]
    return c


def request(rng: random.Random) -> dict:
    keys = rng.sample(sorted(CONTEXT), rng.randint(0, 5))
    return {
        "action": rng.choice(REQ_ACTIONS),
        "resource": rng.choice(REQ_RESOURCES),
        "context": {k: rng.choice(CONTEXT[k]) for k in keys},
        "principal": rng.choice(PRINCIPALS),
    }


def dumps(doc: dict) -> str:
    return json.dumps(doc, indent=1, ensure_ascii=False)


# --------------------------------------------------------------------------- hostile strings (issue #12)

# Characters an engine can mishandle in a string: JSON/Rego escapes, line ends of other languages,
# C string terminators, byte-order marks, deletes and the last code point.
HOSTILE = {
    "quote": '"',
    "backslash": "\\",
    "newline": "\n",
    "nul": "\0",
    "u2028": "\u2028",
    "u0085": "\u0085",
    "ufeff": "\ufeff",
    "del": "\x7f",
    "u10ffff": "\U0010ffff",
}
H_ACTION = "dynamodb:CreateBackup"
H_PRINCIPAL = {"arn": f"arn:aws:iam::{ACCT}:user/alice", "account": ACCT, "type": "IAMUser"}


def _h_req(resource: str, context: dict | None = None, principal: dict | None = None) -> dict:
    return {
        "action": H_ACTION,
        "resource": resource,
        "context": context or {},
        "principal": principal or H_PRINCIPAL,
    }


def _h_deny(**parts: object) -> dict:
    return {"Sid": "HostileDeny", "Effect": "Deny", "Action": H_ACTION, **parts}


def hostile_family(family: str, h: str) -> tuple[dict, list[tuple[dict, str]]]:
    """(identity policy document, [(request, expected decision)]) with ``h`` in one position."""
    deny: dict
    reqs: list[tuple[dict, str]]
    if family == "arn-literal":
        deny = _h_deny(Resource=f"{T}/x{h}y")
        reqs = [(_h_req(f"{T}/x{h}y"), "explicit_deny"), (_h_req(f"{T}/xy"), "allow")]
    elif family == "arn-wildcard":
        deny = _h_deny(Resource=f"{T}/x{h}*")
        reqs = [(_h_req(f"{T}/x{h}z"), "explicit_deny"), (_h_req(f"{T}/xz"), "allow")]
    elif family == "condition-key":
        key = f"aws:PrincipalTag/k{h}"
        deny = _h_deny(Resource="*", Condition={"StringEquals": {key: "v"}})
        reqs = [
            (_h_req(f"{T}/t", {key: "v"}), "explicit_deny"),
            (_h_req(f"{T}/t", {"aws:PrincipalTag/k": "v"}), "allow"),
        ]
    elif family == "condition-value":
        deny = _h_deny(Resource="*", Condition={"StringEquals": {"aws:PrincipalTag/team": f"v{h}"}})
        reqs = [
            (_h_req(f"{T}/t", {"aws:PrincipalTag/team": f"v{h}"}), "explicit_deny"),
            (_h_req(f"{T}/t", {"aws:PrincipalTag/team": "v"}), "allow"),
        ]
    elif family == "condition-like":
        deny = _h_deny(Resource="*", Condition={"StringLike": {"aws:PrincipalTag/team": f"v{h}*"}})
        reqs = [
            (_h_req(f"{T}/t", {"aws:PrincipalTag/team": f"v{h}w"}), "explicit_deny"),
            (_h_req(f"{T}/t", {"aws:PrincipalTag/team": "vw"}), "allow"),
        ]
    elif family == "principal-arn":
        pattern = f"arn:aws:iam::{ACCT}:user/a{h}*"
        deny = _h_deny(Resource="*", Condition={"ArnLike": {"aws:PrincipalArn": pattern}})
        reqs = [
            (_h_req(f"{T}/t", {"aws:PrincipalArn": f"arn:aws:iam::{ACCT}:user/a{h}b"}), "explicit_deny"),
            (_h_req(f"{T}/t", {"aws:PrincipalArn": f"arn:aws:iam::{ACCT}:user/ab"}), "allow"),
        ]
    elif family == "policy-variable":  # the value is escaped for a regex at evaluation time
        deny = _h_deny(Resource=f"{T}/${{aws:username}}")
        reqs = [
            (_h_req(f"{T}/a{h}.b", {"aws:username": f"a{h}.b"}), "explicit_deny"),
            (_h_req(f"{T}/a{h}xb", {"aws:username": f"a{h}.b"}), "allow"),
        ]
    elif family == "request-fields":  # hostile text only in the request
        deny = _h_deny(Resource=f"{T}/*y")
        principal = {"arn": f"arn:aws:iam::{ACCT}:user/a{h}", "account": ACCT, "type": "IAMUser"}
        reqs = [
            (_h_req(f"{T}/x{h}y", {"aws:PrincipalTag/team": f"v{h}"}, principal), "explicit_deny"),
            (_h_req(f"{T}/x{h}z", {f"aws:PrincipalTag/t{h}": "v"}, principal), "allow"),
            ({**_h_req(f"{T}/x"), "action": f"dynamodb:Create{h}Backup"}, "allow"),  # dynamodb:* matches it
        ]
    else:
        raise ValueError(family)
    allow = {"Sid": "AllowAll", "Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"}
    return {"Version": "2012-10-17", "Statement": [allow, deny]}, reqs


HOSTILE_FAMILIES = (
    "arn-literal",
    "arn-wildcard",
    "condition-key",
    "condition-value",
    "condition-like",
    "principal-arn",
    "policy-variable",
    "request-fields",
)


def hostile_dumps(doc: dict) -> str:
    """Policy text with every non-ASCII character as a JSON escape (IAM's charset rule, V-CHARS)."""
    return json.dumps(doc, indent=1, ensure_ascii=True)
