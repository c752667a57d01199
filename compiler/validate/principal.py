"""V-PRINCIPAL: Principal/NotPrincipal forbidden (identity, boundary, session, SCP) or required (resource: "*" or {AWS|Service|Federated|CanonicalUser: ...}; RCP: exactly "*")."""

from __future__ import annotations

from ..ir import Effect, JMember, JObject, JString, PolicyKind, PrincipalBlock, PrincipalEntry, Text
from ._base import PRINCIPAL_TYPES, Validator, either, string_list, type_name, unknown_key

CODE = "V-PRINCIPAL"


def read_principal(vd: Validator, st: JObject, effect: Effect | None) -> PrincipalBlock | None:
    member = either_principal(vd, st)
    if member is None:
        return None
    negated = member.key.value == "NotPrincipal"
    if negated and effect is Effect.ALLOW:
        vd.error("V-PRINCIPAL", "NotPrincipal can only be used with Effect Deny", member.key.span)
        return None
    entries = principal_entries(vd, member)
    if entries is None:
        return None
    if vd.kind is PolicyKind.RCP and [(e.kind, e.value.value) for e in entries] not in (
        [("*", "*")],
        [("AWS", "*")],
    ):
        vd.error(
            "V-PRINCIPAL",
            'an RCP Principal must be "*"',
            member.value.span,
            'write "Principal": "*" and narrow with conditions',
        )
        return None
    return PrincipalBlock(negated, tuple(entries), member.span)


def either_principal(vd: Validator, st: JObject) -> JMember | None:
    a, b = st.get("Principal"), st.get("NotPrincipal")
    if vd.kind in (PolicyKind.RESOURCE, PolicyKind.RCP):
        if vd.kind is PolicyKind.RCP and b is not None:
            vd.error(
                "V-PRINCIPAL",
                "RCPs do not support NotPrincipal",
                b.key.span,
                'use "Principal": "*" with conditions',
            )
            return None
        member = either(vd, st, "Principal", "NotPrincipal", "V-PRINCIPAL", True)
        return member if isinstance(member, JMember) else None
    for m in (a, b):
        if m is not None:
            vd.error(
                "V-PRINCIPAL",
                f"{m.key.value} is not allowed in a{'n' if vd.kind.value[0] in 'aeiou' else ''} {vd.kind.value} policy",
                m.key.span,
                "Principal belongs in resource-based policies; identity-type policies apply to whoever they are attached to",
                kind=vd.kind.value,
            )
    return None


def principal_entries(vd: Validator, member: JMember) -> list[PrincipalEntry] | None:
    v = member.value
    if isinstance(v, JString):
        if v.value != "*":
            vd.error(
                "V-PRINCIPAL",
                f'Principal string must be "*", not {v.value[:60]!r}',
                v.span,
                'write {"AWS": "arn:..."}',
            )
            return None
        return [PrincipalEntry("*", Text("*", v.span))]
    if not isinstance(v, JObject):
        vd.error("V-PRINCIPAL", f'Principal must be "*" or an object, not {type_name(v)}', v.span)
        return None
    if not v.members:
        vd.error(
            "V-PRINCIPAL",
            "Principal is an empty object",
            v.span,
            'add e.g. "AWS": "arn:aws:iam::123456789012:root"',
        )
        return None
    out: list[PrincipalEntry] = []
    ok = True
    for m in v.members:
        if unknown_key(vd, m.key, PRINCIPAL_TYPES, "V-PRINCIPAL", "principal type", named=False):
            ok = False
            continue
        values = string_list(vd, m, "V-PRINCIPAL")
        if values is None:
            ok = False
            continue
        out += [PrincipalEntry(m.key.value, Text(s.value, s.span)) for s in values]
    return out if ok else None
