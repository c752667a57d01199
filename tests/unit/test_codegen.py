"""quote.py (all escaping) and codegen invariants: hostile strings cannot escape their literal."""

from __future__ import annotations

import json
import subprocess

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from iam2rego import ir
from iam2rego.codegen import CompileOptions, compile_principals, package_name
from iam2rego.codegen.quote import identifier, regex_char, regex_literal, rego_string, yaml_string
from iam2rego.diagnostics import Span

HOSTILE = [
    'a"b',
    "back\\slash",
    "new\nline",
    "# comment",
    "}{",
    "][",
    "**",
    "${x}",
    "`tick`",
    "\x00\x01\x7f",
    "\u2028\u2029\u202e",
    "é😀",
    "\ud800",
    "TODO fixme",
    "'single'",
    "\r\t",
]


@given(st.text())
def test_rego_string_is_a_json_string_of_the_same_text(s: str) -> None:
    # Rego string escapes are JSON's; the literal is one line.
    lit = rego_string(s)
    assert "\n" not in lit and "\r" not in lit
    assert json.loads(lit) == s


@given(st.text())
@settings(max_examples=300)
def test_yaml_string_is_printable_ascii_and_round_trips(s: str) -> None:
    lit = yaml_string(s)
    assert all(" " <= c <= "~" for c in lit)
    assert "todo" not in lit.lower() and "fixme" not in lit.lower()
    if not any(0xD800 <= ord(c) <= 0xDFFF for c in s):  # YAML cannot hold lone surrogates
        assert yaml.safe_load("k: " + lit)["k"] == s


@given(st.text())
def test_regex_literal_accepts_every_escaped_text(s: str) -> None:
    pattern = "^" + "".join(regex_char(c) for c in s) + "$"
    assert regex_literal(pattern).count("`") == 2


@pytest.mark.parametrize("name", ["9 weird-name", "if", "Ünïcode", "", "a..b", "data"])
def test_package_names_are_valid_snake_case_identifiers(name: str) -> None:
    pkg = package_name(name)
    assert pkg.startswith("iam2rego.policies.")
    for part in pkg.split("."):
        assert part and (part[0].isalpha() or part[0] == "_") and part.isascii()
        assert part == part.lower() and part not in {"if", "data", "input", "in", "not"}
    assert identifier("My-Policy.json") == "my_policy_json"


def _span() -> Span:
    return Span(1, 1, 1, 2)


def _policy(resources: tuple[str, ...], sid: str, cond_values: tuple[str, ...], path: str) -> ir.Policy:
    t = lambda v: ir.Text(v, _span())  # noqa: E731
    cond = ir.Condition(
        t("StringEquals"),
        "StringEquals",
        "",
        False,
        t("aws:PrincipalTag/x"),
        tuple(ir.ConditionValue(v, "string", _span()) for v in cond_values),
        _span(),
    )
    st_ = ir.Statement(
        0,
        t(sid),
        ir.Effect.ALLOW,
        _span(),
        ir.ActionBlock(False, (t("dynamodb:CreateBackup"),), _span()),
        ir.ResourceBlock(False, tuple(t(r) for r in resources), _span()),
        None,
        (cond,),
        _span(),
    )
    return ir.Policy(path, "hostile", ir.PolicyKind.IDENTITY, t("2012-10-17"), None, (st_,), _span())


def test_compiling_is_deterministic_and_path_independent_of_the_machine() -> None:
    p = _policy(("arn:aws:dynamodb:*:*:table/*",), "S", ("v",), "rel/p.json")
    a = compile_principals(ir.Principals(ir.PolicySet(identity=(p,))), CompileOptions("x"))
    b = compile_principals(ir.Principals(ir.PolicySet(identity=(p,))), CompileOptions("x"))
    assert a.files == b.files
    text = next(iter(a.files.values()))
    assert "/work/" not in text and "rel/p.json:1:1" in text


@pytest.mark.opa
def test_hostile_strings_keep_their_meaning_on_opa(tmp_path, opa_bin: str) -> None:  # type: ignore[no-untyped-def]
    """Every hostile text, used as an exact ARN, a wildcard ARN prefix, a Sid, a condition value
    and a file name, still matches exactly itself and nothing else on real OPA."""
    arns = tuple(
        f"arn:aws:dynamodb:us-east-1:1:table/{h}"
        for h in HOSTILE
        if "\ud800" not in h and not any(w in h for w in ("*", "?", "${"))  # wildcards mean what they say
    )
    resources = arns + tuple(a + "*" for a in arns)
    sid = "".join(HOSTILE)
    p = _policy(resources, sid, tuple(HOSTILE), 'dir #\n"x"/p`.json')
    module = compile_principals(ir.Principals(ir.PolicySet(identity=(p,))), CompileOptions("hostile"))
    for rel, text in module.files.items():  # the module and its data document (the statements payload)
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    decide = "data.iam2rego.policies.hostile.decide"
    queries = {
        "exact": [
            {"action": "dynamodb:createbackup", "resource": a, "context": {"aws:principaltag/x": HOSTILE[0]}}
            for a in arns
        ],
        "prefix": [
            {
                "action": "dynamodb:createbackup",
                "resource": a + "-more",
                "context": {"aws:principaltag/x": "\r\t"},
            }
            for a in arns
        ],
        "other": [
            {
                "action": "dynamodb:createbackup",
                "resource": a.replace("table/", "table/Z"),
                "context": {"aws:principaltag/x": HOSTILE[1]},
            }
            for a in arns
        ],
        "badvalue": [
            {"action": "dynamodb:createbackup", "resource": arns[0], "context": {"aws:principaltag/x": "zzz"}}
        ],
    }
    lib = __import__("iam2rego.codegen", fromlist=["library_files"]).library_files()
    for r, t_ in lib.items():
        (tmp_path / r).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / r).write_text(t_, encoding="utf-8")
    (tmp_path / "input.json").write_text(json.dumps(queries))
    q = "{k: [x | some r in input[k]; some h in " + decide + "(r).reasons; x := h.sid] | some k, _ in input}"
    out = subprocess.run(
        [opa_bin, "eval", "-f", "json", "-d", str(tmp_path), "-i", str(tmp_path / "input.json"), q],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    value = json.loads(out.stdout)["result"][0]["expressions"][0]["value"]
    on_opa = sid.replace("\ud800", "\ufffd")  # JSON/Go turn a lone surrogate into U+FFFD
    assert value["exact"] == [on_opa] * len(arns)
    assert value["prefix"] == [on_opa] * len(arns)
    assert value["other"] == []
    assert value["badvalue"] == []
    meta = subprocess.run(
        [opa_bin, "inspect", "-a", "-f", "json", str(tmp_path / "iam2rego/policies/hostile/hostile.rego")],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert meta.returncode == 0, meta.stderr
    customs = [
        a["annotations"].get("custom")
        for a in json.loads(meta.stdout)["annotations"]
        if a["annotations"].get("custom")
    ]
    assert customs == [
        {"policy": "hostile", "sid": on_opa, "source": 'dir #\n"x"/p`.json:1:1', "effect": "Allow"}
    ]


@pytest.mark.opa
def test_library_files_type_check_on_their_own(tmp_path, opa_bin: str) -> None:  # type: ignore[no-untyped-def]
    """What every compiled module is shipped and evaluated with must compile without the gate pack:
    a library package calling into rego/iam2rego/gate made every decision an OPA type error."""
    from iam2rego.codegen import library_files

    for rel, text in library_files().items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    proc = subprocess.run(
        [opa_bin, "check", "--strict", str(tmp_path)], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
