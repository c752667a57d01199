package iam2rego.gate_test

import data.iam2rego.gate

# selectors.rego: guardrails and exceptions whose selectors select nothing (IAM2REGO-SELECTOR-UNMATCHED)

selector_plan := plan([role, table, inline(allow_all_backups)])

# [guardrail, detail] of every selector warning among the findings
unmatched(findings) := {[f.guardrail, f.detail] |
	some f in findings
	f.code == "IAM2REGO-SELECTOR-UNMATCHED"
}

test_a_principal_glob_matching_nothing_warns if {
	g := {"id": "g", "kind": "forbid", "operation": "delete_backup", "principals": {"names": ["nobody*"]}}
	hits := unmatched(gate.warn) with input as selector_plan with data.iam2rego_gate as {"guardrails": [g]}
	["g", "principals.names \"nobody*\" matches no role or user of the plan"] in hits
	["g", "selects no principal of the plan: it checks nothing"] in hits
}

test_a_table_glob_matching_nothing_warns if {
	g := {"id": "g", "kind": "forbid", "operation": "delete_backup", "resources": {"tables": ["Missing*"]}}
	hits := unmatched(gate.warn) with input as selector_plan with data.iam2rego_gate as {"guardrails": [g]}
	["g", "resources.tables \"Missing*\" matches no table of the plan"] in hits
	["g", "selects no table of the plan: it checks nothing"] in hits
}

test_selectors_that_match_do_not_warn if {
	g := {"id": "g", "kind": "forbid", "operation": "delete_backup", "principals": {"names": ["r"]}, "resources": {"tables": ["Ord*"]}}
	hits := unmatched(gate.warn) with input as selector_plan with data.iam2rego_gate as {"guardrails": [g]}
	hits == set()
}

test_an_exception_naming_no_guardrail_or_code_warns if {
	hits := unmatched(gate.warn) with input as selector_plan with data.iam2rego_gate as {"exceptions": [{"guardrail": "typo", "reason": "x"}]}
	hits == {["typo", "exception #0 names no guardrail of the configuration and no built-in code"]}
}

test_an_exception_may_name_a_builtin_code_or_a_former_id if {
	x := {"guardrail": "IAM2REGO-UNVERIFIABLE", "reason": "x"}
	hits := unmatched(gate.warn) with input as selector_plan with data.iam2rego_gate as {"exceptions": [x]}
	hits == set()
	"IAM2REGO-UNVERIFIABLE" in gate._builtin_codes
}

test_an_exception_principal_or_resource_matching_nothing_warns if {
	x := {"guardrail": "IAM2REGO-UNVERIFIABLE", "principal": "ghost", "resource": "nothing-*", "reason": "x"}
	hits := unmatched(gate.warn) with input as selector_plan with data.iam2rego_gate as {"exceptions": [x]}
	hits == {
		["IAM2REGO-UNVERIFIABLE", "exception #0: principal \"ghost\" matches no role or user of the plan"],
		["IAM2REGO-UNVERIFIABLE", "exception #0: resource \"nothing-*\" matches no table or finding of the plan"],
	}
}

test_glob_any_set_needs_one_name_matching_one_glob if {
	gate._glob_any_set(["a*"], {"b", "abc"})
	not gate._glob_any_set(["a*"], {"b", "c"})
	not gate._glob_any_set(["a*"], set())
}
