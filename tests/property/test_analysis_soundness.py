"""Soundness of the analysis (data.iam2rego.analysis), checked against the ordinary evaluator.

Seeded random policy sets (every condition operator of SEMANTICS §6, IfExists, ForAnyValue /
ForAllValues, policy variables, Allow/Deny mixes, NotAction/NotResource, boundaries, session
policies, SCP levels) and questions (a single action, or a restore whose service-made writes have
their own context), with some context keys pinned; the principal's tags are fixed as the gate fixes
them (all aws:PrincipalTag/* keys; one tag fixed and the others open; all open: tags known only
after apply or a taggable session, SEMANTICS §13.3). For each question, concrete contexts are built
from the values the policies mention plus values just beside them, and the key absent; each is
decided by data.iam2rego.generic. Then:

- some concrete context allows  => the answer is not ``denied``;
- the answer is ``allowed``     => every concrete context allows;
- the answer is ``conditional`` with a residual condition => the residual, evaluated on each
  concrete context, equals the concrete decision.

SCPs that may or may not apply (SEMANTICS §13.1: an OU the plan cannot place the account in, an
account that may be the management account): some questions carry ``maybe`` SCP levels. Their
answer is the gate's (rego/iam2rego/gate/evaluate.rego ``_bracket``: the analysis without and with
those levels); every property above must then hold in BOTH worlds (the SCP does not apply / applies,
each decided by data.iam2rego.generic), and the answer is ``unverifiable`` only when the two worlds'
answers differ.

All questions of a chunk run in ONE ``opa eval`` (tests/property/soundness.rego). Sizes:
``IAM2REGO_ANALYSIS_QUESTIONS`` (default 10,000; ``HYPOTHESIS_PROFILE=fuzz`` / ``make fuzz``:
100,000), ``IAM2REGO_ANALYSIS_SEED``.
"""

from __future__ import annotations

import json
import os
import random
import re
import resource
import subprocess
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from iam2rego.codegen import library_files
from iam2rego.terraform.pack import pack_files

HERE = Path(__file__).resolve().parent
FUZZ = os.environ.get("HYPOTHESIS_PROFILE") == "fuzz"
N_QUESTIONS = int(os.environ.get("IAM2REGO_ANALYSIS_QUESTIONS", "100000" if FUZZ else "10000"))
SEED = int(os.environ.get("IAM2REGO_ANALYSIS_SEED", "20261201"))
CHUNK = 500
MAX_CONTEXTS = 16

ACCT = "123456789012"
BACKUP = f"arn:aws:dynamodb:us-east-1:{ACCT}:table/Orders/backup/01700000000000-0a1b2c3d"
TABLE = f"arn:aws:dynamodb:us-east-1:{ACCT}:table/Orders"
TARGET = f"arn:aws:dynamodb:us-east-1:{ACCT}:table/OrdersRestored"
ALICE = {"arn": f"arn:aws:iam::{ACCT}:user/alice", "account": ACCT, "type": "IAMUser"}
ROOT = {"arn": f"arn:aws:iam::{ACCT}:root", "account": ACCT, "type": "Root"}

# key -> (operators, policy values, concrete values: the policy values and values just beside them)
STRING_OPS = [
    "StringEquals",
    "StringNotEquals",
    "StringEqualsIgnoreCase",
    "StringNotEqualsIgnoreCase",
    "StringLike",
    "StringNotLike",
]
NUMERIC_OPS = [
    "NumericEquals",
    "NumericNotEquals",
    "NumericLessThan",
    "NumericLessThanEquals",
    "NumericGreaterThan",
    "NumericGreaterThanEquals",
]
DATE_OPS = [op.replace("Numeric", "Date") for op in NUMERIC_OPS]
KEYS: dict[str, tuple[list[str], list[object], list[object]]] = {
    "aws:SourceIp": (
        ["IpAddress", "NotIpAddress"],
        ["10.0.0.0/8", "192.0.2.0/24", "203.0.113.7", "2001:db8::/32"],
        [
            "10.1.2.3",
            "9.255.255.255",
            "11.0.0.0",
            "192.0.2.255",
            "192.0.3.0",
            "203.0.113.7",
            "203.0.113.8",
            "2001:db8::1",
            "2001:db9::1",
        ],
    ),
    "aws:MultiFactorAuthPresent": (["Bool"], ["true", "false"], ["true", "false"]),
    "aws:ViaAWSService": (["Bool"], ["true", "false"], ["true", "false"]),
    "aws:PrincipalTag/team": (
        STRING_OPS,
        ["ops", "Ops", "dev*", "o?s"],
        ["ops", "Ops", "opsx", "dev", "dev-1", "oxs", ""],
    ),
    # a second principal tag: open beside a fixed `team` when only some tags are known (SEMANTICS §13.3)
    "aws:PrincipalTag/owner": (
        ["StringEquals", "StringNotEquals", "StringLike"],
        ["data", "sec*"],
        ["data", "Data", "sec", "security", ""],
    ),
    "aws:SourceVpce": (
        STRING_OPS,
        ["vpce-1a", "vpce-2*"],
        ["vpce-1a", "vpce-1b", "vpce-2", "vpce-2zz", "VPCE-1A"],
    ),
    "aws:CurrentTime": (
        DATE_OPS,
        ["2026-06-01T00:00:00Z", "2027-01-01T00:00:00Z", "1780000000"],
        [
            "2026-05-31T23:59:59Z",
            "2026-06-01T00:00:00Z",
            "2026-06-01T00:00:01Z",
            "2027-01-01T00:00:00Z",
            "1780000000",
            "1780000001",
            "not-a-date",
        ],
    ),
    "aws:MultiFactorAuthAge": (
        NUMERIC_OPS,
        ["600", "3600", "0.5"],
        ["599", "600", "601", "3600", "0.5", "0.50", "x"],
    ),
    "aws:TagKeys": (
        STRING_OPS,
        ["env", "owner", "cost*"],
        [[], ["env"], ["owner"], ["env", "owner"], ["envx"], ["env", "other"], ["costcenter", "env"]],
    ),
    "aws:SourceArn": (
        ["ArnLike", "ArnEquals", "ArnNotLike", "ArnNotEquals"],
        [f"arn:aws:backup:us-east-1:{ACCT}:*", f"arn:aws:backup:*:{ACCT}:backup-vault:prod*"],
        [
            f"arn:aws:backup:us-east-1:{ACCT}:backup-vault:prod1",
            f"arn:aws:backup:us-west-2:{ACCT}:backup-vault:prod1",
            f"arn:aws:backup:us-west-2:{ACCT}:backup-vault:dev",
            "not-an-arn",
            f"arn:aws:s3:us-east-1:{ACCT}:x",
        ],
    ),
    "aws:userid": (
        ["StringLike", "StringEquals", "StringNotLike"],
        ["${aws:username}*", "AIDA*"],
        ["alice", "alice-1", "bob", "AIDAX"],
    ),
    "aws:username": (["StringEquals"], ["alice"], ["alice", "bob", "ders", ""]),
    "aws:RequestTag/bin": (["BinaryEquals"], ["QUJD"], ["QUJD", "QUJE"]),
}
NULL_KEYS = [
    "aws:SourceIp",
    "aws:SourceVpce",
    "aws:PrincipalTag/team",
    "aws:PrincipalTag/owner",
    "aws:TagKeys",
    "aws:MultiFactorAuthPresent",
]
ACTIONS = [
    ["dynamodb:DeleteBackup"],
    ["dynamodb:*"],
    ["dynamodb:*Backup"],
    ["*"],
    ["dynamodb:CreateBackup"],
    ["dynamodb:DeleteBackup", "dynamodb:PutItem"],
    ["dynamodb:*Item", "dynamodb:Query", "dynamodb:Scan"],
]
RESOURCES = [
    "*",
    "arn:aws:dynamodb:*:*:table/*/backup/*",
    TABLE,
    "arn:aws:dynamodb:us-east-1:*:table/Orders*",
]


def _condition(rng: random.Random) -> dict:
    block: dict[str, dict] = {}
    for _ in range(rng.choice([1, 1, 1, 2])):
        if rng.random() < 0.08:
            key = rng.choice(NULL_KEYS)
            block.setdefault("Null", {})[key] = rng.choice(["true", "false"])
            continue
        key = rng.choice(list(KEYS))
        ops, values, _ = KEYS[key]
        op = rng.choice(ops)
        if op != "Bool" and rng.random() < 0.25:
            op += "IfExists"
        elif op == "Bool" and rng.random() < 0.4:
            op = "BoolIfExists"
        if key == "aws:TagKeys" or rng.random() < 0.05:
            op = rng.choice(["ForAnyValue:", "ForAllValues:"]) + op
        vals = rng.sample(values, rng.choice([1, 1, min(2, len(values))]))
        block.setdefault(op, {})[key] = vals[0] if len(vals) == 1 else vals
    return block


def _statement(rng: random.Random, effect: str | None = None) -> dict:
    st: dict = {"Effect": effect or rng.choice(["Allow", "Allow", "Deny"])}
    if rng.random() < 0.1:
        st["NotAction"] = ["dynamodb:CreateBackup"]
    else:
        st["Action"] = rng.choice(ACTIONS)
    if rng.random() < 0.1:
        st["NotResource"] = rng.choice(
            ["arn:aws:dynamodb:*:*:table/Other*", "arn:aws:dynamodb:*:*:table/${aws:username}*"]
        )
    else:
        st["Resource"] = rng.choice(RESOURCES)
    n = rng.choices([0, 1, 2], [3, 5, 2])[0]
    if n:
        cond: dict = {}
        for _ in range(n):
            for op, keys in _condition(rng).items():
                cond.setdefault(op, {}).update(keys)
        st["Condition"] = cond
    return st


def _doc(name: str, rng: random.Random, n: int, allow_all: bool = False) -> dict:
    stmts = [_statement(rng) for _ in range(n)]
    if allow_all:
        stmts.insert(0, {"Effect": "Allow", "Action": "*", "Resource": "*"})
    version = "2012-10-17" if rng.random() < 0.9 else "2008-10-17"
    return {"name": name, "document": {"Version": version, "Statement": stmts}, "source": f"{name}.json"}


def _policy_set(rng: random.Random) -> dict:
    psd: dict = {"identity": [_doc(f"id{j}", rng, rng.randint(1, 4)) for j in range(rng.randint(1, 2))]}
    if rng.random() < 0.25:
        psd["boundary"] = _doc("boundary", rng, rng.randint(1, 2))
    if rng.random() < 0.1:
        psd["session"] = _doc("session", rng, rng.randint(1, 2))
    if rng.random() < 0.3:
        psd["scp"] = [
            [_doc(f"scp{lv}", rng, rng.randint(0, 2), allow_all=True)] for lv in range(rng.randint(1, 2))
        ]
    return psd


VARIABLE = re.compile(r"\$\{([^},']+)")


def _mentioned_keys(value: object) -> set[str]:
    keys: set[str] = set(VARIABLE.findall(json.dumps(value))) if not isinstance(value, str) else set()
    if isinstance(value, dict):
        for k, v in value.items():
            if k == "Condition":
                for block in v.values():
                    keys |= set(block)
            else:
                keys |= _mentioned_keys(v)
    elif isinstance(value, list):
        for v in value:
            keys |= _mentioned_keys(v)
    return keys


def _contexts(rng: random.Random, keys: list[str]) -> list[dict]:
    """Concrete values for the open keys: each mentioned value, values just beside, and absent."""
    choices = [[None, *KEYS[k][2]] if k in KEYS else [None, "true", "false", "x"] for k in keys]
    total = 1
    for c in choices:
        total *= len(c)
    if total <= MAX_CONTEXTS:
        combos: list[tuple] = [()]
        for c in choices:
            combos = [(*x, v) for x in combos for v in c]
    else:
        combos = [tuple(None for _ in keys)]
        combos += [tuple(rng.choice(c) for c in choices) for _ in range(MAX_CONTEXTS - 1)]
    return [{k: v for k, v in zip(keys, combo, strict=True) if v is not None} for combo in combos]


def make_question(rng: random.Random) -> dict:
    policies = {"caller": _policy_set(rng)}
    context: dict = {"aws:RequestedRegion": "us-east-1"}
    fixed: list[str] = []
    # the principal's tags as the gate fixes them (rego/iam2rego/gate principals.rego
    # _principal_fixed_keys / _principal_tag_context, SEMANTICS §13.3)
    shape = rng.random()
    if shape < 0.3:  # tags known, no session can carry tags: every aws:PrincipalTag/* key fixed
        context["aws:PrincipalTag/team"] = rng.choice(["ops", "dev-1", "Ops"])
        fixed.append("aws:PrincipalTag/*")
    elif shape < 0.4:  # the principal has no tags (known)
        fixed.append("aws:PrincipalTag/*")
    elif shape < 0.6:  # team known, another tag known only after apply: team fixed, owner (and all) open
        context["aws:PrincipalTag/team"] = rng.choice(["ops", "dev-1", "Ops"])
    # else: tags unknown, or a trust policy allows sts:TagSession: every aws:PrincipalTag/* key open
    if rng.random() < 0.2:
        context["aws:MultiFactorAuthPresent"] = rng.choice([True, False])
    if rng.random() < 0.3:
        context["aws:username"] = "alice"
    principal = ROOT if rng.random() < 0.04 else ALICE
    r = rng.random()
    if r < 0.08:
        q: dict = {"operation": "restore_table_from_backup", "backup": BACKUP, "target_table": TARGET}
    elif r < 0.25:
        q = {"action": "dynamodb:CreateBackup", "resource": TABLE}
    else:
        q = {"action": "dynamodb:DeleteBackup", "resource": BACKUP}
    open_keys = sorted(
        k
        for k in _mentioned_keys(policies) | ({"aws:username"} if "aws:userid" in str(policies) else set())
        if k not in context and not any(k.lower().startswith(f[:-1].lower()) for f in fixed)
    )
    if rng.random() < 0.15:
        # an SCP level that may apply: a Deny-heavy level (with FullAWSAccess most of the time)
        q["maybe_scp"] = [
            [_doc(f"maybe{lv}", rng, rng.randint(1, 2), allow_all=rng.random() < 0.8)]
            for lv in range(rng.randint(1, 2))
        ]
        open_keys = sorted(set(open_keys) | _open_keys_of(q["maybe_scp"], context, fixed))
    return {
        **q,
        "principal": principal,
        "policies": policies,
        "context": context,
        "fixed": fixed,
        "options": {},
        "contexts": _contexts(rng, open_keys),
    }


def _open_keys_of(value: object, context: dict, fixed: list[str]) -> set[str]:
    return {
        k
        for k in _mentioned_keys(value)
        if k not in context and not any(k.lower().startswith(f[:-1].lower()) for f in fixed)
    }


def _run_chunk(opa: str, lib_dir: str, questions: list[dict]) -> list[dict]:
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "questions.json"
        data.write_text(json.dumps({"soundness_questions": questions}))
        proc = subprocess.run(
            [
                opa,
                "eval",
                "-d",
                lib_dir,
                "-d",
                str(HERE / "soundness.rego"),
                "-d",
                str(data),
                "--format",
                "json",
                "data.iam2rego_test.soundness.results",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout)["result"][0]["expressions"][0]["value"]
    assert len(out) == len(questions), "a question has no answer (undefined in the analysis)"
    return out


def violations(q: dict, res: dict) -> list[str]:
    bad = _world_violations(q, res, res["rows"])
    if "maybe_scp" in q:  # the SCP levels may apply: the answer holds in both worlds
        bad += [f"with the maybe SCP levels: {b}" for b in _world_violations(q, res, res["hi_rows"])]
        if res["answer"] == "unverifiable" and res["lo"] == res["hi"] and res["lo"] in ("allowed", "denied"):
            bad.append(f"unverifiable although both worlds answer {res['lo']}")
    return bad


def _world_violations(q: dict, res: dict, rows: list) -> list[str]:
    decisions = [row[0] for row in rows]
    residuals = [row[1] for row in rows]
    bad = []
    if res["answer"] == "denied" and any(decisions):
        bad.append("denied, but a concrete context allows")
    if res["answer"] == "allowed" and not all(decisions):
        bad.append("allowed, but a concrete context denies")
    if res["errors"]:
        bad.append("the generated policies are not valid")
    if res["answer"] == "unverifiable" and "maybe_scp" not in q:
        bad.append("unverifiable for valid policies")
    if res["answer"] == "conditional" and res["exact"]:
        for ctx, d, v in zip(q["contexts"], decisions, residuals, strict=True):
            if d != v:
                bad.append(f"residual {v} but decision {d} in context {ctx}")
                break
    return bad


@pytest.mark.opa
def test_analysis_is_sound_against_the_ordinary_evaluator(opa_bin: str, tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    # the library and the gate's evaluate.rego (its `_bracket`; of the rest of the pack it reads only
    # the configuration, here empty: loading the whole pack would triple the run time)
    gate = "iam2rego/gate/evaluate.rego"
    # (evaluate.rego's per-principal fixed keys read principals.rego, not loaded: a stub)
    config = "package iam2rego.gate\n\n_cfg := {}\n\n_principal_fixed_keys(_) := []\n"
    files = {**library_files(), gate: pack_files()[gate], "iam2rego/gate/soundness_config.rego": config}
    for rel, text in files.items():
        (lib / rel).parent.mkdir(parents=True, exist_ok=True)
        (lib / rel).write_text(text)
    rng = random.Random(SEED)
    questions = [make_question(rng) for _ in range(N_QUESTIONS)]
    chunks = [questions[i : i + CHUNK] for i in range(0, len(questions), CHUNK)]
    start, cpu0 = time.monotonic(), resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime
    with ThreadPoolExecutor(max_workers=2) as pool:
        answers = [a for out in pool.map(lambda c: _run_chunk(opa_bin, str(lib), c), chunks) for a in out]
    elapsed = time.monotonic() - start
    cpu = resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime - cpu0
    failures = []
    for i, (q, res) in enumerate(zip(questions, answers, strict=True)):
        for problem in violations(q, res):
            failures.append(
                f"question {i} ({res['answer']}: {res['words']}): {problem}\n{json.dumps(q)[:3000]}"
            )
    dist = Counter(f"{a['answer']}{'' if a['exact'] else ' (inexact)'}" for a in answers)
    contexts = sum(len(q["contexts"]) for q in questions)
    print(
        f"\nanalysis soundness: {len(questions)} questions, {contexts} concrete contexts, {elapsed:.1f} s wall, {cpu:.1f} s OPA CPU, "
        f"load {os.getloadavg()[0]:.2f}; answers {dict(sorted(dist.items()))}; "
        f"max atoms {max(a['atoms'] for a in answers)}"
    )
    assert not failures, f"{len(failures)} unsound answers; first:\n" + "\n\n".join(failures[:3])
    # The generator must exercise every answer (a test that only sees one kind proves little).
    for kind in ("allowed", "denied", "conditional"):
        assert dist[kind] >= len(questions) // 20, dist
    # SCPs that may apply: both agreeing worlds and unverifiable (worlds that differ) are exercised
    maybe = Counter(a["answer"] for q, a in zip(questions, answers, strict=True) if "maybe_scp" in q)
    assert maybe["unverifiable"] >= len(questions) // 100, maybe
    assert maybe["denied"] + maybe["allowed"] + maybe["conditional"] >= len(questions) // 100, maybe
