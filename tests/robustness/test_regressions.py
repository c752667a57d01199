"""Bugs the robustness fuzzers found, pinned as plain examples (each names the input that broke)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from iam2rego.api import parse_policy
from iam2rego.ir import PolicyKind

sys.path.insert(0, str(Path(__file__).resolve().parent))


@pytest.mark.parametrize("kind", list(PolicyKind))
def test_lone_surrogate_in_text_is_a_diagnostic_not_a_unicode_error(kind: PolicyKind) -> None:
    # Found by test_fuzz_pipeline: the resource-policy size quota encoded the text as strict UTF-8
    # and raised UnicodeEncodeError for a lone surrogate (text decoded with surrogateescape, or
    # handed to the API by a caller).
    text = '{"Version": "2012-10-17", "Statement": ["\ud800"]}'
    policy, diags = parse_policy(text, "s.json", kind)
    assert policy is None
    assert "V-STMT" in {d.code for d in diags}


# --------------------------------------------------------------------------- wildcards and newlines

ACCT = "123456789012"
ALICE = {"arn": f"arn:aws:iam::{ACCT}:user/alice", "account": ACCT, "type": "IAMUser"}
NEWLINE_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Effect": "Deny", "Action": "dynamodb:*", "Resource": f"arn:aws:dynamodb:*:{ACCT}:table/*"},
    ],
}


@pytest.mark.opa
# IAM `*`/`?` once compiled to RE2 `.*`/`.`, which do not match a newline: the Deny missed while the
# literal Allow * matched (fail open). Now `[\s\S]*`/`[\s\S]` in codegen and in the Rego library.
def test_deny_wildcard_matches_resources_and_actions_that_hold_a_newline(opa_bin: str, tmp_path) -> None:
    import json

    from _rb import opa, write_library, write_tree
    from iam2rego import ir
    from iam2rego.codegen import CompileOptions, compile_principals

    policy, diags = parse_policy(json.dumps(NEWLINE_POLICY), "nl.json")
    assert policy is not None, diags
    module = compile_principals(ir.Principals(caller=ir.PolicySet(identity=(policy,))), CompileOptions("nl"))
    lib = write_library(tmp_path)
    write_tree(tmp_path / "m", module.files)
    reqs = [
        {"action": "dynamodb:CreateBackup", "resource": f"arn:aws:dynamodb:us-east-1:{ACCT}:table/a\nb",
         "context": {}, "principal": ALICE},
        {"action": "dynamodb:Create\nBackup", "resource": f"arn:aws:dynamodb:us-east-1:{ACCT}:table/a",
         "context": {}, "principal": ALICE},
    ]  # fmt: skip
    psd = {"identity": [{"name": "nl", "document": NEWLINE_POLICY, "source": "nl.json"}], "boundary": None,
           "session": None, "scp": [], "rcp": [], "resource_policy": None}  # fmt: skip
    (tmp_path / "in.json").write_text(json.dumps({"reqs": reqs, "psd": psd}))
    query = (
        "c := [data.iam2rego.policies.nl.decide(x).decision | some x in input.reqs]; "
        "g := [data.iam2rego.generic.decide_request(input.psd, x, {}).decision | some x in input.reqs]"
    )
    proc = opa(opa_bin, "eval", "-f", "json", "-d", str(lib), "-d", str(tmp_path / "m"), "-i",
               str(tmp_path / "in.json"), query)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout)["result"][0]["bindings"]
    assert got == {"c": ["explicit_deny"] * 2, "g": ["explicit_deny"] * 2}
