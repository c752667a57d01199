"""A compiled yes/no JSON Schema check for the keywords scenario.schema.json uses.

``jsonschema`` walks the schema anew for every value (~1 s for a 10,000-case suite); this module turns
the schema into nested closures once. It only answers *valid or not*: on ``False`` the loader runs
``jsonschema`` for the located, worded errors, so the two must agree (tests/unit/test_scenario_schema.py
checks them against each other). A keyword it does not know raises :class:`Unsupported` at compile time,
and the loader then always uses ``jsonschema``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from jsonschema._utils import equal

from ..errors import SchemaUnsupported as Unsupported

Check = Callable[[Any], bool]
ANNOTATIONS = frozenset(
    {"$schema", "$id", "$defs", "title", "description", "default", "examples", "$comment"}
)


def _is_integer(x: Any) -> bool:
    return (isinstance(x, int) and not isinstance(x, bool)) or (isinstance(x, float) and x.is_integer())


TYPES: dict[str, Check] = {
    "string": lambda x: isinstance(x, str),
    "object": lambda x: isinstance(x, dict),
    "array": lambda x: isinstance(x, list),
    "boolean": lambda x: isinstance(x, bool),
    "null": lambda x: x is None,
    "integer": _is_integer,
    "number": lambda x: isinstance(x, (int, float)) and not isinstance(x, bool),
}


class _Compiler:
    def __init__(self, root: dict[str, Any]):
        self.root = root
        self.refs: dict[str, Check] = {}

    def ref(self, target: str) -> Check:
        if not target.startswith("#/"):
            raise Unsupported(f"$ref {target!r}")
        if target not in self.refs:
            slot: list[Check] = []
            self.refs[target] = lambda x: slot[0](x)  # placeholder first: recursive schemas
            node: Any = self.root
            for part in target[2:].split("/"):
                node = node[part.replace("~1", "/").replace("~0", "~")]
            slot.append(self.compile(node))
        return self.refs[target]

    def compile(self, node: Any) -> Check:
        if node is True:
            return lambda x: True
        if node is False:
            return lambda x: False
        if not isinstance(node, dict):
            raise Unsupported(f"schema {node!r}")
        found = [self.keyword(k, v, node) for k, v in node.items() if k not in ANNOTATIONS]
        checks = [c for c in found if c is not None]
        if len(checks) == 1:
            return checks[0]
        return lambda x: all(c(x) for c in checks)

    def keyword(self, key: str, value: Any, node: dict[str, Any]) -> Check | None:
        if key == "type":
            names = [value] if isinstance(value, str) else list(value)
            tests = [TYPES[n] for n in names]
            return lambda x: any(t(x) for t in tests)
        if key == "$ref":
            return self.ref(value)
        if key == "minLength":
            return lambda x: not isinstance(x, str) or len(x) >= value
        if key == "pattern":
            rx = re.compile(value)
            return lambda x: not isinstance(x, str) or rx.search(x) is not None
        if key == "enum":
            return lambda x: any(equal(x, e) for e in value)
        if key == "required":
            return lambda x: not isinstance(x, dict) or all(k in x for k in value)
        if key == "properties":
            props = {k: self.compile(v) for k, v in value.items()}
            return lambda x: not isinstance(x, dict) or all(props[k](v) for k, v in x.items() if k in props)
        if key == "additionalProperties":
            if "patternProperties" in node:
                raise Unsupported("additionalProperties with patternProperties")
            known = frozenset(node.get("properties") or ())
            extra = self.compile(value)
            return lambda x: not isinstance(x, dict) or all(extra(v) for k, v in x.items() if k not in known)
        if key == "items":
            if "prefixItems" in node or not isinstance(value, (dict, bool)):
                raise Unsupported("items with prefixItems")
            item = self.compile(value)
            return lambda x: not isinstance(x, list) or all(item(v) for v in x)
        if key in ("minItems", "maxItems"):
            return (
                (lambda x: not isinstance(x, list) or len(x) >= value)
                if key == "minItems"
                else (lambda x: not isinstance(x, list) or len(x) <= value)
            )
        if key in ("oneOf", "anyOf"):
            subs = [self.compile(s) for s in value]
            if key == "anyOf":
                return lambda x: any(s(x) for s in subs)
            return lambda x: sum(1 for s in subs if s(x)) == 1
        raise Unsupported(f"keyword {key!r}")


def compile_schema(schema: dict[str, Any]) -> Check:
    """A function telling whether a value is valid; raises Unsupported for unknown keywords."""
    return _Compiler(schema).compile(schema)
