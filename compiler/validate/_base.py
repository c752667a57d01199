"""What every validation module shares: the :class:`Validator` (diagnostics, options), constants,
and the element helpers (``either``, ``string_list``, ``string_member``)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from ..catalog import facts
from ..diagnostics import Diagnostic, Severity, Span
from ..ir import (
    ActionBlock,
    JArray,
    JBool,
    JMember,
    JNull,
    JNumber,
    JObject,
    JString,
    JValue,
    PolicyKind,
    ResourceBlock,
    Text,
)
from ..lower import DEFAULT_LIMITS, Limits

# The policy grammar's member names (one source: compiler/catalog/facts.json).
TOP_MEMBERS = facts.TOP_MEMBERS
STATEMENT_MEMBERS = facts.STATEMENT_MEMBERS
PRINCIPAL_TYPES = facts.PRINCIPAL_TYPES

# SEMANTICS §6.1: canonical base operator names.
OPERATORS: frozenset[str] = frozenset(
    {
        "StringEquals",
        "StringNotEquals",
        "StringEqualsIgnoreCase",
        "StringNotEqualsIgnoreCase",
        "StringLike",
        "StringNotLike",
        "NumericEquals",
        "NumericNotEquals",
        "NumericLessThan",
        "NumericLessThanEquals",
        "NumericGreaterThan",
        "NumericGreaterThanEquals",
        "DateEquals",
        "DateNotEquals",
        "DateLessThan",
        "DateLessThanEquals",
        "DateGreaterThan",
        "DateGreaterThanEquals",
        "Bool",
        "BinaryEquals",
        "IpAddress",
        "NotIpAddress",
        "ArnEquals",
        "ArnLike",
        "ArnNotEquals",
        "ArnNotLike",
        "Null",
    }
)
QUALIFIERS = ("ForAllValues", "ForAnyValue")
_OPERATORS_LOWER = {op.lower(): op for op in OPERATORS}
VARIABLE_OPERATOR_PREFIXES = ("String", "Arn")  # §4.5: variables only in String and ARN values

_SID_RE = re.compile(r"[A-Za-z0-9]*")
_ACTION_RE = re.compile(r"([A-Za-z0-9.-]+):([^:\s]+)")
_WS = re.compile(r"[ \t\n\r]+")


@dataclass(frozen=True, slots=True)
class ValidateOptions:
    kind: PolicyKind = PolicyKind.IDENTITY
    lenient_json: bool = False
    enforce_size: bool = False
    limits: Limits = DEFAULT_LIMITS


class Validator:
    """Collects the diagnostics of one document; ``variables`` = policy variables enabled (§4.5)."""

    def __init__(self, path: str, opts: ValidateOptions):
        self.path = path
        self.opts = opts
        self.kind = opts.kind
        self.diags: list[Diagnostic] = []
        self.variables = False

    def error(self, code: str, message: str, span: Span, hint: str | None = None, **data: str) -> None:
        self.diags.append(
            Diagnostic(code, Severity.ERROR, message, self.path, span, hint, tuple(sorted(data.items())))
        )

    def warn(self, code: str, message: str, span: Span, hint: str | None = None, **data: str) -> None:
        self.diags.append(
            Diagnostic(code, Severity.WARNING, message, self.path, span, hint, tuple(sorted(data.items())))
        )


def type_name(v: JValue) -> str:
    return {
        JString: "a string",
        JNumber: "a number",
        JBool: "a boolean",
        JNull: "null",
        JObject: "an object",
        JArray: "an array",
    }[type(v)]


def first_char(span: Span) -> Span:
    return Span(span.line, span.column, span.line, span.column + 1, span.offset, span.offset + 1)


def suggest(word: str, choices: tuple[str, ...]) -> str | None:
    lower = word.lower()
    for c in choices:
        if c.lower() == lower:
            return f"element names are case-sensitive: write {c!r}"
    import difflib

    close = difflib.get_close_matches(word, choices, n=1)
    return f"did you mean {close[0]!r}?" if close else f"allowed: {', '.join(choices)}"


def split_arn(value: str) -> list[str] | None:
    """Six ARN parts, not splitting inside ``${...}`` (a variable name may contain ':')."""
    if "${" not in value:  # fast path, same result: at most five splits
        fast = value.split(":", 5)
        return fast if len(fast) == 6 else None
    parts: list[str] = []
    cur: list[str] = []
    i = 0
    while i < len(value):
        if value.startswith("${", i):
            end = value.find("}", i)
            end = len(value) - 1 if end < 0 else end
            cur.append(value[i : end + 1])
            i = end + 1
            continue
        ch = value[i]
        if ch == ":" and len(parts) < 5:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
        i += 1
    parts.append("".join(cur))
    return parts if len(parts) == 6 else None


def string_member(vd: Validator, obj: JObject, key: str, code: str) -> Text | None:
    member = obj.get(key)
    if member is None:
        return None
    if not isinstance(member.value, JString):
        vd.error(code, f"{key} must be a string, not {type_name(member.value)}", member.value.span)
        return None
    return Text(member.value.value, member.value.span)


def either(
    vd: Validator, st: JObject, plain: str, negated: str, code: str, required: bool
) -> JMember | bool | None:
    a, b = st.get(plain), st.get(negated)
    if a is not None and b is not None:
        vd.error(
            code,
            f"statement has both {plain} and {negated}",
            b.key.span,
            f"keep only one of {plain}/{negated}",
        )
        return False
    if a is None and b is None:
        if required:
            vd.error(
                code,
                f"statement has neither {plain} nor {negated}",
                first_char(st.span),
                f'add "{plain}": ...',
            )
            return False
        return None
    return a if a is not None else b


def unknown_key(
    vd: Validator, key: JString, allowed: tuple[str, ...], code: str, what: str, *, named: bool = True
) -> bool:
    """Report ``key`` (``unknown <what> 'key'`` with a suggestion) when it is not in ``allowed``."""
    if key.value in allowed:
        return False
    data = {"name": key.value} if named else {}
    vd.error(code, f"unknown {what} {key.value!r}", key.span, suggest(key.value, allowed), **data)
    return True


def checked_strings(
    vd: Validator, member: JMember, code: str, item_ok: Callable[[Validator, JString], bool]
) -> tuple[Text, ...] | None:
    """The member's strings as ``Text`` when each passes ``item_ok``; every item is checked, so every
    bad one is reported; None when any failed."""
    items = string_list(vd, member, code)
    if items is None:
        return None
    ok = True
    for s in items:
        ok = item_ok(vd, s) and ok
    return tuple(Text(s.value, s.span) for s in items) if ok else None


Block = TypeVar("Block", ActionBlock, ResourceBlock)


def read_block(
    vd: Validator,
    st: JObject,
    block: type[Block],
    names: tuple[str, str],
    code: str,
    item_ok: Callable[[Validator, JString], bool],
    *,
    default: Block | None = None,
) -> Block | None:
    """``Action``/``NotAction`` or ``Resource``/``NotResource`` (``names``): exactly one of the two
    (``default`` when neither is there and that is allowed), each string passing ``item_ok``."""
    plain, negated = names
    member = either(vd, st, plain, negated, code, default is None)
    if member is None:
        return default
    if not isinstance(member, JMember):
        return None
    texts = checked_strings(vd, member, code, item_ok)
    return None if texts is None else block(member.key.value == negated, texts, member.span)


def string_list(vd: Validator, member: JMember, code: str) -> list[JString] | None:
    v = member.value
    if isinstance(v, JString):
        return [v]
    if isinstance(v, JArray):
        if not v.items:
            vd.error(code, f"{member.key.value} is an empty array", v.span, "list at least one value")
            return None
        out: list[JString] = []
        ok = True
        for item in v.items:
            if isinstance(item, JString):
                out.append(item)
            else:
                vd.error(
                    code, f"{member.key.value} entries must be strings, not {type_name(item)}", item.span
                )
                ok = False
        return out if ok else None
    vd.error(code, f"{member.key.value} must be a string or an array of strings, not {type_name(v)}", v.span)
    return None
