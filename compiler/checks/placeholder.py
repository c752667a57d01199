"""W-PLACEHOLDER: documentation placeholders left in an ARN (``account-id``, ``REGION``, ...).

AWS does not validate these segments; the statement simply never matches a real ARN (§7.5 item 3).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..catalog import Catalog
from ..diagnostics import Diagnostic
from ..ir import Policy
from ._util import finding, has_wildcard, split_arn

ID = "W-PLACEHOLDER"

_ACCOUNT = re.compile(r"[0-9]{12}|aws")
_REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-[0-9]+")
_PARTITION = re.compile(r"aws(-[a-z]+)*")


def check(policy: Policy, cat: Catalog) -> Iterator[Diagnostic]:
    for st in policy.statements:
        for item in st.resource.items:
            parts = split_arn(item.value)
            if parts is None:
                continue
            partition, _, region, account = parts[1], parts[2], parts[3], parts[4]
            for segment, rx, what, example in (
                (partition, _PARTITION, "partition", "aws"),
                (region, _REGION, "region", "us-east-1"),
                (account, _ACCOUNT, "account", "123456789012"),
            ):
                if segment == "" or has_wildcard(segment) or rx.fullmatch(segment):
                    continue
                yield finding(
                    policy,
                    ID,
                    f"{what} {segment!r} in {item.value[:100]!r} looks like a placeholder; this entry matches no real ARN",
                    item.span,
                    f"replace it with a real {what} (e.g. {example}) or '*'",
                    segment=what,
                    value=segment,
                )
