"""Generated policy sets and requests for the iam-simulate differential oracle (test_oracle.py).

Everything issue 11 is about is in the mix: identity policies, permissions boundaries, session
policies (role and federated-user sessions), SCP and RCP levels, a resource-based policy bound to the
table ``Music`` (it covers Music's indexes and streams; requests on ``Books`` or on a backup see no
resource policy), Principal/NotPrincipal entries naming users, roles, sessions, federated sessions,
accounts and everyone, the root user, principals of a second account (cross-account requests), and
condition operators with IfExists and set qualifiers on present and absent keys.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

A = "123456789012"  # the tables' account
B = "210987654321"  # another account
T = f"arn:aws:dynamodb:us-east-1:{A}:table"
MUSIC = f"{T}/Music"
BOOKS = f"{T}/Books"
BACKUP = f"{MUSIC}/backup/01489173575360-b308cd7d"
INDEX = f"{MUSIC}/index/ByArtist"
STREAM = f"{MUSIC}/stream/2021-12-10T00:00:00.000"
B_TABLE = f"arn:aws:dynamodb:us-east-1:{B}:table/Partner"

PRINCIPALS = [
    f"arn:aws:iam::{A}:user/alice",
    f"arn:aws:iam::{A}:user/bob",
    f"arn:aws:sts::{A}:assumed-role/Ops/s1",
    f"arn:aws:sts::{A}:federated-user/bob",
    f"arn:aws:iam::{A}:root",
    f"arn:aws:iam::{B}:user/carol",
    f"arn:aws:sts::{B}:assumed-role/Partner/p1",
    f"arn:aws:iam::{B}:root",
]
SESSIONS = {p for p in PRINCIPALS if ":assumed-role/" in p or ":federated-user/" in p}

# (action, resource) pairs that iam-simulate's catalog accepts
REQUESTS = [
    ("dynamodb:GetItem", MUSIC),
    ("dynamodb:PutItem", MUSIC),
    ("dynamodb:DeleteItem", MUSIC),
    ("dynamodb:Query", MUSIC),
    ("dynamodb:Query", INDEX),
    ("dynamodb:DescribeStream", STREAM),
    ("dynamodb:CreateBackup", MUSIC),
    ("dynamodb:DescribeBackup", BACKUP),
    ("dynamodb:DeleteBackup", BACKUP),
    ("dynamodb:RestoreTableFromBackup", BACKUP),
    ("dynamodb:GetItem", BOOKS),
    ("dynamodb:PutItem", BOOKS),
    ("dynamodb:TagResource", MUSIC),
    ("dynamodb:ListBackups", "*"),
    ("dynamodb:GetItem", B_TABLE),
]

ACTIONS = [
    "dynamodb:*",
    "dynamodb:GetItem",
    "dynamodb:Get*",
    "dynamodb:*Item",
    "dynamodb:Query",
    "dynamodb:*Backup*",
    "dynamodb:Describe*",
    "dynamodb:TagResource",
    "*",
    "s3:*",
]
RESOURCES = [
    "*",
    MUSIC,
    f"{MUSIC}/*",
    f"{MUSIC}*",
    BOOKS,
    f"{T}/*",
    "arn:aws:dynamodb:*:*:table/*",
    f"{T}/*/backup/*",
    f"arn:aws:dynamodb:us-east-1:{B}:table/*",
    INDEX,
]
CONDITIONS = [
    ("StringEquals", "aws:RequestedRegion", "us-east-1"),
    ("StringNotEquals", "aws:RequestedRegion", ["us-east-1", "eu-west-1"]),
    ("Bool", "aws:MultiFactorAuthPresent", "true"),
    ("BoolIfExists", "aws:MultiFactorAuthPresent", "false"),
    ("ForAnyValue:StringEquals", "aws:TagKeys", "env"),
    ("ForAnyValue:StringEqualsIfExists", "aws:TagKeys", "env"),
    ("ForAllValues:StringEquals", "aws:TagKeys", ["env", "owner"]),
    ("ForAllValues:StringLikeIfExists", "aws:TagKeys", "e*"),
    ("IpAddress", "aws:SourceIp", "203.0.113.0/24"),
    ("NotIpAddress", "aws:SourceIp", "203.0.113.0/24"),
    ("StringLike", "aws:PrincipalTag/team", "r*"),
    ("StringEqualsIfExists", "aws:PrincipalTag/team", "red"),
    ("Null", "aws:MultiFactorAuthPresent", "true"),
    ("StringNotEquals", "aws:PrincipalAccount", A),
    ("StringEquals", "aws:PrincipalAccount", B),
    ("NumericLessThan", "aws:MultiFactorAuthAge", "3600"),
    ("ArnLike", "aws:PrincipalArn", f"arn:aws:iam::{A}:user/*"),
    ("ArnNotLike", "aws:PrincipalArn", f"arn:aws:sts::{A}:assumed-role/Ops/*"),
]
RBP_PRINCIPALS = [
    "*",
    {"AWS": A},
    {"AWS": f"arn:aws:iam::{A}:root"},
    {"AWS": B},
    {"AWS": f"arn:aws:iam::{B}:root"},
    {"AWS": f"arn:aws:iam::{A}:user/alice"},
    {"AWS": f"arn:aws:iam::{A}:user/bob"},
    {"AWS": f"arn:aws:iam::{A}:role/Ops"},
    {"AWS": f"arn:aws:sts::{A}:assumed-role/Ops/s1"},
    {"AWS": f"arn:aws:sts::{A}:federated-user/bob"},
    {"AWS": f"arn:aws:iam::{B}:user/carol"},
    {"AWS": f"arn:aws:iam::{B}:role/Partner"},
    {"AWS": [f"arn:aws:iam::{A}:user/alice", f"arn:aws:iam::{A}:root"]},
]
NOT_PRINCIPALS = [
    {"AWS": [f"arn:aws:iam::{A}:user/alice", f"arn:aws:iam::{A}:root"]},
    {"AWS": [f"arn:aws:iam::{A}:root"]},
    {"AWS": [f"arn:aws:iam::{B}:user/carol", f"arn:aws:iam::{B}:root"]},
    {"AWS": [f"arn:aws:sts::{A}:federated-user/bob", f"arn:aws:iam::{A}:root"]},
]
CONTEXT = {
    "aws:RequestedRegion": ["us-east-1", "us-west-2"],
    "aws:MultiFactorAuthPresent": ["true", "false"],
    "aws:MultiFactorAuthAge": ["60", "7200"],
    "aws:TagKeys": [["env"], ["env", "owner"], ["secret"]],
    "aws:SourceIp": ["203.0.113.10", "198.51.100.1"],
    "aws:PrincipalTag/team": ["red", "blue"],
}


@dataclass
class Case:
    """One policy set and the requests decided against it."""

    identity: list[dict]
    boundary: dict | None = None
    session: dict | None = None
    scp: list[list[dict]] = field(default_factory=list)
    rcp: list[list[dict]] = field(default_factory=list)
    music_policy: dict | None = None  # resource-based policy bound to the table Music
    requests: list[dict] = field(default_factory=list)


def _pick(rng: random.Random, pool: list, k_max: int = 2) -> object:
    k = rng.randint(1, k_max)
    items = rng.sample(pool, k)
    return items[0] if k == 1 and rng.random() < 0.7 else items


def statement(rng: random.Random, sid: str, kind: str) -> dict:
    effect = "Allow" if rng.random() < (0.7 if kind != "rcp" else 0.0) else "Deny"
    st: dict = {"Sid": sid, "Effect": effect}
    if kind == "rbp":
        if effect == "Deny" and rng.random() < 0.35:
            st["NotPrincipal"] = rng.choice(NOT_PRINCIPALS)
        else:
            st["Principal"] = rng.choice(RBP_PRINCIPALS)
    if kind == "rcp":
        st["Principal"] = "*"
    if kind == "rcp":  # RCPs: Deny statements with Action, never "*" (AWS Organizations syntax)
        st["Action"] = _pick(rng, [a for a in ACTIONS if a != "*"])
    else:
        st["NotAction" if rng.random() < 0.12 else "Action"] = _pick(rng, ACTIONS)
    if kind == "rbp":  # a table's policy names the table and its children (SEMANTICS §3.5)
        st["Resource"] = rng.choice([MUSIC, [MUSIC, f"{MUSIC}/*"], "*"])
    else:
        st["NotResource" if rng.random() < 0.1 else "Resource"] = _pick(rng, RESOURCES)
    if rng.random() < 0.45:
        op, key, value = rng.choice(CONDITIONS)
        st["Condition"] = {op: {key: value}}
    return st


def document(rng: random.Random, n: int, kind: str) -> dict:
    return {"Version": "2012-10-17", "Statement": [statement(rng, f"S{i}", kind) for i in range(n)]}


FULL_ACCESS = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
# RCPFullAWSAccess, which AWS attaches to every level (iam-simulate adds it by itself)
RCP_FULL = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}],
}


def case(rng: random.Random, n_requests: int) -> Case:
    c = Case(identity=[document(rng, rng.randint(1, 3), "identity") for _ in range(rng.randint(1, 2))])
    if rng.random() < 0.25:
        c.boundary = document(rng, rng.randint(1, 2), "identity")
    if rng.random() < 0.3:
        c.session = document(rng, rng.randint(1, 2), "identity")
    if rng.random() < 0.2:
        c.scp = [
            [FULL_ACCESS, document(rng, 1, "identity")]
            if rng.random() < 0.7
            else [document(rng, 1, "identity")]
        ]
    if rng.random() < 0.2:
        c.rcp = [[RCP_FULL, document(rng, 1, "rcp")]]
    if rng.random() < 0.7:
        c.music_policy = document(rng, rng.randint(1, 3), "rbp")
    for _ in range(n_requests):
        principal = rng.choice(PRINCIPALS)
        action, resource = rng.choice(REQUESTS)
        keys = rng.sample(sorted(CONTEXT), rng.randint(0, 3))
        context = {k: rng.choice(CONTEXT[k]) for k in keys}
        context["aws:PrincipalArn"] = principal
        context["aws:PrincipalAccount"] = principal.split(":")[4]
        if action == "dynamodb:TagResource" and "aws:TagKeys" not in context:
            context["aws:TagKeys"] = ["env"]
        c.requests.append(
            {"principal": principal, "action": action, "resource": resource, "context": context}
        )
    return c


def resource_account(req: dict) -> str:
    res = req["resource"]
    return res.split(":")[4] if res.startswith("arn:") else req["principal"].split(":")[4]


def covered_by_music(resource: str) -> bool:
    return (
        resource == MUSIC or resource.startswith(MUSIC + "/index/") or resource.startswith(MUSIC + "/stream/")
    )


def is_root(principal: str) -> bool:
    return principal.endswith(":root")


def oracle_case(c: Case, req: dict) -> dict:
    """The simulation input for iam-simulate: the session policy only for session principals, the
    resource policy only for requests on the resource it is attached to, no identity policy or
    boundary for a root user (none can be attached to it)."""
    root = is_root(req["principal"])
    return {
        "identity": [] if root else c.identity,
        "boundary": None if root else c.boundary,
        "session": c.session if req["principal"] in SESSIONS else None,
        "scp": c.scp,
        "rcp": [[d for d in level if d is not RCP_FULL] for level in c.rcp],  # iam-simulate adds it
        "resource_policy": c.music_policy if covered_by_music(req["resource"]) else None,
        "principal": req["principal"],
        "action": req["action"],
        "resource": req["resource"],
        "resource_account": resource_account(req),
        "context": req["context"],
    }


def generic_case(c: Case, req: dict) -> dict:
    """(PolicySetDoc, raw request) for data.iam2rego.generic.decide_request."""

    def p(name: str, doc: dict | None) -> dict | None:
        return None if doc is None else {"name": name, "document": doc, "source": name}

    root = is_root(req["principal"])
    psd = {
        "identity": [] if root else [p(f"id{i}", d) for i, d in enumerate(c.identity)],
        "boundary": None if root else p("boundary", c.boundary),
        "session": p("session", c.session) if req["principal"] in SESSIONS else None,
        "scp": [[p(f"scp{k}_{i}", d) for i, d in enumerate(level)] for k, level in enumerate(c.scp)],
        "rcp": [[p(f"rcp{k}_{i}", d) for i, d in enumerate(level)] for k, level in enumerate(c.rcp)],
        "resource_policies": {MUSIC: p("music", c.music_policy)} if c.music_policy else {},
    }
    raw = {
        "action": req["action"],
        "resource": req["resource"],
        "context": req["context"],
        "principal": {"arn": req["principal"]},
    }
    return {"policies": psd, "request": raw}
