"""The HTML report as a user sees it: opened in headless Debian chromium, a cell clicked, its
explanation read, the filter typed into; no network request is made; a screenshot is taken
(docs/access-report.png is refreshed with UPDATE_SCREENSHOT=1).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from iam2rego.cli import main

from .cdp import Browser

ROOT = Path(__file__).resolve().parents[2]
GAAD = ROOT / "tests" / "access" / "gaad"
PROD_USERS = "arn:aws:dynamodb:us-east-1:111122223333:table/prod-users"

pytestmark = [pytest.mark.opa, pytest.mark.chromium]


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("html") / "report.html"
    here = os.getcwd()
    os.chdir(GAAD)  # relative input paths, as a user in that directory types them
    try:
        code = main(
            [
                "access",
                "--engine",
                "opa",
                "--no-progress",
                "gaad.json",
                "--tables-file",
                "tables.txt",
                "--resource-policy",
                f"{PROD_USERS}=prod-users.resource-policy.json",
                "--html",
                str(out),
            ]
        )
    finally:
        os.chdir(here)
    assert code == 0
    return out


@pytest.fixture()
def browser(tmp_path: Path):
    binary = shutil.which("chromium")
    assert binary, "chromium missing (the chromium mark skips or fails first)"
    b = Browser(binary, str(tmp_path / "profile"))
    yield b
    b.close()


CELL = 'td.cell[data-principal="role/backup-operator"][data-table="prod-orders"][data-column="delete_backup"]'
ALICE = 'td.cell[data-principal="user/alice"][data-table="prod-orders"][data-column="delete_backup"]'


def test_clicking_a_cell_opens_its_explanation_with_the_source_lines(report: Path, browser: Browser) -> None:
    browser.open(report.as_uri())
    assert browser.evaluate("document.body.dataset.ready") == "true"
    assert browser.evaluate("document.getElementById('explain').hidden") is True
    assert browser.evaluate(f"document.querySelector('{CELL}').className") == "cell a-denied"
    browser.click(CELL)
    text = browser.evaluate("document.getElementById('explain').innerText")
    assert isinstance(text, str)
    assert "role/backup-operator → prod-orders" in text
    assert "delete_backup: denied" in text
    assert "Deny · statement 1 (Sid NoProdBackupDeletion) · level boundary" in text
    assert "\ngaad.json: managed policy DenyProdBackupDeletion:10:5\n" in text
    # the statement's own lines (and no others), numbered as in the decoded document
    assert '  10 |     {\n  11 |       "Sid": "NoProdBackupDeletion",' in text
    assert "EverythingElse" not in text
    assert '"Resource": "arn:aws:dynamodb:*:111122223333:table/prod-*/backup/*"' in text
    assert browser.evaluate("getComputedStyle(document.getElementById('explain')).position") == "fixed"
    if browser.evaluate("JSON.parse(document.getElementById('report-data').textContent).analysis") == "open":
        # alice's MFA-guarded deletion: conditional, with its condition and both statements
        browser.click(ALICE)
        text = browser.evaluate("document.getElementById('explain').innerText")
        assert isinstance(text, str)
        assert "delete_backup: conditional" in text
        assert "allowed when aws:MultiFactorAuthPresent is true" in text
        assert "Sid DeleteBackups" in text and "Sid OnlyWithMfa" in text
    shot = browser.screenshot()
    assert shot.startswith(b"\x89PNG")
    if os.environ.get("UPDATE_SCREENSHOT"):
        (ROOT / "docs" / "access-report.png").write_bytes(shot)
    # a self-contained page: nothing but the file itself was requested
    urls = [
        e["params"]["request"]["url"]
        for e in browser.events
        if e.get("method") == "Network.requestWillBeSent"
    ]
    assert all(u.startswith(("file:", "data:", "about:")) for u in urls), urls
    browser.click("#explain-close")
    assert browser.evaluate("document.getElementById('explain').hidden") is True


def test_filter_and_sort_work_in_the_browser(report: Path, browser: Browser) -> None:
    browser.open(report.as_uri())
    rows = "document.querySelectorAll('#matrix tbody tr').length"
    assert browser.evaluate(rows) == 6 * 3
    browser.type_text("#filter", "break-glass")
    assert browser.evaluate(rows) == 3
    browser.evaluate(
        "document.getElementById('filter').value = ''; document.getElementById('filter')"
        ".dispatchEvent(new Event('input'))"
    )
    column = "[...document.querySelectorAll('#matrix tbody td[data-column=\"delete_backup\"]')].map(e => e.textContent)"
    before = browser.evaluate(column)
    browser.click('th[data-sort="delete_backup"]')  # allowed first
    after = browser.evaluate(column)
    assert isinstance(before, list) and isinstance(after, list)
    assert before != after and sorted(before) == sorted(after)
    assert after == sorted(after, key=["allowed", "conditional", "unknown", "denied"].index)
    assert after[0] == "allowed" and after[-1] == "denied"
    browser.click('th[data-sort="delete_backup"]')  # a second click reverses
    assert browser.evaluate(column)[0] == "denied"
