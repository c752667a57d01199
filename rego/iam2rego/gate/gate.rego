# METADATA
# title: iam2rego gate - conftest entry points
# description: |
#   Run with `conftest test --namespace iam2rego.gate -p <pack> [--data gate.yaml] plan.json`.
#   `deny` = findings that fail the gate, `warn` = findings lowered to warnings and applied
#   exceptions. Each result is {"msg": ..., plus structured fields}; `findings` holds them all.
package iam2rego.gate

# ---- plan-level findings (nothing else is evaluated when the plan cannot be read) ----

plan_findings contains _plain_finding("IAM2REGO-PLAN-MALFORMED", why) if some why in _plan_malformed_reasons

plan_findings contains _plain_finding(
	"IAM2REGO-PLAN-FORMAT",
	concat("", [
		"unsupported plan format_version ", _quoted(input.format_version),
		" (this pack reads major version ", _supported_format_major, ")",
	]),
) if {
	_plan_unsupported_format
}

plan_findings contains _plain_finding("IAM2REGO-CONFIG-INVALID", why) if some why in _config_problems

plan_findings contains _plain_finding("IAM2REGO-ACCOUNT-AMBIGUOUS", why) if some why in _account_problems

_config_problems contains why if some why in _guardrail_problems

_twelve_digits(s) if {
	is_string(s)
	regex.match(`^[0-9]{12}$`, s)
}

_plain_finding(code, detail) := {
	"code": code, "guardrail": code, "principal": null, "resource": null,
	"decision": null, "statement": null, "severity": "deny", "detail": detail,
}

_plan_readable if count(plan_findings) == 0

# ---- unverifiable policies ----

unverifiable_hits contains f if {
	some id, d in documents
	d.status != "ok"
	holders := sort([p |
		some p in object.keys(_edges)
		some e in _edges[p]
		e.target.id == id
	])
	some p in _principals_or_none(holders)
	f := _unverifiable_finding(p, id, d.problem, d.kind)
}

unverifiable_hits contains f if {
	some p, es in _edges
	some e in es
	e.target.kind != "doc"
	why := _unreadable(e.target)
	code := _unverifiable_code(e.target.kind)
	f := object.union(
		_unverifiable_finding(p, e.via, why, e.slot),
		{"code": code, "guardrail": code, "resource": e.target.arn},
	)
}

unverifiable_hits contains f if {
	some addr in _inline_unknown_roles
	f := _unverifiable_finding(addr, addr, "inline_policy blocks are known only after apply", "inline")
}

unverifiable_hits contains _unverifiable_finding(null, o.via, o.why, "attachment") if some o in _orphans

_unverifiable_code("unknown_managed") := "IAM2REGO-UNKNOWN-MANAGED-POLICY"

_unverifiable_code("unresolved") := "IAM2REGO-UNVERIFIABLE"

_principals_or_none(holders) := holders if count(holders) > 0

_principals_or_none(holders) := [null] if count(holders) == 0

_unverifiable_finding(p, policy, why, kind) := {
	"code": "IAM2REGO-UNVERIFIABLE", "guardrail": "IAM2REGO-UNVERIFIABLE",
	"principal": p, "resource": null,
	"decision": null, "statement": {"policy": policy, "sid": null, "statement_index": null, "effect": null},
	"severity": _unverifiable_severity, "detail": concat("", [kind, " policy cannot be verified: ", why]),
}

_external_hits contains f if {
	some o in _external_owners
	f := {
		"code": "IAM2REGO-EXTERNAL-PRINCIPAL", "guardrail": "IAM2REGO-EXTERNAL-PRINCIPAL",
		"principal": null,
		"resource": null, "decision": null,
		"statement": {"policy": o.via, "sid": null, "statement_index": null, "effect": null}, "severity": "warn",
		"detail": concat("", [
			o.kind, " ", _quoted(o.name),
			" is not managed by this plan; its other policies are not evaluated",
		]),
	}
}

# ---- all findings ----

_findings := plan_findings if not _plan_readable

_findings := {f | some f in _all_hits; f.severity != "off"} if _plan_readable

_all_hits := (((unverifiable_hits | _builtin_hits) | _guardrail_hits) | _external_hits) | _selector_hits

# ---- exceptions: exceptions.rego ----

# ---- conftest rules ----

# METADATA
# description: Findings that fail the gate (conftest `deny`).
# scope: document
# entrypoint: true
deny contains _active_result(f) if {
	some f in _findings
	f.severity == "deny"
	not _excepted(f)
}

# METADATA
# description: Findings lowered to warnings, and applied exceptions (conftest `warn`).
# scope: document
# entrypoint: true
warn contains _active_result(f) if {
	some f in _findings
	f.severity == "warn"
	not _excepted(f)
}

warn contains object.union(_result(a.finding), {
	"msg": concat("", [
		"IAM2REGO-EXCEPTION-APPLIED ", _message(a.finding),
		" (reason: ", _as_text(object.get(a.exception, "reason", "none given")), ")",
	]),
	"exception": a.exception,
}) if {
	some a in _exceptions_applied
}

_result(f) := object.union(f, {"msg": _message(f), "principal": _principal_info(f.principal)})

_principal_info(null) := null

_principal_info(addr) := {"address": addr, "arn": p.arn, "type": p.type} if p := principals[addr]

_principal_info(addr) := {"address": addr, "arn": null, "type": null} if {
	addr != null
	not principals[addr]
}

_message(f) := concat("", [
	f.code,
	_guardrail_text(f),
	_principal_text(f.principal),
	": ", f.detail,
	_resource_text(f.resource),
	_statement_text(f),
])

_guardrail_text(f) := concat("", [" [", f.guardrail, "]"]) if f.guardrail != f.code

_guardrail_text(f) := "" if f.guardrail == f.code

_principal_text(null) := ""

_principal_text(addr) := concat("", [" ", p.type, " ", addr, " (", _arn_text(p), ")"]) if p := principals[addr]

_principal_text(addr) := concat("", [" ", addr]) if {
	addr != null
	not principals[addr]
}

_arn_text(p) := p.arn if p.arn != null

_arn_text(p) := "name known after apply" if p.arn == null

_resource_text(null) := ""

_resource_text(r) := concat("", [" [resource ", _as_text(r), "]"]) if r != null

_statement_text(f) := "" if f.statement == null

_statement_text(f) := concat("", ["; decided by ", _statement_ref(f.statement)]) if {
	f.statement != null
	f.decision != null
}

_statement_text(f) := concat("", ["; in ", _statement_ref(f.statement)]) if {
	f.statement != null
	f.decision == null
}

_statement_ref(s) := concat("", [
	s.policy,
	_sid_text(s.sid),
	_index_text(s.statement_index),
])

_sid_text(null) := ""

_sid_text(sid) := concat("", [" Sid ", _quoted(sid)]) if sid != null

_index_text(null) := ""

_index_text(i) := concat("", [" (statement ", format_int(i, 10), ")"]) if i != null

# ---- text helpers ----
# Messages are built with concat, not sprintf: regopy 1.5.2 (the embedded engine) renders some
# strings quoted inside sprintf("%s") output (invalid JSON) and does not implement %q.

# as_text(x): a string as it is, anything else as JSON
_as_text(x) := x if is_string(x)

_as_text(x) := _json_text(x) if not is_string(x)

# json_text(x): json.marshal with Go's HTML escaping of & < > U+2028 U+2029 on every engine (OPA
# escapes them, the Wasm runtime does not; issue 25). A raw & < > U+2028 U+2029 in marshalled JSON is
# always inside a string, so replacing it by its escape keeps the JSON the same value. The two
# separators are written raw inside the `...` strings below (between the backticks, invisible in
# most editors): an escaped "\u2028" literal is not decoded by regopy 1.5.2 (the embedded engine).
_json_text(x) := replace(
	replace(
		replace(
			replace(
				replace(
					json.marshal(x),
					"&", `\u0026`,
				),
				"<", `\u003c`,
			),
			">", `\u003e`,
		),
		` `, `\u2028`,
	),
	` `, `\u2029`,
)

_quoted(x) := concat("", ["\"", _as_text(x), "\""])

# METADATA
# description: Everything at once, for `iam2rego gate` (one query through any engine).
# entrypoint: true
report := {
	"deny": deny, "warn": warn, "account": _account_info, "principals": _principal_addresses,
	"statements": _deciding_statements,
}

# addresses of the roles and users the gate evaluated (`iam2rego gate` lists them in JUnit)
_principal_addresses contains addr if some addr, _ in principals
