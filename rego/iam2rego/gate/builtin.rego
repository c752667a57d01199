# iam2rego gate - built-in guardrails (static checks on the statements of the plan's policies)
package iam2rego.gate

import data.iam2rego.catalog
import data.iam2rego.match
import data.iam2rego.policydoc

# the restore's data-plane actions, shared with the Python side (compiler/catalog/facts.json)
_dataplane_actions := [lower(a) | some a in catalog.restore_dataplane_actions]

_is_allow(st) if st.Effect == "Allow"

_grants_action(st, action_lc) if {
	_is_allow(st)
	some p in policydoc.as_list(st.Action)
	is_string(p)
	_action_hit(lower(p), action_lc)
}

# literal patterns compare directly; only wildcard patterns go through the library matcher
_action_hit(p, action_lc) if {
	not regex.match(`[*?]`, p)
	p == action_lc
}

_action_hit(p, action_lc) if {
	regex.match(`[*?]`, p)
	match.action_matches(p, action_lc)
}

_star_only(entry) if regex.match(`^\*+$`, entry)

# subjects of the static checks: each identity document with the principal that holds it
_static_subjects contains {"principal": p, "policy": _edge_policy_address(edge), "document": e.document} if {
	some p, _ in principals
	some edge in _principal_edges(p)
	edge.slot == "identity"
	e := _entry_for(edge.target)
}

_static_subjects contains {"principal": null, "policy": id, "document": d.document} if {
	some id, d in documents
	d.kind in {"managed", "inline"}
	d.status == "ok"
	not id in _attached_ids
}

_attached_ids := {edge.target.id |
	some es in _edges
	some edge in es
	edge.target.kind == "doc"
}

_subjects_by_principal[s.principal] contains s if {
	some s in _static_subjects
	s.principal != null
}

_edge_policy_address(edge) := edge.target.id if edge.target.kind == "doc"

_edge_policy_address(edge) := concat(" via ", [edge.target.arn, edge.via]) if edge.target.kind == "managed"

_subject_statements contains [s, i, st] if {
	some s in _static_subjects
	some i, st in policydoc.statements(s.document)
}

# The rule of check's W-RESOURCE-MISMATCH (no-resource-action, compiler/checks/resource_mismatch.py)
# on the same data (catalog.no_resource_actions, generated from compiler/catalog/catalog.json): an
# Allow whose Action pattern covers ListBackups and only actions without resource types, with ARNs
# only in Resource (no "*"), grants nothing for them.
_builtin_hits contains f if {
	some [s, i, st] in _subject_statements
	_is_allow(st)
	resources := policydoc.as_list(object.get(st, "Resource", []))
	count(resources) > 0
	not _any_star_only(resources)
	some p in policydoc.as_list(object.get(st, "Action", []))
	is_string(p)
	match.action_matches(p, "dynamodb:listbackups")
	_only_no_resource_actions(p)
	entry := _listbackups_entry(resources)
	f := _hit(s, i, st, "IAM2REGO-LISTBACKUPS-ON-TABLE", entry, _listbackups_detail(entry))
}

# The rule of check's W-RESOURCE-MISMATCH (wrong-resource-type, compiler/checks/resource_mismatch.py)
# on the same data: an Allow naming a DynamoDB action literally whose Resource entries all denote a
# resource type the action is not checked on (catalog.dynamodb_resource_types from catalog.json,
# narrowed in the gate's evaluation mode by catalog.mode_resource_types from facts.json; the type of an
# entry from catalog.dynamodb_arn_types, facts.json) grants nothing for it: DescribeBackup or
# DeleteBackup on table ARNs, CreateBackup on backup ARNs, and in docs mode (the default; the config's
# `mode`, SEMANTICS §3.1) RestoreTableFromBackup on table ARNs: docs checks it on the backup only, while
# under sar-strict such a statement is the target-table half of a restore and is not flagged.
# Data-plane actions only on backup ARNs are IAM2REGO-DATAPLANE-ON-BACKUP (one finding, not two).
_builtin_hits contains f if {
	some [s, i, st] in _subject_statements
	_is_allow(st)
	resources := policydoc.as_list(object.get(st, "Resource", []))
	count(resources) > 0
	not _any_star_only(resources)
	some p in policydoc.as_list(object.get(st, "Action", []))
	is_string(p)
	not regex.match(`[*?]`, p)
	action := lower(p)
	types := catalog.dynamodb_resource_types[action]
	accepted := _types_in_mode(action, types)
	every r in resources {
		_known_type_elsewhere(r, accepted)
	}
	not _dataplane_on_backup(action, resources)
	f := _hit(s, i, st, "W-RESOURCE-MISMATCH", resources[0], _mismatch_detail(action, types, accepted, resources))
}

_builtin_hits contains f if {
	some [s, i, st] in _subject_statements
	resources := policydoc.as_list(object.get(st, "Resource", []))
	count(resources) > 0
	_all_backup_arns(resources)
	some action in _dataplane_actions
	_grants_action(st, action)
	detail := concat("", [action, " granted only on backup ARNs: restores cannot write the target table"])
	f := _hit(s, i, st, "IAM2REGO-DATAPLANE-ON-BACKUP", resources[0], detail)
}

_builtin_hits contains f if {
	some [s, i, st] in _subject_statements
	some entry in array.concat(
		policydoc.as_list(object.get(st, "Resource", [])),
		policydoc.as_list(object.get(st, "NotResource", [])),
	)
	_is_placeholder_arn(entry)
	detail := "placeholder account or Region in an ARN never matches a real resource"
	f := _hit(s, i, st, "W-PLACEHOLDER", entry, detail)
}

# W-BROAD-ALLOW is semantic: an Allow whose Action/NotAction covers every DynamoDB backup action
# (catalog.backup_actions, decided by match.action_matches: `*`, `dynamodb:*`, `dynamodb:**`,
# `dynamodb:*?`, `dynamodb:*Backup*`, NotAction "s3:*", ...) and whose Resource/NotResource covers
# every backup ARN (decided by match.resource_matches on a backup ARN with unknown Region, account,
# table and backup id: only wildcards reach it). Conditions do not lower it (as before).
_builtin_hits contains f if {
	some [s, i, st] in _subject_statements
	_is_allow(st)
	_covers_every_backup_action(st)
	_covers_every_backup(st)
	detail := concat("", [
		"Allow ", _broad_action_text(st), " on ", _broad_resource_text(st),
		" grants every DynamoDB backup action on every backup",
	])
	f := _hit(s, i, st, "W-BROAD-ALLOW", "*", detail)
}

# restore granted to a principal that may not write any table (the restore's data-plane writes fail)
_builtin_hits contains f if {
	some subjects in _subjects_by_principal
	some s in subjects
	some i, st in policydoc.statements(s.document)
	some restore in {"dynamodb:restoretablefrombackup", "dynamodb:restoretabletopointintime"}
	_grants_action(st, restore)
	missing := [a | some a in _dataplane_actions; not _writes_some_table(subjects, a)]
	count(missing) > 0
	resource := policydoc.as_list(object.get(st, "Resource", ["*"]))[0]
	msg := concat("", [restore, " granted, but no statement allows ", concat(", ", missing), " on a table"])
	f := _hit(s, i, st, "W-RESTORE-WITHOUT-WRITES", resource, msg)
}

_any_star_only(entries) if {
	some e in entries
	_star_only(e)
}

_is_placeholder_arn(entry) if {
	parts := split(entry, ":")
	count(parts) >= 6
	parts[0] == "arn"
	not contains(parts[4], "${")
	not regex.match(`^[0-9*?]*$`, parts[4])
}

_is_placeholder_arn(entry) if {
	parts := split(entry, ":")
	count(parts) >= 6
	parts[0] == "arn"
	not contains(parts[3], "${")
	not regex.match(`^[a-z0-9*?-]*$`, parts[3])
}

_writes_some_table(subjects, action) if {
	some s in subjects
	some st in policydoc.statements(s.document)
	_grants_action(st, action)
	some r in policydoc.as_list(object.get(st, "Resource", []))
	_table_capable(r)
}

_table_capable(r) if _star_only(r)

_table_capable(r) if {
	contains(r, ":table/")
	not regex.match(`:table/[^*]*/(backup|export|import|index|stream)/`, r)
}

_hit(s, i, st, code, resource, detail) := {
	"code": code,
	"guardrail": code,
	"principal": s.principal,
	"resource": resource,
	"decision": null,
	"statement": {
		"policy": s.policy, "sid": object.get(st, "Sid", null),
		"statement_index": i, "effect": object.get(st, "Effect", null),
	},
	"detail": detail,
	"severity": _builtin_severity(code),
}

_builtin_severity(code) := s if {
	s := _cfg.builtin[code].severity
	s in {"deny", "warn", "off"}
} else := s if {
	some former, current in _renamed_codes
	current == code
	s := _cfg.builtin[former].severity
	s in {"deny", "warn", "off"}
} else := "deny"

# The rules shared with `iam2rego check` carry its IDs (compiler/codes.py RENAMED, issue 9); settings and
# exceptions that name an earlier gate ID still apply.
_renamed_codes := {
	"IAM2REGO-PLACEHOLDER-ACCOUNT": "W-PLACEHOLDER",
	"IAM2REGO-RESTORE-WITHOUT-WRITE": "W-RESTORE-WITHOUT-WRITES",
	"IAM2REGO-WILDCARD-ADMIN": "W-BROAD-ALLOW",
}

_current_code(id) := _renamed_codes[id]

_current_code(id) := id if not _renamed_codes[id]

_backup_actions_lc := [lower(a) | some a in catalog.backup_actions]

# a backup ARN no literal pattern names: only wildcards match its Region, account, table and id
_unknown_backup_arn := catalog.unknown_backup_arn

_covers_every_backup_action(st) if {
	every a in _backup_actions_lc {
		_statement_action_covers(st, a)
	}
}

_statement_action_covers(st, a) if {
	st.Action
	some p in policydoc.as_list(st.Action)
	is_string(p)
	match.action_matches(p, a)
}

_statement_action_covers(st, a) if {
	not st.Action
	st.NotAction
	not _not_action_names(st, a)
}

_not_action_names(st, a) if {
	some p in policydoc.as_list(st.NotAction)
	is_string(p)
	match.action_matches(p, a)
}

_covers_every_backup(st) if {
	st.Resource
	some p in policydoc.as_list(st.Resource)
	is_string(p)
	match.resource_matches(p, _unknown_backup_arn, {}, true, "segment")
}

_covers_every_backup(st) if {
	not st.Resource
	st.NotResource
	not _not_resource_names_backup(st)
}

_not_resource_names_backup(st) if {
	some p in policydoc.as_list(st.NotResource)
	is_string(p)
	match.resource_matches(p, _unknown_backup_arn, {}, true, "segment")
}

_broad_action_text(st) := _json_text(st.Action) if st.Action

_broad_action_text(st) := concat("", ["NotAction ", _json_text(st.NotAction)]) if not st.Action

_broad_resource_text(st) := _json_text(st.Resource) if st.Resource

_broad_resource_text(st) := concat("", ["NotResource ", _json_text(st.NotResource)]) if not st.Resource

# every catalog action the pattern covers has no resource type (`*` covers others: never)
_only_no_resource_actions(p) if {
	p != "*"
	every a in catalog.actions {
		_no_resource_or_not_covered(p, a)
	}
}

_no_resource_or_not_covered(_, a) if a in catalog.no_resource_actions

_no_resource_or_not_covered(p, a) if not match.action_matches(p, a)

# ---- W-RESOURCE-MISMATCH (wrong-resource-type): the DynamoDB resource type of a Resource entry ----

# arn_type(entry): the type a literal ARN denotes (first of catalog.dynamodb_arn_types matching its
# resource part), or of a wildcard entry with a fixed child marker; undefined when unknown or mixed
# (checks/_util.dynamodb_resource_type on the same facts)
_arn_type(entry) := t if {
	resource := _dynamodb_resource_part(entry)
	not _has_wildcard(resource)
	ts := [name | some [name, rx] in catalog.dynamodb_arn_types; regex.match(_whole(rx), resource)]
	t := ts[0]
}

_arn_type(entry) := t if {
	resource := _dynamodb_resource_part(entry)
	_has_wildcard(resource)
	[[_, t]] := regex.find_all_string_submatch_n(_whole(catalog.dynamodb_child_pattern), resource, 1)
}

_dynamodb_resource_part(entry) := concat(":", array.slice(parts, 5, count(parts))) if {
	is_string(entry)
	parts := split(entry, ":")
	count(parts) >= 6
	parts[0] == "arn"
	parts[2] == "dynamodb"
}

_has_wildcard(text) if regex.match(`[*?]|\$\{`, text)

_whole(rx) := concat("", ["^(?:", rx, ")$"])

# the entry's type is known and is not one the action applies to
_known_type_elsewhere(r, accepted) if {
	t := _arn_type(r)
	not t in accepted
}

_all_backup_arns(resources) if {
	every r in resources {
		contains(r, "/backup/")
	}
}

_dataplane_on_backup(action_lc, resources) if {
	action_lc in _dataplane_actions
	_all_backup_arns(resources)
}

# the resource types the action is checked on in the gate's mode (lower-case action names)
_mode_resource_types := {lower(a): ts |
	some a, ts in object.get(catalog.mode_resource_types, _eval_opts.mode, {})
}

_types_in_mode(action_lc, _) := _mode_resource_types[action_lc]

_types_in_mode(action_lc, types) := types if not _mode_resource_types[action_lc]

# check's messages (compiler/checks/resource_mismatch.py): the catalog's types fit some entry, only
# the mode leaves them out (the sar-strict target-table half), else the action never applies to them
_mismatch_detail(action_lc, types, accepted, resources) := concat("", [
	name, " is checked only on ", needed, " ARNs in ", _eval_opts.mode,
	" mode (a restore's target table needs only the data-plane writes), but this statement lists only ",
	_listed_types(resources), " ARNs; it grants nothing for ", name, " in ", _eval_opts.mode,
	" mode. Under sar-strict it would be the target-table half of a restore, still needing ", name,
	" on the ", needed,
]) if {
	_some_type_in(resources, types)
	name := catalog.dynamodb_action_names[action_lc]
	needed := concat("/", sort(accepted))
} else := concat("", [
	name, " applies to ", concat("/", sort(types)), " ARNs, but this statement lists only ",
	_listed_types(resources), " ARNs; it grants nothing for ", name,
]) if {
	name := catalog.dynamodb_action_names[action_lc]
}

_some_type_in(resources, types) if {
	some r in resources
	t := _arn_type(r)
	t in types
}

_listed_types(resources) := concat(", ", sort({_arn_type(r) | some r in resources}))

# the first table ARN (the usual mistake), else the first entry
_listbackups_entry(resources) := tables[0] if {
	tables := [e | some e in resources; is_string(e); contains(e, ":table/")]
	count(tables) > 0
} else := resources[0]

_listbackups_detail(entry) := "allow on a table ARN grants nothing: ListBackups needs Resource \"*\"" if {
	is_string(entry)
	contains(entry, ":table/")
} else := "allow on an ARN grants nothing: ListBackups supports no resource-level permissions, it needs Resource \"*\""
