"""`iam2rego access` on a plan asks each table's customer managed key as the gate does (SEMANTICS §13.2).

tests/terraform/kms: before, every restore of a CMK table was "allowed" for restore-iam-only (IAM's
kms:* alone), the grant on `granted` was ignored and the key outside the plan was not mentioned.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from iam2rego.cli import main

ROOT = Path(__file__).resolve().parents[2]
PLAN = ROOT / "tests" / "terraform" / "kms" / "plan.json"
EXTERNAL_KEY = "arn:aws:kms:us-east-1:123456789012:key/8e1f3c2a-0b4d-4e5f-9a6b-7c8d9e0f1a2b"


def _cells(capsys, *extra: str) -> dict[tuple[str, str], dict]:
    code = main(["access", "--engine", "opa", str(PLAN), "--operation", "restore_table_from_backup",
                 "--operation", "create_backup", "--format", "json", *extra])  # fmt: skip
    out, _ = capsys.readouterr()
    assert code == 0
    cells = json.loads(out)["cells"]
    return {(c["principal"], c["table"]): c for c in cells if c["column"] == "restore_table_from_backup"}


@pytest.mark.opa
def test_access_restore_asks_the_key_policy(capsys) -> None:
    cells = _cells(capsys)
    answers = {k: c["answer"] for k, c in cells.items()}
    iam_only = {t: a for (p, t), a in answers.items() if p == "role/restore-iam-only"}
    assert iam_only == {
        "strict": "denied",  # the key policy neither names it nor delegates
        "granted": "denied",  # the grant is for restore-granted
        "external": "unknown",  # the key is not in the plan
        "open": "allowed", "defaulted": "allowed", "separate": "allowed",
        "owned": "allowed", "managed": "allowed",
    }  # fmt: skip
    granted = {t: a for (p, t), a in answers.items() if p == "role/restore-granted"}
    assert granted["granted"] == "allowed"
    assert [r["policy"] for r in cells[("role/restore-granted", "granted")]["reasons"]][
        -1
    ] == "aws_kms_grant.restore"
    assert any(EXTERNAL_KEY in p for p in cells[("role/restore-iam-only", "external")]["problems"])


@pytest.mark.opa
def test_access_kms_key_option_supplies_the_key_policy(capsys, tmp_path: Path) -> None:
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
              "Action": "kms:*", "Resource": "*"}]}  # fmt: skip
    (tmp_path / "k.json").write_text(json.dumps({"Policy": json.dumps(policy)}), encoding="utf-8")
    cells = _cells(capsys, "--kms-key", f"{EXTERNAL_KEY}={tmp_path / 'k.json'}")
    assert cells[("role/restore-iam-only", "external")]["answer"] == "allowed"
    assert cells[("role/restore-granted", "external")]["answer"] == "denied"
