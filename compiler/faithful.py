"""What the embedded engine (regopy / rego-cpp 1.5.2) cannot evaluate faithfully, found before it runs,
and the check of its answers after it runs (issue #12, item 2).

regopy 1.5.2 measured (tests/robustness/test_cross_engine.py, the hostile-string differential):

- string literals keep their escape sequences undecoded (``count("a\\nb")`` is 4, ``"a\\"b"`` never
  equals the input ``a"b``), so a compiled Deny whose ARN, condition key or value needs an escape
  (``"``, ``\\``, control characters, U+2028, U+0085, U+FEFF, U+007F, U+10FFFF, ...) never matches;
- RE2 ``\\x{..}`` escapes in patterns fail;
- input strings are cut at NUL;
- input strings are echoed into the answer without JSON escaping, so an answer that repeats a request
  string holding ``"`` can be re-shaped by that string.

So the embedded engine refuses (exit 2 with this module's message) modules other than the shipped
library that contain an escaped string literal or a ``\\x{..}`` pattern escape, and inputs or data
with NUL or backslash characters; and it accepts an answer only when it parses without duplicate
keys and its shape equals the shape regopy computed in Rego (:func:`shape_module`: depth and type of
every node, numbers and type names only, which a string cannot forge).
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections import Counter
from functools import cache
from typing import Any

from . import strictjson

# Characters regopy 1.5.2 mishandles in input strings: NUL cuts the string; a backslash is escaped
# differently by the library's regex escaping (match.escape_regex compares with the literal "\\").
_BAD_INPUT_CHARS = {"\0": "NUL (U+0000)", "\\": "backslash"}


@cache
def _shipped_digests() -> frozenset[str]:
    """sha256 of every shipped Rego file (library and gate pack): these are vetted on regopy."""
    try:
        from .resources import rego_root

        root = rego_root()
    except Exception:  # no library installed: nothing is exempt
        return frozenset()
    return frozenset(
        hashlib.sha256(p.read_bytes()).hexdigest()
        for p in root.rglob("*.rego")
        if not p.name.endswith("_test.rego")
    )


def _line_col(text: str, offset: int) -> str:
    line = text.count("\n", 0, offset) + 1
    return f"{line}:{offset - (text.rfind(chr(10), 0, offset) + 1) + 1}"


def literal_problem(path: str, text: str) -> str | None:
    """The first string literal regopy would misread, as 'path:line:col: what', or None."""
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "#":  # comment to the end of the line
            j = text.find("\n", i)
            i = n if j < 0 else j + 1
        elif ch == '"':
            j, escaped = i + 1, False
            while j < n and text[j] != '"':
                if text[j] == "\\":
                    escaped = True
                    j += 1
                j += 1
            if escaped:
                shown = text[i : min(j + 1, i + 60)]
                return f"{path}:{_line_col(text, i)}: string literal {shown} has an escape sequence"
            i = j + 1
        elif ch == "`":
            j = text.find("`", i + 1)
            j = n if j < 0 else j
            if "\\x{" in text[i:j]:
                return f"{path}:{_line_col(text, i)}: pattern {text[i : min(j + 1, i + 60)]} uses a \\x{{..}} escape"
            i = j + 1
        else:
            i += 1
    return None


def json_strings(value: Any) -> Any:
    """Every string (keys included) in a JSON value, iteratively (the embedded and wasm engines' input checks)."""
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, str):
            yield v
        elif isinstance(v, dict):
            for k, x in v.items():
                yield str(k)
                stack.append(x)
        elif isinstance(v, (list, tuple)):
            stack.extend(v)


def _needs_escape(s: str) -> bool:
    """Whether the code generator's Rego literal of ``s`` (codegen/quote.rego_string) holds an
    escape: a quote, a backslash, or a character that is not printable as itself there (controls,
    DEL, format, private-use, unassigned and line/paragraph separators, lone surrogates)."""
    for ch in s:
        if ch in '"\\':
            return True
        if ch.isascii():
            if not " " <= ch <= "~":
                return True
        elif (
            0xD800 <= ord(ch) <= 0xDFFF
            or not ch.isprintable()
            or unicodedata.category(ch) in ("Cf", "Co", "Cn", "Zl", "Zp")
        ):
            return True
    return False


def data_document_problem(path: str, text: str) -> str | None:
    """A string of a compiled module's data document (``<dir>/data.json``: statement reasons and
    conditions) that would be an escaped literal in Rego: regopy reads such data strings wrongly
    too (measured: tests/robustness/test_cross_engine.py), so it is refused the same way."""
    try:
        doc = json.loads(text)
    except ValueError:
        return None  # not JSON: the engine reports it (engines/base.split_data)
    for s in json_strings(doc):
        if _needs_escape(s):
            return f"{path}: the data string {json.dumps(s[:60])} has a character Rego writes as an escape"
    return None


def refusal(modules: dict[str, str], inputs: list[Any], data: Any = None) -> str | None:
    """Why regopy cannot evaluate this faithfully (one sentence), or None."""
    shipped = _shipped_digests()
    for path, text in sorted(modules.items()):
        if hashlib.sha256(text.encode("utf-8")).hexdigest() in shipped:
            continue
        if path.endswith("data.json"):
            problem = data_document_problem(path, text)
        else:
            problem = literal_problem(path, text)
        if problem:
            return (
                f"{problem}; regopy 1.5.2 does not decode escapes in Rego strings, so a policy string "
                'with ", \\, a control or format character would silently never match'
            )
    for where, value in (("input", inputs), ("data", data)):
        for s in json_strings(value):
            for ch, name in _BAD_INPUT_CHARS.items():
                if ch in s:
                    shown = json.dumps(s[:60])
                    return f"an {where} string contains a {name} ({shown}); regopy 1.5.2 does not handle it faithfully"
    return None


# --------------------------------------------------------------------------- answer shape

SHAPE_PACKAGE = "iam2rego_embedded_shape"
SHAPE_PATH = "_iam2rego_embedded/shape.rego"


def shape_module(entrypoint: str) -> str:
    """A module whose ``answer`` is ``[shape, value]`` of ``entrypoint``: the shape (depth and type of
    every node, computed by the engine) comes first so nothing echoed in the value can rewrite it."""
    return (
        f"package {SHAPE_PACKAGE}\n\n"
        f"answer := [[[count(p), type_name(v)] | walk(x, [p, v])], x] if x := {entrypoint}\n"
    )


def _shape(value: Any) -> Counter[tuple[int, str]]:
    out: Counter[tuple[int, str]] = Counter()
    stack: list[tuple[int, Any]] = [(0, value)]
    names = {bool: "boolean", int: "number", float: "number", str: "string", type(None): "null"}
    while stack:
        depth, v = stack.pop()
        if isinstance(v, dict):
            out[(depth, "object")] += 1
            stack.extend((depth + 1, x) for x in v.values())
        elif isinstance(v, list):
            out[(depth, "array")] += 1
            stack.extend((depth + 1, x) for x in v)
        else:
            out[(depth, names.get(type(v), "?"))] += 1
    return out


def unpack_answer(answer: Any) -> tuple[Any, str | None]:
    """(value, problem) from a ``shape_module`` answer; problem is None when the shapes agree."""
    if not (isinstance(answer, list) and len(answer) == 2 and isinstance(answer[0], list)):
        return None, "the answer is not [shape, value]: regopy's output was re-shaped"
    expected: Counter[tuple[int, str]] = Counter()
    for item in answer[0]:
        if not (
            isinstance(item, list)
            and len(item) == 2
            and isinstance(item[0], int)
            and isinstance(item[1], str)
        ):
            return None, "the shape list is malformed"
        kind = "array" if item[1] == "set" else item[1]
        expected[(item[0], kind)] += 1
    if _shape(answer[1]) != expected:
        return None, (
            "the answer's shape differs from the shape regopy computed: a string echoed from the input "
            "changed the JSON structure (regopy 1.5.2 does not escape strings in its output)"
        )
    return answer[1], None


def strict_loads(text: str | bytes) -> Any:
    """Strict JSON (:mod:`iam2rego.strictjson`: no duplicate keys, NaN/Infinity or numbers beyond
    doubles; a re-shaped answer can repeat a key). Raises ``ValueError``."""
    return strictjson.loads(text)
