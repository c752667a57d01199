package iam2rego.gate_test

import data.iam2rego.gate

# a role whose address label and path say "breakglass" but whose IAM name does not
shadow := change(
	"aws_iam_role.breakglass_shadow", "aws_iam_role", "breakglass_shadow", ["create"],
	{"name": "data-cleaner", "path": "/breakglass/"}, {"arn": true},
)

shadow_policy := change(
	"aws_iam_role_policy.s", "aws_iam_role_policy", "s", ["create"],
	{"role": "data-cleaner", "policy": allow_all_backups}, {},
)

no_delete := {"id": "no-delete", "kind": "forbid", "operation": "delete_backup"}

shadow_plan := plan([shadow, shadow_policy, table])

cfg_with(x) := {"guardrails": [no_delete], "exceptions": [x]}

test_a_breakglass_glob_matches_no_address_label_and_no_path if {
	some x in [
		{"guardrail": "no-delete", "principal": "*breakglass*"},
		{"guardrail": "no-delete", "principals": {"names": ["*breakglass*"]}},
		{"guardrail": "no-delete", "principals": {"arns": ["arn:aws:iam::*:role/breakglass-*"]}},
	]
	ds := {f.principal.address | some f in gate.deny} with input as shadow_plan with data.iam2rego_gate as cfg_with(x)
	ds == {"aws_iam_role.breakglass_shadow"}
}

test_each_key_matches_its_own_value if {
	some x in [
		{"guardrail": "no-delete", "principals": {"names": ["data-*"]}},
		{"guardrail": "no-delete", "principals": {"addresses": ["aws_iam_role.breakglass_*"]}},
		{"guardrail": "no-delete", "principals": {"arns": ["arn:aws:iam::123456789012:role/breakglass/*"]}},
		{"guardrail": "no-delete", "principals": {"names": ["data-cleaner"], "types": ["role"]}},
		{"guardrail": "no-delete", "principal": "role/data-cleaner"},
		{"guardrail": "no-delete", "resources": {"tables": ["Orders"]}},
	]
	ds := {f.principal.address | some f in gate.deny} with input as shadow_plan with data.iam2rego_gate as cfg_with(x)
	ds == set()
}

test_every_key_given_must_match if {
	some x in [
		{"guardrail": "no-delete", "principals": {"names": ["data-cleaner"], "types": ["user"]}},
		{"guardrail": "no-delete", "principals": {"names": ["data-cleaner"], "addresses": ["aws_iam_role.other"]}},
		{"guardrail": "no-delete", "principal": "user/data-cleaner"},
		{"guardrail": "no-delete", "resources": {"tables": ["Order"]}},
		{"guardrail": "no-delete", "resources": {"arns": ["arn:aws:dynamodb:*:*:table/Orders"]}},
	]
	ds := {f.principal.address | some f in gate.deny} with input as shadow_plan with data.iam2rego_gate as cfg_with(x)
	ds == {"aws_iam_role.breakglass_shadow"}
}

test_an_exception_expires_on_its_date if {
	x := {"guardrail": "no-delete", "principals": {"names": ["data-cleaner"]}, "expires": "2026-03-01"}
	[f] := [f | some f in gate.deny] with input as shadow_plan
		with data.iam2rego_gate as cfg_with(x)
		with data.iam2rego_cli.today as "2026-03-01"
	f.exception_expired == [{"exception": 0, "expires": "2026-03-01", "note": "exception #0 expired on 2026-03-01"}]
	endswith(f.msg, " (exception #0 expired on 2026-03-01)")
	count(gate.deny) == 0 with input as shadow_plan
		with data.iam2rego_gate as cfg_with(x)
		with data.iam2rego_cli.today as "2026-02-28"
}

test_without_a_date_an_expiring_exception_does_not_apply if {
	x := {"guardrail": "no-delete", "principals": {"names": ["data-cleaner"]}, "expires": "2999-01-01"}
	[f] := [f | some f in gate.deny] with input as shadow_plan
		with data.iam2rego_gate as cfg_with(x)
		with data.iam2rego_cli.today as null
		with data.iam2rego.clock.today as "not a date"
	contains(f.msg, "exception #0 expires on 2999-01-01 but no date is known")
}

test_exceptions_require_names_each_missing_field if {
	cfg := object.union(cfg_with({"guardrail": "no-delete", "reason": " "}), {"suppressions": {"exceptions_require": ["reason", "owner"]}})
	details := {f.detail | some f in gate.deny} with input as shadow_plan with data.iam2rego_gate as cfg
	details == {
		"iam2rego_gate.exceptions[0]: needs `owner` (suppressions.exceptions_require)",
		"iam2rego_gate.exceptions[0]: needs `reason` (suppressions.exceptions_require)",
	}
}

test_the_former_syntax_is_an_error_where_ambiguous if {
	some [value, words] in [
		["aws_iam_role.ops", "could be an IAM name or a Terraform address"],
		["team/ops", "is not an IAM name, an ARN or a Terraform address"],
	]
	x := {"guardrail": "no-delete", "principal": value}
	[f] := [f | some f in gate.deny] with input as shadow_plan with data.iam2rego_gate as cfg_with(x)
	f.code == "IAM2REGO-CONFIG-INVALID"
	startswith(f.detail, concat("", ["iam2rego_gate.exceptions[0].principal: \"", value, "\" ", words]))
}

test_old_and_new_keys_together_are_an_error if {
	x := {"guardrail": "no-delete", "principal": "a", "principals": {"names": ["a"]}}
	details := {f.detail | some f in gate.deny} with input as shadow_plan with data.iam2rego_gate as cfg_with(x)
	details == {"iam2rego_gate.exceptions[0]: give `principal` or `principals`, not both"}
}

test_a_config_problem_cannot_be_excepted if {
	cfg := {"guardrails": [{"kind": "sometimes"}], "exceptions": [{"guardrail": "IAM2REGO-CONFIG-INVALID"}]}
	codes(gate.deny) == {"IAM2REGO-CONFIG-INVALID"} with input as shadow_plan with data.iam2rego_gate as cfg
}

test_the_report_carries_each_deciding_statement if {
	r := gate.report with input as shadow_plan with data.iam2rego_gate as {"guardrails": [no_delete]}
	[f] := [f | some f in r.deny]
	key := concat("", [f.statement.policy, "#", format_int(f.statement.statement_index, 10)])
	r.statements[key].Effect == "Allow"
}

# a principal whose name is known only after apply (name_prefix): `names` globs never match it, not
# even "*", and never through a fallback to its address; its address and type still can
test_a_name_glob_never_matches_a_name_known_only_after_apply if {
	prefixed := change(
		"aws_iam_role.breakglass_shadow", "aws_iam_role", "breakglass_shadow", ["create"],
		{"name_prefix": "breakglass-"}, {"arn": true, "name": true},
	)
	p := {"address": "aws_iam_role.breakglass_shadow", "type": "role", "name": "aws_iam_role.breakglass_shadow"}
	not gate._principal_key_ok("names", ["*"], p) with input as plan([prefixed])
	gate._principal_key_ok("addresses", ["aws_iam_role.breakglass_*"], p) with input as plan([prefixed])
	gate._principal_key_ok("types", ["role"], p) with input as plan([prefixed])
}
