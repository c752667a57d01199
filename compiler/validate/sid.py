"""V-SID: Sid characters (IAM kinds: A-Z a-z 0-9) and uniqueness."""

from __future__ import annotations

from ..ir import JObject, JString, PolicyKind, Statement, Text
from ._base import _SID_RE, Validator, type_name

CODE = "V-SID"


def check_unique(vd: Validator, statements: list[Statement]) -> None:
    seen: dict[str, Text] = {}
    for st in statements:
        if st.sid is None or st.sid.value == "":
            continue
        first = seen.get(st.sid.value)
        if first is None:
            seen[st.sid.value] = st.sid
            continue
        vd.error(
            "V-SID",
            f"duplicate Sid {st.sid.value!r} (first at {first.span.location()})",
            st.sid.span,
            "Sids must be unique within a policy",
            sid=st.sid.value,
        )


def read_sid(vd: Validator, st: JObject) -> Text | None:
    member = st.get("Sid")
    if member is None:
        return None
    v = member.value
    if not isinstance(v, JString):
        vd.error("V-SID", f"Sid must be a string, not {type_name(v)}", v.span)
        return None
    if vd.kind is not PolicyKind.RESOURCE and _SID_RE.fullmatch(v.value) is None:
        vd.error(
            "V-SID",
            f"Sid {v.value!r} has characters other than A-Z, a-z, 0-9",
            v.span,
            "IAM Sids allow only ASCII letters and digits",
            sid=v.value,
        )
    return Text(v.value, v.span)
