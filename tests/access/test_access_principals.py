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


def test_no_new_access_selects_principals_as_the_gate_does() -> None:
    from iam2rego.access.guardrail import _selected

    role = {"type": "role", "name": "break-glass", "arn": "arn:aws:iam::123456789012:role/break-glass"}
    user = {"type": "user", "name": "break-glass", "arn": "arn:aws:iam::123456789012:user/break-glass"}
    unnamed = {"type": "role", "name": "aws_iam_role.x", "name_known": False, "arn": "stand-in"}
    both = [role, user, unnamed]

    def selected(sel: dict) -> list[bool]:
        return [_selected({"principals": sel}, p, both) for p in both]

    # a bare name of a role and a user excludes neither; a qualified one its own type only
    assert selected({"exclude": ["break-glass"]}) == [True, True, True]
    assert selected({"exclude": ["role/break-glass"]}) == [False, True, True]
    assert selected({"exclude": ["arn:aws:iam::123456789012:user/break-glass"]}) == [True, False, True]
    # a name known only after apply: selected by any glob it may match, never excluded by a guess
    assert selected({"names": ["ops-*"]}) == [False, False, True]
    assert selected({"names": ["user/*"]}) == [False, True, False]
