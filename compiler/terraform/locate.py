"""Where a plan finding lives in the Terraform source: ``.tf`` file and line, or a JSON pointer.

The gate reports plan addresses (``module.team["billing"].aws_iam_role_policy.operator``). This
module maps them to the block that declares them:

* the root module's ``.tf`` files are read with python-hcl2 (its Lark tree keeps line numbers);
* module calls are followed through the plan's ``configuration`` (``module_calls[name].source``,
  a local path), or ``.terraform/modules/modules.json`` for registry and git sources;
* instance keys (``[0]``, ``["billing"]``) are dropped: every instance has the same source block;
* a statement is located inside its policy: in an ``aws_iam_policy_document`` data source the
  policy references (from the plan's ``configuration``) to its ``statement`` block (by ``sid``,
  else by position); in a ``jsonencode`` policy to the line of its ``Sid``; nested ``inline_policy``
  blocks by position.

When no ``.tf`` declares the address (a plan without its configuration directory), the location
is the plan file with a JSON pointer to the resource in ``resource_changes``.

Inline skips: an HCL comment ``# iam2rego:skip=<CODE|GUARDRAIL> <reason>`` (or ``//``, ``/* */``)
in the body of a resource block, read from python-hcl2's parse tree (which keeps comments as
``new_line_or_comment`` nodes): text in a string, a heredoc, a policy expression (``jsonencode({...})``)
or outside the block never counts (:meth:`SourceIndex.skips`). Whether a skip is honoured is the
guardrail file's decision (``suppressions.inline``, terraform/findings.py).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..diagnostics import Span
from .plan import address_span

_KEY = r'\[(?:"(?:[^"\\]|\\.)*"|[0-9]+|\*)\]'
_MODULE_STEP = re.compile(rf"module\.([A-Za-z_][A-Za-z0-9_-]*)(?:{_KEY})?\.")
_RESOURCE = re.compile(
    rf"^(?:(data)\.)?([A-Za-z_][A-Za-z0-9_-]*)\.([A-Za-z_][A-Za-z0-9_-]*)(?:{_KEY})?"
    rf"(?:\.([A-Za-z_][A-Za-z0-9_]*)\[([0-9]+)\])?$"
)
SKIP = re.compile(r"^(?:#|//|/\*)\s*iam2rego:skip=([A-Za-z0-9_.:-]+)(?:\s+(.*?))?\s*(?:\*/)?\s*$", re.S)
_DOC_REF = re.compile(r"^data\.aws_iam_policy_document\.([A-Za-z_][A-Za-z0-9_-]*)(?:\.json)?$")


@dataclass(frozen=True)
class Address:
    """A plan address without instance keys: module path, mode, type, name, nested block."""

    modules: tuple[str, ...]
    mode: str  # "managed" | "data"
    type: str
    name: str
    nested: tuple[str, int] | None = None  # e.g. ("inline_policy", 0)

    @staticmethod
    def parse(address: str) -> Address | None:
        modules: list[str] = []
        rest = address
        while True:
            m = _MODULE_STEP.match(rest)
            if not m:
                break
            modules.append(m.group(1))
            rest = rest[m.end() :]
        m = _RESOURCE.match(rest)
        if not m:
            return None
        nested = (m.group(4), int(m.group(5))) if m.group(4) else None
        return Address(tuple(modules), "data" if m.group(1) else "managed", m.group(2), m.group(3), nested)


@dataclass(frozen=True)
class Block:
    """One HCL block: file, first line (its type keyword) and last line (its closing brace)."""

    path: str
    line: int
    column: int
    end_line: int
    labels: tuple[str, ...]
    attrs: dict[str, str] = field(default_factory=dict, compare=False, hash=False)  # plain string attributes
    children: tuple[tuple[str, Block], ...] = field(default=(), compare=False, hash=False)
    comments: tuple[tuple[int, str], ...] = field(
        default=(), compare=False, hash=False
    )  # (line, text), body level

    def nested(self, kind: str) -> list[Block]:
        return [b for k, b in self.children if k == kind]


@dataclass(frozen=True)
class Location:
    path: str
    span: Span
    pointer: str | None = None  # JSON pointer into the plan when no .tf declares the address

    @property
    def in_source(self) -> bool:
        return self.pointer is None


def _is_tree(node: Any, data: str | None = None) -> bool:
    """A node of python-hcl2's parse tree (duck-typed: only parse/lower import lark itself)."""
    return hasattr(node, "data") and hasattr(node, "children") and (data is None or node.data == data)


def _is_token(node: Any, kind: str) -> bool:
    return isinstance(node, str) and getattr(node, "type", None) == kind


def _tree_blocks(path: str, text: str) -> list[tuple[str, Block]]:
    import hcl2

    def string_value(node: Any) -> str | None:
        parts = []
        for child in node.children:
            if _is_tree(child, "string_part"):
                for tok in child.children:
                    if not _is_token(tok, "STRING_CHARS"):
                        return None  # interpolation: not a plain string
                    parts.append(str(tok))
        return "".join(parts)

    def comments_of(node: Any) -> list[tuple[int, str]]:
        """The comments of a ``new_line_or_comment`` node (each token is one newline or comment)."""
        out = []
        for tok in node.children:
            text = str(tok).strip()
            if _is_token(tok, "NL_OR_COMMENT") and text.startswith(("#", "//", "/*")):
                out.append((tok.line or 0, text))
        return out

    def block(node: Any) -> tuple[str, Block]:
        kind, labels, attrs, children = "", [], {}, []
        comments: list[tuple[int, str]] = []
        end_line = node.meta.end_line if not node.meta.empty else 0
        for child in node.children:
            if _is_tree(child, "identifier") and not kind:
                kind = str(child.children[0])
            elif _is_tree(child, "string"):
                labels.append(string_value(child) or "")
            elif _is_tree(child, "new_line_or_comment"):
                comments.extend(comments_of(child))
            elif _is_tree(child, "body"):
                for item in child.children:
                    if not _is_tree(item):
                        continue
                    if item.data == "new_line_or_comment":  # a comment of the body itself
                        comments.extend(comments_of(item))
                    elif item.data == "block":
                        children.append(block(item))
                    elif item.data == "attribute":
                        name = str(item.children[0].children[0])
                        value = item.children[-1]
                        if _is_tree(value, "expr_term") and value.children:
                            inner = value.children[0]
                            if _is_tree(inner, "string"):
                                text_value = string_value(inner)
                                if text_value is not None:
                                    attrs[name] = text_value
            elif _is_token(child, "RBRACE"):
                end_line = child.line or end_line
        line = node.meta.line if not node.meta.empty else 1
        column = node.meta.column if not node.meta.empty else 1
        return kind, Block(
            path, line, column, end_line, tuple(labels), attrs, tuple(children), tuple(comments)
        )

    tree = hcl2.parses_to_tree(text)
    out: list[tuple[str, Block]] = []
    for body in tree.children:
        if _is_tree(body, "body"):
            out.extend(block(item) for item in body.children if _is_tree(item, "block"))
    return out


@dataclass
class _Module:
    directory: Path
    blocks: dict[tuple[str, str, str], Block]  # (mode, type, name) -> block
    texts: dict[str, str]


class SourceIndex:
    """Terraform configuration of a plan: address -> block, plus the source texts for carets."""

    def __init__(
        self, plan: object, plan_path: str, source_dir: str | Path | None, plan_text: str | None = None
    ) -> None:
        self.plan = plan if isinstance(plan, dict) else {}
        self.plan_path = plan_path
        self.plan_text = plan_text
        self.root = Path(source_dir) if source_dir is not None else None
        self.texts: dict[str, str] = {}  # display path -> text
        self.problems: list[str] = []
        self._modules: dict[tuple[str, ...], _Module | None] = {}
        self._installed = self._read_modules_json()

    # --- configuration ------------------------------------------------------------------------

    def _display(self, path: Path) -> str:
        resolved = path.resolve()
        try:
            return resolved.relative_to(Path.cwd().resolve()).as_posix()
        except ValueError:
            return str(resolved)

    def _read_modules_json(self) -> dict[str, Path]:
        if self.root is None:
            return {}
        manifest = self.root / ".terraform" / "modules" / "modules.json"
        try:
            entries = json.loads(manifest.read_text(encoding="utf-8")).get("Modules") or []
        except (OSError, ValueError, AttributeError):
            return {}
        return {e["Key"]: self.root / e["Dir"] for e in entries if isinstance(e, dict) and e.get("Key")}

    def _module_call(self, modules: tuple[str, ...]) -> dict:
        config = (self.plan.get("configuration") or {}).get("root_module") or {}
        call: dict = {}
        for name in modules:
            call = (config.get("module_calls") or {}).get(name) or {}
            config = call.get("module") or {}
        return call

    def _module_config(self, modules: tuple[str, ...]) -> dict:
        if not modules:
            return (self.plan.get("configuration") or {}).get("root_module") or {}
        return self._module_call(modules).get("module") or {}

    def _module_dir(self, modules: tuple[str, ...]) -> Path | None:
        if self.root is None:
            return None
        if not modules:
            return self.root
        installed = self._installed.get(".".join(modules))
        if installed is not None:
            return installed
        parent = self._module_dir(modules[:-1])
        source = self._module_call(modules).get("source")
        if parent is None or not isinstance(source, str) or not source.startswith(("./", "../")):
            return None
        return parent / source

    def _module(self, modules: tuple[str, ...]) -> _Module | None:
        if modules in self._modules:
            return self._modules[modules]
        directory = self._module_dir(modules)
        module = None
        if directory is not None and directory.is_dir():
            blocks: dict[tuple[str, str, str], Block] = {}
            texts: dict[str, str] = {}
            for tf in sorted(directory.glob("*.tf")):
                display = self._display(tf)
                try:
                    text = tf.read_text(encoding="utf-8")
                    parsed = _tree_blocks(display, text)
                except Exception as exc:  # unreadable or not HCL: report, fall back to the plan
                    self.problems.append(f"{display}: cannot read the Terraform source: {exc}")
                    continue
                texts[display] = text
                for kind, block in parsed:
                    if kind in ("resource", "data") and len(block.labels) == 2:
                        mode = "managed" if kind == "resource" else "data"
                        blocks[(mode, *block.labels)] = block
            self.texts.update(texts)
            module = _Module(directory, blocks, texts)
        self._modules[modules] = module
        return module

    # --- lookups ------------------------------------------------------------------------------

    def block(self, address: str) -> Block | None:
        """The block declaring ``address`` (a nested ``inline_policy[i]`` block when it names one)."""
        parsed = Address.parse(address)
        if parsed is None:
            return None
        module = self._module(parsed.modules)
        if module is None:
            return None
        block = module.blocks.get((parsed.mode, parsed.type, parsed.name))
        if block is not None and parsed.nested:
            kind, index = parsed.nested
            nested = block.nested(kind)
            if index < len(nested):
                return nested[index]
        return block

    def _policy_document(self, address: str) -> Block | None:
        """The ``aws_iam_policy_document`` data source whose JSON the resource's policy is."""
        parsed = Address.parse(address)
        if parsed is None:
            return None
        config = self._module_config(parsed.modules)
        wanted = f"{'data.' if parsed.mode == 'data' else ''}{parsed.type}.{parsed.name}"
        for res in config.get("resources") or []:
            if res.get("address") != wanted:
                continue
            expressions = res.get("expressions") or {}
            if parsed.nested:
                kind, index = parsed.nested
                items = expressions.get(kind) or []
                expressions = items[index] if index < len(items) else {}
            names = {m.group(1) for ref in _references(expressions) if (m := _DOC_REF.match(ref))}
            if len(names) == 1:
                module = self._module(parsed.modules)
                if module is not None:
                    return module.blocks.get(("data", "aws_iam_policy_document", names.pop()))
        return None

    def statement(self, address: str, sid: str | None, index: int | None) -> Location | None:
        """The statement's line: a policy-document ``statement`` block, a ``Sid`` line, or the block."""
        block = self.block(address)
        document = self._policy_document(address)
        if document is not None:
            statements = document.nested("statement")
            chosen = [s for s in statements if sid and s.attrs.get("sid") == sid]
            if not chosen and index is not None and 0 <= index < len(statements):
                chosen = [statements[index]]
            if chosen:
                return self._at(chosen[0])
            return self._at(document)
        if block is None:
            return None
        if sid:
            line = _sid_line(self.texts.get(block.path, ""), block, sid)
            if line is not None:
                return line
        return self._at(block)

    def _at(self, block: Block) -> Location:
        text = self.texts.get(block.path, "")
        lines = text.splitlines()
        width = len(lines[block.line - 1].rstrip()) if 0 < block.line <= len(lines) else 1
        end = max(block.column + 1, width + 1)
        return Location(block.path, Span(block.line, block.column, block.line, end))

    def pointer(self, address: str) -> Location:
        """The plan file and a JSON pointer to the resource (``/resource_changes/N``)."""
        for i, change in enumerate(self.plan.get("resource_changes") or []):
            if isinstance(change, dict) and change.get("address") == address:
                span = address_span(self.plan_text, address) if self.plan_text else None
                return Location(self.plan_path, span or Span(1, 1, 1, 2), f"/resource_changes/{i}")
        parsed = Address.parse(address)
        if parsed is not None and parsed.nested:  # inline_policy[i] lives in its role's change
            base = address[: address.rfind(f".{parsed.nested[0]}[")]
            loc = self.pointer(base)
            if loc.pointer:
                kind, index = parsed.nested
                return Location(self.plan_path, loc.span, f"{loc.pointer}/change/after/{kind}/{index}")
        return Location(self.plan_path, Span(1, 1, 1, 2), "")

    def skips(self, address: str) -> dict[str, tuple[str, Location]]:
        """``{code or guardrail id: (reason, where)}`` from ``iam2rego:skip=`` comments of the block.

        Only comments of the resource block's body count (and, for a nested ``inline_policy[i]``,
        of that nested block's body): never text inside a string, heredoc or expression.
        """
        parsed = Address.parse(address)
        blocks = []
        if parsed is not None and parsed.nested:
            nested = self.block(address)
            address = address[: address.rfind(f".{parsed.nested[0]}[")]
            if nested is not None:
                blocks.append(nested)
        block = self.block(address)
        if block is None:
            return {}
        out: dict[str, tuple[str, Location]] = {}
        for b in [block, *[n for n in blocks if n is not block]]:
            for line, text in b.comments:
                m = SKIP.match(text)
                if m and m.group(1) not in out:
                    where = Location(b.path, Span(line, 1, line, 2))
                    out[m.group(1)] = (" ".join((m.group(2) or "").split()), where)
        return out


def _references(node: object) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "references" and isinstance(value, list):
                yield from (v for v in value if isinstance(v, str))
            else:
                yield from _references(value)
    elif isinstance(node, list):
        for item in node:
            yield from _references(item)


def _sid_line(text: str, block: Block, sid: str) -> Location | None:
    """The line of ``Sid = "X"`` / ``"Sid": "X"`` inside the block (jsonencode and heredoc policies)."""
    pattern = re.compile(r'"?\bSid"?\s*[=:]\s*"' + re.escape(sid) + '"')
    lines = text.splitlines()
    for number in range(block.line, min(block.end_line, len(lines)) + 1):
        m = pattern.search(lines[number - 1])
        if m:
            col = m.start() + 1
            return Location(block.path, Span(number, col, number, m.end() + 1))
    return None


def find_source_dir(plan_path: str, explicit: str | None) -> Path | None:
    """``--source-dir``, else the plan's directory when it holds ``.tf`` files, else the cwd's."""
    if explicit:
        return Path(explicit)
    for candidate in (Path(plan_path).parent, Path.cwd()):
        if any(candidate.glob("*.tf")):
            return candidate
    return None


def _obj(value: object) -> dict:
    return value if isinstance(value, dict) else {}


def _tf_address(text: object) -> str | None:
    return text if isinstance(text, str) and Address.parse(text) is not None else None


def finding_anchors(finding: dict) -> tuple[str | None, str | None, str | None]:
    """(policy address, attachment address, principal address) a gate finding names."""
    statement = _obj(finding.get("statement"))
    principal = _obj(finding.get("principal"))
    parts = str(statement.get("policy") or "").split(" via ")
    policy = _tf_address(parts[0])
    via = _tf_address(parts[-1]) if len(parts) > 1 else None
    return policy, via, _tf_address(principal.get("address"))


def locate_finding(index: SourceIndex, finding: dict) -> Location:
    """The statement (or policy, attachment, principal) block in a ``.tf``; else a plan pointer."""
    policy, via, principal = finding_anchors(finding)
    statement = _obj(finding.get("statement"))
    sid = statement.get("sid") if isinstance(statement.get("sid"), str) else None
    number = statement.get("statement_index")
    position = number if isinstance(number, int) and not isinstance(number, bool) else None
    if policy:
        loc = index.statement(policy, sid, position)
        if loc is not None:
            return loc
    resource = _tf_address(finding.get("address"))  # a built-in about a resource (a vault), not a principal
    for address in (via, principal, resource):
        if address:
            block = index.block(address)
            if block is not None:
                return index._at(block)
    for address in (policy, via, principal, resource):
        if address:
            loc = index.pointer(address)
            if loc.pointer:
                return loc
    return Location(index.plan_path, Span(1, 1, 1, 2), "")


@dataclass(frozen=True)
class Skip:
    """An ``iam2rego:skip=`` comment that names a finding: the key it names, its reason, where it is."""

    key: str
    reason: str
    where: Location


def finding_skip(index: SourceIndex, finding: dict) -> Skip | None:
    """The inline skip on a block the finding names that covers it (by code or guardrail id)."""
    keys = {str(finding.get("code") or ""), str(finding.get("guardrail") or "")} - {""}
    for address in finding_anchors(finding):
        if not address:
            continue
        for key, (reason, where) in index.skips(address).items():
            if key in keys:
                return Skip(key, reason, where)
    return None
