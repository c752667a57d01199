"""V-CHARS: characters outside TAB/LF/CR/U+0020-U+00FF (IAM API kinds only)."""

from __future__ import annotations

import re

from ..diagnostics import Diagnostic, Severity, Span
from ..ir import PolicyKind

CODE = "V-CHARS"

# The IAM/STS APIs validate PolicyDocument against [\u0009\u000A\u000D\u0020-\u00FF]+ (IAM quotas
# page; CreatePolicy/PutUserPolicy/AssumeRole API references). Organizations and DynamoDB do not
# document that pattern, so V-CHARS applies to the kinds that go through IAM or STS only.
CHARSET_KINDS = frozenset({PolicyKind.IDENTITY, PolicyKind.BOUNDARY, PolicyKind.SESSION})
_BAD_CHARS = re.compile(r"[^\t\n\r\u0020-\u00ff]")
_MAX_CHAR_DIAGS = 10


def check_chars(text: str, path: str) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for m in _BAD_CHARS.finditer(text):
        if len(out) >= _MAX_CHAR_DIAGS:
            break
        line = text.count("\n", 0, m.start()) + 1
        col = m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1
        out.append(
            Diagnostic(
                "V-CHARS",
                Severity.ERROR,
                f"character U+{ord(m.group()):04X} is not allowed in IAM policy documents",
                path,
                Span(line, col, line, col + 1, m.start(), m.start() + 1),
                "IAM accepts only TAB, LF, CR and U+0020-U+00FF; write other characters as \\uXXXX escapes",
                (("char", f"U+{ord(m.group()):04X}"),),
            )
        )
    return out
