"""Issue 25 items 5 and 6 on real terraform plans: engines agree on hostile strings and numbers, IAM
wildcards never take exponential time, ``--timeout`` bounds the whole command.

Fixtures (scripts/gen-fixtures.sh): ``hostile-keys`` (one role per for_each key holding & < > U+2028
U+2029 " \\ newline ${ %{ U+FEFF U+007F, an astral character, a 300-character key), ``hostile-wildcard``
(``prod-a*a*…*b`` and ``prod-x?*…?*`` (40 times) against tables that almost match them).
Subprocess timeouts are hang guards (a run that hangs fails), never assertions on speed.
"""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from iam2rego.codegen.patterns import action_glob, action_regex, plain_resource_regex
from iam2rego.engines import EngineError, get_engine
from iam2rego.globs import plain_resource_glob, wildcard_glob

ROOT = Path(__file__).resolve().parents[2]
TF = ROOT / "tests" / "terraform"
KEYS, WILD = TF / "hostile-keys", TF / "hostile-wildcard"
ACCT = "123456789012"
HANG_GUARD_S = 120
HIT_STAR, MISS_STAR = "prod-" + "a" * 30 + "b", "prod-" + "a" * 30 + "c"
HIT_ANY, MISS_ANY = "prod-x" + "a" * 41, "prod-x" + "a" * 38


def _cli(*argv: str, timeout: float = HANG_GUARD_S, **kw) -> subprocess.CompletedProcess[str]:  # type: ignore[no-untyped-def]
    return subprocess.run(
        [sys.executable, "-m", "iam2rego", *argv], capture_output=True, text=True, timeout=timeout, **kw
    )


# --------------------------------------------------------------------------- linear-time globs


def test_glob_matches_exactly_what_the_codegen_regex_matches() -> None:
    rng = random.Random(25)
    for _ in range(5_000):
        pattern = "".join(rng.choice("ab:*?/") for _ in range(rng.randint(0, 7)))
        text = "".join(rng.choice("ab:/") for _ in range(rng.randint(0, 9)))
        for mode in ("segment", "naive"):
            want = re.fullmatch(plain_resource_regex(pattern, mode), text) is not None
            assert plain_resource_glob(pattern, mode == "naive").fullmatch(text) is want, (
                pattern,
                text,
                mode,
            )
        glob = action_glob("s:" + pattern)
        assert glob is not None
        assert glob.fullmatch("s:" + text) is (
            re.fullmatch(action_regex("s:" + pattern) or "", "s:" + text) is not None
        )
        assert wildcard_glob(pattern).fullmatch(text.upper()) is (
            re.fullmatch(
                "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern), text, re.S
            )
            is not None
        )


def test_backtracking_patterns_are_decided_by_the_glob() -> None:
    head = f"arn:aws:dynamodb:us-east-1:{ACCT}:table/"
    star = plain_resource_glob(head + "a*" * 11 + "b")
    assert not star.fullmatch(head + "a" * 5000 + "c")
    assert star.fullmatch(head + "a" * 5000 + "b")
    anyrun = plain_resource_glob(head + "?*" * 40)
    assert not anyrun.fullmatch(head + "a" * 39)
    assert anyrun.fullmatch(head + "a" * 40)
    assert not star.fullmatch(head + "a" * 20 + ":" + "a" * 20 + "b")  # an inner `*` does not cross `:`


@pytest.mark.opa
def test_access_with_backtracking_wildcards_answers() -> None:
    """Issue 25: `access` on `a*…*b` / `?*`×40 ran past 120 s (the grouping's Python regex)."""
    proc = _cli("access", "--engine", "opa", "--no-progress", str(WILD / "plan.json"), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    cells = {
        (c["principal"], c["table"].rsplit("/", 1)[-1]): c["answer"]
        for c in json.loads(proc.stdout)["cells"]
        if c["column"] == "delete_backup"
    }
    deployer = {t: a for (p, t), a in cells.items() if p.endswith("ci-deployer")}
    assert deployer == {HIT_STAR: "allowed", HIT_ANY: "allowed", MISS_STAR: "denied", MISS_ANY: "denied"}


def _gate(engine: str, case: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return _cli(
        "gate", "--engine", engine, str(case / "plan.json"), "--guardrails", str(case / "gate.yaml"),
        "--format", "json", *extra,
    )  # fmt: skip


def _rows(report: dict) -> list[tuple[str, str, str, str]]:
    return sorted(
        (
            f["code"],
            f.get("guardrail") or "",
            (f.get("principal") or {}).get("address") or "",
            f.get("detail") or "",
        )
        for f in report["deny"]
    )


@pytest.mark.opa
@pytest.mark.parametrize("engine", ["opa", "wasm"])
def test_no_new_access_gate_with_backtracking_wildcards_answers(engine: str) -> None:
    proc = _gate(engine, WILD)
    assert proc.returncode == 1, proc.stderr
    rows = _rows(json.loads(proc.stdout))
    hits = (HIT_STAR, HIT_ANY)
    assert rows == sorted(
        [("IAM2REGO-NEW-ACCESS", "no-new-backup-deleters", "aws_iam_role.ci_deployer",
          f"gains delete_backup on table {t} (denied -> allowed)") for t in hits]
        + [("IAM2REGO-GUARDRAIL", "no-prod-backup-deletion", "aws_iam_role.ci_deployer",
            f"is allowed delete_backup on table {t} in every request context") for t in hits]
    )  # fmt: skip


def _wild_policy(tmp_path: Path, pattern: str) -> Path:
    doc = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "dynamodb:DeleteBackup", "Resource": pattern}],
    }
    path = tmp_path / "wild.json"
    path.write_text(json.dumps(doc))
    return path


@pytest.mark.parametrize("suffix", ["a*" * 11 + "b", "?*" * 40])
def test_embedded_engine_refuses_backtracking_patterns(tmp_path: Path, suffix: str) -> None:
    """regopy's regex.match backtracks (measured: compiler/engines/regopy_limits.py): `eval --engine
    embedded` ran into its 300 s watchdog; now it refuses at once (exit 2, naming the pattern)."""
    policy = _wild_policy(tmp_path, f"arn:aws:dynamodb:us-east-1:{ACCT}:table/{suffix}")
    request = {
        "action": "dynamodb:DeleteBackup",
        "resource": f"arn:aws:dynamodb:us-east-1:{ACCT}:table/{'a' * 40}c/backup/01234567890123-abcdefgh",
        "principal": f"arn:aws:iam::{ACCT}:role/ops",
        "context": {},
    }
    proc = _cli("eval", "--engine", "embedded", str(policy), "--input", json.dumps(request), timeout=60)
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert "refused" in proc.stderr and "inner `*` wildcards" in proc.stderr, proc.stderr


# --------------------------------------------------------------------------- one answer on every engine


@pytest.mark.opa
def test_hostile_for_each_keys_give_one_report_on_opa_and_wasm() -> None:
    """Issue 25: a for_each key with & was UNVERIFIABLE on opa and a violation on wasm, U+2028 the
    other way round (the address was rebuilt with json.marshal); keys with U+FEFF, ${ or %{ were
    UNVERIFIABLE on both. Every policy now resolves to its role, on both engines, byte for byte."""
    out = {}
    for engine in ("opa", "wasm"):
        proc = _gate(engine, KEYS)
        assert proc.returncode == 1, proc.stderr
        out[engine] = proc.stdout
    assert out["opa"] == out["wasm"]
    rows = _rows(json.loads(out["opa"]))
    plan = json.loads((KEYS / "plan.json").read_text())
    roles = sorted(rc["address"] for rc in plan["resource_changes"] if rc["type"] == "aws_iam_role")
    assert len(roles) == 16
    assert rows == [
        ("IAM2REGO-GUARDRAIL", "no-prod-backup-deletion", addr,
         "is allowed delete_backup on table prod-orders in every request context") for addr in roles
    ]  # fmt: skip


@pytest.mark.conftest
def test_hostile_for_each_keys_under_plain_conftest(conftest_bin: str, tmp_path: Path) -> None:
    from pack_run import run_pack

    returncode, result = run_pack(conftest_bin, tmp_path, KEYS / "plan.json", data=KEYS / "gate.yaml")
    assert returncode == 1
    found = [f["metadata"] for f in result.get("failures") or []]
    assert {f["code"] for f in found} == {"IAM2REGO-GUARDRAIL"}
    assert len({f["principal"]["address"] for f in found}) == 16


def test_embedded_engine_refuses_the_hostile_keys_plan() -> None:
    """regopy: refused (a backslash in a key), never a different report."""
    proc = _gate("embedded", KEYS)
    assert proc.returncode == 2 and "refused" in proc.stderr, (proc.returncode, proc.stderr[-400:])


BIG = 18446744073709551617  # 2**64 + 1: regopy 1.5.2 reads it as 1


@pytest.mark.parametrize("number", [BIG, 2**63, 1e-7, 123456789.5, 1e308])
def test_embedded_engine_refuses_numbers_it_misreads(number: float) -> None:
    from iam2rego.codegen import library_files

    module = {
        "t/t.rego": "package t\n\nimport data.iam2rego.request\n\nout := request.scalar_text(input.n)\n"
    }
    with pytest.raises(EngineError) as err:
        get_engine("embedded").evaluate({**library_files(), **module}, "data.t.out", [{"n": number}])
    assert "refused" in err.value.message and "2**53" in err.value.message


def test_big_context_number_is_denied_or_refused_never_allowed(tmp_path: Path) -> None:
    """Issue 25: NumericEquals "1" with the context number 2**64 + 1 was allowed on regopy (OPA denies)."""
    doc = {
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow", "Action": "dynamodb:DeleteBackup", "Resource": "*",
            "Condition": {"NumericEquals": {"aws:MultiFactorAuthAge": "1"}},
        }],
    }  # fmt: skip
    policy = tmp_path / "num.json"
    policy.write_text(json.dumps(doc))
    request = (
        '{"action": "dynamodb:DeleteBackup", "principal": "arn:aws:iam::123456789012:role/ops", "resource": '
        '"arn:aws:dynamodb:us-east-1:123456789012:table/t/backup/01234567890123-abcdefgh", '
        f'"context": {{"aws:MultiFactorAuthAge": {BIG}}}}}'
    )
    answers = {}
    for engine in ("opa", "embedded"):
        proc = _cli("eval", "--engine", engine, str(policy), "--input", request, timeout=60)
        answers[engine] = (proc.returncode, proc.stdout, proc.stderr)
    if answers["opa"][0] == 0:  # opa on PATH: it denies
        assert json.loads(answers["opa"][1])["allowed"] is False
    code, out, err = answers["embedded"]
    assert code == 2 and "refused" in err, (code, out, err)


# --------------------------------------------------------------------------- --timeout: the whole run


def test_timeout_bounds_the_whole_gate_run(opa_bin: str, tmp_path: Path) -> None:
    """Every opa call takes about 1 s more than it should; `gate --timeout 4` on the access-gain plan
    makes about 10 of them: it used to run them all (36 s measured) and write the report; now it
    stops at 4 s, exits 2, writes nothing and leaves no opa behind."""
    real = opa_bin
    calls = tmp_path / "calls"
    slow = tmp_path / "opa"
    slow.write_text(f'#!/bin/sh\necho $$ >> "{calls}"\nsleep 1\nexec "{real}" "$@"\n')
    slow.chmod(0o755)
    sarif = tmp_path / "out.sarif"
    case = TF / "access-gain"
    start = time.monotonic()
    proc = _cli(
        "gate", "--engine", "opa", "--opa-path", str(slow), str(case / "plan.json"),
        "--guardrails", str(case / "gate.yaml"), "--timeout", "4", "--format", f"sarif={sarif}",
    )  # fmt: skip
    elapsed = time.monotonic() - start
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    assert "timed out after 4 s" in proc.stderr, proc.stderr
    assert not sarif.exists() and not [p for p in tmp_path.iterdir() if p.name.startswith(".out.sarif")]
    assert elapsed < HANG_GUARD_S
    for pid in calls.read_text().split() if calls.exists() else []:
        stat = Path(f"/proc/{pid}/stat")
        assert not stat.exists() or stat.read_text().rsplit(")", 1)[1].split()[0] == "Z", pid


def test_timeout_is_accepted_by_access() -> None:
    proc = _cli("access", "--help", timeout=60)
    assert "--timeout" in proc.stdout


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_deadline_commit_refuses_to_write_after_the_deadline() -> None:
    from iam2rego import deadline

    try:
        deadline.start("test", 0.05)
        time.sleep(5)
        pytest.fail("the alarm did not fire")
    except deadline.TimedOut as exc:
        assert exc.seconds == 0.05
    finally:
        deadline.stop()
    assert deadline.remaining() is None
    deadline.commit()  # disarmed: nothing to refuse
