"""V-ACTION: exactly one of Action/NotAction; "*" or "prefix:name"."""

from __future__ import annotations

import re

from ..ir import (
    ActionBlock,
    JMember,
    JObject,
    JString,
    Text,
)
from ._base import (
    _ACTION_RE,
    Validator,
    either,
    string_list,
)

CODE = "V-ACTION"


def read_actions(vd: Validator, st: JObject) -> ActionBlock | None:
    member = either(vd, st, "Action", "NotAction", "V-ACTION", True)
    if not isinstance(member, JMember):
        return None
    items = string_list(vd, member, "V-ACTION")
    if items is None:
        return None
    ok = True
    for s in items:
        ok = action_ok(vd, s) and ok
    if not ok:
        return None
    texts = tuple(Text(s.value, s.span) for s in items)
    return ActionBlock(member.key.value == "NotAction", texts, member.span)


def action_ok(vd: Validator, s: JString) -> bool:
    value = s.value
    if value == "*":
        return True
    if ":" not in value:
        vd.error(
            "V-ACTION",
            f"action {value!r} has no service prefix",
            s.span,
            'write "service:Action", e.g. "dynamodb:CreateBackup"',
            action=value,
        )
        return False
    if value.count(":") > 1:
        vd.error(
            "V-ACTION",
            f"action {value!r} has more than one ':'",
            s.span,
            'write "service:Action"',
            action=value,
        )
        return False
    prefix, _, name_ = value.partition(":")
    if "*" in prefix or "?" in prefix:
        vd.error(
            "V-ACTION",
            f"service prefix {prefix!r} cannot contain wildcards",
            s.span,
            'use "*" alone for every action of every service',
            action=value,
        )
        return False
    if _ACTION_RE.fullmatch(value) is None:
        what = (
            "empty action name"
            if not name_
            else (
                "invalid service prefix"
                if not re.fullmatch(r"[A-Za-z0-9.-]+", prefix)
                else "invalid action name"
            )
        )
        vd.error(
            "V-ACTION",
            f"{what} in {value!r}",
            s.span,
            "prefix: letters, digits, '.', '-'; name: no spaces",
            action=value,
        )
        return False
    return True
