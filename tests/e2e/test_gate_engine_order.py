"""A finding names the statement that decided it; when a role is granted by two policies (inline and
attached), every engine must name the same one. The identity policies come from a set of edges, whose
iteration order is the engine's (OPA: value order; OPA's Wasm runtime: hash order): the pack sorts it.
Found on bench/bench_gate.py's plan: 25 of 100 findings named another policy on wasm before the sort."""

from __future__ import annotations

import copy
import json
import runpy
from pathlib import Path

import pytest
from iam2rego.terraform.gate import evaluate

ROOT = Path(__file__).resolve().parents[2]
BENCH = runpy.run_path(str(ROOT / "bench" / "bench_gate.py"), run_name="bench_gate")


def _config() -> dict:
    config = copy.deepcopy(BENCH["GUARDRAILS"])
    config["iam2rego_gate"]["guardrails"].append(
        {
            "id": "no-backups",
            "kind": "forbid",
            "action": "dynamodb:CreateBackup",
            "resources": {"tables": ["table-00*"]},
        }
    )
    return config


def _deciders(report: dict) -> list[tuple]:
    return sorted(
        (
            f["code"],
            f.get("guardrail"),
            f["principal"]["address"],
            f.get("table"),
            json.dumps(f.get("statement"), sort_keys=True),
        )
        for f in report["deny"] + report["warn"]
    )


@pytest.mark.opa
def test_every_engine_names_the_same_deciding_statement() -> None:
    plan = BENCH["generate"](200)
    config = _config()
    opa = evaluate(plan, config, "opa")
    statements = {
        f["principal"]["address"]: f.get("statement")
        for f in opa["deny"]
        if f.get("guardrail") == "no-backups"
    }
    both = [a for a, s in statements.items() if s and s["policy"].startswith("aws_iam_policy.")]
    assert both, "the plan must have roles granted by an attached policy as well as an inline one"
    assert _deciders(evaluate(plan, config, "wasm")) == _deciders(opa)
