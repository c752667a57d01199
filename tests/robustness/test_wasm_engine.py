"""The wasm engine (issue 14 item 4): OPA compiled to Wasm, run in-process by this project's host.

Correctness first: the cross-engine differential and the hostile strings on wasm vs opa; then the
host's own parts: the result reader (a garbage or forged answer never passes), the host builtins
(sprintf/strings.count/regex.replace exactly as OPA 1.22 or an error), an unsupported builtin (a
clear error, exit 2), NUL refusal, and the timeout.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from iam2rego.engines import EngineError, get_engine
from iam2rego.engines.wasm import (
    HostBuiltinError,
    Num,
    _go_float_v,
    decode_result,
    host_regex_replace,
    host_sprintf,
    host_strings_count,
)

sys.path.insert(0, str(Path(__file__).resolve().parent))
import test_cross_engine as xe

WASM_CASES = int(os.environ.get("IAM2REGO_XENGINE_WASM", "5"))  # make fuzz: 50 (10,000 cases)


@pytest.mark.opa
def test_wasm_decides_like_opa(cases) -> None:  # type: ignore[no-untyped-def]
    subset = cases[:WASM_CASES]
    xe._compare({name: xe._decide(name, subset) for name in ("opa", "wasm")}, subset)
    # whole decisions too, reasons lists in order (OPA's Wasm runtime visits sets in hash order; the
    # compiled module visits statement numbers through sort(), as OPA does)
    wasm, opa = get_engine("wasm"), get_engine("opa")
    for mods, ep, reqs in subset:
        assert wasm.evaluate(mods, ep, reqs) == opa.evaluate(mods, ep, reqs)


@pytest.mark.opa
def test_wasm_decides_hostile_strings_like_opa_or_refuses() -> None:
    table = xe.hostile_results("wasm")
    details = table.pop("_details")
    assert not details, "\n".join(details[:20])
    # only the NUL cases are refused (OPA's Wasm runtime cuts strings at NUL when matching): one of
    # the hostile characters, so 1/len(HOSTILE) of every family's cases
    assert "nul" in xe.gen.HOSTILE
    refused = {family: row["refused"] for family, row in table.items()}
    assert refused == {family: row["cases"] // len(xe.gen.HOSTILE) for family, row in table.items()}, table


cases = xe.cases  # the same generated policy sets (fixture)


# --------------------------------------------------------------------------- the result reader


def test_result_set_is_read_with_sets_sorted_in_opa_order() -> None:
    text = '{{"result": {"b": {3, "a", 1, [2], {"k": 1}, null, true}, "a": set(), "n": 1.50}}}'
    assert decode_result(text) == (
        True,
        {"a": [], "b": [None, True, 1, 3, "a", [2], {"k": 1}], "n": 1.5},
    )
    assert decode_result("set()") == (False, None)


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        "[]",
        '{{"result": 1}, {"result": 2}}',  # two results for one query
        '{{"value": 1}}',
        '{{"result": 1}} {"result": 2}',  # trailing text
        '{{"result": "a"b"}}',  # an unescaped quote: never re-shaped
        '{{"result": {"a": 1, "a": 2}}} x',
        '{{"result": 01x}}',
        '{{"result": [1, 2}}',
    ],
)
def test_garbage_result_is_an_error_not_an_answer(garbage: str) -> None:
    with pytest.raises((ValueError, RecursionError)):
        decode_result(garbage)


# --------------------------------------------------------------------------- host builtins


@pytest.mark.parametrize(
    ("value", "go"),
    [
        (1e6, "1e+06"),
        (1234567.0, "1.234567e+06"),
        (100000.0, "100000"),
        (1.5, "1.5"),
        (0.0001, "0.0001"),
        (0.00001, "1e-05"),
        (-0.0, "-0"),
        (0.1 + 0.2, "0.30000000000000004"),
        (1e21, "1e+21"),
        (123456.5, "123456.5"),
    ],
)
def test_float_v_is_gos(value: float, go: str) -> None:
    assert _go_float_v(value) == go


def test_sprintf_follows_opa_number_rules() -> None:
    assert host_sprintf("%v|%v|%v|%d", [Num("1.0"), Num("7"), Num("1e3"), Num("12")]) == "1|7|1000|12"
    assert host_sprintf("%v", [Num("123456789012345678901234")]) == "123456789012345678901234"
    assert host_sprintf("%s/x %v %v %%", ["a", True, None]) == "a/x true null %"


@pytest.mark.parametrize(
    ("fmt", "args"),
    [("%q", ["a"]), ("%5d", [Num("1")]), ("%d", ["a"]), ("%s", [Num("1")]), ("%v", [[1]]), ("%s %s", ["a"])],
)
def test_sprintf_outside_the_reproduced_subset_is_an_error(fmt: str, args: list) -> None:
    with pytest.raises(HostBuiltinError):
        host_sprintf(fmt, args)


def test_strings_count_and_regex_replace() -> None:
    assert host_strings_count("a:b:c", ":") == 2 and host_strings_count("héé", "") == 4
    arn = "arn:aws:dynamodb:us-east-1:1:table/t/backup/x"
    assert host_regex_replace(arn, "table/.*$", "table/") == "arn:aws:dynamodb:us-east-1:1:table/"
    assert host_regex_replace("table/x\n", "table/.*$", "table/") == "table/x\n"  # RE2's $ is \\z
    assert host_regex_replace('m.a["k\\"]"][0].b', r'\[("([^"\\]|\\.)*"|[0-9]+)\]', "") == "m.a.b"
    with pytest.raises(HostBuiltinError):
        host_regex_replace("a", "a+", "b")
    with pytest.raises(HostBuiltinError):
        host_regex_replace("a", "table/.*$", "$1")


NUMBERS = [1, 1.0, 1e6, 1e21, 123456789, 2**70, -0.0, 1.5e-7, 0.0001, 100000.0, 1234567.0, 0.1 + 0.2, -12]


@pytest.mark.opa
def test_host_sprintf_and_count_equal_opa_in_wasm() -> None:
    mod = {
        "s/s.rego": 'package s\n\nout := {"v": [sprintf("%v", [x]) | some x in input.nums], '
        '"d": sprintf("a%d-%s", [count(input.nums), input.s]), "c": strings.count(input.s, ":")}\n'
    }
    inputs = [{"nums": NUMBERS, "s": "arn:aws:x:y:z"}, {"nums": [], "s": ""}]
    assert get_engine("wasm").evaluate(mod, "data.s.out", inputs) == get_engine("opa").evaluate(
        mod, "data.s.out", inputs
    )


@pytest.mark.opa
def test_sprintf_verb_the_host_cannot_reproduce_is_an_engine_error() -> None:
    mod = {"q/q.rego": 'package q\n\nout := sprintf("%q", [input.x])\n'}
    with pytest.raises(EngineError, match="sprintf verb %q"):
        get_engine("wasm").evaluate(mod, "data.q.out", [{"x": "a"}])


UNSUPPORTED = {"u/u.rego": "package u\n\nout := uuid.rfc4122(input.x)\n"}


@pytest.mark.opa
def test_unsupported_builtin_is_refused_before_evaluating() -> None:
    with pytest.raises(EngineError, match=r"builtins this Wasm host does not provide: uuid\.rfc4122"):
        get_engine("wasm").evaluate(UNSUPPORTED, "data.u.out", [{"x": "a"}])


POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "dynamodb:CreateBackup", "Resource": "*"}],
}


def _eval(tmp_path: Path, engine: str, request: dict) -> subprocess.CompletedProcess[str]:
    (tmp_path / "p.json").write_text(json.dumps(POLICY))
    (tmp_path / "r.json").write_text(json.dumps(request))
    return subprocess.run(
        [sys.executable, "-m", "iam2rego", "eval", "--engine", engine, str(tmp_path / "p.json"),
         "--input", str(tmp_path / "r.json")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip


@pytest.mark.opa
def test_cli_decides_like_opa_and_a_refusal_exits_2(tmp_path: Path) -> None:
    req = {"action": "dynamodb:CreateBackup", "resource": "arn:aws:dynamodb:us-east-1:1:table/t"}
    wasm, opa = _eval(tmp_path, "wasm", req), _eval(tmp_path, "opa", req)
    assert wasm.returncode == opa.returncode and wasm.stdout == opa.stdout, wasm.stderr
    refused = _eval(tmp_path, "wasm", {**req, "context": {"aws:userid": "a\0b"}})
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "NUL" in refused.stderr


# --------------------------------------------------------------------------- refusals and limits


@pytest.mark.opa
def test_nul_in_input_or_module_is_refused() -> None:
    mod = {"n/n.rego": "package n\n\nout := glob.match(input.p, [], input.s)\n"}
    with pytest.raises(EngineError, match="NUL"):
        get_engine("wasm").evaluate(mod, "data.n.out", [{"p": "a\0*", "s": "ab"}])
    nul = {"m/m.rego": 'package m\n\nout := glob.match("a\\u0000*", [], input.s)\n'}
    with pytest.raises(EngineError, match="NUL"):
        get_engine("wasm").evaluate(nul, "data.m.out", [{"s": "ab"}])


@pytest.mark.opa
def test_timeout_is_reported() -> None:
    slow = {
        "slow/slow.rego": "package slow\n\nv := count([x | some x in numbers.range(1, 100000000); x % 7 == 0])\n"
    }
    with pytest.raises(EngineError, match=r"did not finish within 0\.5 s"):
        get_engine("wasm", timeout=0.5).evaluate(slow, "data.slow.v", [{}])


@pytest.mark.opa
def test_memory_limit_is_an_error() -> None:
    big = {
        "big/big.rego": 'package big\n\nv := concat("", [x | some i in numbers.range(1, 200000); x := "0123456789abcdef"])\n'
    }
    with pytest.raises(EngineError):
        get_engine("wasm", max_memory_bytes=2 * 1024**2).evaluate(big, "data.big.v", [{}])


# --------------------------------------------------------------------------- a lying or broken build

FAKE_OPA = """#!{python}
import io, sys, tarfile
if sys.argv[1] == "version":
    print("Version: 1.22.3")
    sys.exit(0)
out = sys.argv[sys.argv.index("-o") + 1]
blob = open({wasm!r}, "rb").read()
with tarfile.open(out, "w:gz") as tar:
    info = tarfile.TarInfo("/policy.wasm")
    info.size = len(blob)
    tar.addfile(info, io.BytesIO(blob))
"""

# An "OPA module" whose opa_eval returns a fixed text at address 1200 (the answer under test).
LYING_WAT = """(module
  (import "env" "memory" (memory 2))
  (import "env" "opa_abort" (func $abort (param i32)))
  (global (export "opa_wasm_abi_version") i32 (i32.const 1))
  (global (export "opa_wasm_abi_minor_version") i32 (i32.const 3))
  (data (i32.const 1024) "{}\\00")
  (data (i32.const 1100) "{\\22g/out\\22: 0}\\00")
  (data (i32.const 1200) "ANSWER\\00")
  (func (export "builtins") (result i32) (i32.const 1024))
  (func (export "entrypoints") (result i32) (i32.const 1100))
  (func (export "opa_json_dump") (param i32) (result i32) (local.get 0))
  (func (export "opa_malloc") (param i32) (result i32) (i32.const 4096))
  (func (export "opa_json_parse") (param i32 i32) (result i32) (i32.const 8))
  (func (export "opa_heap_ptr_get") (result i32) (i32.const 8192))
  (func (export "opa_heap_ptr_set") (param i32))
  (func (export "opa_eval") (param i32 i32 i32 i32 i32 i32 i32) (result i32) (i32.const 1200)))
"""


def _fake_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, wasm: bytes):  # type: ignore[no-untyped-def]
    (tmp_path / "policy.wasm").write_bytes(wasm)
    fake = tmp_path / "opa"
    fake.write_text(FAKE_OPA.format(python=sys.executable, wasm=str(tmp_path / "policy.wasm")))
    fake.chmod(0o755)
    monkeypatch.setenv("IAM2REGO_CACHE_DIR", str(tmp_path / "cache"))
    # a module text of its own, so nothing cached from a real build is reused
    mod = {"g/g.rego": f"package g\n\n# {tmp_path.name}\nout := input.x\n"}
    return get_engine("wasm", opa_path=str(fake)), mod


def _lying(answer: str) -> bytes:
    import wasmtime

    text = answer.replace("\\", "\\\\").replace('"', '\\"')
    return wasmtime.wat2wasm(LYING_WAT.replace("ANSWER", text))


@pytest.mark.parametrize(
    "answer",
    ['{{"result": 1}, {"result": 2}}', '[{"result": 1}]', '{{"result": 1}} x', '{{"result": "a"b"}}', ""],
)
def test_a_garbage_answer_from_the_module_never_passes(
    answer: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine, mod = _fake_build(tmp_path, monkeypatch, _lying(answer))
    with pytest.raises(EngineError, match="unreadable result"):
        engine.evaluate(mod, "data.g.out", [{"x": 1}])


def test_the_lying_module_is_read_when_its_answer_is_well_formed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # the fixture above is a real OPA-ABI module: only the answer text makes the difference
    engine, mod = _fake_build(tmp_path, monkeypatch, _lying('{{"result": {"a": {2, 1}}}}'))
    assert engine.evaluate(mod, "data.g.out", [{"x": 1}, {"x": 2}]) == [{"a": [1, 2]}] * 2


def test_a_build_that_is_not_webassembly_is_an_engine_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine, mod = _fake_build(tmp_path, monkeypatch, b"\0asm garbage")
    with pytest.raises(EngineError, match="not WebAssembly"):
        engine.evaluate(mod, "data.g.out", [{"x": 1}])


def test_a_module_without_the_opa_abi_is_an_engine_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import wasmtime

    engine, mod = _fake_build(
        tmp_path, monkeypatch, wasmtime.wat2wasm('(module (memory (export "memory") 1))')
    )
    with pytest.raises(EngineError, match="not an OPA Wasm module"):
        engine.evaluate(mod, "data.g.out", [{"x": 1}])


JSON_PROBE = {"j/j.rego": "package j\n\nout := [json.is_valid(s) | some s in input.s]\n"}


@pytest.mark.opa
@pytest.mark.parametrize(
    "value",
    [
        {"s": ['{"a": 1}}']},
        {"s": ["[1,]"]},
        {"s": ["{}{}"]},
        {"s": [], "document": "01"},
        {"s": [], "policy": "1 2"},
    ],
)
def test_json_the_wasm_runtime_would_read_leniently_is_refused(value: dict) -> None:
    """OPA's Wasm runtime accepts trailing data, trailing commas and leading zeros in json.is_valid /
    json.unmarshal (OPA does not): such a document in the input is refused, never decided."""
    with pytest.raises(EngineError, match="not JSON but"):
        get_engine("wasm").evaluate(JSON_PROBE, "data.j.out", [value])


@pytest.mark.opa
def test_json_validity_equals_opa_on_documents_and_plain_strings() -> None:
    inputs = [
        {
            "s": ['{"a": 1}', '{"a": 1,}', "{'a': 1}", "", "[1, 2]"],
            "aws:SourceIp": "10.1.2.3",
            "d": "2024-06-01",
        }
    ]
    assert get_engine("wasm").evaluate(JSON_PROBE, "data.j.out", inputs) == get_engine("opa").evaluate(
        JSON_PROBE, "data.j.out", inputs
    )


def test_the_compiled_applied_helper_is_visited_in_opa_order_on_wasm() -> None:
    """The wasm engine rewrites the compiled modules' `applied` helper to visit its set through
    sort() (OPA's order; the Wasm runtime's is hash order). If codegen changes the helper, this
    fails instead of the wasm engine silently listing reasons in another order."""
    from iam2rego import ir
    from iam2rego.api import parse_policy
    from iam2rego.codegen import CompileOptions, compile_principals
    from iam2rego.engines.wasm import in_opa_order

    policy, _ = parse_policy(json.dumps(POLICY), "p.json", name="p")
    assert policy is not None
    module = compile_principals(ir.Principals(ir.PolicySet(identity=(policy,))), CompileOptions("t"))
    rewritten = in_opa_order(module.files)
    assert [p for p in module.files if rewritten[p] != module.files[p]], "the applied helper was not found"
    # both bodies of applied: without conditions and with them
    assert sum(text.count("some i in sort(matches)") for text in rewritten.values()) == 2


def test_a_signal_during_wasm_evaluation_interrupts_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """Python runs signal handlers only in the main thread between bytecodes, never inside a Wasm
    call: the engine evaluates in a worker, and a handler that raises (the CLI's SIGTERM handler,
    KeyboardInterrupt) makes it advance the epoch, which traps the Wasm code, then re-raises."""
    import signal
    import threading
    import time

    from iam2rego.engines.wasm import WasmEngine

    trapped = threading.Event()

    class FakeEngine:
        def increment_epoch(self) -> None:
            trapped.set()

    def blocking_run(*_args: object) -> list[object]:  # stands in for a long Wasm call
        if not trapped.wait(30):
            return ["finished without being interrupted"]
        raise RuntimeError("wasm trap: interrupt")

    class Stop(Exception):
        pass

    def handler(_signum: int, _frame: object) -> None:
        raise Stop

    engine = WasmEngine.__new__(WasmEngine)
    monkeypatch.setattr(engine, "_run", blocking_run)
    previous = signal.signal(signal.SIGALRM, handler)
    signal.setitimer(signal.ITIMER_REAL, 0.2)
    start = time.monotonic()
    try:
        with pytest.raises(Stop):
            engine._run_interruptible(FakeEngine(), None, "data.x", [{}], {})
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert trapped.is_set()
    assert time.monotonic() - start < 10


def test_addresses_above_2_gib_are_unsigned() -> None:
    """wasmtime hands i32 values over signed: a result address above 2 GiB came back negative and was
    read as garbage (a 2,000-resource gate with findings grew memory to 3.9 GB and failed with
    "unreadable result"). Addresses are unsigned on the way out and signed i32 on the way in."""
    from iam2rego.engines.wasm import OpaWasmPolicy

    seen: list[tuple[int, ...]] = []

    def export(_store: object, *args: int) -> int:
        seen.append(args)
        return -378450785  # 3,916,516,511 as wasmtime returns it

    policy = OpaWasmPolicy.__new__(OpaWasmPolicy)
    policy._x = {"opa_json_dump": export}
    policy.store = None
    policy._error = None
    assert policy._call("opa_json_dump", 3_916_516_511) == 3_916_516_511
    assert seen == [(-378450785,)]
