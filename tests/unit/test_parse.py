"""Strict JSON front end: named V-JSON errors at exact positions, limits, escapes, lenient mode."""

from __future__ import annotations

from pathlib import Path

import pytest
from iam2rego.ir import JArray, JNumber, JObject, JString
from iam2rego.lower import Limits, lower_text

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "scenarios" / "seed" / "policies"


def _err(text: str, **kw: object) -> tuple[str, str, str]:
    value, diags = lower_text(text, "p.json", **kw)  # type: ignore[arg-type]
    assert value is None
    assert len(diags) == 1
    d = diags[0]
    return d.code, d.span.location(), dict(d.data)["kind"]


@pytest.mark.parametrize(
    ("text", "location", "kind"),
    [
        ('{"a": 1,}', "1:8", "trailing-comma"),
        ("[1,\n 2,\n]", "2:3", "trailing-comma"),
        ('{"a": 1}}', "1:9", "extra-data"),
        ('{"a": 1} {"b": 2}', "1:10", "extra-data"),
        ('{"a": 1} x', "1:10", "extra-data"),
        ('{"a": "abc', "1:7", "unterminated-string"),
        ('{"a": "ab\ncd"}', "1:7", "unterminated-string"),
        ('{"a": 1} // note', "1:10", "comment"),
        ('/* c */ {"a": 1}', "1:1", "comment"),
        ("{'a': 1}", "1:2", "single-quote"),
        ('{"a": True}', "1:7", "bad-literal"),
        ('{"a": NaN}', "1:7", "bad-literal"),
        ('{"a": 01}', "1:7", "bad-number"),
        ('{"a": +1}', "1:7", "bad-number"),
        ('{"a": [1, 2', "1:12", "end-of-input"),
        ('{"a": [1, 2\n\n', "1:12", "end-of-input"),
        ("", "1:1", "empty"),
        ('{"a" 1}', "1:6", "unexpected-token"),
        ('{"a": 1 "b": 2}', "1:9", "missing-comma"),
        ("{a: 1}", "1:2", "unquoted"),
        ("{1: 2}", "1:2", "bad-key"),
        ('{"a": "\\x"}', "1:8", "invalid-escape"),
        ('{"a": "ok\\ud800"}', "1:10", "lone-surrogate"),
        ('{"a": "\\udc00"}', "1:8", "lone-surrogate"),
        ('{"a": "\t"}', "1:8", "control-char"),
        ("\ufeff{}", "1:1", "bom"),
    ],
)
def test_syntax_errors_are_named_at_their_position(text: str, location: str, kind: str) -> None:
    assert _err(text) == ("V-JSON", location, kind)


def test_example8_extra_brace_is_rejected_at_line_18_col_1() -> None:
    text = (SEED / "example8-allow-aws-backup-features.json").read_text()
    assert _err(text) == ("V-JSON", "18:1", "extra-data")


def test_lenient_mode_accepts_example8_with_trailing_data_warning() -> None:
    text = (SEED / "example8-allow-aws-backup-features.json").read_text()
    value, diags = lower_text(text, "e8.json", lenient=True)
    assert isinstance(value, JObject)
    assert [(d.code, d.span.location()) for d in diags] == [("W-TRAILING-DATA", "18:1")]


def test_lenient_mode_still_rejects_trailing_commas() -> None:
    assert _err('{"a": [1,], "b": 2}', lenient=True) == ("V-JSON", "1:9", "trailing-comma")


def test_deep_nesting_is_a_limit_error_not_a_crash() -> None:
    value, diags = lower_text("[" * 100_000 + "]" * 100_000, "deep.json")
    assert value is None
    assert [(d.code, d.span.location()) for d in diags] == [("V-LIMIT", "1:65")]


def test_unclosed_deep_nesting_is_a_limit_error() -> None:
    _, diags = lower_text('{"a":' * 70_000, "deep.json")
    assert [d.code for d in diags] == ["V-LIMIT"]


def test_brackets_inside_strings_do_not_count_as_nesting() -> None:
    value, diags = lower_text('["' + "[" * 200 + '"]', "s.json")
    assert diags == [] and isinstance(value, JArray)


def test_input_size_limit_is_configurable() -> None:
    _, diags = lower_text("[1]" + " " * 100, "big.json", limits=Limits(max_chars=50))
    assert [(d.code, dict(d.data)["limit"]) for d in diags] == [("V-LIMIT", "max_chars")]
    value, diags = lower_text("[1]" + " " * 100, "big.json", limits=Limits(max_chars=200))
    assert diags == [] and value is not None


def test_escapes_are_decoded_exactly() -> None:
    value, diags = lower_text(r'{"k\u0065y": "a\"b\\c\/d\b\f\n\r\t\u00e9\ud83d\ude00"}', "e.json")
    assert diags == []
    assert isinstance(value, JObject)
    member = value.members[0]
    assert member.key.value == "key"
    assert isinstance(member.value, JString)
    assert member.value.value == 'a"b\\c/d\b\f\n\r\t\u00e9\U0001f600'


def test_spans_are_one_based_with_zero_based_offsets() -> None:
    value, _ = lower_text('{\n  "n": -1.5e3\n}', "s.json")
    assert isinstance(value, JObject)
    num = value.members[0].value
    assert isinstance(num, JNumber) and num.text == "-1.5e3"
    assert (num.span.line, num.span.column, num.span.end_column, num.span.offset, num.span.end_offset) == (
        2,
        8,
        14,
        9,
        15,
    )
    assert (value.span.line, value.span.column, value.span.end_line, value.span.end_column) == (1, 1, 3, 2)


def test_duplicate_members_are_kept_in_the_json_layer() -> None:
    value, diags = lower_text('{"a": 1, "a": 2}', "d.json")
    assert diags == [] and isinstance(value, JObject)
    assert [m.key.value for m in value.members] == ["a", "a"]


def test_parser_cache_is_written_once_and_parses_like_a_fresh_build(tmp_path, monkeypatch) -> None:
    """The analysed grammar is cached on disk (issue 14: fast start); a parser loaded from the cache,
    and one rebuilt over a corrupt cache file, parse exactly like an uncached build."""
    from iam2rego.parse import build_parser, cache_file

    monkeypatch.setenv("IAM2REGO_CACHE_DIR", str(tmp_path))
    path = cache_file()
    assert path is not None and path.parent == tmp_path and not path.exists()
    text = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}'
    fresh = build_parser(cache=False).parse(text)
    assert not path.exists()
    first = build_parser().parse(text)  # analyses the grammar and writes the cache
    assert path.is_file()
    written = path.read_bytes()
    assert build_parser().parse(text) == first == fresh  # loaded from the cache
    assert path.read_bytes() == written
    path.write_bytes(b"not a pickle")
    assert build_parser().parse(text) == fresh
    monkeypatch.setenv("IAM2REGO_CACHE_DIR", "")
    assert cache_file() is None
