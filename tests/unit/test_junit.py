"""The one JUnit writer (report/junit.py), used by ``test --junit`` and ``gate --format junit``."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from xml.dom import minidom

from iam2rego.report import junit

# Markup, entities, CDATA end, quotes, newlines in attributes, C0 controls, a lone surrogate, BOM-like
# non-characters and a character outside the BMP.
HOSTILE = "a<b>&amp;\"'\n]]><!--x--><?pi?>\x00\x07\x1b[31m\ud800\ufffe\uffff\U0001f600 end"
CLEAN = "a<b>&amp;\"'\n]]><!--x--><?pi?>\ufffd\ufffd\ufffd[31m\ufffd\ufffd\ufffd\U0001f600 end"


def _doc() -> str:
    case = junit.Case(
        classname=HOSTILE,
        name=HOSTILE,
        time=0.5,
        file=HOSTILE,
        line=3,
        failure=junit.Problem(HOSTILE, HOSTILE, type=HOSTILE),
        properties=[(HOSTILE, HOSTILE)],
        system_out=HOSTILE,
    )
    errored = junit.Case("c", "e", error=junit.Problem("boom", HOSTILE))
    return junit.to_xml([junit.Suite(HOSTILE, [case, junit.Case("c", "ok")]), junit.Suite("s2", [errored])])


def test_hostile_strings_leave_a_well_formed_document_and_come_back_as_written() -> None:
    text = _doc()
    root = ET.fromstring(text.encode("utf-8"))  # UTF-8 encodable: no lone surrogate is left
    minidom.parseString(text.encode("utf-8"))  # a second parser (expat via DOM) agrees
    suite = root.find("testsuite")
    assert suite is not None and suite.get("name") == CLEAN
    tc = suite.find("testcase")
    assert tc is not None
    assert [tc.get(k) for k in ("classname", "name", "file", "line")] == [CLEAN, CLEAN, CLEAN, "3"]
    failure = tc.find("failure")
    assert failure is not None
    assert (failure.get("message"), failure.get("type"), failure.text) == (CLEAN, CLEAN, CLEAN)
    prop = tc.find("properties/property")
    assert prop is not None and (prop.get("name"), prop.get("value")) == (CLEAN, CLEAN)
    assert tc.findtext("system-out") == CLEAN
    assert text.count("<testcase") == 3 and "<!--x-->" not in text and "<?pi?>" not in text


def test_totals_count_cases_failures_and_errors_per_suite_and_overall() -> None:
    root = ET.fromstring(_doc())
    assert [root.get(k) for k in ("name", "tests", "failures", "errors", "skipped")] == [
        "iam2rego",
        "3",
        "1",
        "1",
        "0",
    ]
    s1, s2 = root.findall("testsuite")
    assert [s1.get(k) for k in ("tests", "failures", "errors")] == ["2", "1", "0"]
    assert [s2.get(k) for k in ("tests", "failures", "errors")] == ["1", "0", "1"]
    ok = s1.findall("testcase")[1]
    assert ok.get("time") is None and ok.get("file") is None and list(ok) == []
    error = s2.find("testcase/error")
    assert error is not None and error.get("message") == "boom" and error.text == CLEAN


def test_child_order_is_properties_failure_system_out() -> None:
    tc = ET.fromstring(_doc()).find("testsuite/testcase")
    assert tc is not None
    assert [child.tag for child in tc] == ["properties", "failure", "system-out"]
