# iam2rego gate - user guardrails from the `iam2rego_gate.guardrails` data
package iam2rego.gate

import data.iam2rego.catalog
import data.iam2rego.policydoc

_sample_backup_id := "01700000000000-0a1b2c3d"

_backup_resource_actions := {"dynamodb:deletebackup", "dynamodb:describebackup", "dynamodb:restoretablefrombackup"}

# operations by the parameters a guardrail gives them (data.iam2rego.catalog.operations, generated
# from compiler/catalog/facts.json); AWS Backup operations: the selected principal is the caller, the
# guardrail's `role` (a role of the plan) is the role AWS Backup assumes; both policy sets are
# evaluated (ARCHITECTURE §4)
# (`some name in object.keys(...)`: regopy misreads `{x | some x, y in ...}` as a set literal)
ops_in(group) := {name |
	some name in object.keys(catalog.operations)
	catalog.operations[name].gate == group
}

_table_ops := ops_in("table")

_backup_ops := ops_in("backup")

_restore_ops := ops_in("restore")

_awsbackup_ops := ops_in("awsbackup")

# the AWS Backup plane (SEMANTICS §14): asked per table and per vault its recovery points go to
_vault_ops := ops_in("vault")

_recovery_point_ops := {"delete_recovery_point", "update_recovery_point_lifecycle"}

_supported_ops := {name |
	some name in object.keys(catalog.operations)
	catalog.operations[name].gate != null
} | {name | some name in object.keys(catalog.gate_composites)}

default _user_guardrails := []

_user_guardrails := _cfg.guardrails if is_array(_cfg.guardrails)

_guardrail_problems contains concat("", ["guardrail #", format_int(i, 10), ": ", why]) if {
	some [i, why] in _guardrail_problem_pairs
}

_guardrail_problem_pairs contains [i, "needs exactly one of `operation` and `action`"] if {
	some i, g in _user_guardrails
	g.kind != "no-new-access"
	count({k | some k in ["operation", "action"]; g[k]}) != 1
}

_guardrail_problem_pairs contains [i, "no-new-access needs `operations` or `actions` (lists)"] if {
	some i, g in _user_guardrails
	g.kind == "no-new-access"
	count({k | some k in ["operations", "actions"]; is_array(g[k]); count(g[k]) > 0}) == 0
}

_guardrail_problem_pairs contains [i, "AWS Backup operations need `role`: the name of a role of the plan"] if {
	some i, g in _user_guardrails
	g.operation in _awsbackup_ops
	not _backup_role_of(g)
}

_bad_guardrail_indexes := {i | some [i, _] in _guardrail_problem_pairs}

_valid_guardrails := [g | some i; g := _user_guardrails[i]; not i in _bad_guardrail_indexes]

# targets of each valid guardrail, computed once
_targets_of[i] := _expand_targets(g, _guardrail_tables(g)) if some i, g in _valid_guardrails

# A vault operation is asked for each vault the table's recovery points go to (vaults.rego); a
# composite (delete_any_backup) for each of its operations, on both planes, every vault included.
_expand_targets(g, ts) := ts if {
	not _is_vault_op(g)
	not _is_composite(g)
}

_expand_targets(g, ts) := {x |
	some t in ts
	some v in vaults_of_table(t)
	x := object.union(t, {"vault": v, "sub": g.operation})
} if {
	g.operation in _vault_ops
}

_expand_targets(g, ts) := {x |
	some t in ts
	some sub in subs
	some x in _sub_targets(t, sub)
} if {
	subs := catalog.gate_composites[g.operation]
}

_sub_targets(t, sub) := {object.union(t, {"sub": sub})} if not sub in _vault_ops

# (the head bound in the body: regopy 1.5.2 yields [] for a head naming an argument the body does not)
_sub_targets(t, sub) := {x | some v in vaults_of_table(t); x := object.union(t, {"vault": v, "sub": sub})} if {
	sub in _vault_ops
}

_is_composite(g) if {
	op := g.operation
	catalog.gate_composites[op]
}

_is_vault_op(g) if {
	op := g.operation
	op in _vault_ops
}

# the operation a probe asks: the guardrail's, or the part of a composite this target stands for
_probe_op(g, t) := object.get(t, "sub", g.operation)

# the action whose Allow an operation needs first (prefilter for forbid guardrails)
primary_action := {name: lower(op.primary_action) |
	some name, op in catalog.operations
	op.gate != null
}

_guardrail_action(g) := lower(g.action) if g.action

_guardrail_action(g) := primary_action[g.operation] if g.operation

_guardrail_actions(g) := {_guardrail_action(g)} if not _is_composite(g)

_guardrail_actions(g) := {primary_action[sub] | some sub in subs} if {
	subs := catalog.gate_composites[g.operation]
}

# could_allow(p, action_lc): some Allow statement of the principal's identity policies names the
# action (or uses NotAction), or some table resource policy allows something; otherwise the
# principal cannot be allowed and forbid guardrails need not evaluate it
_could_allow(p, action_lc) if {
	some s in object.get(_subjects_by_principal, p, set())
	some st in policydoc.statements(s.document)
	_is_allow(st)
	_statement_may_grant(st, action_lc)
}

_could_allow(_, _) if count(table_rbp) > 0

_could_allow(_, _) if count(_vault_policies) > 0

_could_allow_any(addr, actions) if {
	some action in actions
	_could_allow(addr, action)
}

_statement_may_grant(st, action_lc) if _grants_action(st, action_lc)

_statement_may_grant(st, _) if st.NotAction

# ---- glob helpers (only `*` and `?` are wildcards) ----

_glob_regex(pattern) := concat("", ["^", concat("", [_glob_piece(c) | some c in split(pattern, "")]), "$"])

_glob_piece("*") := `[\s\S]*`

_glob_piece("?") := `[\s\S]`

_glob_piece(c) := concat("", ["\\", c]) if {
	not c in {"*", "?"}
	regex.match(`[.+^$()\[\]{}|\\]`, c)
}

_glob_piece(c) := c if {
	not c in {"*", "?"}
	not regex.match(`[.+^$()\[\]{}|\\]`, c)
}

_glob_any(patterns, s) if {
	some p in patterns
	regex.match(_glob_regex(p), s)
}

# ---- principal selection: selectors.rego (_selection) ----

# ---- resource selection: tables of the plan by name, explicit ARNs, other Regions to probe ----

_guardrail_tables(g) := {t |
	sel := object.get(g, "resources", {})
	some tb in tables
	_glob_any(object.get(sel, "tables", _default_table_globs(sel)), tb.name)
	some region in object.get(sel, "regions", [tb.region])
	t := {"name": tb.name, "region": region, "arn": _with_region(tb.arn, region), "address": tb.address, "table": tb}
} | {t |
	some arn in object.get(object.get(g, "resources", {}), "arns", [])
	parts := split(arn, ":")
	t := {"name": trim_prefix(parts[5], "table/"), "region": parts[3], "arn": arn, "table": outside_table(arn)}
}

_default_table_globs(sel) := [] if sel.arns

_default_table_globs(sel) := ["*"] if not sel.arns

_with_region(arn, region) := concat(":", array.concat(array.slice(parts, 0, 3), rest)) if {
	parts := split(arn, ":")
	rest := array.concat([region], array.slice(parts, 4, count(parts)))
}

_backup_arn(t) := concat("/backup/", [t.arn, _sample_backup_id])

_target_table_arn(g, t) := _with_name(t.arn, replace(_target_template(g), "{table}", t.name))

_target_template(g) := object.get(g, "target_table", "{table}-restored")

_with_name(arn, name) := concat("", [regex.replace(arn, `table/.*$`, "table/"), name])

# ---- building and evaluating probes ----

# the request context the principal fixes: its ARN and user name when they are known (open keys
# otherwise), account, type, and the tags no session can override (_principal_tag_context)
_principal_context(p) := object.union(
	object.union(_arn_ctx(p), {"aws:PrincipalAccount": _account_id, "aws:PrincipalType": _principal_kind(p)}),
	object.union(_username_ctx(p), _principal_tag_context(p)),
)

_arn_ctx(p) := {"aws:PrincipalArn": p.arn} if p.arn != null

_arn_ctx(p) := {} if p.arn == null

_principal_kind(p) := "AssumedRole" if p.type == "role"

_principal_kind(p) := "IAMUser" if p.type == "user"

_username_ctx(p) := {"aws:username": p.name} if {
	p.type == "user"
	p.name != null
}

_username_ctx(p) := {} if not _known_user(p)

_known_user(p) if {
	p.type == "user"
	p.name != null
}

_request_principal(p) := {"arn": _eval_arn(p), "account": _account_id, "type": _principal_kind(p)}

# the ARN the evaluator matches Principal elements against: the principal's, or when its name is
# known only after apply a stand-in in its account (matches the account and "*", no named ARN;
# selectors.rego reports a table policy that names a principal ARN it could be)
_eval_arn(p) := p.arn if p.arn != null

_eval_arn(p) := arn if {
	p.arn == null
	parts := [_path_or_root(p), _prefix_or_empty(p), "(name known after apply)"]
	arn := concat("", array.concat(["arn:aws:iam::", _account_id, ":", p.type], parts))
}

_probe_context(g, p, region) := object.union(
	object.union({"aws:RequestedRegion": region}, _principal_context(p)),
	object.get(g, "context", {}),
)

_action_resource(g, t) := _backup_arn(t) if lower(g.action) in _backup_resource_actions

_action_resource(g, t) := t.arn if not lower(g.action) in _backup_resource_actions

_op_params(g, t) := {"table": t.arn} if _probe_op(g, t) in _table_ops

_op_params(g, t) := {"backup": _backup_arn(t)} if _probe_op(g, t) in _backup_ops

_op_params(g, t) := {"backup": _backup_arn(t), "target_table": _target_table_arn(g, t)} if {
	g.operation == "restore_table_from_backup"
}

_op_params(g, t) := {"source_table": t.arn, "target_table": _target_table_arn(g, t)} if {
	g.operation == "restore_table_to_point_in_time"
}

# a recovery point of the table in the vault (SEMANTICS §14.3), and the vault's lock (§14.4)
_op_params(_, t) := {
	"recovery_point": _sample_recovery_point(t.vault),
	"vault": t.vault,
	"vault_lock": vault_lock_param(t.vault),
} if {
	t.sub in _recovery_point_ops
}

_op_params(_, t) := {"vault": t.vault, "vault_lock": vault_lock_param(t.vault)} if {
	t.sub in _vault_ops
	not t.sub in _recovery_point_ops
}

_op_params(g, t) := {"table": t.arn, "vault": _vault_arn(g, t), "role": principals[_backup_role_of(g)].arn} if {
	g.operation == "aws_backup_start_backup_job"
}

# the recovery point is a DynamoDB backup of the table, so the role does the RestoreTableFromBackup row
_op_params(g, t) := {
	"recovery_point": _backup_arn(t), "target_table": _target_table_arn(g, t),
	"role": principals[_backup_role_of(g)].arn,
} if {
	g.operation == "aws_backup_start_restore_job"
}

# the table's customer managed key for the operations that need it (kms.rego, SEMANTICS §13.2)
_table_kms_params(g, t) := kms_params(g.operation, t.table) if t.table

_table_kms_params(_, t) := {} if not t.table

# backup_role_of(g): address of the plan role named by the guardrail's `role`
_backup_role_of(g) := addr if {
	is_string(g.role)
	count(object.get(_roles_by_name, g.role, set())) == 1
	some addr in _roles_by_name[g.role]
}

_vault_arn(g, t) := concat(":", ["arn:aws:backup", t.region, _account_id, "backup-vault", _vault_name(g)])

_vault_name(g) := object.get(g, "vault", "Default")

# policy sets by principal kind (ARCHITECTURE §4): the caller, and the AWS Backup role when there is one
_op_policy_sets(g, p) := {"caller": _pset_for(p)} if not g.operation in _awsbackup_ops

_op_policy_sets(g, p) := {"caller": _pset_for(p), "role": _pset_for(principals[r])} if {
	g.operation in _awsbackup_ops
	r := _backup_role_of(g)
}

# probe(g, p, t) = {"answer": analysis answer, "resource": the probed ARN, "target": restore target ARN | null}
_probe(g, p, t) := {"answer": a, "resource": resource, "target": null} if {
	g.action
	resource := _action_resource(g, t)
	raw := {
		"action": g.action, "resource": resource,
		"context": _probe_context(g, p, t.region), "principal": _request_principal(p),
	}
	a := _probe_answer(_pset_for(p), raw, _fixed_keys(p))
}

_probe(g, p, t) := {"answer": a, "resource": resource, "target": object.get(op, "target_table", null)} if {
	g.operation
	op := object.union(object.union(_op_params(g, t), _table_kms_params(g, t)), {
		"operation": _probe_op(g, t),
		"context": object.remove(_probe_context(g, p, t.region), ["aws:RequestedRegion"]),
		"principal": _request_principal(p), "fixed": _fixed_keys(p),
		"role_context": _role_context(g), "role_fixed": _role_fixed(g),
	})
	a := _probe_op_answer(_op_policy_sets(g, p), op)
	resource := _probe_resource(g, t, op)
}

# the resource a finding names: the backup or recovery point probed, the vault of a vault operation,
# else the table
_probe_resource(g, t, op) := object.get(op, "backup", object.get(op, "recovery_point", op.vault)) if {
	_probe_op(g, t) in _vault_ops
} else := object.get(op, "backup", object.get(op, "recovery_point", t.arn))

# the AWS Backup role's own request context (its ARN, account, type and tags are fixed)
_role_context(g) := _principal_context(principals[_backup_role_of(g)]) if g.operation in _awsbackup_ops

_role_context(g) := {} if not g.operation in _awsbackup_ops

_role_fixed(g) := _fixed_keys(principals[_backup_role_of(g)]) if g.operation in _awsbackup_ops

_role_fixed(g) := [] if not g.operation in _awsbackup_ops

# The principal's policy set with every readable table resource policy, bound to its table ARN
# (aws_dynamodb_resource_policy.resource_arn): the generic evaluator applies a table's policy to
# requests on that table, its indexes and streams only (SEMANTICS §3.5), so each check of an
# operation (backup, source table, target table) sees its own resource's policy.
# A table policy that cannot be read (not JSON, rejected by the front end, known only after apply)
# is bound too, with no document: the generic evaluator refuses every request it would apply to
# (unreadable_policy), so each such check is unverifiable instead of "no resource policy" (which
# would silently drop its Deny statements, or an Allow a forbid must see).
_pset_for(p) := object.union(policy_sets[p.address], {
	"resource_policies": object.union(_bound_rbps, object.union(_vault_unreadable, _vault_policies)),
	"vault_locks": vault_locks,
	"key_policies": bound_key_policies,
})

_bound_rbps := object.union(_unreadable_rbps, _readable_rbps)

_readable_rbps := {arn: _entry_for({"kind": "doc", "id": id}) | some arn, id in table_rbp; readable(id)}

_unreadable_rbps := {arn: {"name": id, "document": null, "source": id} |
	some arn, id in table_rbp
	not readable(id)
}

# The readable resource policy of one table (null when none): the access matrix reads it per table.
rbp_entries(table) := object.get(_readable_rbps, table, null)

policy_sets[p] := _policy_set(p) if some p, _ in principals

# no-new-access compares the plan's prior state with its planned values: `iam2rego gate` computes that
# delta (compiler/access) and says so with data.iam2rego_cli.no_new_access; the pack alone (plain
# conftest) cannot, and fails closed instead of passing silently (guardrail_hits below).
_cli_computes_no_new_access if data.iam2rego_cli.no_new_access == true

_no_new_access_unchecked := concat(" ", [
	"no-new-access guardrails need `iam2rego gate`",
	"(the conftest pack cannot compare the prior state)",
])

# ---- findings ----

# forbid: fails unless the principal is denied in every request context (allowed, conditional and
# unverifiable all fail; a conditional answer takes the guardrail's `conditional` severity)
_guardrail_hits contains f if {
	some i, g in _valid_guardrails
	g.kind == "forbid"
	some addr, p in principals
	_could_allow_any(addr, _guardrail_actions(g))
	sel := _selection(g, p)
	sel != "out"
	some t in _targets_of[i]
	r := _checked_probe(g, p, t)
	r.answer.answer != "denied"
	f := _guardrail_finding(g, p, t, _selected_answer(g, p, sel, r))
}

# require: fails unless the principal is allowed in every request context (with the pinned keys)
_guardrail_hits contains f if {
	some i, g in _valid_guardrails
	g.kind == "require"
	some p in principals
	sel := _selection(g, p)
	sel != "out"
	some t in _targets_of[i]
	r := _checked_probe(g, p, t)
	r.answer.answer != "allowed"
	f := _guardrail_finding(g, p, t, _selected_answer(g, p, sel, r))
}

_guardrail_hits contains f if {
	some g in _valid_guardrails
	g.kind == "require"
	count([p | some p in principals; _selects_principal(g, p)]) == 0
	f := object.union(_empty_finding(g), {"detail": "no principal of the plan matches this guardrail"})
}

_guardrail_hits contains f if {
	some i, g in _valid_guardrails
	g.kind == "require"
	count(_targets_of[i]) == 0
	f := object.union(_empty_finding(g), {"detail": "no table of the plan matches this guardrail"})
}

_guardrail_hits contains f if {
	not _cli_computes_no_new_access
	some g in _valid_guardrails
	g.kind == "no-new-access"
	f := object.union(_empty_finding(g), {"detail": _no_new_access_unchecked})
}

# A principal the guardrail may or may not select (its name is known only after apply) whose answer
# fails the guardrail: unverifiable, naming the name and the selector.
_selected_answer(_, _, "in", r) := r

_selected_answer(g, p, "unknown", r) := object.union(r, {"answer": {
	"answer": "unverifiable", "checks": [], "failing": [],
	"note": concat("", [
		"its name is known only after apply", _prefix_words(p), ": cannot tell whether principals ",
		json.marshal(_sel_of(g)), " selects it; it would be ", r.answer.answer,
	]),
}})

_prefix_words(p) := concat("", [" (name_prefix ", _quoted(p.name_prefix), ")"]) if p.name_prefix != null

_prefix_words(p) := " (no name or name_prefix)" if p.name_prefix == null

# A principal whose ARN is known only after apply is evaluated under a stand-in ARN that no
# Principal element names; when a readable table policy names an IAM ARN of its type it could have
# (Principal or NotPrincipal), the stand-in may decide wrongly: unverifiable, naming the policy.
_checked_probe(g, p, t) := _probe(g, p, t) if not _rbp_may_name(p)

_checked_probe(g, p, t) := object.union(r, {"answer": {
	"answer": "unverifiable", "checks": [], "failing": [],
	"note": concat("", [
		"its ARN is known only after apply", _prefix_words(p), " and table policy ", id,
		" names ", arn, ", which may be it; it would be ", r.answer.answer,
	]),
}}) if {
	[id, arn] := _rbp_may_name_pairs(p)[0]
	r := _probe(g, p, t)
}

_rbp_may_name(p) if count(_rbp_may_name_pairs(p)) > 0

_rbp_may_name_pairs(p) := [x | some x in sort(_rbp_named_arns(p))]

_rbp_named_arns(p) := {[id, s] |
	p.arn == null
	some [id, s] in _rbp_principal_arns
	startswith(s, concat("", ["arn:aws:iam::", _account_id, ":", p.type, "/"]))
	_entry_match(s, p) != "no"
}

# [table policy id, IAM ARN] for every ARN a readable table policy names in Principal/NotPrincipal
# (statements bound first: regopy 1.5.2 misreads `some x in f(y)` inside a comprehension)
_rbp_principal_arns contains [id, s] if {
	some id in table_rbp
	readable(id)
	sts := policydoc.statements(documents[id].document)
	some st in sts
	some field in ["Principal", "NotPrincipal"]
	names := _aws_principals(object.get(st, field, {}))
	some s in names
	startswith(s, "arn:aws:iam::")
}

_aws_principals(x) := [x] if is_string(x)

_aws_principals(x) := [s | some s in aws; is_string(s)] if {
	is_object(x)
	aws := policydoc.as_list(object.get(x, "AWS", []))
}

_empty_finding(g) := {
	"code": "IAM2REGO-GUARDRAIL", "guardrail": g.id, "principal": null, "resource": null,
	"decision": null, "statement": null, "severity": object.get(g, "severity", "deny"),
}

_guardrail_finding(g, p, t, r) := {
	"code": "IAM2REGO-GUARDRAIL",
	"guardrail": g.id,
	"principal": p.address,
	"resource": r.resource,
	"table": t.name,
	"target_table": r.target,
	"answer": r.answer.answer,
	"condition": _condition_words(r.answer),
	"decision": _finding_decision(g.kind, r.answer),
	"check": _failing_check(g, r.answer),
	"statement": _first_reason(_finding_reasons(g.kind, r.answer)),
	"severity": _finding_severity(g, r.answer.answer),
	"vault": object.get(t, "vault", null),
	"plane": _plane_of(g, t),
	"detail": concat("", [
		_answer_phrase(g.kind, r.answer.answer), " ", _guardrail_subject(g, t), " on table ", t.name,
		_vault_text(t), _answer_tail(r.answer), _check_text(g, r.answer),
	]),
}

_guardrail_subject(g, t) := _probe_op(g, t) if not _is_composite(g)

_guardrail_subject(g, t) := concat("", [g.operation, " (", t.sub, ")"]) if _is_composite(g)

_guardrail_subject(g, _) := g.action if is_string(g.action)

# which backup plane a finding is about (SEMANTICS §14): AWS Backup recovery points and vaults, or
# DynamoDB's own backups (null for actions and other operations)
_plane_of(g, t) := p if {
	vault := object.get(t, "vault", null)
	p := _plane(vault, _is_composite(g))
} else := _plane(object.get(t, "vault", null), false)

_plane(null, true) := "dynamodb"

_plane(null, false) := null

_plane(vault, _) := "aws_backup" if vault != null

_vault_text(t) := concat("", [" (recovery points in vault ", split(t.vault, ":")[6], ")"]) if t.vault

_vault_text(t) := " (DynamoDB backups)" if {
	object.get(t, "vault", null) == null
	object.get(t, "sub", null) != null
}

_vault_text(t) := "" if {
	object.get(t, "vault", null) == null
	object.get(t, "sub", null) == null
}

# the severity: the guardrail's, or `conditional` (default: the guardrail's) for a conditional answer
_finding_severity(g, "conditional") := object.get(g, "conditional", object.get(g, "severity", "deny"))

_finding_severity(g, answer) := object.get(g, "severity", "deny") if {
	answer != "conditional"
	not _require_unverifiable(g, answer)
}

# a require whose answer cannot be verified (an unresolved boundary, an unreadable policy): the
# `unverifiable` severity, as the policy's own IAM2REGO-UNVERIFIABLE finding (SEMANTICS §13.4)
_finding_severity(g, answer) := _unverifiable_severity if _require_unverifiable(g, answer)

_require_unverifiable(g, "unverifiable") if g.kind == "require"

_answer_phrase("forbid", "allowed") := "is allowed"

_answer_phrase("forbid", "conditional") := "can be allowed"

_answer_phrase("require", "denied") := "is not allowed"

_answer_phrase("require", "conditional") := "is allowed only conditionally"

_answer_phrase(_, "unverifiable") := "cannot be verified for"

_answer_tail(a) := " in every request context" if a.answer in {"allowed", "denied"}

_answer_tail(a) := concat("", [": ", a.words]) if a.answer == "conditional"

_answer_tail(a) := concat("", [": ", object.get(a, "note", _unreadable_words(a))]) if {
	a.answer == "unverifiable"
}

# which policies could not be read (the generic evaluator's policy errors name them)
_unreadable_words(a) := concat("", ["a policy of the set is unreadable (", concat(", ", names), ")"]) if {
	names := sort({e.source | some e in object.get(a, "policy_errors", [])})
	count(names) > 0
} else := "a policy of the set is unreadable"

_condition_words(a) := a.words if a.answer == "conditional"

_condition_words(a) := null if a.answer != "conditional"

# the decision a concrete request would get: in the most favourable context for a forbid (allow),
# in the least favourable one for a require (what denies it)
_finding_decision("forbid", a) := _primary_check(a).best.decision if a.answer != "unverifiable"

_finding_decision("require", a) := a.failing[0].worst.decision if a.answer != "unverifiable"

_finding_decision(_, a) := null if a.answer == "unverifiable"

# the statements that decide: the Allow statements that grant a forbidden request, the Deny
# statements (or none: no Allow) that refuse a required one
_finding_reasons("forbid", a) := _primary_check(a).best.reasons if a.answer != "unverifiable"

_finding_reasons("require", a) := a.failing[0].worst.reasons if a.answer != "unverifiable"

_finding_reasons(_, a) := [] if a.answer == "unverifiable"

_primary_check(a) := c if {
	cs := [x | some x in a.checks; x.kind == "primary"]
	c := array.concat(cs, a.checks)[0]
}

# ---- which check of an operation failed, and for whom (composite operations only) ----

_failing_check(g, a) := null if not _composite_failure(g, a)

_failing_check(g, a) := {
	"principal": c.principal, "role": _check_role(g, c), "action": c.action, "resource": c.resource,
	"kind": c.kind, "answer": c.answer, "words": c.words,
} if {
	_composite_failure(g, a)
	c := _culprit(a)
}

_composite_failure(g, a) if {
	g.operation
	count(a.checks) > 1
	count(object.get(a, "failing", [])) > 0
}

# a denied check explains a denial best; otherwise the first check that is only conditional
_culprit(a) := c if {
	denied := [x | some x in a.failing; x.answer == "denied"]
	c := array.concat(denied, a.failing)[0]
}

_check_role(g, c) := principals[_backup_role_of(g)].arn if c.principal == "role"

_check_role(_, c) := null if c.principal != "role"

_check_text(g, a) := "" if not _composite_failure(g, a)

_check_text(g, a) := concat("", ["; failing check: ", _who_text(c), " ", c.action, " on ", where, ": ", c.words]) if {
	_composite_failure(g, a)
	c := _failing_check(g, a)
	where := concat("", [c.resource, _kind_text(c.kind)])
}

_who_text(c) := "caller" if c.principal == "caller"

_who_text(c) := concat("", ["AWS Backup role ", c.role]) if c.principal == "role"

_kind_text("svc") := concat("", [
	" (made by the service: aws:ViaAWSService=true; ",
	"aws:SourceIp, aws:SourceVpc, aws:SourceVpce, aws:VpcSourceIp absent)",
])

_kind_text("kms") := " (KMS key check)"

_kind_text(k) := "" if not k in {"svc", "kms"}

_first_reason(reasons) := null if count(reasons) == 0

_first_reason(reasons) := {
	"policy": object.get(r, "policy", null), "sid": object.get(r, "sid", null),
	"statement_index": object.get(r, "statement_index", null), "effect": object.get(r, "effect", null),
} if {
	count(reasons) > 0
	r := reasons[0]
}
