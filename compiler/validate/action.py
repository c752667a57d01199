"""V-ACTION: exactly one of Action/NotAction; "*" or "prefix:name"."""

from __future__ import annotations

import re

from ..ir import ActionBlock, JObject, JString
from ._base import _ACTION_RE, Validator, read_block

CODE = "V-ACTION"


def read_actions(vd: Validator, st: JObject) -> ActionBlock | None:
    return read_block(vd, st, ActionBlock, ("Action", "NotAction"), "V-ACTION", action_ok)


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
