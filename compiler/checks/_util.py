"""Helpers shared by the checks: finding construction, ARN splitting and classification (§1.4)."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

from ..catalog import load_catalog, wildcard_regex
from ..catalog.facts import DYNAMODB_ARN_TYPES, DYNAMODB_CHILD_PATTERN, UNKNOWN_BACKUP_ARN
from ..diagnostics import Diagnostic, Severity, Span
from ..globs import Glob, segment_glob
from ..ir import ActionBlock, Effect, Policy, ResourceBlock, Statement, Text


def finding(policy: Policy, code: str, message: str, span: Span, hint: str, **data: str) -> Diagnostic:
    return Diagnostic(code, Severity.WARNING, message, policy.path, span, hint, tuple(sorted(data.items())))


def split_arn(value: str) -> list[str] | None:
    """The six parts of an ARN (the resource part keeps its colons), or None."""
    parts = value.split(":", 5)
    return parts if len(parts) == 6 and parts[0] == "arn" else None


def has_wildcard(text: str) -> bool:
    return "*" in text or "?" in text or "${" in text


def is_star_only(value: str) -> bool:
    """§2.3 rule 2: only entries made solely of '*' match the request resource '*'."""
    return value != "" and set(value) == {"*"}


# §1.4, first match wins; applied to the resource part of a dynamodb ARN. One source with the gate's
# W-RESOURCE-MISMATCH (rego catalog.dynamodb_arn_types): compiler/catalog/facts.json.
_TYPES = tuple((name, re.compile(rx)) for name, rx in DYNAMODB_ARN_TYPES)
# A wildcard after a fixed child marker cannot change the type: table/Music/backup/* is a backup pattern.
_CHILD_PATTERN = re.compile(DYNAMODB_CHILD_PATTERN)


@functools.lru_cache(maxsize=1 << 14)
def dynamodb_resource_type(value: str) -> str | None:
    """The DynamoDB resource type a Resource entry can only denote, or None when unknown/mixed.

    Memoised (a pure function of the text; checks ask it per action and per statement)."""
    parts = split_arn(value)
    if parts is None or parts[2] != "dynamodb":
        return None
    resource = parts[5]
    if not has_wildcard(resource):
        for name, rx in _TYPES:
            if rx.fullmatch(resource):
                return name
        return None
    m = _CHILD_PATTERN.fullmatch(resource)
    return m.group(1) if m else None


def action_items(st: Statement) -> Iterator[Text]:
    if not st.action.negated:
        yield from st.action.items


def allows(st: Statement) -> bool:
    return st.effect is Effect.ALLOW


def positive_resources(block: ResourceBlock) -> tuple[Text, ...]:
    return () if block.negated else block.items


def is_wildcard_action(text: str) -> bool:
    return "*" in text or "?" in text


def action_block_mentions(block: ActionBlock) -> tuple[str, ...]:
    return tuple(t.value for t in block.items)


@functools.cache
def _matching(pattern_lc: str) -> tuple[str, ...]:
    cat = load_catalog()
    if not is_wildcard_action(pattern_lc):
        info = cat.action(pattern_lc)
        return (info.full,) if info is not None else ()
    return cat.actions_matching(pattern_lc)


def actions_matching(pattern: str) -> tuple[str, ...]:
    """Catalog actions an IAM action pattern covers (memoised: checks ask the same patterns often)."""
    return _matching(pattern.lower())


@functools.lru_cache(maxsize=1 << 12)
def _segment_resource_glob(pattern: str) -> Glob:
    """A Resource pattern without variables, segment rule (SEMANTICS §4.4, the rule of
    codegen/patterns and of the library's match.resource_matches), matched in linear time."""
    return segment_glob(pattern)


def resource_covers_every_backup(pattern: str) -> bool:
    """Whether a Resource pattern matches every DynamoDB backup ARN: it matches the shared
    ``unknown_backup_arn`` (only wildcards reach its Region, account, table and id); a pattern with a
    policy variable is not counted."""
    return "${" not in pattern and _segment_resource_glob(pattern).fullmatch(UNKNOWN_BACKUP_ARN)


@functools.cache
def pattern_regex(pattern_lc: str) -> Glob:
    return wildcard_regex(pattern_lc)


@functools.lru_cache(maxsize=1 << 14)
def pattern_covers(pattern: str, action: str) -> bool:
    """Whether an IAM action pattern covers ``action`` (memoised per pair)."""
    return pattern == "*" or pattern_regex(pattern.lower()).fullmatch(action)
