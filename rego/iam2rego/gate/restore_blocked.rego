# iam2rego gate - built-in IAM2REGO-RESTORE-WRITES-BLOCKED: a restore whose service-made writes are denied
# DynamoDB writes a restored table with the caller's permissions, as sub-requests made by the service
# (SEMANTICS §3.2: aws:ViaAWSService=true, no aws:SourceIp/SourceVpc/SourceVpce/VpcSourceIp). A Deny on
# a network key without an aws:ViaAWSService (or aws:CalledVia) exception denies those writes while the
# caller's own requests pass: AWS cancels the restore [DDB-RESTORE-TUT]. The analysis answers it per
# check: the restore's [svc] checks are denied while every caller check is allowed or conditional, and
# the caller's own request for the same write is not denied.
package iam2rego.gate

import data.iam2rego.operations

restore_blocked_code := "IAM2REGO-RESTORE-WRITES-BLOCKED"

# Denies that read a key the service's sub-requests set or remove (the keys §3.2 fixes for [svc] checks):
# only principals with such a Deny and a restore grant are analysed.
service_context_keys := operations.network_keys | {
	"aws:viaawsservice", "aws:calledvia",
	"aws:calledviafirst", "aws:calledvialast",
}

restore_candidates contains addr if {
	some addr, _ in principals
	could_allow(addr, "dynamodb:restoretablefrombackup")
	some e in pset_entries(policy_sets[addr])
	some st in statements(entry_document(e))
	st.Effect == "Deny"
	some keys in object.get(st, "Condition", {})
	some k, _ in keys
	lower(k) in service_context_keys
}

pset_entries(ps) := array.concat(
	array.concat(ps.identity, boundary_list(ps.boundary)),
	[e | some level in ps.scp; some e in level],
)

boundary_list(null) := []

boundary_list(b) := [b] if b != null

entry_document(e) := e.document if is_object(e.document)

entry_document(e) := json.unmarshal(e.document) if {
	is_string(e.document)
	json.is_valid(e.document)
}

# the tables a restore is probed on: the plan's, restored to `<name>-restored` (the guardrails'
# default target); a plan without tables: one sample table of the default Region (target unknown)
restore_probe_tables := [t | some t in tables] if count(tables) > 0

restore_probe_tables := [{
	"name": null, "region": default_region,
	"arn": concat(":", ["arn:aws:dynamodb", default_region, account_id, "table/any-table"]),
}] if {
	count(tables) == 0
}

restore_probe(p, t) := probe_op_answer({"caller": pset_for(p)}, {
	"operation": "restore_table_from_backup",
	"backup": backup_arn(t), "target_table": restore_target(t),
	"context": principal_context(p), "principal": request_principal(p), "fixed": fixed_keys,
})

restore_target(t) := concat("", [t.arn, "-restored"])

builtin_hits contains f if {
	some addr in restore_candidates
	p := principals[addr]
	some t in restore_probe_tables
	a := restore_probe(p, t)
	every c in a.checks {
		caller_side_passes(c)
	}
	blocked := [c | some c in a.checks; blocked_by_service_context(p, c)]
	count(blocked) > 0
	f := restore_blocked_finding(p, t, blocked)
}

caller_side_passes(c) if c.kind == "svc"

caller_side_passes(c) if {
	c.kind != "svc"
	c.answer in {"allowed", "conditional"}
}

# denied for the service although the caller's own request (open network keys) can be allowed
blocked_by_service_context(p, c) if {
	c.kind == "svc"
	c.answer == "denied"
	c.best.decision == "explicit_deny"
	own := probe_answer(pset_for(p), {
		"action": c.action, "resource": c.resource,
		"context": object.union(principal_context(p), {"aws:RequestedRegion": region_of_arn(c.resource)}),
		"principal": request_principal(p),
	})
	own.answer != "denied"
}

region_of_arn(arn) := split(arn, ":")[3]

restore_blocked_finding(p, t, blocked) := {
	"code": restore_blocked_code,
	"guardrail": restore_blocked_code,
	"principal": p.address,
	"resource": c.resource,
	"table": t.name,
	"target_table": c.resource,
	"answer": "denied",
	"condition": null,
	"decision": "explicit_deny",
	"check": {
		"principal": "caller", "role": null, "action": c.action, "resource": c.resource,
		"kind": "svc", "answer": c.answer, "words": c.words,
	},
	"statement": first_reason(c.best.reasons),
	"severity": builtin_severity(restore_blocked_code),
	"detail": concat("", [
		"restore_table_from_backup of ", table_words(t), " to ", c.resource,
		" is allowed for the caller, but DynamoDB's writes to the restored table are denied: ",
		concat(", ", sort({x.action | some x in blocked})),
		" made by the service (aws:ViaAWSService=true; aws:SourceIp, aws:SourceVpc, aws:SourceVpce,",
		" aws:VpcSourceIp absent) meet ", blocking_deny_words(p, c.best.reasons),
		"; AWS cancels the restore: exempt service calls with aws:ViaAWSService false in that condition",
	]),
} if {
	c := blocked[0]
}

table_words(t) := concat("", ["table ", t.name]) if t.name != null

table_words(t) := "a table" if t.name == null

# the deciding Deny and its condition, read back from the principal's policy set
blocking_deny_words(p, reasons) := concat("", ["a Deny with Condition ", json.marshal(st.Condition)]) if {
	r := reasons[0]
	some e in pset_entries(policy_sets[p.address])
	e.name == r.policy
	st := statements(entry_document(e))[r.statement_index]
	st.Condition
} else := "a Deny"
