"""Bugs the robustness fuzzers found, pinned as plain examples (each names the input that broke)."""

from __future__ import annotations

import pytest
from iam2rego.ir import PolicyKind
from iam2rego.validate import parse_policy


@pytest.mark.parametrize("kind", list(PolicyKind))
def test_lone_surrogate_in_text_is_a_diagnostic_not_a_unicode_error(kind: PolicyKind) -> None:
    # Found by test_fuzz_pipeline: the resource-policy size quota encoded the text as strict UTF-8
    # and raised UnicodeEncodeError for a lone surrogate (text decoded with surrogateescape, or
    # handed to the API by a caller).
    text = '{"Version": "2012-10-17", "Statement": ["\ud800"]}'
    policy, diags = parse_policy(text, "s.json", kind)
    assert policy is None
    assert "V-STMT" in {d.code for d in diags}
