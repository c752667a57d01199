"""V-DUP: duplicate member name in any object."""

from __future__ import annotations

from collections.abc import Iterator

from ..diagnostics import Diagnostic, Severity
from ..ir import JArray, JObject, JString, JValue

CODE = "V-DUP"


def objects(value: JValue) -> Iterator[JObject]:
    stack: list[JValue] = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, JObject):
            yield v
            stack.extend(m.value for m in v.members)
        elif isinstance(v, JArray):
            stack.extend(v.items)


def check_duplicates(root: JValue, path: str) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for obj in objects(root):
        seen: dict[str, JString] = {}
        for m in obj.members:
            first = seen.get(m.key.value)
            if first is None:
                seen[m.key.value] = m.key
                continue
            out.append(
                Diagnostic(
                    "V-DUP",
                    Severity.ERROR,
                    f"duplicate member {m.key.value!r} (first at {first.span.location()})",
                    path,
                    m.key.span,
                    "IAM rejects documents with the same key twice in one object; merge the values",
                    (("name", m.key.value),),
                )
            )
    return out
