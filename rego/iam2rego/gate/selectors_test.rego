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

# ---- guardrail principal selection: type-qualified entries, names known only after apply ----

named(type, name) := {"type": type, "name": name, "name_prefix": null, "arn": concat("", ["arn:aws:iam::123456789012:", type, "/", name]), "path": "/"}

unnamed(prefix) := {"type": "role", "name": null, "name_prefix": prefix, "arn": null, "path": "/"}

sel(principals) := {"principals": principals}

test_entries_name_a_type_an_arn_or_any_type if {
	gate._entry_match("role/break-glass", named("role", "break-glass")) == "yes"
	gate._entry_match("role/break-glass", named("user", "break-glass")) == "no"
	gate._entry_match("user/b*", named("user", "break-glass")) == "yes"
	gate._entry_match("break-glass", named("user", "break-glass")) == "yes"
	gate._entry_match("arn:aws:iam::123456789012:role/break-*", named("role", "break-glass")) == "yes"
	gate._entry_match("arn:aws:iam::123456789012:role/break-*", named("user", "break-glass")) == "no"
}

test_an_unknown_name_matches_yes_maybe_or_no if {
	gate._entry_match("*", unnamed(null)) == "yes"
	gate._entry_match("cleaner-*", unnamed("cleaner-")) == "yes"
	gate._entry_match("clean*", unnamed("cleaner-")) == "yes"
	gate._entry_match("cleaner-a*", unnamed("cleaner-")) == "maybe"
	gate._entry_match("*-prod", unnamed("cleaner-")) == "maybe"
	gate._entry_match("ops-*", unnamed("cleaner-")) == "no"
	gate._entry_match("ops-*", unnamed(null)) == "maybe"
	gate._entry_match("user/*", unnamed(null)) == "no"
	gate._entry_match("arn:aws:iam::123456789012:role/cleaner-*", unnamed("cleaner-")) == "yes" with data.iam2rego_gate as {"account_id": "123456789012"}
	gate._entry_match("arn:aws:iam::123456789012:role/ops*", unnamed("cleaner-")) == "no" with data.iam2rego_gate as {"account_id": "123456789012"}
}

test_selection_is_in_out_or_unknown if {
	gate._selection(sel({"names": ["*"]}), unnamed(null)) == "in"
	gate._selection(sel({"names": ["ops-*"]}), unnamed(null)) == "unknown"
	gate._selection(sel({"names": ["ops-*"]}), unnamed("cleaner-")) == "out"
	gate._selection(sel({"exclude": ["role/cleaner-*"]}), unnamed("cleaner-")) == "out"
	gate._selection(sel({"exclude": ["role/x*"]}), unnamed(null)) == "unknown"
	gate._selection(sel({"types": ["user"]}), unnamed(null)) == "out"
}

same_name_plan := plan([
	change("aws_iam_role.bg", "aws_iam_role", "bg", ["no-op"], {"name": "break-glass", "path": "/"}, {}),
	change("aws_iam_user.bg", "aws_iam_user", "bg", ["create"], {"name": "break-glass", "path": "/"}, {"arn": true}),
])

ambiguous(findings) := {[f.guardrail, f.detail] | some f in findings; f.code == "IAM2REGO-SELECTOR-AMBIGUOUS"}

test_a_bare_exclusion_of_a_role_and_a_user_name_excludes_neither_and_warns if {
	g := {"id": "g", "kind": "forbid", "operation": "delete_backup", "principals": {"exclude": ["break-glass"]}}
	gate._selection(g, gate.principals["aws_iam_role.bg"]) == "in" with input as same_name_plan
	gate._selection(g, gate.principals["aws_iam_user.bg"]) == "in" with input as same_name_plan
	hits := ambiguous(gate.warn) with input as same_name_plan with data.iam2rego_gate as {"guardrails": [g]}
	hits == {["g", concat("", [
		"principals.exclude \"break-glass\" is a bare name that matches role aws_iam_role.bg, user aws_iam_user.bg ",
		"and excludes none of them; write role/NAME, user/NAME, an ARN or `types:`",
	])]}
}

test_a_qualified_exclusion_excludes_its_type_only_and_does_not_warn if {
	g := {"id": "g", "kind": "forbid", "operation": "delete_backup", "principals": {"exclude": ["role/break-glass"]}}
	gate._selection(g, gate.principals["aws_iam_role.bg"]) == "out" with input as same_name_plan
	gate._selection(g, gate.principals["aws_iam_user.bg"]) == "in" with input as same_name_plan
	count(ambiguous(gate.warn)) == 0 with input as same_name_plan with data.iam2rego_gate as {"guardrails": [g]}
}

test_a_bare_exclusion_of_a_principal_the_plan_creates_warns if {
	g := {"id": "g", "kind": "forbid", "operation": "delete_backup", "principals": {"types": ["user"], "exclude": ["break-glass"]}}
	gate._selection(g, gate.principals["aws_iam_user.bg"]) == "out" with input as same_name_plan
	[[_, detail]] := [h | some h in ambiguous(gate.warn)] with input as same_name_plan with data.iam2rego_gate as {"guardrails": [g]}
	contains(detail, "excludes user aws_iam_user.bg, which this plan creates")
}

# a table policy that names an ARN an unnamed role could get: its stand-in ARN cannot decide
rbp_naming(arn) := change("aws_dynamodb_resource_policy.p", "aws_dynamodb_resource_policy", "p", ["create"], after, {}) if {
	statement := {"Effect": "Allow", "Principal": {"AWS": arn}, "Action": "dynamodb:DeleteBackup", "Resource": "*"}
	policy := json.marshal({"Version": "2012-10-17", "Statement": [statement]})
	after := {"resource_arn": "arn:aws:dynamodb:eu-west-1:123456789012:table/Orders", "policy": policy}
}

unnamed_role := change("aws_iam_role.c", "aws_iam_role", "c", ["create"], {"name_prefix": "cleaner-", "path": "/"}, {"name": true, "arn": true})

forbid_orders_delete := {"id": "g", "kind": "forbid", "operation": "delete_backup", "resources": {"tables": ["Orders"]}}

test_a_table_policy_naming_an_arn_an_unnamed_role_may_get_makes_it_unverifiable if {
	p := plan([unnamed_role, table, rbp_naming("arn:aws:iam::123456789012:role/cleaner-20260101")])
	hits := {[f.principal, f.answer] | some f in gate._guardrail_hits} with input as p with data.iam2rego_gate as {"guardrails": [forbid_orders_delete]}
	hits == {["aws_iam_role.c", "unverifiable"]}

	# an ARN it cannot get (another prefix) leaves the stand-in's answer: denied, no finding
	q := plan([unnamed_role, table, rbp_naming("arn:aws:iam::123456789012:role/ops")])
	count(gate._guardrail_hits) == 0 with input as q with data.iam2rego_gate as {"guardrails": [forbid_orders_delete]}
}
