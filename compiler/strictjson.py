"""The one strict JSON reader for what iam2rego does not write itself: Terraform plans and every
engine answer (docs/ARCHITECTURE.md §6, §8; issue 25 item 4).

``loads(text)`` is ``json.loads`` that refuses what JSON readers disagree on, so no reader downstream
(OPA, the Wasm runtime, regopy, Python) can see a different document than the one checked:

- a key twice in one object (``json.loads`` keeps the last, OPA's decoder too, a reviewer reads the
  first): ``{"resource_changes": [...], "resource_changes": []}`` hides the first list;
- ``NaN``, ``Infinity``, ``-Infinity`` (not JSON, RFC 8259 §6; Python accepts them by default);
- a number beyond IEEE 754 doubles: ``1e999`` (overflows to infinity) or a non-zero literal that
  underflows to zero (``1e-999``).

Integers are read exactly (Python ints have no bound) and handed on exactly, so an integer beyond
2**53 is accepted: nothing iam2rego reads from it is inexact. Finite decimals are read as doubles,
as OPA's JSON decoder and the Wasm runtime read them.

Errors are :class:`StrictJSONError` (a ``ValueError``) with the 1-based line and column of the
offending token, so callers can raise a located diagnostic (``TF-PLAN``) or an ``EngineError``.
The checks cost nothing when the text is clean: ``json.loads``' C scanner runs with hooks; only
when a hook objects does a second, pure-Python pass find where.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?")
_MANTISSA_NONZERO = re.compile(r"[1-9]")
_CONSTANTS = ("NaN", "-Infinity", "Infinity")
_MAX_DIGITS = 4300  # CPython's default int_max_str_digits


class StrictJSONError(ValueError):
    """Not strict JSON: ``msg`` at ``lineno``:``colno`` (1-based), character offset ``pos``."""

    def __init__(self, msg: str, text: str, pos: int, *, syntax: bool = False):
        self.msg, self.pos = msg, pos
        self.syntax = syntax  # True: not JSON at all; False: JSON that strict JSON refuses
        self.lineno = text.count("\n", 0, pos) + 1
        self.colno = pos - (text.rfind("\n", 0, pos) + 1) + 1
        super().__init__(f"{msg} at line {self.lineno} column {self.colno}")


class _Objection(Exception):
    """A hook of the fast pass objected; the slow pass finds where."""


def number_problem(literal: str) -> str | None:
    """Why a JSON number literal is not an IEEE double iam2rego accepts (None: it is one)."""
    m = _NUMBER.fullmatch(literal)
    if m is None or not (m.group(1) or m.group(2)):
        return None  # an integer: exact in Python, never inexact here
    value = float(literal)
    if not math.isfinite(value):
        return f"the number {literal[:40]} is beyond the range of a double"
    mantissa = literal.split("e")[0].split("E")[0]
    if value == 0.0 and _MANTISSA_NONZERO.search(mantissa):
        return f"the number {literal[:40]} underflows to zero as a double"
    return None


def _pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(items)
    if len(out) != len(items):
        raise _Objection
    return out


def _float(literal: str) -> float:
    if number_problem(literal):
        raise _Objection
    return float(literal)


def _constant(_name: str) -> Any:
    raise _Objection


def loads(text: str | bytes) -> Any:
    """Parse strict JSON (see the module docstring); raises :class:`StrictJSONError`."""
    if isinstance(text, (bytes, bytearray)):
        text = bytes(text).decode("utf-8")
    try:
        return json.loads(text, object_pairs_hook=_pairs, parse_float=_float, parse_constant=_constant)
    except json.JSONDecodeError as exc:
        raise StrictJSONError(exc.msg, text, exc.pos, syntax=True) from None
    except _Objection:
        pass
    except ValueError:  # an integer longer than sys.get_int_max_str_digits()
        pass
    raise _locate(text)


# the tokens of JSON text (plus the non-JSON constants): strings (unrolled: linear), punctuation, numbers
_TOKEN = re.compile(
    r'"[^"\\]*(?:\\.[^"\\]*)*"|[{}\[\],:]|-?Infinity|NaN|-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?',
    re.DOTALL,
)


def _locate(text: str) -> StrictJSONError:
    """The first duplicate key, non-finite constant or out-of-range number (text is otherwise JSON)."""
    # one entry per open object: {key: offset of its first occurrence}; None for an open array
    stack: list[dict[str, int] | None] = []
    expect_key = False
    for m in _TOKEN.finditer(text):
        tok, i = m.group(0), m.start()
        first = tok[0]
        if first == '"':
            if expect_key and stack and stack[-1] is not None:
                key = json.loads(tok)
                seen = stack[-1]
                if key in seen:
                    at = StrictJSONError("", text, seen[key])
                    return StrictJSONError(
                        f"duplicate key {json.dumps(key)[:80]} (first at {at.lineno}:{at.colno})", text, i
                    )
                seen[key] = i
            expect_key = False
        elif first == "{":
            stack.append({})
            expect_key = True
        elif first == "[":
            stack.append(None)
        elif first in "]}":
            stack.pop()
        elif first == ",":
            expect_key = bool(stack) and stack[-1] is not None
        elif tok in _CONSTANTS:
            return StrictJSONError(f"{tok} is not a JSON number", text, i)
        elif first == "-" or first.isdigit():
            why = number_problem(tok)
            if why is None and len(tok) > _MAX_DIGITS:
                why = f"the integer {tok[:20]}... has more than {_MAX_DIGITS} digits"
            if why:
                return StrictJSONError(why, text, i)
    return StrictJSONError("not strict JSON", text, 0)  # unreachable for text the fast pass objected to
