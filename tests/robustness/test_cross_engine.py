"""Cross-engine differential (issue #6, item 7): the same generated (policy set, request) cases give
identical decisions on the embedded (regopy), opa and docker engines. Cases come from the codegen
differential generator (tests/differential/gen.py, imported, not copied): 50 policy sets x 200
requests = 10,000 cases, one engine call per compiled module and engine.

``IAM2REGO_XENGINE_SEED`` / ``IAM2REGO_XENGINE_CASES`` change the seed and the number of policy sets.
"""

from __future__ import annotations

import json
import os
import random
import sys
from pathlib import Path

import pytest
from iam2rego.codegen import library_files
from iam2rego.engines import get_engine

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "differential"))
import gen
from test_compiled_vs_generic import build, summary

SEED = int(os.environ.get("IAM2REGO_XENGINE_SEED", "6006"))
N_CASES = int(os.environ.get("IAM2REGO_XENGINE_CASES", "50"))
N_REQUESTS = 200
IMAGE = os.environ.get("IAM2REGO_OPA_IMAGE", "iam2rego/opa:local")


@pytest.fixture(scope="module")
def cases() -> list[tuple[dict[str, str], str, list[dict]]]:
    rng = random.Random(SEED)
    lib = library_files()
    out = []
    for i in range(N_CASES):
        case = gen.case(rng, N_REQUESTS)
        files, _ = build(i, case)
        out.append(({**lib, **files}, f"data.iam2rego.policies.diff.c{i}.decision", case.requests))
    return out


def _decide(engine_name: str, cases: list[tuple[dict[str, str], str, list[dict]]]) -> list[list[object]]:
    opts = {"opa_image": IMAGE} if engine_name == "docker" else {}
    engine = get_engine(engine_name, timeout=600, **opts)
    problem = engine.unavailable_reason()
    assert problem is None, problem
    return [[summary(d) for d in engine.evaluate(mods, ep, reqs)] for mods, ep, reqs in cases]


def _compare(results: dict[str, list[list[object]]], cases) -> None:  # type: ignore[no-untyped-def]
    total = sum(len(reqs) for _, _, reqs in cases)
    assert total == len(cases) * N_REQUESTS  # every generated request is decided
    mismatches = []
    for i, (_, _, reqs) in enumerate(cases):
        for j, req in enumerate(reqs):
            got = {name: results[name][i][j] for name in results}
            assert all(v is not None for v in got.values()), (i, req, got)  # every request has a decision
            if len({json.dumps(v, default=str) for v in got.values()}) > 1:
                mismatches.append({"case": i, "request": req, **got})
    detail = json.dumps(mismatches[:5], indent=1, default=str)
    assert not mismatches, f"{len(mismatches)} of {total} cases differ between engines; first ones:\n{detail}"


@pytest.mark.opa
@pytest.mark.docker
def test_opa_and_docker_decide_every_case_identically(cases) -> None:  # type: ignore[no-untyped-def]
    _compare({name: _decide(name, cases) for name in ("opa", "docker")}, cases)


# regopy evaluates about 60 ms per request here (OPA: 2 ms), so the normal suite cross-checks the
# embedded engine on the first EMBEDDED_CASES policy sets (200 requests each, 1,000 cases by default);
# `make fuzz` sets IAM2REGO_XENGINE_EMBEDDED=50 for all 10,000.
EMBEDDED_CASES = int(os.environ.get("IAM2REGO_XENGINE_EMBEDDED", "5"))


@pytest.mark.opa
def test_embedded_decides_like_opa(cases) -> None:  # type: ignore[no-untyped-def]
    # The embedded engine runs regopy in a child under its time/memory watchdog: a hang is an error.
    subset = cases[:EMBEDDED_CASES]
    _compare({name: _decide(name, subset) for name in ("opa", "embedded")}, subset)


# --------------------------------------------------------------------------- hostile strings (issue #12)


def _hostile_module(family: str, name: str, doc: dict) -> dict[str, str] | None:
    from iam2rego import ir
    from iam2rego.api import parse_policy
    from iam2rego.codegen import CompileOptions, compile_principals

    pkg = f"hostile_{family.replace('-', '_')}_{name}"
    policy, _ = parse_policy(gen.hostile_dumps(doc), f"hostile/{pkg}.json", name=pkg)
    if policy is None:  # the front end refused the policy: nothing reaches an engine
        return None
    module = compile_principals(
        ir.Principals(caller=ir.PolicySet(identity=(policy,))), CompileOptions(package=f"hostile.{pkg}")
    )
    return {**library_files(), **module.files}


def _opa_truth(opa, sets: list[tuple[str, dict[str, str], list[dict]]]) -> dict[str, list[object]]:  # type: ignore[no-untyped-def]
    """OPA's decisions for every policy set in ONE evaluation: a dispatch module calls each compiled
    module's ``decide`` on ``input.req`` for the set named by ``input.pkg``."""
    lines = ["package hostile_all", ""]
    modules: dict[str, str] = {}
    inputs = []
    for pkg, mods, requests in sets:
        modules.update(mods)
        lines.append(
            f'decision := data.iam2rego.policies.hostile.{pkg}.decide(input.req) if input.pkg == "{pkg}"'
        )
        inputs += [{"pkg": pkg, "req": r} for r in requests]
    modules["hostile_all/all.rego"] = "\n".join(lines) + "\n"
    flat = iter(opa.evaluate(modules, "data.hostile_all.decision", inputs))
    return {pkg: [summary(next(flat)) for _ in requests] for pkg, _, requests in sets}


def hostile_results(embedded_name: str = "embedded") -> dict[str, dict[str, int]]:
    """Every hostile family x character on OPA (the reference) and on the embedded engine.

    Per family: ``cases`` (requests), ``front-end`` (policy refused by validation), ``same`` (the
    embedded decision equals OPA's), ``refused`` (the embedded engine refused with an EngineError),
    ``differ`` (a silently different decision: must be 0), ``opa-unexpected`` (OPA disagrees with
    the decision the generator expects: must be 0). Also used by /work/coord/i12.md's recipe.
    """
    from iam2rego.engines import EngineError

    opa = get_engine("opa", timeout=600)
    embedded = get_engine(embedded_name, timeout=600)
    cols = ("cases", "front-end", "same", "refused", "differ", "opa-unexpected")
    table: dict[str, dict[str, int]] = {family: dict.fromkeys(cols, 0) for family in gen.HOSTILE_FAMILIES}
    details: list[str] = []
    sets = []
    for family in gen.HOSTILE_FAMILIES:
        for name, h in gen.HOSTILE.items():
            doc, reqs = gen.hostile_family(family, h)
            table[family]["cases"] += len(reqs)
            modules = _hostile_module(family, name, doc)
            if modules is None:
                table[family]["front-end"] += len(reqs)
                continue
            sets.append((family, name, f"hostile_{family.replace('-', '_')}_{name}", modules, reqs))
    truth = _opa_truth(opa, [(pkg, mods, [r for r, _ in reqs]) for _, _, pkg, mods, reqs in sets])
    for family, name, pkg, modules, reqs in sets:
        row, requests = table[family], [r for r, _ in reqs]
        for (req, want), got in zip(reqs, truth[pkg], strict=True):
            if not got or got[0] != want:
                row["opa-unexpected"] += 1
                details.append(f"OPA {family}/{name}: expected {want}, got {got} for {req!r}")
        try:
            answers = embedded.evaluate(modules, f"data.iam2rego.policies.hostile.{pkg}.decision", requests)
        except EngineError:
            row["refused"] += len(reqs)
            continue
        for req, t, a in zip(requests, truth[pkg], (summary(d) for d in answers), strict=True):
            if t == a:
                row["same"] += 1
            else:
                row["differ"] += 1
                details.append(f"{embedded_name} {family}/{name}: OPA {t}, embedded {a} for {req!r}")
    table["_details"] = details  # type: ignore[assignment]
    return table


@pytest.mark.opa
def test_embedded_engine_decides_hostile_strings_like_opa_or_refuses() -> None:
    """Issue #12 item 2: `"`, `\\`, newline, NUL, U+2028, U+0085, U+FEFF, U+007F, U+10FFFF in ARNs,
    condition keys and values, principal ARNs, policy-variable values and request fields: the
    embedded engine answers exactly as OPA does or refuses (exit 2) - never silently differently."""
    table = hostile_results()
    details = table.pop("_details")
    report = "\n".join(
        f"{fam:16} " + " ".join(f"{k}={v}" for k, v in row.items()) for fam, row in table.items()
    )
    print("\nhostile strings, embedded vs opa:\n" + report)
    out = os.environ.get("IAM2REGO_HOSTILE_REPORT")
    if out:
        Path(out).write_text(json.dumps(table, indent=1) + "\n")
    assert sum(row["cases"] for row in table.values()) == len(gen.HOSTILE_FAMILIES) * len(
        gen.HOSTILE
    ) * 2 + len(gen.HOSTILE)
    assert not details, report + "\n" + "\n".join(details[:20])


# --------------------------------------------------------------------------- the hostile corpus (issue 25 item 5)

CORPUS_MODULE = """package hostile_corpus

import data.iam2rego.gate
import data.iam2rego.match
import data.iam2rego.request

answer := {"json": gate._json_text(input.s), "list": gate._json_text([input.s]), "text": gate._as_text({"k": input.s}),
	"self": _matches(input.s, input.s)} if is_string(input.s)

answer := {"scalar": request.scalar_text(input.n), "value": request.value_text([input.n]), "is_one": input.n == 1} if {
	is_number(input.n)
}

answer := {"match": _matches(input.p, input.r)} if is_string(input.p)

_matches(p, r) := true if match.resource_matches(p, r, {}, false, "segment")

else := false
"""
# `make fuzz` (the fuzz profile) draws this many more corpus strings; the normal suite a slice.
FUZZ = os.environ.get("HYPOTHESIS_PROFILE") == "fuzz"
CORPUS_EXTRA = 5000 if FUZZ else 40


def _corpus_inputs() -> list[dict]:
    from strategies import HOSTILE_NUMBERS, HOSTILE_WILDCARDS, corpus_strings

    strings = corpus_strings(random.Random(SEED), CORPUS_EXTRA)
    return (
        [{"s": s} for s in strings]
        + [{"n": n} for n in HOSTILE_NUMBERS]
        + [{"p": p, "r": r} for p, r in HOSTILE_WILDCARDS]
    )


def _answers(engine, modules: dict[str, str], inputs: list[dict], splits: int) -> list[object]:  # type: ignore[no-untyped-def]
    """The engine's answer per input; ``REFUSED`` for inputs it refused (a refused batch is halved
    ``splits`` times to find them)."""
    from iam2rego.engines import EngineError

    try:
        return list(engine.evaluate(modules, "data.hostile_corpus.answer", inputs))
    except EngineError:
        if splits <= 0 or len(inputs) == 1:
            return ["REFUSED"] * len(inputs)
        mid = len(inputs) // 2
        return _answers(engine, modules, inputs[:mid], splits - 1) + _answers(
            engine, modules, inputs[mid:], splits - 1
        )


@pytest.mark.opa
def test_hostile_corpus_answers_like_opa_or_refuses_on_every_engine() -> None:
    """Issue 25 item 5: the corpus (for_each keys and names with & < > U+2028 U+2029 quotes, backslashes,
    newlines, NUL, 5,000-character strings, ${ * ?, numbers 1e308, 2**64 + 1, -0, 1.0 vs 1, and
    backtracking wildcards) through the gate pack's JSON text, the library's context-value text and
    its wildcard matcher: wasm and embedded answer exactly as OPA does or refuse (exit 2 in the CLI),
    never differently. A refused wasm batch is halved until the refused inputs are found; an embedded
    one (a regopy child per call) twice, six times under `make fuzz`."""
    from iam2rego.terraform.pack import pack_files

    modules = {**pack_files(), "hostile_corpus/corpus.rego": CORPUS_MODULE}
    inputs = _corpus_inputs()
    truth = list(get_engine("opa", timeout=600).evaluate(modules, "data.hostile_corpus.answer", inputs))
    assert all(t is not None for t in truth), [i for i, t in zip(inputs, truth, strict=True) if t is None][:3]
    table, details = {}, []
    for name, splits in (("wasm", 64), ("embedded", 6 if FUZZ else 2)):
        engine = get_engine(name, timeout=600)
        got: list[object] = []
        for kind in ("s", "n", "p"):  # one batch per kind: a refused number does not hide the strings
            got += _answers(engine, modules, [i for i in inputs if kind in i], splits)
        row = table[name] = {"same": 0, "refused": 0, "differ": 0}
        for item, t, a in zip(inputs, truth, got, strict=True):
            if a == "REFUSED":
                row["refused"] += 1
            elif json.dumps(a, sort_keys=True) == json.dumps(t, sort_keys=True):
                row["same"] += 1
            else:
                row["differ"] += 1
                details.append(
                    f"{name}: {json.dumps(item)[:120]}: opa {json.dumps(t)[:160]}, {name} {json.dumps(a)[:160]}"
                )
    print(f"\nhostile corpus ({len(inputs)} inputs) vs opa: {json.dumps(table)}")
    assert not details, "\n".join(details[:20])
