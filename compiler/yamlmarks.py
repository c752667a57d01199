"""YAML with positions: a JSON pointer -> the span of its value (or key) in PyYAML's node tree.

Scenario suites (``harness/scenario.py``) and the gate configuration (``terraform/config.py``) read
YAML once into a node tree, construct the data from it, and locate every problem with :class:`Marks`.
Nothing is walked up front (a 10,000-case suite has ~50,000 nodes): ``at`` follows the pointer down.
"""

from __future__ import annotations

from collections.abc import Iterable

import yaml

from .diagnostics import Span


def node_span(node: yaml.Node) -> Span:
    s, e = node.start_mark, node.end_mark
    return Span(s.line + 1, s.column + 1, e.line + 1, e.column + 1, s.index, e.index)


def error_span(exc: yaml.MarkedYAMLError, default: Span) -> Span:
    """Where PyYAML says a syntax error is (``default`` when it gives no mark)."""
    mark = exc.problem_mark or exc.context_mark
    return Span.point(mark.line + 1, mark.column + 1, mark.index) if mark else default


def pointer_text(ptr: Iterable[str | int]) -> str:
    """``cases[3].expect`` for ``("cases", 3, "expect")``; ``(top level)`` for ``()``."""
    out = ""
    for p in ptr:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "(top level)"


class Marks:
    """JSON pointer -> span of the value (or of its key) in the YAML node tree."""

    def __init__(self, root: yaml.Node | None, *, empty: Span):
        self.root = root
        self.empty = empty  # the span of anything in an empty document

    def at(self, ptr: Iterable[str | int], key: bool = False) -> Span:
        """The span of the value at ``ptr`` (of its key with ``key=True``), else of its closest ancestor."""
        node = self.root
        if node is None:
            return self.empty
        parts = tuple(ptr)
        for n, part in enumerate(parts):
            child, key_node = _child(node, part)
            if child is None:
                break
            if key and n == len(parts) - 1 and key_node is not None:
                return node_span(key_node)
            node = child
        return node_span(node)


def _child(node: yaml.Node, part: str | int) -> tuple[yaml.Node | None, yaml.Node | None]:
    if isinstance(node, yaml.MappingNode):
        found: tuple[yaml.Node | None, yaml.Node | None] = (None, None)
        for k, v in node.value:
            if str(k.value) == str(part):
                found = (v, k)  # the last one wins, as in the constructed data
        return found
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
        return node.value[part], None
    return None, None
