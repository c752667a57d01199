"""The access report is data from the pull request: hostile names and policy strings must stay text.

Every string of the report (principal and table names, policy names, Sids, condition values, the
policy text shown in the explanation panel) comes from the scanned input. Built from a GAAD snapshot
whose role name, policy name and condition values carry HTML, template and script-breaking payloads,
the HTML report must show them as text, run no script but its own (headless chromium: `window.__pwned`
stays undefined, the matrix still renders), and the Markdown report must keep its table shape.
"""

from __future__ import annotations

import json
import re
import shutil
import urllib.parse
from pathlib import Path

import pytest
from iam2rego.access.render import json_for_script, md_code, md_text, render_html, render_markdown
from iam2rego.cli import main

from .cdp import Browser

ACCOUNT = "111122223333"
ROLE = 'evil<img src=x onerror="window.__pwned=1">{{DATA}}<!--<script>'
TABLE = "prod-{{DATA}}<img src=y onerror=window.__pwned=3>"
POLICY_NAME = "p</script><script>window.__pwned=4</script>"
VALUE = "</script><script>window.__pwned=2</script>\u2028<!--<script>"
HOSTILE = [ROLE, TABLE, POLICY_NAME, VALUE]


def _gaad(tmp: Path) -> tuple[Path, Path]:
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "Tagged",
                "Effect": "Allow",
                "Action": "dynamodb:*",
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:UserAgent": VALUE}},
            },
        ],
    }
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
    role = {
        "Path": "/",
        "RoleName": ROLE,
        "RoleId": "AROAEVIL",
        "Arn": f"arn:aws:iam::{ACCOUNT}:role/{ROLE}",
        "CreateDate": "2024-01-10T09:00:00Z",
        "AssumeRolePolicyDocument": urllib.parse.quote(json.dumps(trust)),
        "InstanceProfileList": [],
        "RolePolicyList": [
            {"PolicyName": POLICY_NAME, "PolicyDocument": urllib.parse.quote(json.dumps(policy, indent=2))}
        ],
        "AttachedManagedPolicies": [],
        "Tags": [],
    }
    gaad = tmp / "gaad.json"
    gaad.write_text(
        json.dumps({"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": [role], "Policies": []})
    )
    tables = tmp / "tables.txt"
    tables.write_text(f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/{TABLE}\n")
    return gaad, tables


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("hostile")
    gaad, tables = _gaad(tmp)
    out = {"html": tmp / "r.html", "markdown": tmp / "r.md", "json": tmp / "r.json"}
    args = ["access", "--engine", "opa", "--no-progress", str(gaad), "--tables-file", str(tables)]
    for fmt, path in out.items():
        args += [f"--{fmt}", str(path)]
    assert main(args) == 0
    return out


def _hostile_doc() -> dict:
    return {
        "schema": "iam2rego-access/1",
        "inputs": [VALUE],
        "summary": {
            "counts": {"allowed": 1},
            "production_tables": [TABLE, "a\n### fake heading\n| x | y |"],
            "questions_asked": {"delete": True},
            "who": {"delete": [{"principal": ROLE, "allowed": [TABLE, "t`|`x\\|y"]}]},
        },
        "principals": [],
        "tables": [],
        "columns": [],
        "cells": [
            {
                "principal": "role/a\r\n| injected | row |",
                "table": TABLE,
                "column": "delete_backup",
                "answer": "allowed",
                "condition": "when @security-team [x](https://evil.example) *bold* \u202egnp.exe",
                "decision": "allow",
                "reasons": [],
                "failing": [],
                "problems": [],
            }
        ],
    }


def test_html_keeps_every_hostile_string_inert_without_a_browser() -> None:
    page = render_html(_hostile_doc())
    body = page.split("<body>", 1)[1]
    # the only elements are the template's own: no injected tag, comment or template expansion
    assert "<img" not in body and "<!--" not in body and "{{" not in page.replace("{{DATA}}", "")
    assert page.count("<script") == 2  # the data block and the report's own script
    data = page.split('<script type="application/json" id="report-data">', 1)[1].split("</script>", 1)[0]
    assert not re.search(r"[<>&\u2028\u2029]", data)
    assert json.loads(data) == _hostile_doc()
    assert "'unsafe-inline'" not in page and "script-src 'sha256-" in page


def test_json_for_script_escapes_what_ends_or_opens_markup() -> None:
    text = json_for_script({"k": "</script><!--<script>&\u2028\u2029"})
    assert not re.search(r"[<>&\u2028\u2029]", text)
    assert json.loads(text) == {"k": "</script><!--<script>&\u2028\u2029"}


def test_markdown_keeps_its_table_shape_with_hostile_names() -> None:
    md = render_markdown(_hostile_doc())
    lines = md.splitlines()
    assert [line for line in lines if line.startswith("#")] == ["### iam2rego access"]
    rows = [line for line in lines if line.startswith("|")]
    # every table row has the header's number of unescaped cell separators
    for row in rows:
        assert len(re.findall(r"(?<!\\)\|", row)) in (6, 6), row
    assert "<img" not in md and "](" not in md and "@security" not in md and "\u202e" not in md
    assert "U+202E" in md  # a bidi override is shown, not obeyed
    assert md_code("a`b|c") == "<code>a&#96;b&#124;c</code>"
    assert md_text("x\ny") == "xU+000Ay"


@pytest.mark.opa
def test_markdown_and_json_reports_from_hostile_input(reports: dict[str, Path]) -> None:
    md = reports["markdown"].read_text()
    assert "<img" not in md and "<script" not in md and "<!--" not in md
    doc = json.loads(reports["json"].read_text())
    assert any(p["id"].endswith(ROLE) for p in doc["principals"])  # the JSON keeps the exact strings


@pytest.mark.opa
@pytest.mark.chromium
def test_the_browser_runs_no_injected_script(reports: dict[str, Path], tmp_path: Path) -> None:
    binary = shutil.which("chromium")
    assert binary, "chromium missing (the chromium mark skips or fails first)"
    browser = Browser(binary, str(tmp_path / "profile"))
    try:
        browser.open(reports["html"].as_uri())
        assert browser.evaluate("document.body.dataset.ready") == "true"  # the report's own script ran
        assert browser.evaluate("typeof window.__pwned") == "undefined"
        assert browser.evaluate("document.querySelectorAll('img, iframe, object, embed').length") == 0
        assert browser.evaluate("document.querySelectorAll('#matrix tbody tr').length") == 1
        shown = browser.evaluate("document.querySelector('#matrix tbody td').textContent")
        assert shown == f"role/{ROLE}"
        assert TABLE in str(browser.evaluate("document.getElementById('summary').innerText"))
        cell = 'td.cell[data-column="delete_backup"]'
        browser.click(cell)
        text = str(browser.evaluate("document.getElementById('explain').innerText"))
        assert "Sid Tagged" in text and POLICY_NAME in text
        assert VALUE.split("\u2028")[0] in text  # the condition value shown as text in the policy lines
        assert browser.evaluate("typeof window.__pwned") == "undefined"
    finally:
        browser.close()


def test_terminal_text_shows_control_characters_instead_of_obeying_them() -> None:
    from iam2rego.access.render import render_text
    from iam2rego.diagnostics import Diagnostic, Severity, Span, render

    doc = {
        "principals": [{"id": "role/x\x1b[2K\rfake", "problems": ["p\u202eq"]}],
        "tables": [],
        "columns": [],
        "analysis": "open",
        "summary": {
            "counts": {"allowed": 0},
            "decided_questions": 0,
            "production_tables": ["t\nerror: fake line"],
            "questions_asked": {"delete": True},
            "who": {"delete": []},
        },
    }
    text = render_text(doc)
    assert "\x1b" not in text and "\u202e" not in text and "\nerror: fake line" not in text
    assert "\\x1b[2K\\rfake" in text and "\\u202e" in text
    d = Diagnostic(
        "IAM2REGO-GUARDRAIL",
        Severity.ERROR,
        "role a\x1b]8;;evil\x07\nx.tf:1:1: ok",
        "m\u2028.tf",
        Span(1, 1, 1, 2),
    )
    shown = render(d)
    assert shown.count("\n") == 0 and "\x1b" not in shown and "\x07" not in shown
