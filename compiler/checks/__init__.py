"""Policy checks: warnings with stable IDs about valid-but-likely-wrong policies.

One check per module (``ID``, ``check(policy, catalog)``), registered in :data:`REGISTRY`; titles,
help and severities live in the one code registry (:mod:`iam2rego.codes`). :data:`FINDING_IDS` is
every warning ID the front end can emit, with its title.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from types import ModuleType

from .. import codes
from ..catalog import Catalog, load_catalog
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

__all__ = ["FINDING_IDS", "REGISTRY", "Check", "check_policy"]


@dataclass(frozen=True, slots=True)
class Check:
    id: str
    description: str
    run: Callable[[Policy, Catalog], Iterable[Diagnostic]]


def _register(*modules: ModuleType) -> tuple[Check, ...]:
    checks = tuple(Check(m.ID, codes.CODES[m.ID].title, m.check) for m in modules)
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


def check_policy(policy: Policy, *, only: Iterable[str] | None = None) -> list[Diagnostic]:
    """Run every registered check (or the IDs in ``only``) on a validated policy; findings sorted."""
    cat = load_catalog()
    wanted = None if only is None else set(only)
    out: list[Diagnostic] = []
    for check in REGISTRY:
        if wanted is None or check.id in wanted:
            out.extend(check.run(policy, cat))
    return sort_diagnostics(out)
