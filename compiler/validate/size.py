"""V-SIZE: AWS size quotas (warning unless ``enforce_size``)."""

from __future__ import annotations

from ..diagnostics import Diagnostic, Severity, Span
from ..ir import PolicyKind
from ._base import _WS, ValidateOptions

CODE = "V-SIZE"

# Size quotas (SEMANTICS §4.2 V-SIZE): (limit, counts whitespace?, unit, what)
SIZE_QUOTAS: dict[PolicyKind, tuple[int, bool, str]] = {
    PolicyKind.IDENTITY: (6_144, False, "managed policy: 6,144 characters, whitespace not counted"),
    PolicyKind.BOUNDARY: (6_144, False, "managed policy: 6,144 characters, whitespace not counted"),
    PolicyKind.SESSION: (2_048, False, "session policy: 2,048 characters"),
    PolicyKind.SCP: (5_120, True, "SCP: 5,120 characters, all characters counted"),
    PolicyKind.RCP: (5_120, True, "RCP: 5,120 characters, all characters counted"),
    PolicyKind.RESOURCE: (20_480, True, "DynamoDB resource-based policy: 20 KB including whitespace"),
}


def check_size(text: str, path: str, opts: ValidateOptions) -> list[Diagnostic]:
    limit, counts_ws, what = SIZE_QUOTAS[opts.kind]
    if opts.kind is PolicyKind.RESOURCE:
        size = len(text.encode("utf-8", "surrogatepass"))  # a lone surrogate counts, never raises
    else:
        size = len(text) if counts_ws else len(_WS.sub("", text))
    if size <= limit:
        return []
    severity = Severity.ERROR if opts.enforce_size else Severity.WARNING
    return [
        Diagnostic(
            "V-SIZE",
            severity,
            f"policy is {size:,} {'bytes' if opts.kind is PolicyKind.RESOURCE else 'characters'}; "
            f"the AWS limit is {limit:,} ({what})",
            path,
            Span(1, 1, 1, 2, 0, 1),
            "split the policy or remove unneeded statements",
            (("size", str(size)), ("limit", str(limit))),
        )
    ]
