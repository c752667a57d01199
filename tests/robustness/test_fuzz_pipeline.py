"""Fuzzing the front end and the compiler together (issue #6, item 1).

Any input ends either in diagnostics that point into the text, or in Rego modules that OPA parses,
formats canonically and type-checks with ``--strict``. Nothing else escapes: no RecursionError,
MemoryError, UnicodeError or other traceback. The compiled modules of a run are checked in batches
(one ``opa fmt`` and one ``opa check`` per batch of up to 200 modules).

Examples per property: 2,100 (text) and 1,000 (hostile policies) in the default ``ci`` profile;
100,000 each with HYPOTHESIS_PROFILE=fuzz (``make fuzz``).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from iam2rego import ir

sys.path.insert(0, str(Path(__file__).resolve().parent))
import strategies as hs
from _rb import check_modules, opa, pipeline, write_library

FUZZ = os.environ.get("HYPOTHESIS_PROFILE") == "fuzz"

KINDS = list(ir.PolicyKind)
BATCH = 200
# opa check --strict costs ~50 ms per compiled module; the fuzz profile checks a spread sample of
# this many distinct modules (and opa-fmt-parses all of them), the ci profile checks every one.
CHECK_CAP = int(os.environ.get("IAM2REGO_FUZZ_CHECK_CAP", "3000" if FUZZ else "100000"))

ELEMENTS = [
    "Version", "Id", "Statement", "Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction",
    "Resource", "NotResource", "Condition", "AWS", "Service", "StringEquals", "ForAllValues:StringLike",
    "BoolIfExists", "Null", "aws:TagKeys", "Allow", "Deny",
]  # fmt: skip
SCALAR = st.one_of(
    st.sampled_from(["Allow", "Deny", "*", "2012-10-17", "2008-10-17", "dynamodb:CreateBackup", "s3:*",
                     hs.ARN_HEAD + "Music", hs.ARN_HEAD + "${aws:username}", "${", "x:y"]),
    hs.hostile, st.integers(), st.floats(allow_nan=False), st.booleans(), st.none(),
)  # fmt: skip
DOC = st.recursive(
    SCALAR,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(st.sampled_from(ELEMENTS), hs.hostile), inner, max_size=5),
    ),
    max_leaves=30,
)


def _deep(n: int, opener: str) -> str:
    closer = {"[": "]", "{": "}"}[opener]
    if opener == "[":
        return "[" * n + "]" * n
    return '{"a":' * n + "1" + closer * n


TEXTS = st.one_of(
    st.text(max_size=400),
    st.binary(max_size=400).map(lambda b: b.decode("utf-8", errors="surrogateescape")),
    st.tuples(DOC, st.booleans()).map(lambda t: json.dumps(
        t[0] if isinstance(t[0], dict) else {"Version": "2012-10-17", "Statement": t[0]}, ensure_ascii=t[1])),
    hs.hostile_policy().map(lambda t: t[0]),
    hs.hostile_policy().map(lambda t: t[0][: len(t[0]) // 2]),  # truncated mid-document
    st.tuples(st.integers(60, 400), st.sampled_from("[{")).map(lambda t: _deep(*t)),
)  # fmt: skip


def _check_all(opa_bin: str, tmp: Path, compiled: list[tuple[str, dict[str, str]]]) -> list[str]:
    unique: dict[str, tuple[str, dict[str, str]]] = {}
    for label, files in compiled:
        unique.setdefault("".join(files.values()), (label, files))
    items = list(unique.values())
    step = max(1, len(items) // CHECK_CAP) if len(items) > CHECK_CAP else 1
    lib = write_library(tmp)
    problems = []
    for n, k in enumerate(range(0, len(items), BATCH)):
        batch = items[k : k + BATCH]
        if step > 1:  # fuzz profile: parse + fmt all of them, type-check a spread sample
            fmt_only = [b for i, b in enumerate(batch) if (k + i) % step]
            sample = [b for i, b in enumerate(batch) if not (k + i) % step]
            problems += _fmt_only(opa_bin, tmp / f"f{n}", fmt_only)
            batch = sample
        if batch:
            problems += check_modules(opa_bin, lib, tmp / f"b{n}", _relabelled(batch, k))
    return problems


def _relabelled(batch: list[tuple[str, dict[str, str]]], k: int) -> list[tuple[str, dict[str, str]]]:
    return [(f"#{k + i} {label}", files) for i, (label, files) in enumerate(batch)]


def _fmt_only(opa_bin: str, work: Path, batch: list[tuple[str, dict[str, str]]]) -> list[str]:
    from _rb import write_tree

    for _, files in batch:
        write_tree(work, files)
    if not batch:
        return []
    proc = opa(opa_bin, "fmt", "--fail", "--list", str(work))
    return [] if proc.returncode == 0 else [f"opa fmt: {proc.stdout[-2000:]} {proc.stderr[-2000:]}"]


@pytest.mark.opa
def test_any_text_ends_in_located_diagnostics_or_valid_rego(opa_bin: str, tmp_path: Path) -> None:
    compiled: list[tuple[str, dict[str, str]]] = []
    seen = {"inputs": 0}

    @given(TEXTS, st.sampled_from(KINDS), st.booleans())
    def prop(text: str, kind: ir.PolicyKind, lenient: bool) -> None:
        seen["inputs"] += 1
        out = pipeline(text, "fuzz/input.json", kind, lenient=lenient)
        if out.files:
            compiled.append((repr(text[:300]), out.files))

    prop()
    assert seen["inputs"] >= min(settings.default.max_examples, 500)
    problems = _check_all(opa_bin, tmp_path, compiled)
    assert not problems, "\n".join(problems[:20])


@pytest.mark.opa
def test_hostile_policies_compile_to_rego_that_opa_accepts(opa_bin: str, tmp_path: Path) -> None:
    compiled: list[tuple[str, dict[str, str]]] = []
    counts = {"inputs": 0, "compiled": 0}

    @settings(max_examples=settings.default.max_examples if FUZZ else 1_000)
    @given(hs.hostile_policy())
    def prop(case: tuple[str, str, str]) -> None:
        text, path, kind = case
        counts["inputs"] += 1
        out = pipeline(text, path, ir.PolicyKind(kind))
        if out.files:
            counts["compiled"] += 1
            compiled.append((f"{path!r} {kind} {text[:400]!r}", out.files))

    prop()
    # Not vacuous: most generated hostile policies are valid and really reach the code generator.
    assert counts["compiled"] >= counts["inputs"] // 4, counts
    problems = _check_all(opa_bin, tmp_path, compiled)
    assert not problems, "\n".join(problems[:20])


def test_pipeline_survives_pathological_shapes() -> None:
    """Fixed worst cases the generators rarely reach: deep nesting, huge arrays, long strings."""
    cases: list[Any] = [
        "[" * 100_000,
        '{"a":' * 50_000,
        '"' + "\\" * 99_999,
        json.dumps({"Version": "2012-10-17", "Statement": [{}] * 20_000}),
        json.dumps({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": ["s3:x"] * 50_000,
                                                           "Resource": "*"}}),
        json.dumps({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:" + "a" * 500_000,
                                                           "Resource": "*"}}),
        "\ufeff{}",
        "\x00" * 1000,
    ]  # fmt: skip
    for text in cases:
        for kind in (ir.PolicyKind.IDENTITY, ir.PolicyKind.RESOURCE):
            pipeline(text, "shape.json", kind)
