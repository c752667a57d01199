"""The access report as data: the documented JSON document (docs/access.schema.json) that every
output format (JSON, CSV, Markdown, HTML, text) is rendered from.
"""

from __future__ import annotations

import fnmatch
from collections import Counter

from .matrix import Matrix
from .model import ALLOWED, ANSWERS, CONDITIONAL, UNKNOWN, Cell

SCHEMA = "iam2rego-access/1"
DIFF_SCHEMA = "iam2rego-access-diff/1"

DEFAULT_PRODUCTION = ("prod*", "*-prod", "*-prod-*", "*production*")
PRODUCTION_TAG_KEYS = ("env", "environment", "stage")
PRODUCTION_TAG_VALUES = ("prod", "production")

# Summary questions: which columns answer "who can delete / restore / export production backups".
SUMMARY = {
    # both planes (SEMANTICS §14): DynamoDB's own backups and AWS Backup recovery points (a shorter
    # retention deletes a recovery point too)
    "delete": (
        "delete_backup",
        "dynamodb:DeleteBackup",
        "delete_recovery_point",
        "update_recovery_point_lifecycle",
        "backup:DeleteRecoveryPoint",
        "backup:UpdateRecoveryPointLifecycle",
    ),
    "restore": (
        "restore_table_from_backup",
        "restore_table_to_point_in_time",
        "aws_backup_start_restore_job",
        "dynamodb:RestoreTableFromBackup",
    ),
    "export": ("export_table_to_point_in_time", "dynamodb:ExportTableToPointInTime"),
}


def mark_production(tables, globs: list[str] | None) -> None:
    pats = list(globs) if globs else list(DEFAULT_PRODUCTION)
    for t in tables:
        by_name = any(fnmatch.fnmatchcase(t.name.lower(), g.lower()) for g in pats)
        by_tag = any(
            t.tags.get(k, "").lower() in PRODUCTION_TAG_VALUES
            for k in t.tags
            if k.lower() in PRODUCTION_TAG_KEYS
        )
        t.production = by_name or by_tag


class _Docs:
    """Documents referenced by reasons, each once, with an id the cells point at."""

    def __init__(self) -> None:
        self.ids: dict[tuple[str, str], str] = {}
        self.docs: dict[str, dict] = {}

    def ref(self, reason: dict, text_of) -> str:
        key = (reason["path"], reason["origin"])
        if key not in self.ids:
            doc_id = f"d{len(self.ids)}"
            self.ids[key] = doc_id
            self.docs[doc_id] = {
                "name": reason["policy"],
                "origin": reason["origin"],
                "path": reason["path"],
                "text": text_of(key),
            }
        return self.ids[key]


def cell_json(cell: Cell, docs: _Docs, text_of) -> dict:
    reasons = []
    for r in cell.reasons:
        reasons.append({**r, "document": docs.ref(r, text_of)})
    return {
        "principal": cell.principal,
        "table": cell.table,
        "column": cell.column,
        "answer": cell.answer,
        "condition": cell.condition,
        "decision": cell.decision,
        "reasons": reasons,
        "failing": cell.failing,
        "problems": cell.problems,
    }


def build(matrix: Matrix, inputs: list[str], with_cells: bool = True) -> dict:
    """The report document; ``with_cells=False`` leaves the cells out (a summary for the terminal)."""
    texts: dict[tuple[str, str], str] = {}
    for p in matrix.principals:
        for d in p.documents():
            texts[(d.path, d.origin)] = d.text
    for t in matrix.tables:
        for rp in (t.resource_policy, t.vault_policy):
            if rp:
                texts[(rp.path, rp.origin)] = rp.text
    docs = _Docs()
    cells = []
    if with_cells:
        cells = [cell_json(cell, docs, lambda k: texts.get(k, "")) for cell in matrix.cells()]
    return {
        "schema": SCHEMA,
        "analysis": matrix.analysis,
        "inputs": inputs,
        "columns": [{"id": c.id, "kind": c.kind, "label": c.label} for c in matrix.columns],
        "principals": [
            {
                "id": p.id,
                "name": p.name,
                "name_known": p.name_known,
                "type": p.type,
                "arn": p.arn,
                "source": p.source,
                "problems": p.unreadable(),
            }
            for p in matrix.principals
        ],
        "tables": [
            {
                "name": t.name,
                "arn": t.arn,
                "region": t.region,
                "account": t.account,
                "production": t.production,
                "source": t.source,
                "problems": t.unreadable(),
            }
            for t in matrix.tables
        ],
        "summary": summary(matrix),
        "cells": cells,
        "documents": docs.docs,
    }


def summary(matrix: Matrix) -> dict:
    """Counts per answer and who can delete / restore / export production backups (no cell materialised)."""
    n_t, n_c = len(matrix.tables), len(matrix.columns)
    counts = dict.fromkeys(ANSWERS, 0)
    for g, n in Counter(matrix.pair_group).items():
        for c in range(n_c):
            counts[matrix.answers[matrix.cell_group[g][c]].answer] += n
    col_index = {c.id: i for i, c in enumerate(matrix.columns)}
    asked = {k: [c for c in cols if c in col_index] for k, cols in SUMMARY.items()}
    prod = [i for i, t in enumerate(matrix.tables) if t.production]
    who: dict[str, list[dict]] = {}
    for question, cols in asked.items():
        idx = [col_index[col] for col in cols]
        best_of: dict[int, str | None] = {}  # pair group -> the widest answer over the question's columns
        entries = []
        for p, principal in enumerate(matrix.principals):
            found: dict[str, list[str]] = {ALLOWED: [], CONDITIONAL: [], UNKNOWN: []}
            for t in prod:
                g = matrix.pair_group[p * n_t + t]
                if g not in best_of:
                    row = matrix.cell_group[g]
                    got = {matrix.answers[row[i]].answer for i in idx}
                    best_of[g] = next((a for a in (ALLOWED, CONDITIONAL, UNKNOWN) if a in got), None)
                best = best_of[g]
                if best:
                    found[best].append(matrix.tables[t].name)
            if any(found.values()):
                entries.append({"principal": principal.id, **{a: sorted(set(v)) for a, v in found.items()}})
        who[question] = entries
    planes = {
        "dynamodb": any(c in col_index for c in ("delete_backup", "dynamodb:DeleteBackup")),
        "aws_backup": any(c in col_index for c in SUMMARY["delete"][2:]),
    }
    return {
        "production_tables": sorted(matrix.tables[t].name for t in prod),
        "questions_asked": asked,
        "delete_planes": planes,
        "who": who,
        "counts": counts,
        "decided_questions": matrix.questions,
    }


# ---- the delta ----------------------------------------------------------------------------------

RANK = {"denied": 0, CONDITIONAL: 1, ALLOWED: 2}


def classify(before: str, after: str) -> tuple[str, bool] | None:
    """(change, is_gain) or None when nothing changed. unknown after = a possible gain."""
    if before == after:
        return None
    if after == UNKNOWN:
        return "unknown", True
    if before == UNKNOWN:
        return (
            "gained" if after == ALLOWED else "became_conditional" if after == CONDITIONAL else "lost"
        ), after != "denied"
    if after == CONDITIONAL:
        return "became_conditional", RANK[before] < RANK[after]
    if RANK[after] > RANK[before]:
        return "gained", True
    return "lost", False


def diff(before: dict, after: dict) -> dict:
    """Cells whose answer changed between two report documents (cells absent = denied)."""

    def index(doc: dict) -> dict[tuple[str, str, str], dict]:
        return {(c["principal"], c["table"], c["column"]): c for c in doc["cells"]}

    b, a = index(before), index(after)
    changes = []
    for key in sorted(set(a) | set(b)):
        cb, ca = b.get(key), a.get(key)
        ans_b = cb["answer"] if cb else "denied"
        ans_a = ca["answer"] if ca else "denied"
        if ans_b == ans_a and (
            ans_a != CONDITIONAL or (cb or {}).get("condition") == (ca or {}).get("condition")
        ):
            continue
        kind = classify(ans_b, ans_a) or ("condition_changed", True)
        changes.append(
            {
                "principal": key[0],
                "table": key[1],
                "column": key[2],
                "change": kind[0],
                "gain": kind[1],
                "before": ans_b,
                "after": ans_a,
                "condition_before": (cb or {}).get("condition"),
                "condition_after": (ca or {}).get("condition"),
                # a gain (or any answer that is not denied) is explained by the after side, a loss by the before side
                "reasons": _prefixed((ca or {}).get("reasons", []), "a:")
                if ans_a != "denied" or not cb
                else _prefixed(cb.get("reasons", []), "b:"),
            }
        )
    prod = set(after["summary"]["production_tables"]) | set(before["summary"]["production_tables"])
    return {
        "schema": DIFF_SCHEMA,
        "before": before["inputs"],
        "after": after["inputs"],
        "columns": after["columns"],
        "production_tables": sorted(prod),
        "changes": changes,
        "documents": {
            **{f"b:{k}": v for k, v in before.get("documents", {}).items()},
            **{f"a:{k}": v for k, v in after.get("documents", {}).items()},
        },
        "gains": sum(1 for c in changes if c["gain"]),
    }


def _prefixed(reasons: list[dict], prefix: str) -> list[dict]:
    return [{**r, "document": prefix + r["document"]} if "document" in r else r for r in reasons]
