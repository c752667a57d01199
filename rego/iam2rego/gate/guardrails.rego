# iam2rego gate - user guardrails from the `iam2rego_gate.guardrails` data
package iam2rego.gate

sample_backup_id := "01700000000000-0a1b2c3d"

backup_resource_actions := {"dynamodb:deletebackup", "dynamodb:describebackup", "dynamodb:restoretablefrombackup"}

table_ops := {
	"create_backup", "update_continuous_backups", "describe_continuous_backups",
	"export_table_to_point_in_time", "import_table", "list_backups",
}

backup_ops := {"describe_backup", "delete_backup"}

restore_ops := {"restore_table_from_backup", "restore_table_to_point_in_time"}

# AWS Backup operations: the selected principal is the caller, the guardrail's `role` (a role of the
# plan) is the role AWS Backup assumes; both policy sets are evaluated (ARCHITECTURE §4)
awsbackup_ops := {"aws_backup_start_backup_job", "aws_backup_start_restore_job"}

supported_ops := ((table_ops | backup_ops) | restore_ops) | awsbackup_ops

default user_guardrails := []

user_guardrails := cfg.guardrails if is_array(cfg.guardrails)

guardrail_problems contains concat("", ["guardrail #", format_int(i, 10), ": ", why]) if {
	some [i, why] in guardrail_problem_pairs
}

guardrail_problem_pairs contains [i, "needs exactly one of `operation` and `action`"] if {
	some i, g in user_guardrails
	g.kind != "no-new-access"
	count({k | some k in ["operation", "action"]; g[k]}) != 1
}

guardrail_problem_pairs contains [i, "no-new-access needs `operations` or `actions` (lists)"] if {
	some i, g in user_guardrails
	g.kind == "no-new-access"
	count({k | some k in ["operations", "actions"]; is_array(g[k]); count(g[k]) > 0}) == 0
}

guardrail_problem_pairs contains [i, "AWS Backup operations need `role`: the name of a role of the plan"] if {
	some i, g in user_guardrails
	g.operation in awsbackup_ops
	not backup_role_of(g)
}

bad_guardrail_indexes := {i | some [i, _] in guardrail_problem_pairs}

valid_guardrails := [g | some i; g := user_guardrails[i]; not i in bad_guardrail_indexes]

# targets of each valid guardrail, computed once
targets_of[i] := guardrail_tables(g) if some i, g in valid_guardrails

# the action whose Allow an operation needs first (prefilter for forbid guardrails)
primary_action := {
	"create_backup": "dynamodb:createbackup", "describe_backup": "dynamodb:describebackup",
	"delete_backup": "dynamodb:deletebackup", "list_backups": "dynamodb:listbackups",
	"restore_table_from_backup": "dynamodb:restoretablefrombackup",
	"restore_table_to_point_in_time": "dynamodb:restoretabletopointintime",
	"update_continuous_backups": "dynamodb:updatecontinuousbackups",
	"describe_continuous_backups": "dynamodb:describecontinuousbackups",
	"export_table_to_point_in_time": "dynamodb:exporttabletopointintime", "import_table": "dynamodb:importtable",
	"aws_backup_start_backup_job": "backup:startbackupjob",
	"aws_backup_start_restore_job": "backup:startrestorejob",
}

guardrail_action(g) := lower(g.action) if g.action

guardrail_action(g) := primary_action[g.operation] if g.operation

# could_allow(p, action_lc): some Allow statement of the principal's identity policies names the
# action (or uses NotAction), or some table resource policy allows something; otherwise the
# principal cannot be allowed and forbid guardrails need not evaluate it
could_allow(p, action_lc) if {
	some s in object.get(subjects_by_principal, p, set())
	some st in statements(s.document)
	is_allow(st)
	statement_may_grant(st, action_lc)
}

could_allow(_, _) if count(table_rbp) > 0

statement_may_grant(st, action_lc) if grants_action(st, action_lc)

statement_may_grant(st, _) if st.NotAction

# ---- glob helpers (only `*` and `?` are wildcards) ----

glob_regex(pattern) := concat("", ["^", concat("", [glob_piece(c) | some c in split(pattern, "")]), "$"])

glob_piece("*") := `[\s\S]*`

glob_piece("?") := `[\s\S]`

glob_piece(c) := concat("", ["\\", c]) if {
	not c in {"*", "?"}
	regex.match(`[.+^$()\[\]{}|\\]`, c)
}

glob_piece(c) := c if {
	not c in {"*", "?"}
	not regex.match(`[.+^$()\[\]{}|\\]`, c)
}

glob_any(patterns, s) if {
	some p in patterns
	regex.match(glob_regex(p), s)
}

# ---- principal selection ----

selects_principal(g, p) if {
	sel := object.get(g, "principals", {})
	principal_type_ok(sel, p)
	glob_any(object.get(sel, "names", ["*"]), p.name)
	not glob_any(object.get(sel, "exclude", []), p.name)
}

principal_type_ok(sel, p) if p.type in object.get(sel, "types", ["role", "user"])

# ---- resource selection: tables of the plan by name, explicit ARNs, other Regions to probe ----

guardrail_tables(g) := {t |
	sel := object.get(g, "resources", {})
	some tb in tables
	glob_any(object.get(sel, "tables", default_table_globs(sel)), tb.name)
	some region in object.get(sel, "regions", [tb.region])
	t := {"name": tb.name, "region": region, "arn": with_region(tb.arn, region)}
} | {t |
	some arn in object.get(object.get(g, "resources", {}), "arns", [])
	parts := split(arn, ":")
	t := {"name": trim_prefix(parts[5], "table/"), "region": parts[3], "arn": arn}
}

default_table_globs(sel) := [] if sel.arns

default_table_globs(sel) := ["*"] if not sel.arns

with_region(arn, region) := concat(":", array.concat(array.slice(parts, 0, 3), rest)) if {
	parts := split(arn, ":")
	rest := array.concat([region], array.slice(parts, 4, count(parts)))
}

backup_arn(t) := concat("/backup/", [t.arn, sample_backup_id])

target_table_arn(g, t) := with_name(t.arn, replace(target_template(g), "{table}", t.name))

target_template(g) := object.get(g, "target_table", "{table}-restored")

with_name(arn, name) := concat("", [regex.replace(arn, `table/.*$`, "table/"), name])

# ---- building and evaluating probes ----

principal_context(p) := object.union(
	{"aws:PrincipalArn": p.arn, "aws:PrincipalAccount": account_id, "aws:PrincipalType": principal_kind(p)},
	object.union(username_ctx(p), {k: v | some tk, v in p.tags; k := concat("", ["aws:PrincipalTag/", tk])}),
)

principal_kind(p) := "AssumedRole" if p.type == "role"

principal_kind(p) := "IAMUser" if p.type == "user"

username_ctx(p) := {"aws:username": p.name} if p.type == "user"

username_ctx(p) := {} if p.type != "user"

request_principal(p) := {"arn": p.arn, "account": account_id, "type": principal_kind(p)}

probe_context(g, p, region) := object.union(
	object.union({"aws:RequestedRegion": region}, principal_context(p)),
	object.get(g, "context", {}),
)

action_resource(g, t) := backup_arn(t) if lower(g.action) in backup_resource_actions

action_resource(g, t) := t.arn if not lower(g.action) in backup_resource_actions

op_params(g, t) := {"table": t.arn} if g.operation in table_ops

op_params(g, t) := {"backup": backup_arn(t)} if g.operation in backup_ops

op_params(g, t) := {"backup": backup_arn(t), "target_table": target_table_arn(g, t)} if {
	g.operation == "restore_table_from_backup"
}

op_params(g, t) := {"source_table": t.arn, "target_table": target_table_arn(g, t)} if {
	g.operation == "restore_table_to_point_in_time"
}

op_params(g, t) := {"table": t.arn, "vault": vault_arn(g, t), "role": principals[backup_role_of(g)].arn} if {
	g.operation == "aws_backup_start_backup_job"
}

# the recovery point is a DynamoDB backup of the table, so the role does the RestoreTableFromBackup row
op_params(g, t) := {
	"recovery_point": backup_arn(t), "target_table": target_table_arn(g, t),
	"role": principals[backup_role_of(g)].arn,
} if {
	g.operation == "aws_backup_start_restore_job"
}

# backup_role_of(g): address of the plan role named by the guardrail's `role`
backup_role_of(g) := addr if {
	is_string(g.role)
	count(object.get(roles_by_name, g.role, set())) == 1
	some addr in roles_by_name[g.role]
}

vault_arn(g, t) := concat(":", ["arn:aws:backup", t.region, account_id, "backup-vault", vault_name(g)])

vault_name(g) := object.get(g, "vault", "Default")

# policy sets by principal kind (ARCHITECTURE §4): the caller, and the AWS Backup role when there is one
op_policy_sets(g, p) := {"caller": pset_for(p)} if not g.operation in awsbackup_ops

op_policy_sets(g, p) := {"caller": pset_for(p), "role": pset_for(principals[r])} if {
	g.operation in awsbackup_ops
	r := backup_role_of(g)
}

# probe(g, p, t) = {"allowed", "decision", "resource", "reasons"}
probe(g, p, t) := result if {
	g.action
	resource := action_resource(g, t)
	raw := {
		"action": g.action, "resource": resource,
		"context": probe_context(g, p, t.region), "principal": request_principal(p),
	}
	d := probe_decision(pset_for(p), raw)
	result := {"allowed": d.allowed, "decision": d.decision, "resource": resource, "reasons": d.reasons}
}

probe(g, p, t) := result if {
	g.operation
	op := object.union(op_params(g, t), {
		"operation": g.operation,
		"context": object.remove(probe_context(g, p, t.region), ["aws:RequestedRegion"]),
		"principal": request_principal(p),
	})
	v := probe_verdict(op_policy_sets(g, p), op)
	resource := object.get(op, "backup", object.get(op, "recovery_point", t.arn))
	result := {"allowed": v.allowed, "decision": v.decision, "resource": resource, "reasons": verdict_reasons(v)}
}

# the statements that decided: a denying check's reasons, else the primary check's reasons
verdict_reasons(v) := v.failing[0].reasons if count(object.get(v, "failing", [])) > 0

verdict_reasons(v) := r if {
	count(object.get(v, "failing", [])) == 0
	r := [x | some c in v.checks; some x in c.reasons]
}

# The principal's policy set with every readable table resource policy, bound to its table ARN
# (aws_dynamodb_resource_policy.resource_arn): the generic evaluator applies a table's policy to
# requests on that table, its indexes and streams only (SEMANTICS §3.5), so each check of an
# operation (backup, source table, target table) sees its own resource's policy.
pset_for(p) := object.union(policy_sets[p.address], {"resource_policies": readable_rbps})

readable_rbps := {arn: entry_for({"kind": "doc", "id": id}) | some arn, id in table_rbp; readable(id)}

# The readable resource policy of one table (null when none): the access matrix reads it per table.
rbp_entries(table) := object.get(readable_rbps, table, null)

policy_sets[p] := policy_set(p) if some p, _ in principals

# no-new-access compares the plan's prior state with its planned values: `iam2rego gate` computes that
# delta (compiler/access) and says so with data.iam2rego_cli.no_new_access; the pack alone (plain
# conftest) cannot, and fails closed instead of passing silently (guardrail_hits below).
cli_computes_no_new_access if data.iam2rego_cli.no_new_access == true

no_new_access_unchecked := concat(" ", [
	"no-new-access guardrails need `iam2rego gate`",
	"(the conftest pack cannot compare the prior state)",
])

# ---- findings ----

guardrail_hits contains f if {
	some i, g in valid_guardrails
	g.kind == "forbid"
	action := guardrail_action(g)
	some addr, p in principals
	could_allow(addr, action)
	selects_principal(g, p)
	some t in targets_of[i]
	r := probe(g, p, t)
	r.allowed
	f := guardrail_finding(g, p, t, r, "is allowed")
}

guardrail_hits contains f if {
	some i, g in valid_guardrails
	g.kind == "require"
	some p in principals
	selects_principal(g, p)
	some t in targets_of[i]
	r := probe(g, p, t)
	not r.allowed
	f := guardrail_finding(g, p, t, r, "is not allowed")
}

guardrail_hits contains f if {
	some g in valid_guardrails
	g.kind == "require"
	count([p | some p in principals; selects_principal(g, p)]) == 0
	f := object.union(empty_finding(g), {"detail": "no principal of the plan matches this guardrail"})
}

guardrail_hits contains f if {
	some i, g in valid_guardrails
	g.kind == "require"
	count(targets_of[i]) == 0
	f := object.union(empty_finding(g), {"detail": "no table of the plan matches this guardrail"})
}

guardrail_hits contains f if {
	not cli_computes_no_new_access
	some g in valid_guardrails
	g.kind == "no-new-access"
	f := object.union(empty_finding(g), {"detail": no_new_access_unchecked})
}

empty_finding(g) := {
	"code": "IAM2REGO-GUARDRAIL", "guardrail": g.id, "principal": null, "resource": null,
	"decision": null, "statement": null, "severity": object.get(g, "severity", "deny"),
}

guardrail_finding(g, p, t, r, verb) := {
	"code": "IAM2REGO-GUARDRAIL",
	"guardrail": g.id,
	"principal": p.address,
	"resource": r.resource,
	"table": t.name,
	"decision": r.decision,
	"statement": first_reason(r.reasons),
	"severity": object.get(g, "severity", "deny"),
	"detail": concat(" ", [verb, object.get(g, "operation", object.get(g, "action", "")), "on table", t.name]),
}

first_reason(reasons) := null if count(reasons) == 0

first_reason(reasons) := {
	"policy": object.get(r, "policy", null), "sid": object.get(r, "sid", null),
	"statement_index": object.get(r, "statement_index", null), "effect": object.get(r, "effect", null),
} if {
	count(reasons) > 0
	r := reasons[0]
}
