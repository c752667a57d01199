"""V-VAR: ``${`` in a Resource ARN before the resource part; ``${`` without ``}``."""

from __future__ import annotations

from ..ir import JString
from ._base import Validator

CODE = "V-VAR"


def variables_ok(vd: Validator, s: JString, *, in_arn: bool) -> bool:
    """§4.5: ``${`` before the resource part, or ``${`` without ``}`` (2012-10-17 only)."""
    if not vd.variables or "${" not in s.value:
        return True
    value = s.value
    colons = 0
    i = 0
    while i < len(value):
        if value.startswith("${", i):
            end = value.find("}", i + 2)
            if end < 0:
                vd.error(
                    "V-VAR",
                    "policy variable '${' without a closing '}'",
                    s.span,
                    "write ${name}, or ${$} for a literal '$'",
                    value=value,
                )
                return False
            if end == i + 2:
                vd.error("V-VAR", "empty policy variable '${}'", s.span, "write ${name}", value=value)
                return False
            if in_arn and colons < 5:
                vd.error(
                    "V-VAR",
                    "policy variables are allowed only in the resource part of an ARN (after the 5th ':')",
                    s.span,
                    "move the variable into the resource part, e.g. table/${aws:username}",
                    value=value,
                )
                return False
            i = end + 1
            continue
        if value[i] == ":":
            colons += 1
        i += 1
    return True
