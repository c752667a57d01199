"""Policy checks: warnings with stable IDs about valid-but-likely-wrong policies.

One check per module (``ID``, ``check(policy, catalog)``), registered in :data:`REGISTRY`; titles,
help and severities live in the one code registry (:mod:`iam2rego.codes`). :data:`FINDING_IDS` is
every warning ID the front end can emit, with its title. A check whose answer depends on the
evaluation mode (SEMANTICS §3.1: ``docs``, ``sar-strict``) sets ``READS_MODE = True`` and takes it as a
third argument, ``check(policy, catalog, mode)``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from types import ModuleType

from .. import codes
from ..catalog import Catalog, load_catalog
from ..catalog.facts import OPTION_DEFAULTS
from ..diagnostics import Diagnostic, sort_diagnostics
from ..ir import Policy
from . import (
    broad_allow,
    forallvalues_allow,
    id_in_identity,
    mfa_bool_deny,
    placeholder,
    plain_op_multivalued,
    resource_mismatch,
    restore_without_writes,
    set_op_single_valued,
    unknown_action,
    vars_disabled,
)

__all__ = ["DEFAULT_MODE", "FINDING_IDS", "REGISTRY", "Check", "check_policy"]

# the evaluation mode checks assume unless told (compile's default, compiler/catalog/facts.json)
DEFAULT_MODE: str = OPTION_DEFAULTS["mode"]


@dataclass(frozen=True, slots=True)
class Check:
    id: str
    description: str
    run: Callable[[Policy, Catalog, str], Iterable[Diagnostic]]  # (policy, catalog, mode)


def _runner(m: ModuleType) -> Callable[[Policy, Catalog, str], Iterable[Diagnostic]]:
    if getattr(m, "READS_MODE", False):
        return m.check
    check: Callable[[Policy, Catalog], Iterable[Diagnostic]] = m.check
    return lambda policy, cat, _mode: check(policy, cat)


def _register(*modules: ModuleType) -> tuple[Check, ...]:
    checks = tuple(Check(m.ID, codes.CODES[m.ID].title, _runner(m)) for m in modules)
    ids = [c.id for c in checks]
    if len(set(ids)) != len(ids):
        raise RuntimeError(f"duplicate check IDs: {ids}")
    return checks


REGISTRY: tuple[Check, ...] = _register(
    unknown_action,
    resource_mismatch,
    placeholder,
    restore_without_writes,
    vars_disabled,
    id_in_identity,
    set_op_single_valued,
    plain_op_multivalued,
    mfa_bool_deny,
    broad_allow,
    forallvalues_allow,
)

# Every warning ID (checks/ and the front end's W-VERSION-MISSING, W-TRAILING-DATA), with its title.
FINDING_IDS: dict[str, str] = {c.id: c.title for c in codes.family("W")}


def check_policy(
    policy: Policy, *, only: Iterable[str] | None = None, mode: str = DEFAULT_MODE
) -> list[Diagnostic]:
    """Run every registered check (or the IDs in ``only``) on a validated policy in evaluation mode
    ``mode``; findings sorted."""
    cat = load_catalog()
    wanted = None if only is None else set(only)
    out: list[Diagnostic] = []
    for check in REGISTRY:
        if wanted is None or check.id in wanted:
            out.extend(check.run(policy, cat, mode))
    return sort_diagnostics(out)
