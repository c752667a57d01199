"""terraform/locate.py without an engine: addresses, module directories, statement blocks, skips."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from iam2rego.terraform.locate import Address, SourceIndex, finding_skip, locate_finding

ROOT = Path(__file__).resolve().parents[2]
CASE = ROOT / "tests" / "terraform" / "located"


@pytest.fixture(scope="module")
def index() -> SourceIndex:
    plan = json.loads((CASE / "plan.json").read_text())
    return SourceIndex(plan, str(CASE / "plan.json"), CASE)


def _finding(policy: str | None, principal: str | None, sid: str | None = None, i: int | None = None) -> dict:
    return {
        "code": "IAM2REGO-GUARDRAIL",
        "guardrail": "g",
        "principal": {"address": principal} if principal else None,
        "statement": {"policy": policy, "sid": sid, "statement_index": i} if policy else None,
    }


def test_address_parse_drops_instance_keys_and_keeps_nested_blocks() -> None:
    a = Address.parse('module.team["a.b]"].module.reader[0].aws_iam_role_policy.reader')
    assert a == Address(("team", "reader"), "managed", "aws_iam_role_policy", "reader")
    assert Address.parse("aws_iam_role.ops.inline_policy[2]") == Address(
        (), "managed", "aws_iam_role", "ops", ("inline_policy", 2)
    )
    assert Address.parse("data.aws_iam_policy_document.x").mode == "data"
    assert Address.parse("arn:aws:iam::aws:policy/AdministratorAccess") is None


def test_nested_module_statement_is_located_by_sid(index: SourceIndex) -> None:
    f = _finding('module.team["x"].module.reader.aws_iam_role_policy.reader', None, "ListOwnTable", 0)
    loc = locate_finding(index, f)
    assert loc.path.endswith("located/modules/reader/main.tf") and loc.pointer is None
    assert '"ListOwnTable"' in (CASE / "modules/reader/main.tf").read_text().splitlines()[loc.span.line - 1]


def test_policy_document_statement_by_sid_then_by_position(index: SourceIndex) -> None:
    lines = (CASE / "policies.tf").read_text().splitlines()
    by_sid = locate_finding(index, _finding("aws_iam_role_policy.ops", None, "DeleteProdBackups", 0))
    assert lines[by_sid.span.line].strip().startswith('sid       = "DeleteProdBackups"')
    by_index = locate_finding(index, _finding("aws_iam_role_policy.ops", None, None, 0))
    assert lines[by_index.span.line].strip() == 'sid       = "Describe"'


def test_unknown_policy_falls_back_to_principal_then_pointer(index: SourceIndex) -> None:
    loc = locate_finding(index, _finding("arn:aws:iam::aws:policy/X via nothing", "aws_iam_role.ops"))
    assert loc.path.endswith("located/iam.tf")
    assert (
        (CASE / "iam.tf")
        .read_text()
        .splitlines()[loc.span.line - 1]
        .startswith('resource "aws_iam_role" "ops"')
    )
    plan_only = SourceIndex(index.plan, "plan.json", None)
    loc = locate_finding(plan_only, _finding("aws_iam_role_policy.ops", "aws_iam_role.ops"))
    changes = [c["address"] for c in index.plan["resource_changes"]]
    assert (loc.path, loc.pointer) == (
        "plan.json",
        f"/resource_changes/{changes.index('aws_iam_role_policy.ops')}",
    )


def test_inline_skip_matches_code_or_guardrail_in_the_block_only(index: SourceIndex) -> None:
    skipped = {"code": "IAM2REGO-LISTBACKUPS-ON-TABLE", "guardrail": "IAM2REGO-LISTBACKUPS-ON-TABLE"}
    f = {**_finding("aws_iam_role_policy.auditor", "aws_iam_role.auditor"), **skipped}
    skip = finding_skip(index, f)
    assert skip is not None
    assert (skip.key, skip.reason) == (
        "IAM2REGO-LISTBACKUPS-ON-TABLE",
        "auditors list backups per table on purpose (ticket SEC-7)",
    )
    line = next(i for i, x in enumerate((CASE / "iam.tf").read_text().splitlines(), 1) if "SEC-7" in x)
    assert skip.where.path.endswith("located/iam.tf") and skip.where.span.line == line
    other = {
        **_finding("aws_iam_role_policy.auditor", "aws_iam_role.auditor"),
        "code": "IAM2REGO-WILDCARD-ADMIN",
    }
    assert finding_skip(index, other) is None
    elsewhere = {**_finding("aws_iam_role_policy.ops", "aws_iam_role.ops"), **skipped}
    assert finding_skip(index, elsewhere) is None


HOSTILE_TF = """
# iam2rego:skip=BEFORE a comment before the block
resource "aws_iam_role_policy" "p" { # iam2rego:skip=HEADER on the opening line
  # iam2rego:skip=BODY a comment of the body
  // iam2rego:skip=SLASH slashes
  /* iam2rego:skip=STAR a block comment */
  name = "p # iam2rego:skip=STRING in a string"
  policy = jsonencode({
    # iam2rego:skip=EXPRESSION a comment inside the policy expression
    Statement = [{ Condition = { StringEquals = { "k" = "# iam2rego:skip=VALUE in a value" } } }]
  })
  other = <<-EOT
    # iam2rego:skip=HEREDOC inside a heredoc
    EOT
  inline_policy {
    # iam2rego:skip=NESTED in a nested block
  }
} # iam2rego:skip=AFTER after the closing brace
"""


def test_only_comments_of_the_block_body_are_skips(tmp_path: Path) -> None:
    """Text in strings, heredocs, policy expressions or outside the block never counts (issue 25)."""
    (tmp_path / "main.tf").write_text(HOSTILE_TF)
    plan = {"resource_changes": [], "configuration": {"root_module": {}}}
    skips = SourceIndex(plan, "plan.json", tmp_path).skips("aws_iam_role_policy.p")
    assert {k: reason for k, (reason, _) in skips.items()} == {
        "HEADER": "on the opening line",
        "BODY": "a comment of the body",
        "SLASH": "slashes",
        "STAR": "a block comment",
    }
    assert skips["BODY"][1].span.line == 4
    nested = SourceIndex(plan, "plan.json", tmp_path).skips("aws_iam_role_policy.p.inline_policy[0]")
    assert set(nested) == {"HEADER", "BODY", "SLASH", "STAR", "NESTED"}
