"""`iam2rego access` on a plan sees the principals and tags the gate sees (issue 25 item 3, issue 20
item 4): roles with name_prefix or no name are rows (by address), tags known only after apply and
session tags a trust policy allows are open aws:PrincipalTag/* keys (conditional, not denied)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from iam2rego.cli import main

TF = Path(__file__).resolve().parents[2] / "tests" / "terraform"


def _cells(capsys, case: str) -> dict[str, tuple]:
    code = main(
        [
            "access",
            "--engine",
            "opa",
            "--operation",
            "delete_backup",
            "--format",
            "json",
            str(TF / case / "plan.json"),
        ]
    )
    out, _ = capsys.readouterr()
    assert code == 0
    report = json.loads(out)
    return {
        c["principal"]: (c["answer"], c["condition"])
        for c in report["cells"]
        if c["column"] == "delete_backup" and c["table"] == "prod-orders"
    }


@pytest.mark.opa
def test_access_lists_roles_whose_name_is_known_only_after_apply(capsys) -> None:
    assert _cells(capsys, "principal-prefix") == {
        "role/aws_iam_role.cleaner": ("allowed", None),
        "role/aws_iam_role.anonymous": ("allowed", None),
    }


@pytest.mark.opa
def test_access_reads_unknown_tags_and_taggable_sessions_as_open(capsys) -> None:
    ops = ("conditional", "when aws:PrincipalTag/team is ops")
    assert _cells(capsys, "principal-tags-unknown") == {
        "role/tags-whole-unknown": ops,
        "role/tags-value-unknown": ops,
        "role/tags-known": ("denied", None),
    }
    platform = ("conditional", "when aws:PrincipalTag/team is platform")
    assert _cells(capsys, "session-tags") == {
        "role/tag-session": platform,
        "role/limited-session": platform,
        "role/plain": ("denied", None),
    }
