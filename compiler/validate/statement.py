"""V-STMT: one statement: an object whose members are statement elements; runs the element validators."""

from __future__ import annotations

from ..diagnostics import Severity
from ..ir import JObject, JValue, Statement
from . import action as _action
from . import condition as _condition
from . import effect as _effect
from . import principal as _principal
from . import resource as _resource
from . import sid as _sid
from ._base import STATEMENT_MEMBERS, Validator, type_name, unknown_key

CODE = "V-STMT"


def read_statement(vd: Validator, index: int, item: JValue) -> Statement | None:
    if not isinstance(item, JObject):
        vd.error("V-STMT", f"a statement must be an object, not {type_name(item)}", item.span)
        return None
    before = len(vd.diags)
    for m in item.members:
        unknown_key(vd, m.key, STATEMENT_MEMBERS, "V-STMT", "statement element")
    sid = _sid.read_sid(vd, item)
    effect = _effect.read_effect(vd, item)
    action = _action.read_actions(vd, item)
    resource = _resource.read_resources(vd, item)
    principal = _principal.read_principal(vd, item, effect[0] if effect else None)
    conditions = _condition.read_conditions(vd, item)
    if len(vd.diags) != before and any(d.severity is Severity.ERROR for d in vd.diags[before:]):
        return None
    if effect is None or action is None or resource is None or conditions is None:
        return None
    return Statement(index, sid, effect[0], effect[1], action, resource, principal, conditions, item.span)
