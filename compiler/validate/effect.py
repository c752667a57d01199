"""V-EFFECT: Effect present and exactly "Allow" / "Deny"."""

from __future__ import annotations

from ..diagnostics import Span
from ..ir import Effect, JObject, JString
from ._base import Validator, first_char, type_name

CODE = "V-EFFECT"


def read_effect(vd: Validator, st: JObject) -> tuple[Effect, Span] | None:
    member = st.get("Effect")
    if member is None:
        vd.error(
            "V-EFFECT", "statement has no Effect", first_char(st.span), 'add "Effect": "Allow" or "Deny"'
        )
        return None
    v = member.value
    if not isinstance(v, JString):
        vd.error("V-EFFECT", f"Effect must be a string, not {type_name(v)}", v.span)
        return None
    if v.value == "Allow":
        return Effect.ALLOW, v.span
    if v.value == "Deny":
        return Effect.DENY, v.span
    hint = (
        f'Effect is case-sensitive: write "{v.value.capitalize()}"'
        if v.value.lower() in ("allow", "deny")
        else 'use "Allow" or "Deny"'
    )
    vd.error("V-EFFECT", f"invalid Effect {v.value!r}", v.span, hint, effect=v.value)
    return None
