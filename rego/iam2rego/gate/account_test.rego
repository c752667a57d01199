package iam2rego.gate_test

import data.iam2rego.gate

acct_role := {
	"address": "aws_iam_role.r", "mode": "managed", "type": "aws_iam_role", "name": "r",
	"change": {"actions": ["create"], "after": {"name": "r", "path": "/"}, "after_unknown": {"arn": true}},
}

acct_known_role(arn) := {
	"address": "aws_iam_role.k", "mode": "managed", "type": "aws_iam_role", "name": "k",
	"change": {"actions": ["no-op"], "after": {"name": "k", "path": "/", "arn": arn}, "after_unknown": {}},
}

acct_caller(account) := {"values": {"root_module": {"resources": [{
	"address": "data.aws_caller_identity.current", "mode": "data", "type": "aws_caller_identity",
	"name": "current", "values": {"account_id": account},
}]}}}

acct_plan(changes, provs, prior) := {
	"format_version": "1.2",
	"resource_changes": changes,
	"planned_values": {},
	"prior_state": prior,
	"configuration": {"provider_config": provs, "root_module": {"resources": []}},
}

acct_no_provider := {"aws": {"expressions": {"region": {"constant_value": "us-east-1"}}}}

acct_allowed(ids) := {"aws": {"expressions": {"allowed_account_ids": {"constant_value": ids}}}}

acct_codes(fs) := {f.code | some f in fs}

test_no_account_anywhere_is_a_denial_not_a_default if {
	acct_codes(gate.deny) == {"IAM2REGO-ACCOUNT-AMBIGUOUS"} with input as acct_plan([acct_role], acct_no_provider, {})
	not gate._account_id with input as acct_plan([acct_role], acct_no_provider, {})
}

test_plan_without_principals_or_tables_needs_no_account if {
	count(gate.deny) == 0 with input as acct_plan([], acct_no_provider, {})
}

test_account_from_caller_identity_data_source if {
	gate._account_id == "999988887777" with input as acct_plan([acct_role], acct_no_provider, acct_caller("999988887777"))
	p := acct_plan([acct_role], acct_no_provider, acct_caller("999988887777"))
	gate.principals["aws_iam_role.r"].arn == "arn:aws:iam::999988887777:role/r" with input as p
}

test_account_from_a_known_arn if {
	gate._account_id == "444455556666" with input as acct_plan([acct_known_role("arn:aws:iam::444455556666:role/k")], acct_no_provider, {})
}

test_account_from_provider_allowed_account_ids if {
	gate._account_id == "111122223333" with input as acct_plan([acct_role], acct_allowed(["111122223333"]), {})
}

test_account_from_provider_assume_role if {
	p := {"aws": {"expressions": {"assume_role": [{"role_arn": {"constant_value": "arn:aws:iam::222233334444:role/tf"}}]}}}
	gate._account_id == "222233334444" with input as acct_plan([acct_role], p, {})
}

test_several_accounts_are_ambiguous if {
	p := acct_plan([acct_role, acct_known_role("arn:aws:iam::444455556666:role/k")], acct_no_provider, acct_caller("999988887777"))
	acct_codes(gate.deny) == {"IAM2REGO-ACCOUNT-AMBIGUOUS"} with input as p
	[f] := [f | some f in gate.deny] with input as p
	contains(f.msg, "444455556666")
	contains(f.msg, "999988887777")
}

test_configured_account_that_disagrees_with_the_plan_is_a_denial if {
	p := acct_plan([acct_role], acct_no_provider, acct_caller("999988887777"))
	acct_codes(gate.deny) == {"IAM2REGO-ACCOUNT-AMBIGUOUS"} with input as p with data.iam2rego_gate as {"account_id": "123456789012"}
	gate._account_info.problems == [concat("", [
		"`account_id` 123456789012 disagrees with the plan: ",
		"data.aws_caller_identity.current says 999988887777",
	])] with input as p with data.iam2rego_gate as {"account_id": "123456789012"}
}

test_configured_account_that_agrees_is_used if {
	p := acct_plan([acct_role], acct_no_provider, acct_caller("999988887777"))
	gate._account_id == "999988887777" with input as p with data.iam2rego_gate as {"account_id": "999988887777"}
	count(gate.deny) == 0 with input as p with data.iam2rego_gate as {"account_id": "999988887777"}
}

test_configured_account_outside_the_provider_allow_list_is_a_denial if {
	p := acct_plan([acct_role], acct_allowed(["111122223333", "222233334444"]), {})
	acct_codes(gate.deny) == {"IAM2REGO-ACCOUNT-AMBIGUOUS"} with input as p with data.iam2rego_gate as {"account_id": "123456789012"}
	gate._account_id == "222233334444" with input as p with data.iam2rego_gate as {"account_id": "222233334444"}
}

test_account_id_that_is_not_twelve_digits_is_a_denial if {
	acct_codes(gate.deny) == {"IAM2REGO-CONFIG-INVALID"} with input as acct_plan([acct_role], acct_no_provider, {})
		with data.iam2rego_gate as {"account_id": 123456789012}
}

test_aws_managed_policy_arns_are_not_evidence if {
	managed := {
		"address": "aws_iam_policy.p", "mode": "managed", "type": "aws_iam_policy", "name": "p",
		"change": {"actions": ["no-op"], "after": {"arn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}, "after_unknown": {}},
	}
	count(gate._account_evidence) == 0 with input as acct_plan([managed], acct_no_provider, {})
}
