package iam2rego.gate_test

import data.iam2rego.gate

# the provider pins the account (the gate never assumes one, account.rego)
provider_config := {"aws": {"expressions": {
	"region": {"constant_value": "eu-west-1"},
	"allowed_account_ids": {"constant_value": ["123456789012"]},
}}}

change(addr, type, name, actions, after, unknown) := {
	"address": addr, "mode": "managed", "type": type, "name": name,
	"change": {"actions": actions, "after": after, "after_unknown": unknown},
}

role := change("aws_iam_role.r", "aws_iam_role", "r", ["create"], {"name": "r", "path": "/"}, {"arn": true})

table := change("aws_dynamodb_table.t", "aws_dynamodb_table", "t", ["create"], {"name": "Orders"}, {"arn": true})

inline(policy) := change("aws_iam_role_policy.p", "aws_iam_role_policy", "p", ["create"], {"role": "r", "policy": policy}, {})

plan(changes) := {
	"format_version": "1.2",
	"resource_changes": changes,
	"planned_values": {},
	"configuration": {"provider_config": provider_config, "root_module": {"resources": []}},
}

allow_all_backups := json.marshal({"Version": "2012-10-17", "Statement": [
	# every backup action on the Orders table and its backups (on "*" it would be W-BROAD-ALLOW)
	{"Sid": "All", "Effect": "Allow", "Action": "dynamodb:*Backup*", "Resource": "arn:aws:dynamodb:*:*:table/Orders*"},
	{
		"Sid": "Writes", "Effect": "Allow", "Action": ["dynamodb:*Item", "dynamodb:Query", "dynamodb:Scan"],
		"Resource": "arn:aws:dynamodb:*:*:table/*",
	},
]})

codes(set_of_results) := {f.code | some f in set_of_results}

test_table_arn_from_name_provider_region_and_account if {
	no_account := {"aws": {"expressions": {"region": {"constant_value": "eu-west-1"}}}}
	p := object.union(object.remove(plan([table]), ["configuration"]), {"configuration": {"provider_config": no_account}})
	gate.tables["aws_dynamodb_table.t"].arn == "arn:aws:dynamodb:eu-west-1:111122223333:table/Orders" with input as p
		with data.iam2rego_gate as {"account_id": "111122223333"}
}

test_role_arn_built_from_name_when_unknown if {
	gate.principals["aws_iam_role.r"].arn == "arn:aws:iam::123456789012:role/r" with input as plan([role])
}

test_clean_inline_policy_is_evaluated if {
	count(gate.deny) == 0 with input as plan([role, inline(allow_all_backups)])
}

test_malformed_policy_text_denies if {
	codes(gate.deny) == {"IAM2REGO-UNVERIFIABLE"} with input as plan([role, inline("{not json")])
}

test_unverifiable_can_be_a_warning if {
	r := gate.warn with input as plan([role, inline("{not json")]) with data.iam2rego_gate as {"unverifiable": "warn"}
	codes(r) == {"IAM2REGO-UNVERIFIABLE"}
	count(gate.deny) == 0 with input as plan([role, inline("{not json")]) with data.iam2rego_gate as {"unverifiable": "warn"}
}

test_pure_delete_is_ignored if {
	deleted := change("aws_iam_role_policy.p", "aws_iam_role_policy", "p", ["delete"], null, {})
	count(gate.deny) == 0 with input as plan([role, deleted])
}

test_unknown_major_format_denies if {
	codes(gate.deny) == {"IAM2REGO-PLAN-FORMAT"} with input as object.union(plan([]), {"format_version": "2.0"})
}

test_non_object_input_denies if {
	codes(gate.deny) == {"IAM2REGO-PLAN-MALFORMED"} with input as ["not", "a", "plan"]
}

test_forbid_guardrail_reports_deciding_statement if {
	g := {"id": "no-delete", "kind": "forbid", "operation": "delete_backup", "resources": {"tables": ["Ord*"]}}
	[f] := [f | some f in gate.deny] with input as plan([role, table, inline(allow_all_backups)])
		with data.iam2rego_gate as {"guardrails": [g]}
	f.guardrail == "no-delete"
	f.principal.address == "aws_iam_role.r"
	f.statement.policy == "aws_iam_role_policy.p"
	f.statement.sid == "All"
	f.resource == "arn:aws:dynamodb:eu-west-1:123456789012:table/Orders/backup/01700000000000-0a1b2c3d"
}

test_exception_turns_denial_into_warning if {
	g := {"id": "no-delete", "kind": "forbid", "operation": "delete_backup"}
	x := {"guardrail": "no-delete", "principal": "r", "reason": "approved"}
	cfg := {"guardrails": [g], "exceptions": [x]}
	count(gate.deny) == 0 with input as plan([role, table, inline(allow_all_backups)]) with data.iam2rego_gate as cfg
	[w] := [w | some w in gate.warn] with input as plan([role, table, inline(allow_all_backups)])
		with data.iam2rego_gate as cfg
	startswith(w.msg, "IAM2REGO-EXCEPTION-APPLIED")
	w.exception.reason == "approved"
}

test_invalid_guardrail_denies if {
	codes(gate.deny) == {"IAM2REGO-CONFIG-INVALID"} with input as plan([role])
		with data.iam2rego_gate as {"guardrails": [{"kind": "sometimes"}]}
}

test_listbackups_on_table_arn if {
	p := json.marshal({"Version": "2012-10-17", "Statement": [{
		"Effect": "Allow", "Action": "dynamodb:ListBackups",
		"Resource": "arn:aws:dynamodb:us-east-1:123456789012:table/Orders",
	}]})
	codes(gate.deny) == {"IAM2REGO-LISTBACKUPS-ON-TABLE"} with input as plan([role, inline(p)])
}

test_reference_resolution_with_count_index if {
	roles := [
		object.union(change("aws_iam_role.r[0]", "aws_iam_role", "r", ["create"], {"name": "r-0"}, {}), {"index": 0}),
		object.union(change("aws_iam_role.r[1]", "aws_iam_role", "r", ["create"], {"name": "r-1"}, {}), {"index": 1}),
	]
	pol := object.union(
		change("aws_iam_role_policy.p[1]", "aws_iam_role_policy", "p", ["create"], {"policy": "{"}, {"role": true}),
		{"index": 1},
	)
	cfg := {"root_module": {"resources": [{
		"address": "aws_iam_role_policy.p",
		"expressions": {"role": {"references": ["aws_iam_role.r", "count.index"]}},
	}]}}
	p := object.union(plan(array.concat(roles, [pol])), {"configuration": cfg})
	gate._resolve_ref("aws_iam_role_policy.p[1]", "role") == "aws_iam_role.r[1]" with input as p
}

test_a_json_object_iam_rejects_is_unverifiable_not_ignored if {
	codes(gate.deny) == {"IAM2REGO-UNVERIFIABLE"} with input as plan([role, inline(`{"Version": "2012-10-17"}`)])
	codes(gate.deny) == {"IAM2REGO-UNVERIFIABLE"} with input as plan([
		role,
		inline(`{"Statement": [{"Effect": "allow", "Action": "*", "Resource": "*"}]}`),
	])
}

# issue 25: one JSON text on every engine (OPA's json.marshal escapes these; the Wasm runtime does not)
test_json_text_escapes_html_characters_and_line_separators if {
	gate._json_text(["a&b<c>d"]) == `["a\u0026b\u003cc\u003ed"]`
	gate._json_text({"k": json.unmarshal(`"x\u2028y\u2029"`)}) == `{"k":"x\u2028y\u2029"}`
	gate._json_text(`already \u0026 escaped`) == `"already \\u0026 escaped"`
	gate._as_text(["&"]) == `["\u0026"]`
}
