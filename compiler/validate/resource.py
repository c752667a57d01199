"""V-RESOURCE: exactly one of Resource/NotResource; "*" or an ARN with 6 parts, no wildcard service."""

from __future__ import annotations

from ..ir import JObject, JString, PolicyKind, ResourceBlock, Text
from . import variables as _variables
from ._base import Validator, read_block, split_arn

CODE = "V-RESOURCE"


def read_resources(vd: Validator, st: JObject) -> ResourceBlock | None:
    # SCP/RCP statement without Resource: applies to every resource ("*").
    every = (
        ResourceBlock(False, (Text("*", st.span),), st.span)
        if vd.kind in (PolicyKind.SCP, PolicyKind.RCP)
        else None
    )
    return read_block(
        vd, st, ResourceBlock, ("Resource", "NotResource"), "V-RESOURCE", resource_ok, default=every
    )


def resource_ok(vd: Validator, s: JString) -> bool:
    value = s.value
    if value == "*":
        return True
    if not _variables.variables_ok(vd, s, in_arn=True):
        return False
    parts = split_arn(value)
    if parts is None or parts[0] != "arn":
        vd.error(
            "V-RESOURCE",
            f'resource {value[:80]!r} is not an ARN or "*"',
            s.span,
            "write arn:partition:service:region:account:resource",
            resource=value,
        )
        return False
    service = parts[2]
    if not service or "*" in service or "?" in service:
        vd.error(
            "V-RESOURCE",
            f"the service segment {service!r} of {value[:80]!r} must be a literal service name",
            s.span,
            "wildcards are not allowed in the service part of a Resource ARN",
            resource=value,
        )
        return False
    return True
