"""The few write primitives of the code generator. They own all whitespace: tabs, blank lines, the
final newline, and when a literal is broken over several lines (the way ``opa fmt`` lays it out).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from .quote import json_text, rego_string

MAX_WIDTH = 110  # columns (a tab counts 4); Regal's line-length limit is 120
TAB_WIDTH = 4

Json = str | int | bool | None | Sequence["Json"] | Mapping[str, "Json"]


@dataclass(frozen=True, slots=True)
class Composite:
    """A set, array or object term; each element is (prefix, term), e.g. (``"op": ``, ``"x"``)."""

    open: str
    elements: tuple[tuple[str, Term], ...]
    close: str


@dataclass(frozen=True, slots=True)
class Call:
    fn: str
    args: tuple[Term, ...]


Term = str | Composite | Call


def one_line(term: Term) -> str:
    if isinstance(term, str):
        return term
    if isinstance(term, Call):
        return f"{term.fn}({', '.join(one_line(a) for a in term.args)})"
    return term.open + ", ".join(p + one_line(t) for p, t in term.elements) + term.close


def json_term(value: Json) -> Term:
    """A Rego term for a JSON value (object keys keep their order), breakable over lines."""
    if isinstance(value, Mapping):
        return Composite("{", tuple((f"{rego_string(k)}: ", json_term(v)) for k, v in value.items()), "}")
    if isinstance(value, Sequence) and not isinstance(value, str):
        return Composite("[", tuple(("", json_term(v)) for v in value), "]")
    return literal(value)


def set_term(items: Sequence[str]) -> Composite:
    """A Rego set of strings, sorted and de-duplicated (deterministic output)."""
    return Composite("{", tuple(("", s) for s in set_literal(items)), "}")


def literal(value: Json) -> str:
    """A one-line Rego term for a JSON value; object keys keep their given order, sets are lists."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return rego_string(value)
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{rego_string(k)}: {literal(v)}" for k, v in value.items()) + "}"
    return "[" + ", ".join(literal(v) for v in value) + "]"


def json_document(doc: Mapping[str, Json]) -> str:
    """A JSON object of arrays and objects, one element or member per line (diffable, byte-identical
    for identical input)."""
    parts = []
    for key, value in doc.items():
        if isinstance(value, Mapping):
            lines = [f"{json_text(k)}: {json_text(v)}" for k, v in value.items()]
            opener, closer = "{", "}"
        else:
            assert isinstance(value, Sequence) and not isinstance(value, str), "members are arrays or objects"
            lines = [json_text(v) for v in value]
            opener, closer = "[", "]"
        body = "\n" + ",\n".join(lines) + "\n" if lines else ""
        parts.append(f"{json_text(key)}: {opener}{body}{closer}")
    return "{" + ",\n".join(parts) + "}\n"


def set_literal(items: Sequence[str]) -> list[str]:
    """Element texts of a Rego set, sorted and de-duplicated (deterministic output)."""
    return [rego_string(s) for s in sorted(set(items))]


def _lone_object(term: Composite) -> bool:
    """An array holding exactly one object with members, or an object whose one member is one."""
    if len(term.elements) != 1 or (term.open == "[") == bool(term.elements[0][0]):
        return False
    inner = term.elements[0][1]
    return isinstance(inner, Composite) and inner.open == "{" and bool(inner.elements)


class Writer:
    def __init__(self) -> None:
        self._lines: list[str] = []
        self._depth = 0

    def line(self, text: str) -> None:
        self._lines.append("\t" * self._depth + text)

    def blank(self) -> None:
        if self._lines and self._lines[-1] != "":
            self._lines.append("")

    def comment(self, text: str) -> None:
        self.line(f"# {text}" if text else "#")

    @contextmanager
    def block(self, opener: str, closer: str) -> Iterator[None]:
        self.line(opener)
        self._depth += 1
        try:
            yield
        finally:
            self._depth -= 1
            self.line(closer)

    @contextmanager
    def indented(self) -> Iterator[None]:
        self._depth += 1
        try:
            yield
        finally:
            self._depth -= 1

    def fits(self, text: str) -> bool:
        return self._depth * TAB_WIDTH + len(text) <= MAX_WIDTH

    def composite(
        self, prefix: str, open_: str, elements: Sequence[str], close: str, suffix: str = ""
    ) -> None:
        """``prefix{a, b}suffix`` on one line when it fits, else one element per line (opa fmt style)."""
        one = f"{prefix}{open_}{', '.join(elements)}{close}{suffix}"
        if self.fits(one) or not elements:
            self.line(one)
            return
        with self.block(f"{prefix}{open_}", f"{close}{suffix}"):
            for element in elements:
                self.line(element + ",")

    def term(self, prefix: str, term: Term, suffix: str = "") -> None:
        """``prefix term suffix`` on one line when it fits, else broken the way ``opa fmt`` keeps it:
        one element or argument per line, trailing commas."""
        flat = prefix + one_line(term) + suffix
        if self.fits(flat) or isinstance(term, str):
            self.line(flat)
            return
        if isinstance(term, Composite) and _lone_object(term):
            # `[{` ... `}]` and `{"k": {` ... `}}`: how Regal's formatter lays out a lone broken
            # object (opa fmt accepts it too)
            key, inner = term.elements[0]
            assert isinstance(inner, Composite)
            term, prefix, suffix = inner, prefix + term.open + key, term.close + suffix
        if isinstance(term, Call):
            opener, closer, items = f"{prefix}{term.fn}(", f"){suffix}", [("", a) for a in term.args]
        else:
            opener, closer, items = prefix + term.open, term.close + suffix, list(term.elements)
        if not items:
            self.line(flat)
            return
        with self.block(opener, closer):
            for item_prefix, item in items:
                self.term(item_prefix, item, ",")

    def object(self, prefix: str, obj: Mapping[str, Json], suffix: str = "") -> None:
        elements = [f"{rego_string(k)}: {literal(v)}" for k, v in obj.items()]
        self.composite(prefix, "{", elements, "}", suffix)

    def text(self) -> str:
        while self._lines and self._lines[-1] == "":
            self._lines.pop()
        return "\n".join(self._lines) + "\n"
