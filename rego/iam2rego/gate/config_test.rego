package iam2rego.gate_test

import data.iam2rego.gate

# DeleteBackup allowed only from 10.0.0.0/8; the guardrail meant to pin aws:SourceIp there
from_corp := json.marshal({"Version": "2012-10-17", "Statement": [{
	"Sid": "Corp", "Effect": "Allow", "Action": "dynamodb:DeleteBackup", "Resource": "*",
	"Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
}]})

corp_guardrail(extra) := object.union({"id": "g", "kind": "forbid", "action": "dynamodb:DeleteBackup"}, extra)

invalid_msgs(deny) := [f.msg | some f in deny] if codes(deny) == {"IAM2REGO-CONFIG-INVALID"}

test_misspelt_context_is_invalid_not_ignored if {
	deny := gate.deny with input as plan([role, table, inline(from_corp)]) with data.iam2rego_gate as {"guardrails": [corp_guardrail({"contxt": {"aws:SourceIp": "10.1.2.3"}})]}
	msgs := invalid_msgs(deny)
	some m in msgs
	contains(m, `iam2rego_gate.guardrails[0]: unknown key "contxt"`)
}

test_principal_instead_of_principals_is_invalid_not_every_principal if {
	deny := gate.deny with input as plan([role, table, inline(from_corp)]) with data.iam2rego_gate as {"guardrails": [corp_guardrail({"principal": {"names": ["nobody"]}})]}
	msgs := invalid_msgs(deny)
	some m in msgs
	contains(m, `unknown key "principal"`)
}

test_misspelt_top_level_key_is_invalid if {
	deny := gate.deny with input as plan([role, table, inline(from_corp)]) with data.iam2rego_gate as {"unverifable": "warn"}
	msgs := invalid_msgs(deny)
	some m in msgs
	contains(m, `iam2rego_gate: unknown key "unverifable"`)
}

test_wrong_types_and_values_are_invalid if {
	cfg := {
		"region": 7,
		"builtin": {"IAM2REGO-NOPE": {"severity": "deny"}, "IAM2REGO-WILDCARD-ADMIN": {"severity": "loud"}},
		"guardrails": [corp_guardrail({"context": {"aws:SourceIp": {"nested": true}}, "principals": {"types": ["group"]}})],
	}
	deny := gate.deny with input as plan([role, table, inline(from_corp)]) with data.iam2rego_gate as cfg
	msgs := invalid_msgs(deny)
	some a in msgs
	contains(a, "iam2rego_gate.region: 7 is not of type string")
	some b in msgs
	contains(b, `key "IAM2REGO-NOPE" is not one of`)
	some c in msgs
	contains(c, `iam2rego_gate.builtin.IAM2REGO-WILDCARD-ADMIN.severity: "loud" is not one of`)
	some d in msgs
	contains(d, `iam2rego_gate.guardrails[0].context.aws:SourceIp: {"nested":true} is not of type`)
	some e in msgs
	contains(e, `iam2rego_gate.guardrails[0].principals.types[0]: "group" is not one of`)
}

test_pinned_context_is_read_when_spelt_right if {
	cfg := {"guardrails": [corp_guardrail({"context": {"aws:SourceIp": "10.1.2.3"}})]}
	codes(gate.deny) == {"IAM2REGO-GUARDRAIL"} with input as plan([role, table, inline(from_corp)])
		with data.iam2rego_gate as cfg
}

test_documented_configuration_is_valid if {
	cfg := {
		"account_id": "123456789012", "region": "us-east-1", "unverifiable": "deny", "scp_scope": "attached",
		"mode": "docs", "builtin": {"IAM2REGO-WILDCARD-ADMIN": {"severity": "warn"}},
		"guardrails": [{
			"id": "x", "description": "d", "kind": "require", "operation": "restore_table_from_backup",
			"principals": {"names": ["r"], "exclude": ["b*"], "types": ["role", "user"]},
			"resources": {"tables": ["Orders"], "regions": ["eu-west-1"]}, "target_table": "{table}-restored",
			"context": {"aws:SourceIp": "203.0.113.10", "aws:MultiFactorAuthPresent": true, "aws:TagKeys": ["a"]},
			"severity": "warn", "conditional": "warn",
		}],
		"exceptions": [{"guardrail": "x", "principal": "r*", "resource": "Ord*", "reason": "SEC-1"}],
	}
	count(gate._schema_problems) == 0 with input as plan([role, table]) with data.iam2rego_gate as cfg
}

selector_details(w) := {[f.guardrail, f.detail] | some f in w; f.code == "IAM2REGO-SELECTOR-UNMATCHED"}

test_forbid_whose_table_glob_matches_nothing_is_a_warning_naming_it if {
	g := {"id": "no-prod-delete", "kind": "forbid", "operation": "delete_backup", "resources": {"tables": ["prod-*"]}}
	w := gate.warn with input as plan([role, table, inline(from_corp)]) with data.iam2rego_gate as {"guardrails": [g]}
	selector_details(w) == {
		["no-prod-delete", `resources.tables "prod-*" matches no table of the plan`],
		["no-prod-delete", "selects no table of the plan: it checks nothing"],
	}
}

test_principal_globs_that_match_nothing_are_warnings if {
	g := {
		"id": "g", "kind": "forbid", "action": "dynamodb:DeleteBackup",
		"principals": {"names": ["r", "opz"], "exclude": ["break-glas"]},
	}
	w := gate.warn with input as plan([role, table, inline(from_corp)]) with data.iam2rego_gate as {"guardrails": [g]}
	selector_details(w) == {
		["g", `principals.names "opz" matches no role or user of the plan`],
		["g", `principals.exclude "break-glas" matches no role or user of the plan`],
	}
}

test_forbid_that_selects_no_principal_is_a_warning if {
	g := {"id": "g", "kind": "forbid", "action": "dynamodb:DeleteBackup", "principals": {"types": ["user"]}}
	w := gate.warn with input as plan([role, table, inline(from_corp)]) with data.iam2rego_gate as {"guardrails": [g]}
	selector_details(w) == {["g", "selects no principal of the plan: it checks nothing"]}
}

test_exceptions_that_match_nothing_are_warnings if {
	g := {"id": "g", "kind": "forbid", "action": "dynamodb:DeleteBackup"}
	xs := [
		{"guardrail": "gg", "reason": "typo in the id"},
		{"guardrail": "g", "principal": "rr", "reason": "typo in the principal"},
		{"guardrail": "g", "resource": "Order", "reason": "typo in the table"},
		{"guardrail": "IAM2REGO-WILDCARD-ADMIN", "principal": "r", "resource": "Orders"},
	]
	w := gate.warn with input as plan([role, table, inline(from_corp)])
		with data.iam2rego_gate as {"guardrails": [g], "exceptions": xs}
	selector_details(w) == {
		["gg", "exception #0 names no guardrail of the configuration and no built-in code"],
		["g", `exception #1: principal "rr" matches no role or user of the plan`],
		["g", `exception #2: resource "Order" matches no table or finding of the plan`],
	}
}
