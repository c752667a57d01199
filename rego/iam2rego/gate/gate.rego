# METADATA
# title: iam2rego gate - conftest entry points
# description: |
#   Run with `conftest test --namespace iam2rego.gate -p <pack> [--data gate.yaml] plan.json`.
#   `deny` = findings that fail the gate, `warn` = findings lowered to warnings and applied
#   exceptions. Each result is {"msg": ..., plus structured fields}; `findings` holds them all.
package iam2rego.gate

# ---- plan-level findings (nothing else is evaluated when the plan cannot be read) ----

plan_findings contains plain_finding("IAM2REGO-PLAN-MALFORMED", why) if some why in plan_malformed_reasons

plan_findings contains plain_finding(
	"IAM2REGO-PLAN-FORMAT",
	concat("", [
		"unsupported plan format_version ", quoted(input.format_version),
		" (this pack reads major version ", supported_format_major, ")",
	]),
) if {
	plan_unsupported_format
}

plan_findings contains plain_finding("IAM2REGO-CONFIG-INVALID", why) if some why in config_problems

plan_findings contains plain_finding("IAM2REGO-ACCOUNT-AMBIGUOUS", why) if some why in account_problems

config_problems contains why if some why in guardrail_problems

twelve_digits(s) if {
	is_string(s)
	regex.match(`^[0-9]{12}$`, s)
}

plain_finding(code, detail) := {
	"code": code, "guardrail": code, "principal": null, "resource": null,
	"decision": null, "statement": null, "severity": "deny", "detail": detail,
}

plan_readable if count(plan_findings) == 0

# ---- unverifiable policies ----

unverifiable_hits contains f if {
	some id, d in documents
	d.status != "ok"
	holders := sort([p |
		some p in object.keys(edges)
		some e in edges[p]
		e.target.id == id
	])
	some p in principals_or_none(holders)
	f := unverifiable_finding(p, id, d.problem, d.kind)
}

unverifiable_hits contains f if {
	some p, es in edges
	some e in es
	e.target.kind != "doc"
	why := unreadable(e.target)
	code := unverifiable_code(e.target.kind)
	f := object.union(
		unverifiable_finding(p, e.via, why, e.slot),
		{"code": code, "guardrail": code, "resource": e.target.arn},
	)
}

unverifiable_hits contains f if {
	some addr in inline_unknown_roles
	f := unverifiable_finding(addr, addr, "inline_policy blocks are known only after apply", "inline")
}

unverifiable_hits contains unverifiable_finding(null, o.via, o.why, "attachment") if some o in orphans

unverifiable_code("unknown_managed") := "IAM2REGO-UNKNOWN-MANAGED-POLICY"

unverifiable_code("unresolved") := "IAM2REGO-UNVERIFIABLE"

principals_or_none(holders) := holders if count(holders) > 0

principals_or_none(holders) := [null] if count(holders) == 0

unverifiable_finding(p, policy, why, kind) := {
	"code": "IAM2REGO-UNVERIFIABLE", "guardrail": "IAM2REGO-UNVERIFIABLE",
	"principal": p, "resource": null,
	"decision": null, "statement": {"policy": policy, "sid": null, "statement_index": null, "effect": null},
	"severity": unverifiable_severity, "detail": concat("", [kind, " policy cannot be verified: ", why]),
}

external_hits contains f if {
	some o in external_owners
	f := {
		"code": "IAM2REGO-EXTERNAL-PRINCIPAL", "guardrail": "IAM2REGO-EXTERNAL-PRINCIPAL",
		"principal": null,
		"resource": null, "decision": null,
		"statement": {"policy": o.via, "sid": null, "statement_index": null, "effect": null}, "severity": "warn",
		"detail": concat("", [
			o.kind, " ", quoted(o.name),
			" is not managed by this plan; its other policies are not evaluated",
		]),
	}
}

# ---- all findings ----

findings := plan_findings if not plan_readable

findings := {f | some f in all_hits; f.severity != "off"} if plan_readable

all_hits := (((unverifiable_hits | builtin_hits) | guardrail_hits) | external_hits) | selector_hits

# ---- exceptions ----

default user_exceptions := []

user_exceptions := cfg.exceptions if is_array(cfg.exceptions)

excepted(f) := x if {
	some x in user_exceptions
	current_code(x.guardrail) == f.guardrail
	exception_principal_ok(x, f)
	exception_resource_ok(x, f)
}

exception_principal_ok(x, _) if not x.principal

exception_principal_ok(x, f) if {
	p := principals[f.principal]
	some s in [p.address, p.name, p.arn]
	regex.match(glob_regex(x.principal), s)
}

exception_resource_ok(x, _) if not x.resource

exception_resource_ok(x, f) if {
	some s in [object.get(f, "table", null), f.resource]
	is_string(s)
	regex.match(glob_regex(x.resource), s)
}

exceptions_applied contains {"finding": f, "exception": x} if {
	some f in findings
	x := excepted(f)
}

# ---- conftest rules ----

# METADATA
# description: Findings that fail the gate (conftest `deny`).
# scope: document
# entrypoint: true
deny contains result(f) if {
	some f in findings
	f.severity == "deny"
	not excepted(f)
}

# METADATA
# description: Findings lowered to warnings, and applied exceptions (conftest `warn`).
# scope: document
# entrypoint: true
warn contains result(f) if {
	some f in findings
	f.severity == "warn"
	not excepted(f)
}

warn contains object.union(result(a.finding), {
	"msg": concat("", [
		"IAM2REGO-EXCEPTION-APPLIED ", message(a.finding),
		" (reason: ", as_text(object.get(a.exception, "reason", "none given")), ")",
	]),
	"exception": a.exception,
}) if {
	some a in exceptions_applied
}

result(f) := object.union(f, {"msg": message(f), "principal": principal_info(f.principal)})

principal_info(null) := null

principal_info(addr) := {"address": addr, "arn": p.arn, "type": p.type} if p := principals[addr]

principal_info(addr) := {"address": addr, "arn": null, "type": null} if {
	addr != null
	not principals[addr]
}

message(f) := concat("", [
	f.code,
	guardrail_text(f),
	principal_text(f.principal),
	": ", f.detail,
	resource_text(f.resource),
	statement_text(f),
])

guardrail_text(f) := concat("", [" [", f.guardrail, "]"]) if f.guardrail != f.code

guardrail_text(f) := "" if f.guardrail == f.code

principal_text(null) := ""

principal_text(addr) := concat("", [" ", p.type, " ", addr, " (", p.arn, ")"]) if p := principals[addr]

principal_text(addr) := concat("", [" ", addr]) if {
	addr != null
	not principals[addr]
}

resource_text(null) := ""

resource_text(r) := concat("", [" [resource ", as_text(r), "]"]) if r != null

statement_text(f) := "" if f.statement == null

statement_text(f) := concat("", ["; decided by ", statement_ref(f.statement)]) if {
	f.statement != null
	f.decision != null
}

statement_text(f) := concat("", ["; in ", statement_ref(f.statement)]) if {
	f.statement != null
	f.decision == null
}

statement_ref(s) := concat("", [
	s.policy,
	sid_text(s.sid),
	index_text(s.statement_index),
])

sid_text(null) := ""

sid_text(sid) := concat("", [" Sid ", quoted(sid)]) if sid != null

index_text(null) := ""

index_text(i) := concat("", [" (statement ", format_int(i, 10), ")"]) if i != null

# ---- text helpers ----
# Messages are built with concat, not sprintf: regopy 1.5.2 (the embedded engine) renders some
# strings quoted inside sprintf("%s") output (invalid JSON) and does not implement %q.

# as_text(x): a string as it is, anything else as JSON
as_text(x) := x if is_string(x)

as_text(x) := json.marshal(x) if not is_string(x)

quoted(x) := concat("", ["\"", as_text(x), "\""])

# METADATA
# description: Everything at once, for `iam2rego gate` (one query through any engine).
# entrypoint: true
report := {"deny": deny, "warn": warn, "account": account_info, "principals": principal_addresses}

# addresses of the roles and users the gate evaluated (`iam2rego gate` lists them in JUnit)
principal_addresses contains addr if some addr, _ in principals
