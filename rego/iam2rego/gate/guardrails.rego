# iam2rego gate - user guardrails from the `iam2rego_gate.guardrails` data
package iam2rego.gate

import data.iam2rego.catalog

sample_backup_id := "01700000000000-0a1b2c3d"

backup_resource_actions := {"dynamodb:deletebackup", "dynamodb:describebackup", "dynamodb:restoretablefrombackup"}

# operations by the parameters a guardrail gives them (data.iam2rego.catalog.operations, generated
# from compiler/catalog/facts.json); AWS Backup operations: the selected principal is the caller, the
# guardrail's `role` (a role of the plan) is the role AWS Backup assumes; both policy sets are
# evaluated (ARCHITECTURE §4)
# (`some name in object.keys(...)`: regopy misreads `{x | some x, y in ...}` as a set literal)
ops_in(group) := {name |
	some name in object.keys(catalog.operations)
	catalog.operations[name].gate == group
}

table_ops := ops_in("table")

backup_ops := ops_in("backup")

restore_ops := ops_in("restore")

awsbackup_ops := ops_in("awsbackup")

supported_ops := {name |
	some name in object.keys(catalog.operations)
	catalog.operations[name].gate != null
}

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
primary_action := {name: lower(op.primary_action) |
	some name, op in catalog.operations
	op.gate != null
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

# probe(g, p, t) = {"answer": analysis answer, "resource": the probed ARN, "target": restore target ARN | null}
probe(g, p, t) := {"answer": a, "resource": resource, "target": null} if {
	g.action
	resource := action_resource(g, t)
	raw := {
		"action": g.action, "resource": resource,
		"context": probe_context(g, p, t.region), "principal": request_principal(p),
	}
	a := probe_answer(pset_for(p), raw)
}

probe(g, p, t) := {"answer": a, "resource": resource, "target": object.get(op, "target_table", null)} if {
	g.operation
	op := object.union(op_params(g, t), {
		"operation": g.operation,
		"context": object.remove(probe_context(g, p, t.region), ["aws:RequestedRegion"]),
		"principal": request_principal(p), "fixed": fixed_keys,
		"role_context": role_context(g), "role_fixed": fixed_keys,
	})
	a := probe_op_answer(op_policy_sets(g, p), op)
	resource := object.get(op, "backup", object.get(op, "recovery_point", t.arn))
}

# the AWS Backup role's own request context (its ARN, account, type and tags are fixed)
role_context(g) := principal_context(principals[backup_role_of(g)]) if g.operation in awsbackup_ops

role_context(g) := {} if not g.operation in awsbackup_ops

# The principal's policy set with every readable table resource policy, bound to its table ARN
# (aws_dynamodb_resource_policy.resource_arn): the generic evaluator applies a table's policy to
# requests on that table, its indexes and streams only (SEMANTICS §3.5), so each check of an
# operation (backup, source table, target table) sees its own resource's policy.
# A table policy that cannot be read (not JSON, rejected by the front end, known only after apply)
# is bound too, with no document: the generic evaluator refuses every request it would apply to
# (unreadable_policy), so each such check is unverifiable instead of "no resource policy" (which
# would silently drop its Deny statements, or an Allow a forbid must see).
pset_for(p) := object.union(policy_sets[p.address], {"resource_policies": bound_rbps})

bound_rbps := object.union(unreadable_rbps, readable_rbps)

readable_rbps := {arn: entry_for({"kind": "doc", "id": id}) | some arn, id in table_rbp; readable(id)}

unreadable_rbps := {arn: {"name": id, "document": null, "source": id} |
	some arn, id in table_rbp
	not readable(id)
}

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

# forbid: fails unless the principal is denied in every request context (allowed, conditional and
# unverifiable all fail; a conditional answer takes the guardrail's `conditional` severity)
guardrail_hits contains f if {
	some i, g in valid_guardrails
	g.kind == "forbid"
	action := guardrail_action(g)
	some addr, p in principals
	could_allow(addr, action)
	selects_principal(g, p)
	some t in targets_of[i]
	r := probe(g, p, t)
	r.answer.answer != "denied"
	f := guardrail_finding(g, p, t, r)
}

# require: fails unless the principal is allowed in every request context (with the pinned keys)
guardrail_hits contains f if {
	some i, g in valid_guardrails
	g.kind == "require"
	some p in principals
	selects_principal(g, p)
	some t in targets_of[i]
	r := probe(g, p, t)
	r.answer.answer != "allowed"
	f := guardrail_finding(g, p, t, r)
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

guardrail_finding(g, p, t, r) := {
	"code": "IAM2REGO-GUARDRAIL",
	"guardrail": g.id,
	"principal": p.address,
	"resource": r.resource,
	"table": t.name,
	"target_table": r.target,
	"answer": r.answer.answer,
	"condition": condition_words(r.answer),
	"decision": finding_decision(g.kind, r.answer),
	"check": failing_check(g, r.answer),
	"statement": first_reason(finding_reasons(g.kind, r.answer)),
	"severity": finding_severity(g, r.answer.answer),
	"detail": concat("", [
		answer_phrase(g.kind, r.answer.answer), " ", guardrail_subject(g), " on table ", t.name,
		answer_tail(r.answer), check_text(g, r.answer),
	]),
}

guardrail_subject(g) := object.get(g, "operation", object.get(g, "action", ""))

# the severity: the guardrail's, or `conditional` (default: the guardrail's) for a conditional answer
finding_severity(g, "conditional") := object.get(g, "conditional", object.get(g, "severity", "deny"))

finding_severity(g, answer) := object.get(g, "severity", "deny") if answer != "conditional"

answer_phrase("forbid", "allowed") := "is allowed"

answer_phrase("forbid", "conditional") := "can be allowed"

answer_phrase("require", "denied") := "is not allowed"

answer_phrase("require", "conditional") := "is allowed only conditionally"

answer_phrase(_, "unverifiable") := "cannot be verified for"

answer_tail(a) := " in every request context" if a.answer in {"allowed", "denied"}

answer_tail(a) := concat("", [": ", a.words]) if a.answer == "conditional"

answer_tail(a) := concat("", [": ", object.get(a, "note", unreadable_words(a))]) if {
	a.answer == "unverifiable"
}

# which policies could not be read (the generic evaluator's policy errors name them)
unreadable_words(a) := concat("", ["a policy of the set is unreadable (", concat(", ", names), ")"]) if {
	names := sort({e.source | some e in object.get(a, "policy_errors", [])})
	count(names) > 0
} else := "a policy of the set is unreadable"

condition_words(a) := a.words if a.answer == "conditional"

condition_words(a) := null if a.answer != "conditional"

# the decision a concrete request would get: in the most favourable context for a forbid (allow),
# in the least favourable one for a require (what denies it)
finding_decision("forbid", a) := primary_check(a).best.decision if a.answer != "unverifiable"

finding_decision("require", a) := a.failing[0].worst.decision if a.answer != "unverifiable"

finding_decision(_, a) := null if a.answer == "unverifiable"

# the statements that decide: the Allow statements that grant a forbidden request, the Deny
# statements (or none: no Allow) that refuse a required one
finding_reasons("forbid", a) := primary_check(a).best.reasons if a.answer != "unverifiable"

finding_reasons("require", a) := a.failing[0].worst.reasons if a.answer != "unverifiable"

finding_reasons(_, a) := [] if a.answer == "unverifiable"

primary_check(a) := c if {
	cs := [x | some x in a.checks; x.kind == "primary"]
	c := array.concat(cs, a.checks)[0]
}

# ---- which check of an operation failed, and for whom (composite operations only) ----

failing_check(g, a) := null if not composite_failure(g, a)

failing_check(g, a) := {
	"principal": c.principal, "role": check_role(g, c), "action": c.action, "resource": c.resource,
	"kind": c.kind, "answer": c.answer, "words": c.words,
} if {
	composite_failure(g, a)
	c := culprit(a)
}

composite_failure(g, a) if {
	g.operation
	count(a.checks) > 1
	count(object.get(a, "failing", [])) > 0
}

# a denied check explains a denial best; otherwise the first check that is only conditional
culprit(a) := c if {
	denied := [x | some x in a.failing; x.answer == "denied"]
	c := array.concat(denied, a.failing)[0]
}

check_role(g, c) := principals[backup_role_of(g)].arn if c.principal == "role"

check_role(_, c) := null if c.principal != "role"

check_text(g, a) := "" if not composite_failure(g, a)

check_text(g, a) := concat("", ["; failing check: ", who_text(c), " ", c.action, " on ", where, ": ", c.words]) if {
	composite_failure(g, a)
	c := failing_check(g, a)
	where := concat("", [c.resource, kind_text(c.kind)])
}

who_text(c) := "caller" if c.principal == "caller"

who_text(c) := concat("", ["AWS Backup role ", c.role]) if c.principal == "role"

kind_text("svc") := concat("", [
	" (made by the service: aws:ViaAWSService=true; ",
	"aws:SourceIp, aws:SourceVpc, aws:SourceVpce, aws:VpcSourceIp absent)",
])

kind_text("kms") := " (KMS key check)"

kind_text(k) := "" if not k in {"svc", "kms"}

first_reason(reasons) := null if count(reasons) == 0

first_reason(reasons) := {
	"policy": object.get(r, "policy", null), "sid": object.get(r, "sid", null),
	"statement_index": object.get(r, "statement_index", null), "effect": object.get(r, "effect", null),
} if {
	count(reasons) > 0
	r := reasons[0]
}
