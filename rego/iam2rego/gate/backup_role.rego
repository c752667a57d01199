# iam2rego gate - built-in IAM2REGO-BACKUP-ROLE: can the role of an AWS Backup selection back up its tables?
# For each aws_backup_selection, the DynamoDB tables of the plan it selects (`resources` ARNs or globs,
# references to aws_dynamodb_table, `selection_tag` STRINGEQUALS; minus `not_resources`) and the role it
# names (`iam_role_arn`: a role of the plan by ARN or reference), the analysis answers, for the ROLE's
# policy set, each request AWS Backup makes for a table (SEMANTICS §3.3, AWS Backup rows):
#   advanced DynamoDB backup (AWS's default for accounts since Nov 2021 and for backups made by a plan;
#   [AWSB-ADV-DDB]): dynamodb:StartAwsBackupJob and dynamodb:ListTagsOfResource on the table;
#   an aws_backup_region_settings of the plan with resource_type_management_preference.DynamoDB = false
#   (DynamoDB-managed backups): dynamodb:CreateBackup and DescribeTable on the table, DescribeBackup and
#   DeleteBackup on its backups (the DynamoDB part of AWSBackupServiceRolePolicyForBackup).
# denied -> deny, conditional -> warn with the condition, unverifiable (a role outside the plan, an
# unreadable policy) -> warn; a `builtin` severity setting overrides all three.
package iam2rego.gate

_backup_role_code := "IAM2REGO-BACKUP-ROLE"

_backup_selections := _live_of_type("aws_backup_selection")

# ---- the role a selection names: a role of the plan (by known ARN or by reference), else a reason ----

_selection_role(sel) := addr if {
	arn := _known_string(sel, "iam_role_arn")
	some addr, p in principals
	p.type == "role"
	p.arn == arn
} else := addr if {
	addr := _resolve_ref(sel, "iam_role_arn")
	principals[addr].type == "role"
}

_selection_role_problem(sel) := concat("", ["role ", arn, " is not managed by this plan"]) if {
	not _selection_role(sel)
	arn := _known_string(sel, "iam_role_arn")
} else := concat("", [
	"iam_role_arn is known only after apply; it ", resolve_words(r),
	", which is not a role of the plan",
]) if {
	not _selection_role(sel)
	r := resolve(sel, "iam_role_arn")
	r.kind == "resource"
} else := r.why if {
	not _selection_role(sel)
	r := resolve(sel, "iam_role_arn")
	r.kind == "unknown"
} else := "iam_role_arn names no role of the plan" if {
	not _selection_role(sel)
}

# ---- the tables a selection picks ----

_selection_tables(sel) := by_resources | by_tag if {
	# `some addr in object.keys(...)`: regopy 1.5.2 reads `some k, v in` inside a set comprehension as
	# two set elements ("Invalid collection")
	by_resources := {addr |
		some addr in object.keys(tables)
		_selected_by_resources(sel, tables[addr])
		not _excluded_by_not_resources(sel, tables[addr])
	}
	by_tag := {addr |
		some addr in object.keys(tables)
		_selected_by_tag(sel, addr)
		not _excluded_by_not_resources(sel, tables[addr])
	}
}

_selected_by_resources(sel, t) if {
	some pattern in object.get(after(sel), "resources", [])
	is_string(pattern)
	_glob_any([pattern], t.arn)
}

# resources / not_resources known only after apply: the elements resolve() ties to a plan resource
# (`[aws_dynamodb_table.t["k"].arn]`), or known ARNs of the plan's resources
_selected_by_resources(sel, t) if {
	some it in _selection_items(sel, "resources")
	_item_names_table(it, t)
}

_excluded_by_not_resources(sel, t) if {
	some pattern in object.get(after(sel), "not_resources", [])
	is_string(pattern)
	_glob_any([pattern], t.arn)
}

# Elements of not_resources the plan does not show can only leave out more tables: the findings on
# the tables that stay selected are kept (a finding too many, never a missed one).
_excluded_by_not_resources(sel, t) if {
	some it in _selection_items(sel, "not_resources")
	_item_names_table(it, t)
}

_selection_items(sel, attr) := resolve_items(sel, attr) if _unknown_anywhere(sel, attr)

_item_names_table(it, t) if {
	it.kind == "resource"
	it.address == t.address
	it.attr in {"arn", null}
}

_item_names_table(it, t) if {
	it.kind == "value"
	it.ref
	is_string(it.value)
	_glob_any([it.value], t.arn)
}

_selected_by_tag(sel, addr) if {
	some cond in object.get(after(sel), "selection_tag", [])
	upper(object.get(cond, "type", "")) == "STRINGEQUALS"
	tags := object.union(object.get(after(addr), "tags_all", {}), _tags_of(addr))
	tags[cond.key] == cond.value
}

# ---- what AWS Backup asks of the role for one table ----

_ddb_managed_backup_regions contains _region_of(addr) if {
	some addr in _live_of_type("aws_backup_region_settings")
	object.get(after(addr), ["resource_type_management_preference", "DynamoDB"], true) == false
}

_backup_role_requests(t) := [
	["dynamodb:StartAwsBackupJob", t.arn],
	["dynamodb:ListTagsOfResource", t.arn],
] if {
	not t.region in _ddb_managed_backup_regions
}

_backup_role_requests(t) := [
	["dynamodb:CreateBackup", t.arn],
	["dynamodb:DescribeTable", t.arn],
	["dynamodb:DescribeBackup", _backup_arn(t)],
	["dynamodb:DeleteBackup", _backup_arn(t)],
] if {
	t.region in _ddb_managed_backup_regions
}

_backup_role_feature(t) := "advanced DynamoDB backup" if not t.region in _ddb_managed_backup_regions

_backup_role_feature(t) := "DynamoDB-managed backups (advanced features off)" if t.region in _ddb_managed_backup_regions

# [action, resource, analysis answer] for each request
_backup_role_answers(role, t) := [[req[0], req[1], a] |
	some req in _backup_role_requests(t)
	a := _probe_answer(
		_pset_for(role), {
			"action": req[0], "resource": req[1],
			"context": object.union({"aws:RequestedRegion": t.region}, _principal_context(role)),
			"principal": _request_principal(role),
		},
		_fixed_keys(role),
	)
]

# the worst answer first: unverifiable, denied, conditional
_answer_rank := {"unverifiable": 0, "denied": 1, "conditional": 2, "allowed": 3}

_worst_role_answer(answers) := w if {
	ranks := [_answer_rank[x[2].answer] | some x in answers]
	worst := min(ranks)
	some w, r in _answer_rank
	r == worst
}

# ---- findings ----

_builtin_hits contains f if {
	some sel in _backup_selections
	role := principals[_selection_role(sel)]
	some addr in _selection_tables(sel)
	t := tables[addr]
	answers := _backup_role_answers(role, t)
	worst := _worst_role_answer(answers)
	worst != "allowed"
	failing := [x | some x in answers; x[2].answer == worst]
	f := _backup_role_finding(sel, role.address, t, worst, failing)
}

_builtin_hits contains f if {
	some sel in _backup_selections
	why := _selection_role_problem(sel)
	some addr in _selection_tables(sel)
	t := tables[addr]
	f := object.union(_backup_role_base(sel, null, t, "unverifiable"), {
		"statement": {"policy": sel, "sid": null, "statement_index": null, "effect": null},
		"detail": concat("", [
			"AWS Backup selection ", sel, " backs up table ", t.name, " with a role that cannot be verified: ",
			why, "; add the role to the plan or check it has ", _backup_role_actions_text(t), " on the table",
		]),
	})
}

# resources known only after apply that the configuration does not tie to a table of the plan: the
# selection may back up tables the pack cannot name, so it is reported instead of passing silently
_builtin_hits contains f if {
	some sel in _backup_selections
	_resources_unknown(sel)
	some it in resolve_items(sel, "resources")
	words := _unresolved_resource_words(it)
	f := object.union(_backup_role_base(sel, _selection_role_or_null(sel), {"arn": null, "name": null}, "unverifiable"), {
		"statement": {"policy": sel, "sid": null, "statement_index": null, "effect": null},
		"detail": concat("", [
			"AWS Backup selection ", sel, " selects resources known only after apply (", words,
			"): the tables it backs up, and whether its role can, cannot be verified",
		]),
	})
}

# `resources` unknown as a whole may hold elements the plan does not show (SEMANTICS §13.4): a plan
# table the selection does not name may be selected too. When the selection's role (a role of the
# plan) cannot back that table up, the selection is unverifiable for it instead of passing.
_builtin_hits contains f if {
	some sel in _backup_selections
	_resources_unknown(sel)
	some it in resolve_items(sel, "resources")
	_hidden_elements_item(it)
	role := principals[_selection_role(sel)]
	selected := _selection_tables(sel)
	some addr in object.keys(tables)
	not addr in selected
	t := tables[addr]
	worst := _worst_role_answer(_backup_role_answers(role, t))
	worst != "allowed"
	f := object.union(_backup_role_base(sel, role.address, t, "unverifiable"), {
		"statement": {"policy": sel, "sid": null, "statement_index": null, "effect": null},
		"detail": concat("", [
			"AWS Backup selection ", sel, " may also back up table ", t.name, " (", it.why,
			") and its role is ", worst, " what ", _backup_role_feature(t), " needs there (",
			_backup_role_actions_text(t), ")",
		]),
	})
}

# an element of `resources` that names no table of the plan (the list's elements the plan does not
# show are not reported here: see SEMANTICS §13.4)
_unresolved_resource_words(it) := resolve_words(it) if {
	it.kind == "resource"
	not tables[it.address]
}

_unresolved_resource_words(it) := it.why if {
	it.kind == "unknown"
	not _hidden_elements_item(it)
}

_hidden_elements_item(it) if {
	it.kind == "unknown"
	contains(it.why, "may hold elements the plan does not show")
}

_selection_role_or_null(sel) := r if {
	r := _selection_role(sel)
} else := null

_resources_unknown(sel) if _attr_unknown(sel, "resources")

_resources_unknown(sel) if {
	some u in object.get(_unknown_of(sel), "resources", [])
	u == true
}

_backup_role_base(sel, role, t, answer) := {
	"code": _backup_role_code, "guardrail": _backup_role_code, "principal": role,
	"resource": t.arn, "table": t.name, "selection": sel, "answer": answer,
	"condition": null, "decision": null, "statement": null,
	"severity": _backup_role_severity(answer),
}

_backup_role_finding(sel, role, t, "denied", failing) := object.union(_backup_role_base(sel, role, t, "denied"), {
	"decision": failing[0][2].checks[0].best.decision,
	"statement": _first_reason(failing[0][2].checks[0].best.reasons),
	"detail": concat("", [
		"the role of AWS Backup selection ", sel, " is denied ", _failing_actions(failing),
		" on table ", t.name, " in every request context: AWS Backup cannot back it up (",
		_backup_role_feature(t), " needs ", _backup_role_actions_text(t), ")",
	]),
})

_backup_role_finding(sel, role, t, "conditional", failing) := object.union(
	_backup_role_base(sel, role, t, "conditional"),
	{
		"condition": concat("; ", [x[2].words | some x in failing]),
		"decision": "allow",
		"statement": _first_reason(failing[0][2].checks[0].best.reasons),
		"detail": concat("", [
			"the role of AWS Backup selection ", sel, " is allowed ", _failing_actions(failing),
			" on table ", t.name, " only conditionally: ",
			concat("; ", [concat("", [x[0], " ", x[2].words]) | some x in failing]),
			" (", _backup_role_feature(t), " needs ", _backup_role_actions_text(t), ")",
		]),
	},
)

_backup_role_finding(sel, role, t, "unverifiable", failing) := object.union(
	_backup_role_base(sel, role, t, "unverifiable"),
	{"detail": concat("", [
		"the role of AWS Backup selection ", sel, " cannot be verified for ", _failing_actions(failing),
		" on table ", t.name, ": ", _unreadable_words(failing[0][2]),
	])},
)

_failing_actions(failing) := concat(", ", [x[0] | some x in failing])

_backup_role_actions_text(t) := concat(", ", [r[0] | some r in _backup_role_requests(t)])

_backup_role_severity(answer) := s if {
	s := _cfg.builtin[_backup_role_code].severity
	s in {"deny", "warn", "off"}
} else := _by_answer_severity(answer)

_by_answer_severity("denied") := "deny"

_by_answer_severity(answer) := "warn" if answer != "denied"
