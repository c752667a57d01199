"""The gate's AWS managed policy table (rego/iam2rego/gate/managed/managed.rego, SEMANTICS §13.5).

The table is generated from the npm package pinned in tests/oracle/package.json by
scripts/gen_managed_policies.py (``make managed-policies``). Without the installed package
(``make oracle-deps``) the tests that read it skip, except on CI (CI=true), where they fail.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
IN_CI = os.environ.get("CI") == "true"


def _load_generator() -> Any:
    spec = importlib.util.spec_from_file_location(
        "gen_managed_policies", ROOT / "scripts" / "gen_managed_policies.py"
    )
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


gen = _load_generator()


@cache
def _dataset() -> dict[str, Any]:
    if gen.installed_version() is None:
        problem = f"{gen.PACKAGE} is not installed (run `make oracle-deps`)"
        if IN_CI:
            pytest.fail(f"CI=true but the managed policy dataset is missing: {problem}", pytrace=False)
        pytest.skip(problem)
    return gen.load_dataset()  # type: ignore[no-any-return]


def _committed_rows() -> dict[str, dict[str, Any]]:
    text = gen.OUT.read_text(encoding="utf-8")
    rows = {}
    for m in re.finditer(r'^\t("arn:[^"]+"): ("(?:[^"\\]|\\.)*"),$', text, re.M):
        rows[json.loads(m.group(1))] = json.loads(json.loads(m.group(2)))
    return rows


def test_committed_table_records_the_pinned_version() -> None:
    """Offline: the table's `dataset` line names the version package-lock.json pins."""
    text = gen.OUT.read_text(encoding="utf-8")
    [line] = [ln for ln in text.splitlines() if ln.startswith("dataset := ")]
    meta = json.loads(line.removeprefix("dataset := "))
    pin = gen.pinned()
    assert (meta["name"], meta["version"], meta["integrity"]) == (
        pin["name"],
        pin["version"],
        pin["integrity"],
    )
    assert meta["services"] == gen.services()
    assert meta["policies"] == len(_committed_rows())
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT[0-9:.]+Z", meta["data_updated_at"])


def test_table_is_not_stale_against_the_pinned_package() -> None:
    assert gen.OUT.read_text(encoding="utf-8") == gen.render(_dataset()), (
        "managed.rego is stale: run `make managed-policies` (then `make wasm-assets`)"
    )


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("dynamodb:*", True),
        ("DynamoDB:Get*", True),
        ("*", True),
        ("d*", True),
        ("s?:GetObject", True),
        ("?3:GetObject", True),
        ("backup-storage:MountCapsule", True),
        ("iam:PassRole", True),
        ("*:Describe*", True),
        ("ec2:*", False),
        ("e?2:*", False),
        ("dynamodbx:*", False),
        ("rds:Describe*", False),
        ("s3express:*", False),
        ("cloudwatch:GetMetricData", False),
    ],
)
def test_askable_action_entries(pattern: str, expected: bool) -> None:
    assert gen.askable(pattern, gen.services()) is expected


@cache
def _matches_an_askable_action(pattern: str) -> bool:
    """Independent of the generator: the glob as a regex, searched over every catalog action."""
    body = "".join("[^\n]*" if c == "*" else "[^\n]" if c == "?" else re.escape(c) for c in pattern)
    return re.search(f"^{body}$", _catalog_actions(), re.I | re.M) is not None


@cache
def _catalog_actions() -> str:
    """Every catalog action of the table's services, one a line, plus an unknown action per service."""
    catalog = json.loads(gen.CATALOG.read_text(encoding="utf-8"))["services"]
    names = [f"{svc}:{a}" for svc, s in catalog.items() for a in s["actions"]]
    names += [f"{svc}:Zz9NotYetAnAction" for svc in catalog]
    return "\n".join(names)


def test_reduction_keeps_every_statement_an_askable_request_can_match() -> None:
    """Exactness: a dropped Action entry matches no action of the catalog's services; the rest is kept as is."""
    data = _dataset()
    rows = _committed_rows()
    assert set(rows) == {p["arn"] for p in data.values()}
    checked = 0
    for p in data.values():
        full = p["versions"][p["latestVersionId"]]["document"]
        statements = full["Statement"] if isinstance(full["Statement"], list) else [full["Statement"]]
        kept = iter(rows[p["arn"]]["document"]["Statement"])
        for st in statements:
            entries = st.get("Action")
            if entries is None:
                assert next(kept) == st, p["arn"]
                continue
            entries = entries if isinstance(entries, list) else [entries]
            live = [a for a in entries if _matches_an_askable_action(a)]
            checked += len(entries)
            if not live:
                continue  # no action the gate can ask matches this statement
            got = next(kept)
            got_entries = got["Action"] if isinstance(got["Action"], list) else [got["Action"]]
            assert set(live) <= set(got_entries), p["arn"]
            assert {k: v for k, v in got.items() if k != "Action"} == {
                k: v for k, v in st.items() if k != "Action"
            }
        assert next(kept, None) is None, p["arn"]
    assert checked > 10_000


def test_table_keeps_the_policies_real_plans_attach() -> None:
    rows = _committed_rows()
    for name in (
        "ReadOnlyAccess",
        "PowerUserAccess",
        "AdministratorAccess",
        "AmazonDynamoDBFullAccess",
        "AmazonDynamoDBReadOnlyAccess",
        "service-role/AWSBackupServiceRolePolicyForBackup",
        "service-role/AWSBackupServiceRolePolicyForRestores",
        "job-function/DatabaseAdministrator",
    ):
        assert rows[f"arn:aws:iam::aws:policy/{name}"]["document"]["Statement"], name


def test_rego_reads_a_row_on_demand(tmp_path: Path) -> None:
    """`policies[arn]` parses the stored row; an ARN outside the table is undefined."""
    opa = ROOT / "tools" / "bin" / "opa"
    if not opa.is_file():
        pytest.skip("tools/bin/opa is not built (make tools)")
    query = (
        '[data.iam2rego.gate.managed.policies["arn:aws:iam::aws:policy/ReadOnlyAccess"].version,'
        ' object.get(data.iam2rego.gate.managed.policies, "arn:aws:iam::aws:policy/NoSuchPolicy", null)]'
    )
    out = subprocess.run(
        [str(opa), "eval", "-f", "json", "-d", str(gen.OUT), query],
        capture_output=True,
        text=True,
        check=True,
    )
    [version, missing] = json.loads(out.stdout)["result"][0]["expressions"][0]["value"]
    assert version == _committed_rows()["arn:aws:iam::aws:policy/ReadOnlyAccess"]["version"]
    assert missing is None
