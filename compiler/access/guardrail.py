"""The gate's ``no-new-access`` guardrails: the access delta of one plan (prior state vs planned values).

A guardrail fails for every cell of its operations/actions on its tables whose answer GAINS access in
the plan (denied -> conditional/allowed, conditional -> allowed) or becomes unknown (a policy the
plan makes unreadable: never a pass). It is the offline, DynamoDB-backup-aware counterpart of IAM
Access Analyzer's check-no-new-access. Findings have the gate's finding shape (code
``IAM2REGO-NEW-ACCESS``); the pack itself only checks the configuration (rego/iam2rego/gate).
"""

from __future__ import annotations

import fnmatch

from .inputs import before_plan
from .report import diff
from .run import Options, Progress, report_for

CODE = "IAM2REGO-NEW-ACCESS"


def _glob(patterns: list[str], value: str) -> bool:
    return any(fnmatch.fnmatchcase(value, p.replace("[", "[[]")) for p in patterns)


def _entry_hit(entry: str, principal: dict) -> bool | None:
    """Whether a `principals:` entry (role/NAME, user/NAME, an ARN glob or a bare name glob) matches;
    None when the principal's name is known only after apply (it may match)."""
    on, glob = "name", entry
    if entry.startswith("arn:"):
        on = "arn"
    for kind in ("role", "user"):
        if entry.startswith(kind + "/"):
            if principal["type"] != kind:
                return False
            glob = entry[len(kind) + 1 :]
    if not principal.get("name_known", True):
        return None
    return _glob([glob], principal[on])


def _selected(g: dict, principal: dict, principals: list[dict]) -> bool:
    """The gate's selection (rego/iam2rego/gate/selectors.rego), leaning to "selected": a principal
    that may match `names` is selected, one that may match `exclude` is not excluded, and a bare
    `exclude` entry matching principals of more than one type excludes none of them."""
    sel = g.get("principals") or {}
    types = sel.get("types", ["role", "user"])
    if principal["type"] not in types:
        return False
    if not any(_entry_hit(e, principal) is not False for e in sel.get("names", ["*"])):
        return False
    for e in sel.get("exclude", []):
        bare = not e.startswith(("arn:", "role/", "user/"))
        kinds = {p["type"] for p in principals if p["type"] in types and _entry_hit(e, p)}
        if _entry_hit(e, principal) and not (bare and len(kinds) > 1):
            return False
    return True


def new_access_findings(
    plan: dict, plan_path: str, gate_cfg: dict, account_id: str | None, engine: object
) -> list[dict]:
    """Findings of every no-new-access guardrail of ``gate_cfg`` (the ``iam2rego_gate`` mapping)."""
    guardrails = [
        g
        for g in gate_cfg.get("guardrails") or []
        if isinstance(g, dict) and g.get("kind") == "no-new-access"
    ]
    out: list[dict] = []
    quiet = Progress(False)
    for g in guardrails:
        opts = Options(
            operations=list(g.get("operations") or []),
            actions=list(g.get("actions") or []),
            account_id=account_id,
            region=gate_cfg.get("region"),
            organization=gate_cfg.get("organization"),
        )
        before = report_for([plan_path], opts, engine, quiet, plan_value=before_plan(plan), allow_empty=True)
        after = report_for([plan_path], opts, engine, quiet, plan_value=plan, allow_empty=True)
        delta = diff(before, after)
        principals = {p["id"]: p for p in after["principals"]}
        tables = {t["name"]: t for t in after["tables"]}
        globs = (g.get("resources") or {}).get("tables", ["*"])
        for c in delta["changes"]:
            p = principals.get(c["principal"])
            t = tables.get(c["table"])
            if (
                not c["gain"]
                or p is None
                or t is None
                or not _selected(g, p, list(principals.values()))
                or not _glob(globs, t["name"])
            ):
                continue
            out.append(_finding(g, p, t, c))
    return out


def _finding(g: dict, p: dict, t: dict, c: dict) -> dict:
    reasons = c["reasons"]
    first = reasons[0] if reasons else None
    statement = (
        {
            "policy": first["policy"],
            "sid": first["sid"],
            "statement_index": first["statement_index"],
            "effect": first["effect"],
        }
        if first
        else None
    )
    address = p["source"].split(": ", 1)[-1]
    cond = f" {c['condition_after']}" if c.get("condition_after") else ""
    detail = f"gains {c['column']} on table {t['name']} ({c['before']} -> {c['after']}{cond})"
    decided = ""
    if first:
        sid = f' Sid "{first["sid"]}"' if first.get("sid") else ""
        decided = f"; decided by {first['policy']}{sid} (statement {first['statement_index']})"
    severity = g.get("severity", "deny")
    return {
        "msg": f"{CODE} [{g['id']}] {p['type']} {address} ({p['arn']}): {detail} [resource {t['arn']}]{decided}",
        "code": CODE,
        "guardrail": g["id"],
        "principal": {"address": address, "arn": p["arn"], "type": p["type"]},
        "resource": t["arn"],
        "table": t["name"],
        "decision": c["after"],
        "statement": statement,
        "severity": severity,
        "detail": detail,
    }
