"""Bounded input (issue #12, item 3): every reader goes through iam2rego.bounded. Devices, FIFOs,
huge sparse files, symlink loops, 10,000-deep nesting, YAML alias bombs and non-UTF-8 bytes in
policies, plans, guardrail files, suites, ``--input`` and ``--batch`` each end in ONE located
diagnostic (``path:line:col``) and exit 2 - never a traceback, a hang or a MemoryError."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
POLICY = ROOT / "scenarios" / "seed" / "policies" / "example1-allow-createbackup-restore.json"
LOCATED = re.compile(r"(\S+):(\d+):(\d+): error\[(IO001|IO-LIMIT|TF-PLAN|TF-CONFIG)\]")
DEEP = 10_000


def _cli(*args: str, timeout: float = 60, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "iam2rego", *args],
        capture_output=True, text=True, timeout=timeout, check=False, input=stdin, cwd=ROOT,
    )  # fmt: skip


def _fifo(tmp: Path) -> str:
    path = tmp / "pipe.json"
    os.mkfifo(path)
    return str(path)


def _loop(tmp: Path) -> str:
    path = tmp / "loop.json"
    path.symlink_to(path)
    return str(path)


def _sparse(tmp: Path) -> str:
    path = tmp / "huge.json"
    with open(path, "wb") as fh:
        fh.truncate(8 * 1024**3)  # 8 GiB, no blocks on disk
    return str(path)


def _deep_json(tmp: Path) -> str:
    path = tmp / "deep.json"
    path.write_text('{"a":' * DEEP + "1" + "}" * DEEP)
    return str(path)


def _latin1(tmp: Path) -> str:
    path = tmp / "latin1.json"
    path.write_bytes(b'{"action": "dynamodb:CreateBackup", "resource": "caf\xe9"}\n')
    return str(path)


FILES: dict[str, Callable[[Path], str]] = {
    "dev-zero": lambda _: "/dev/zero",
    "dev-urandom": lambda _: "/dev/urandom",
    "fifo": _fifo,
    "symlink-loop": _loop,
    "sparse-8GiB": _sparse,
    "deep-nesting": _deep_json,
    "not-utf8": _latin1,
}
# What each reader's file gives (the policy reader parses nesting itself: V-LIMIT, tests/robustness/test_limits.py)
COMMANDS: dict[str, Callable[[str], list[str]]] = {
    "check": lambda f: ["check", f],
    "compile": lambda f: ["compile", f, "-o", "/nonexistent/out"],
    "gate-plan": lambda f: ["gate", f, "--engine", "embedded"],
    "gate-guardrails": lambda f: ["gate", str(ROOT / "tests/terraform/clean/plan.json"), "--guardrails", f],
    "eval-input": lambda f: ["eval", str(POLICY), "--input", f, "--engine", "embedded"],
    "eval-batch": lambda f: ["eval", str(POLICY), "--batch", f, "--engine", "embedded"],
    "test-suite": lambda f: ["test", f, "--engine", "embedded"],
}
# Each reader with the kinds that broke it (issue #12); every kind appears for several readers, and
# test_bounded_reader_refuses_every_kind covers all kinds on the helper itself (fast, in-process).
MATRIX = {
    "check": ["fifo", "dev-urandom", "sparse-8GiB", "symlink-loop", "not-utf8"],
    "compile": ["fifo", "sparse-8GiB"],
    "gate-plan": ["fifo", "deep-nesting", "not-utf8"],
    "gate-guardrails": ["dev-zero", "deep-nesting"],
    "eval-input": ["deep-nesting", "fifo"],
    "eval-batch": ["not-utf8", "fifo"],
    "test-suite": ["dev-urandom", "deep-nesting", "symlink-loop"],
}


def _assert_located_exit_2(proc: subprocess.CompletedProcess[str], path: str) -> None:
    out = proc.stdout + proc.stderr
    assert proc.returncode == 2, (proc.returncode, out[-2000:])
    assert "Traceback" not in out, out[-2000:]
    m = LOCATED.search(out)
    assert m, f"no located diagnostic in:\n{out[-2000:]}"
    assert Path(m.group(1)).name == Path(path).name, (m.group(0), path)


@pytest.mark.parametrize(("command", "kind"), [(c, k) for c, kinds in sorted(MATRIX.items()) for k in kinds])
def test_unreadable_or_unbounded_input_is_a_located_error(command: str, kind: str, tmp_path: Path) -> None:
    path = FILES[kind](tmp_path)
    if command == "test-suite" and kind == "deep-nesting":  # suites are YAML (JSON is YAML)
        suite = tmp_path / "suite.yaml"
        os.replace(path, suite)
        path = str(suite)
    _assert_located_exit_2(_cli(*COMMANDS[command](path)), path)


@pytest.mark.parametrize("kind", sorted(FILES))
def test_bounded_reader_refuses_every_kind(kind: str, tmp_path: Path) -> None:
    from iam2rego import bounded

    path = FILES[kind](tmp_path)
    with pytest.raises(bounded.InputError) as info:
        text = bounded.read_text(path, "plan", bounded.PLAN)
        bounded.load_json(text, path, "plan", bounded.PLAN)
    d = info.value.diagnostic
    assert d.code in ("IO001", "IO-LIMIT") and d.path == path and d.span.line >= 1, d
    if kind == "deep-nesting":
        assert (d.span.line, d.span.column) == (1, 5 * 256 + 1)  # the first '{' past the limit
    if kind == "not-utf8":
        assert (d.span.line, d.span.column) == (1, 53)


def _alias_bomb(where: str) -> str:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    head = "\n".join(f"  {ln}" for ln in lines)
    if where == "guardrails":
        return f"iam2rego_gate:\n  bomb:\n{head.replace(chr(10), chr(10) + '  ')}\n    top: *a8\n"
    return (
        f"suite: bomb\npolicies:\n  identity: policies/e1.json\n{where}:\n{head}\n  top: *a8\n"
        "cases:\n  - name: c\n    action: dynamodb:CreateBackup\n"
        "    resource: arn:aws:dynamodb:us-east-1:123456789012:table/Music\n    expect: allow\n"
    )


@pytest.mark.parametrize("where", ["guardrails", "principal", "context"])
def test_yaml_alias_bomb_is_refused_quickly_with_a_location(where: str, tmp_path: Path) -> None:
    if where == "guardrails":
        path = tmp_path / "gate.yaml"
        path.write_text(_alias_bomb(where))
        args = ["gate", str(ROOT / "tests/terraform/clean/plan.json"), "--guardrails", str(path)]
    else:
        (tmp_path / "policies").mkdir()
        (tmp_path / "policies" / "e1.json").write_text(POLICY.read_text())
        path = tmp_path / "suite.yaml"
        path.write_text(_alias_bomb(where))
        args = ["test", str(path), "--engine", "embedded"]
    proc = _cli(*args, timeout=30)
    _assert_located_exit_2(proc, str(path))
    assert "alias" in (proc.stdout + proc.stderr)


@pytest.mark.opa
def test_a_yaml_date_in_guardrails_is_data_not_an_engine_error(tmp_path: Path, opa_bin: str) -> None:
    path = tmp_path / "gate.yaml"
    # (an unknown key would be a schema error, exit 2: the date sits in a field that takes text)
    path.write_text(
        "iam2rego_gate:\n  account_id: '123456789012'\n"
        "  exceptions: [{guardrail: IAM2REGO-WILDCARD-ADMIN, reason: 2024-01-01}]\n"
    )
    proc = _cli("gate", str(ROOT / "tests/terraform/clean/plan.json"), "--guardrails", str(path),
                "--engine", "opa", "--opa-path", opa_bin, timeout=300)  # fmt: skip
    assert "not JSON serializable" not in proc.stderr and "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode in (0, 1), proc.stderr


def test_batch_lines_split_only_at_newline(tmp_path: Path) -> None:
    """A U+2028 inside a request is part of the request (str.splitlines would cut it in two)."""
    from argparse import Namespace

    from iam2rego.commands.eval import read_inputs

    path = tmp_path / "b.jsonl"
    path.write_text('{"action": "a", "resource": "x\u2028y"}\n{"action": "b", "resource": "z"}\n')
    inputs = read_inputs(Namespace(batch=str(path), input=None))
    assert [i["resource"] for i in inputs] == ["x\u2028y", "z"]
