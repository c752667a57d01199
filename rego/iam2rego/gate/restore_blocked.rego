# iam2rego gate - built-in IAM2REGO-RESTORE-WRITES-BLOCKED: a restore whose service-made writes are denied
# DynamoDB writes a restored table with the caller's permissions, as sub-requests made by the service
# (SEMANTICS §3.2: aws:ViaAWSService=true, no aws:SourceIp/SourceVpc/SourceVpce/VpcSourceIp). A Deny on
# a network key without an aws:ViaAWSService (or aws:CalledVia) exception denies those writes while the
# caller's own requests pass: AWS cancels the restore [DDB-RESTORE-TUT]. The analysis answers it per
# check: the restore's [svc] checks are denied while every caller check is allowed or conditional, and
# the caller's own request for the same write is not denied.
package iam2rego.gate

import data.iam2rego.operations
import data.iam2rego.policydoc

_restore_blocked_code := "IAM2REGO-RESTORE-WRITES-BLOCKED"

# Denies that read a key the service's sub-requests set or remove (the keys §3.2 fixes for [svc] checks):
# only principals with such a Deny and a restore grant are analysed.
_service_context_keys := operations.network_keys | {
	"aws:viaawsservice", "aws:calledvia",
	"aws:calledviafirst", "aws:calledvialast",
}

_restore_candidates contains addr if {
	some addr, _ in principals
	_could_allow(addr, "dynamodb:restoretablefrombackup")
	some e in _pset_entries(policy_sets[addr])
	some st in policydoc.statements(_entry_document(e))
	st.Effect == "Deny"
	some keys in object.get(st, "Condition", {})
	some k, _ in keys
	lower(k) in _service_context_keys
}

_pset_entries(ps) := array.concat(
	array.concat(ps.identity, _boundary_list(ps.boundary)),
	# the SCP levels that apply and those that may (organization.rego)
	[e | some level in array.concat(ps.scp, object.get(ps, ["maybe", "scp"], [])); some e in level],
)

_boundary_list(null) := []

_boundary_list(b) := [b] if b != null

_entry_document(e) := e.document if is_object(e.document)

_entry_document(e) := json.unmarshal(e.document) if {
	is_string(e.document)
	json.is_valid(e.document)
}

# the tables a restore is probed on: the plan's, restored to `<name>-restored` (the guardrails'
# default target); a plan without tables: one sample table of the default Region (target unknown)
_restore_probe_tables := [t | some t in tables] if count(tables) > 0

_restore_probe_tables := [{
	"name": null, "region": _default_region,
	"arn": concat(":", ["arn:aws:dynamodb", _default_region, _account_id, "table/any-table"]),
}] if {
	count(tables) == 0
}

_restore_probe(p, t) := _probe_op_answer({"caller": _pset_for(p)}, {
	"operation": "restore_table_from_backup",
	"backup": _backup_arn(t), "target_table": _restore_target(t),
	"context": _principal_context(p), "principal": _request_principal(p), "fixed": _fixed_keys(p),
})

_restore_target(t) := concat("", [t.arn, "-restored"])

_builtin_hits contains f if {
	some addr in _restore_candidates
	p := principals[addr]
	some t in _restore_probe_tables
	a := _restore_probe(p, t)
	every c in a.checks {
		_caller_side_passes(c)
	}
	blocked := [c | some c in a.checks; _blocked_by_service_context(p, c)]
	count(blocked) > 0
	f := _restore_blocked_finding(p, t, blocked)
}

_caller_side_passes(c) if c.kind == "svc"

_caller_side_passes(c) if {
	c.kind != "svc"
	c.answer in {"allowed", "conditional"}
}

# denied for the service although the caller's own request (open network keys) can be allowed
_blocked_by_service_context(p, c) if {
	c.kind == "svc"
	c.answer == "denied"
	c.best.decision == "explicit_deny"
	own := _probe_answer(
		_pset_for(p), {
			"action": c.action, "resource": c.resource,
			"context": object.union(_principal_context(p), {"aws:RequestedRegion": _region_of_arn(c.resource)}),
			"principal": _request_principal(p),
		},
		_fixed_keys(p),
	)
	own.answer != "denied"
}

_region_of_arn(arn) := split(arn, ":")[3]

_restore_blocked_finding(p, t, blocked) := {
	"code": _restore_blocked_code,
	"guardrail": _restore_blocked_code,
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
	"statement": _first_reason(c.best.reasons),
	"severity": _builtin_severity(_restore_blocked_code),
	"detail": concat("", [
		"restore_table_from_backup of ", _table_words(t), " to ", c.resource,
		" is allowed for the caller, but DynamoDB's writes to the restored table are denied: ",
		concat(", ", sort({x.action | some x in blocked})),
		" made by the service (aws:ViaAWSService=true; aws:SourceIp, aws:SourceVpc, aws:SourceVpce,",
		" aws:VpcSourceIp absent) meet ", _blocking_deny_words(p, c.best.reasons),
		"; AWS cancels the restore: exempt service calls with aws:ViaAWSService false in that condition",
	]),
} if {
	c := blocked[0]
}

_table_words(t) := concat("", ["table ", t.name]) if t.name != null

_table_words(t) := "a table" if t.name == null

# the deciding Deny and its condition, read back from the principal's policy set
_blocking_deny_words(p, reasons) := concat("", ["a Deny with Condition ", _json_text(st.Condition)]) if {
	r := reasons[0]
	some e in _pset_entries(policy_sets[p.address])
	e.name == r.policy
	st := policydoc.statements(_entry_document(e))[r.statement_index]
	st.Condition
} else := "a Deny"
