"""V-TOP: the top level: an object with Version, Id and Statement; Statement present (statement count: V-LIMIT)."""

from __future__ import annotations

from ..ir import VERSION_2008, VERSION_2012, JArray, JObject, JString, JValue, Policy, Statement, Text
from . import sid as _sid
from . import statement as _statement
from ._base import TOP_MEMBERS, Validator, first_char, string_member, type_name, unknown_key

CODE = "V-TOP"


def to_policy(vd: Validator, root: JValue, name: str) -> Policy | None:
    if not isinstance(root, JObject):
        vd.error(
            "V-TOP",
            f"a policy must be a JSON object, not {type_name(root)}",
            root.span,
            "wrap it: {...}",
        )
        return None
    for m in root.members:
        unknown_key(vd, m.key, TOP_MEMBERS, "V-TOP", "top-level element")
    version = read_version(vd, root)
    vd.variables = version is not None and version.value == VERSION_2012
    policy_id = string_member(vd, root, "Id", "V-TOP")
    statements = read_statements(vd, root)
    if statements is None:
        return None
    _sid.check_unique(vd, statements)
    return Policy(vd.path, name, vd.kind, version, policy_id, tuple(statements), root.span)


def read_version(vd: Validator, root: JObject) -> Text | None:
    member = root.get("Version")
    if member is None:
        vd.warn(
            "W-VERSION-MISSING",
            "no Version: AWS applies the 2008-10-17 rules (policy variables are literal text)",
            first_char(root.span),
            'add "Version": "2012-10-17" (IAM managed-policy APIs reject documents without it)',
        )
        return None
    v = member.value
    if not isinstance(v, JString):
        vd.error("V-TOP", f"Version must be a string, not {type_name(v)}", v.span, 'use "2012-10-17"')
        return None
    if v.value not in (VERSION_2012, VERSION_2008):
        vd.error("V-TOP", f"unknown Version {v.value!r}", v.span, 'use "2012-10-17" (or "2008-10-17")')
        return None
    return Text(v.value, v.span)


def read_statements(vd: Validator, root: JObject) -> list[Statement] | None:
    member = root.get("Statement")
    if member is None:
        vd.error("V-TOP", "the policy has no Statement", first_char(root.span), 'add "Statement": [...]')
        return None
    value = member.value
    if isinstance(value, JObject):
        items: tuple[JValue, ...] = (value,)
    elif isinstance(value, JArray):
        items = value.items
        if not items:
            vd.error("V-TOP", "Statement is an empty array", value.span, "add at least one statement")
            return None
        if len(items) > vd.opts.limits.max_statements:
            vd.error(
                "V-LIMIT",
                f"{len(items):,} statements; the limit is {vd.opts.limits.max_statements:,}",
                first_char(value.span),
                "AWS policies hold at most a few hundred statements; is this the right file?",
                limit="max_statements",
            )
            return None
    else:
        vd.error(
            "V-TOP",
            f"Statement must be an object or an array of objects, not {type_name(value)}",
            value.span,
        )
        return None
    out: list[Statement] = []
    ok = True
    for index, item in enumerate(items):
        st = _statement.read_statement(vd, index, item)
        if st is None:
            ok = False
        else:
            out.append(st)
    return out if ok else None
