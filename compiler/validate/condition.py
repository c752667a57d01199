"""V-COND: operator known (§6.1), qualifier/IfExists well-formed; key -> scalar(s)."""

from __future__ import annotations

from ..ir import Condition, ConditionValue, JArray, JBool, JMember, JNumber, JObject, JString, JValue, Text
from . import variables as _variables
from ._base import (
    _OPERATORS_LOWER,
    OPERATORS,
    QUALIFIERS,
    VARIABLE_OPERATOR_PREFIXES,
    Validator,
    suggest,
    type_name,
)

CODE = "V-COND"


def read_conditions(vd: Validator, st: JObject) -> tuple[Condition, ...] | None:
    member = st.get("Condition")
    if member is None:
        return ()
    block = member.value
    if not isinstance(block, JObject):
        vd.error(
            "V-COND",
            f"Condition must be an object, not {type_name(block)}",
            block.span,
            '{"StringEquals": {"aws:RequestedRegion": "us-east-1"}}',
        )
        return None
    out: list[Condition] = []
    ok = True
    for op_member in block.members:
        parsed = read_operator(vd, op_member.key)
        keys = op_member.value
        if not isinstance(keys, JObject):
            vd.error(
                "V-COND",
                f"the value of {op_member.key.value!r} must be an object of condition keys, not {type_name(keys)}",
                keys.span,
            )
            ok = False
            continue
        if parsed is None:
            ok = False
            continue
        base, qualifier, if_exists = parsed
        for key_member in keys.members:
            cond = read_condition(vd, op_member, key_member, base, qualifier, if_exists)
            if cond is None:
                ok = False
            else:
                out.append(cond)
    return tuple(out) if ok else None


def read_operator(vd: Validator, op: JString) -> tuple[str, str, bool] | None:
    text = op.value
    qualifier = ""
    rest = text
    if ":" in text:
        qualifier, _, rest = text.partition(":")
        if qualifier not in QUALIFIERS:
            hint: str | None = (
                suggest(qualifier, QUALIFIERS) or "the only prefixes are ForAllValues: and ForAnyValue:"
            )
            vd.error(
                "V-COND", f"unknown set operator prefix {qualifier + ':'!r}", op.span, hint, operator=text
            )
            return None
    if_exists = rest.endswith("IfExists")
    base = rest[: -len("IfExists")] if if_exists else rest
    if base not in OPERATORS:
        canon = _OPERATORS_LOWER.get(base.lower())
        hint = (
            f"operator names are case-sensitive: write {canon!r}"
            if canon
            else suggest(base, tuple(OPERATORS))
        )
        vd.error("V-COND", f"unknown condition operator {text!r}", op.span, hint, operator=text)
        return None
    if base == "Null" and if_exists:
        vd.error("V-COND", "the Null operator takes no IfExists suffix", op.span, 'use "Null"', operator=text)
        return None
    return base, qualifier, if_exists


def read_condition(
    vd: Validator, op_member: JMember, key_member: JMember, base: str, qualifier: str, if_exists: bool
) -> Condition | None:
    key = key_member.key
    if not key.value:
        vd.error("V-COND", "empty condition key", key.span)
        return None
    raw = key_member.value
    items: tuple[JValue, ...] = raw.items if isinstance(raw, JArray) else (raw,)
    values: list[ConditionValue] = []
    ok = True
    for item in items:
        cv = condition_value(item)
        if cv is None:
            where = "in the value array of" if isinstance(raw, JArray) else "as the value of"
            vd.error(
                "V-COND",
                f"{type_name(item)} is not allowed {where} condition key {key.value!r}",
                item.span,
                "condition values are strings, numbers or booleans",
                key=key.value,
            )
            ok = False
            continue
        if isinstance(item, JString) and base.startswith(VARIABLE_OPERATOR_PREFIXES):
            ok = _variables.variables_ok(vd, item, in_arn=False) and ok
        values.append(cv)
    if not ok:
        return None
    return Condition(
        Text(op_member.key.value, op_member.key.span),
        base,
        qualifier,
        if_exists,
        Text(key.value, key.span),
        tuple(values),
        key_member.span,
    )


def condition_value(item: JValue) -> ConditionValue | None:
    if isinstance(item, JString):
        return ConditionValue(item.value, "string", item.span)
    if isinstance(item, JBool):
        return ConditionValue("true" if item.value else "false", "boolean", item.span)
    if isinstance(item, JNumber):
        return ConditionValue(item.text, "number", item.span)
    return None
