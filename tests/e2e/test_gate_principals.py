"""Every principal counts, with the tags AWS will see (issue 25 item 3, issue 20 item 4).

Real terraform plans (tests/terraform/principal-*, session-tags):
- a role with `name_prefix` and one with no name were invisible to every guardrail (names ["*"]
  included: the plan passed with a SELECTOR-UNMATCHED warning);
- role tags known only after apply were taken as absent (`aws:PrincipalTag/team = ops` "no findings");
- an IAM user named break-glass was excluded by `exclude: ["break-glass"]` written for the role;
- a role whose trust policy allows sts:TagSession: its callers choose aws:PrincipalTag/team, so a grant
  behind `aws:PrincipalTag/team = platform` is conditional (it was silently denied).
Each case runs on opa, wasm and the embedded engine, and under plain conftest.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from iam2rego.terraform.gate import evaluate
from iam2rego.terraform.plan import load_config

from tests.pack_run import run_pack

ROOT = Path(__file__).resolve().parents[2]
CASES = ROOT / "tests" / "terraform"
BACKUP = "arn:aws:dynamodb:us-east-1:123456789012:table/prod-orders/backup/01700000000000-0a1b2c3d"
ENGINES = [
    pytest.param("embedded", id="embedded"),
    pytest.param("opa", id="opa", marks=pytest.mark.opa),
    pytest.param("wasm", id="wasm", marks=pytest.mark.opa),
]


def _plan(case: str) -> dict:
    return json.loads((CASES / case / "plan.json").read_text(encoding="utf-8"))


def _config(case: str, **principals: object) -> dict:
    data, diags = load_config(str(CASES / case / "gate.yaml"))
    assert data is not None, diags
    data = copy.deepcopy(data)
    if principals:
        data["iam2rego_gate"]["guardrails"][0]["principals"] = principals
    return data


def _rows(findings: list[dict]) -> set[tuple]:
    """(code, principal address, answer, condition, severity) of each finding."""
    return {
        (
            f["code"],
            (f.get("principal") or {}).get("address"),
            f.get("answer"),
            f.get("condition"),
            f["severity"],
        )
        for f in findings
    }


def _all(report: dict) -> set[tuple]:
    return _rows(report["deny"]) | _rows(report["warn"])


def _conftest(conftest_bin: str, tmp_path: Path, case: str, data: dict) -> tuple[int, set[tuple]]:
    path = tmp_path / "gate.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    code, result = run_pack(conftest_bin, tmp_path, CASES / case / "plan.json", data=path)
    found = [f["metadata"] for f in (result.get("failures") or []) + (result.get("warnings") or [])]
    return code, _rows(found)


# ---- names known only after apply ----

PREFIX_ALL = {
    ("IAM2REGO-GUARDRAIL", "aws_iam_role.cleaner", "allowed", None, "deny"),
    ("IAM2REGO-GUARDRAIL", "aws_iam_role.anonymous", "allowed", None, "deny"),
}


@pytest.mark.parametrize("engine", ENGINES)
def test_a_role_with_name_prefix_or_no_name_is_checked_by_names_star(engine: str) -> None:
    report = evaluate(_plan("principal-prefix"), _config("principal-prefix"), engine)
    assert _all(report) == PREFIX_ALL
    principals = {f["principal"]["address"]: f["principal"] for f in report["deny"]}
    assert principals["aws_iam_role.cleaner"]["arn"] is None  # never the address, never invented
    cleaner = next(f for f in report["deny"] if f["principal"]["address"] == "aws_iam_role.cleaner")
    assert cleaner["resource"] == BACKUP
    assert "role aws_iam_role.cleaner (name known after apply)" in cleaner["msg"]


@pytest.mark.parametrize("engine", ENGINES)
def test_a_narrower_glob_makes_an_unknown_name_unverifiable_for_that_guardrail(engine: str) -> None:
    report = evaluate(_plan("principal-prefix"), _config("principal-prefix", names=["cleaner-*"]), engine)
    # every name cleaner can get (cleaner-...) matches; the unnamed role may or may not match
    assert _rows(report["deny"]) == {
        ("IAM2REGO-GUARDRAIL", "aws_iam_role.cleaner", "allowed", None, "deny"),
        ("IAM2REGO-GUARDRAIL", "aws_iam_role.anonymous", "unverifiable", None, "deny"),
    }
    [unv] = [f for f in report["deny"] if f["answer"] == "unverifiable"]
    assert "its name is known only after apply (no name or name_prefix)" in unv["detail"]
    assert '{"names":["cleaner-*"]}' in unv["detail"]


@pytest.mark.opa
def test_a_glob_no_possible_name_matches_does_not_select() -> None:
    report = evaluate(_plan("principal-prefix"), _config("principal-prefix", names=["ops-*"]), "opa")
    assert _rows(report["deny"]) == {
        ("IAM2REGO-GUARDRAIL", "aws_iam_role.anonymous", "unverifiable", None, "deny")
    }


@pytest.mark.opa
def test_an_exclusion_an_unknown_name_may_match_is_unverifiable() -> None:
    report = evaluate(
        _plan("principal-prefix"), _config("principal-prefix", exclude=["role/cleaner-*"]), "opa"
    )
    assert _rows(report["deny"]) == {
        ("IAM2REGO-GUARDRAIL", "aws_iam_role.anonymous", "unverifiable", None, "deny")
    }


@pytest.mark.conftest
def test_conftest_checks_roles_without_a_known_name(conftest_bin: str, tmp_path: Path) -> None:
    code, rows = _conftest(conftest_bin, tmp_path, "principal-prefix", _config("principal-prefix"))
    assert code == 1
    assert rows == PREFIX_ALL


# ---- tags known only after apply ----

OPS = "allowed when aws:PrincipalTag/team is ops"
TAGS_UNKNOWN = {
    ("IAM2REGO-GUARDRAIL", "aws_iam_role.whole", "conditional", OPS, "deny"),
    ("IAM2REGO-GUARDRAIL", "aws_iam_role.value", "conditional", OPS, "deny"),
}


@pytest.mark.parametrize("engine", ENGINES)
def test_tags_known_only_after_apply_are_open_keys(engine: str) -> None:
    # whole: after_unknown.tags = true; value: tags = {team = <unknown>, owner = "data"};
    # known: team = dev, so its grant never applies (no finding)
    report = evaluate(_plan("principal-tags-unknown"), _config("principal-tags-unknown"), engine)
    assert _all(report) == TAGS_UNKNOWN


@pytest.mark.conftest
def test_conftest_tags_known_only_after_apply_are_open(conftest_bin: str, tmp_path: Path) -> None:
    code, rows = _conftest(
        conftest_bin, tmp_path, "principal-tags-unknown", _config("principal-tags-unknown")
    )
    assert code == 1
    assert rows == TAGS_UNKNOWN


# ---- a user named like the excluded role ----

ROLE_BG = ("IAM2REGO-GUARDRAIL", "aws_iam_role.break_glass", "allowed", None, "deny")
USER_BG = ("IAM2REGO-GUARDRAIL", "aws_iam_user.break_glass", "allowed", None, "deny")
AMBIGUOUS = ("IAM2REGO-SELECTOR-AMBIGUOUS", None, None, None, "warn")


@pytest.mark.parametrize("engine", ENGINES)
def test_a_bare_exclusion_matching_a_role_and_a_user_excludes_neither(engine: str) -> None:
    report = evaluate(_plan("principal-same-name"), _config("principal-same-name"), engine)
    assert _all(report) == {ROLE_BG, USER_BG, AMBIGUOUS}
    [warning] = report["warn"]
    assert warning["guardrail"] == "no-prod-backup-deletion"
    assert warning["detail"] == (
        'principals.exclude "break-glass" is a bare name that matches role aws_iam_role.break_glass, '
        "user aws_iam_user.break_glass and excludes none of them; write role/NAME, user/NAME, an ARN or `types:`"
    )


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("entry", ["role/break-glass", "arn:aws:iam::123456789012:role/break-glass"])
def test_a_type_qualified_exclusion_excludes_the_role_only(engine: str, entry: str) -> None:
    report = evaluate(_plan("principal-same-name"), _config("principal-same-name", exclude=[entry]), engine)
    assert _all(report) == {USER_BG}


@pytest.mark.opa
def test_types_qualify_a_bare_exclusion_and_a_created_principal_it_excludes_is_reported() -> None:
    config = _config("principal-same-name", types=["user"], exclude=["break-glass"])
    report = evaluate(_plan("principal-same-name"), config, "opa")
    # the role is not selected (types), the user is excluded: the guardrail checks nothing, and says so
    assert _all(report) == {AMBIGUOUS, ("IAM2REGO-SELECTOR-UNMATCHED", None, None, None, "warn")}
    [warning] = [f for f in report["warn"] if f["code"] == "IAM2REGO-SELECTOR-AMBIGUOUS"]
    assert "excludes user aws_iam_user.break_glass, which this plan creates" in warning["detail"]


@pytest.mark.conftest
def test_conftest_a_bare_exclusion_does_not_exclude_the_user(conftest_bin: str, tmp_path: Path) -> None:
    code, rows = _conftest(conftest_bin, tmp_path, "principal-same-name", _config("principal-same-name"))
    assert code == 1
    assert rows == {ROLE_BG, USER_BG, AMBIGUOUS}
    _, rows = _conftest(
        conftest_bin,
        tmp_path,
        "principal-same-name",
        _config("principal-same-name", exclude=["role/break-glass"]),
    )
    assert rows == {USER_BG}


# ---- session tags ----

PLATFORM = "allowed when aws:PrincipalTag/team is platform"
SESSION = {
    ("IAM2REGO-GUARDRAIL", "aws_iam_role.tag_session", "conditional", PLATFORM, "deny"),
    ("IAM2REGO-GUARDRAIL", "aws_iam_role.limited", "conditional", PLATFORM, "deny"),
}


@pytest.mark.parametrize("engine", ENGINES)
def test_a_trust_policy_allowing_tag_session_opens_principal_tags(engine: str) -> None:
    # tag_session and limited (sts:TagSession allowed; limited's aws:RequestTag/team = dev is not used
    # to narrow the values: SEMANTICS §13.3) are conditional; plain (no TagSession, team = dev) is denied
    report = evaluate(_plan("session-tags"), _config("session-tags"), engine)
    assert _all(report) == SESSION


@pytest.mark.conftest
def test_conftest_session_tags_are_open(conftest_bin: str, tmp_path: Path) -> None:
    code, rows = _conftest(conftest_bin, tmp_path, "session-tags", _config("session-tags"))
    assert code == 1
    assert rows == SESSION
