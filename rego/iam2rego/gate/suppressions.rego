# iam2rego gate - suppressions the pack decides: exceptions (which findings the guardrail file
# excepts, and until when) and the deciding statements a baseline entry is bound to.
# An exception names a guardrail id or built-in code and selects what it excepts by the key it uses,
# never a substring of something else: `principals.names` = IAM names (`after.name`; a principal
# whose name is unknown is never excepted by name), `principals.addresses` = Terraform addresses,
# `principals.arns` = ARNs, `principals.types` = role | user, `resources.tables` = table names,
# `resources.arns` = the finding's resource ARN. Every key given must match; each glob matches the
# whole value of its own key. The former one-glob syntax (`principal:`, `resource:`) is read as the
# one key its value can be (README "Suppressions"); a value that could be two is IAM2REGO-CONFIG-INVALID.
# `expires: YYYY-MM-DD`: from that day (UTC) on the exception no longer applies and the finding
# returns with a note; no known date (plain OPA without the clock module) = not applied.
package iam2rego.gate

import data.iam2rego.policydoc

default _user_exceptions := []

_user_exceptions := _cfg.exceptions if is_array(_cfg.exceptions)

# the plan or the configuration cannot be read: nothing may except that
_unexceptable_codes := {
	"IAM2REGO-PLAN-MALFORMED", "IAM2REGO-PLAN-FORMAT",
	"IAM2REGO-CONFIG-INVALID", "IAM2REGO-ACCOUNT-AMBIGUOUS",
}

_exception_matches(x, f) if {
	_current_code(x.guardrail) == f.guardrail
	not f.code in _unexceptable_codes
	_exception_principal_ok(_exception_principals(x), f)
	_exception_resource_ok(_exception_resources(x), f)
}

_exception_hits(f) := [x | some x in _user_exceptions; _exception_matches(x, f); _exception_live(x)]

_excepted(f) := hits[0] if {
	hits := _exception_hits(f)
	count(hits) > 0
}

_exceptions_applied contains {"finding": f, "exception": x} if {
	some f in _findings
	x := _excepted(f)
}

# ---- expiry ----

# today (YYYY-MM-DD, UTC): `iam2rego gate` passes it; a conftest pack carries the clock module
_today := d if {
	d := data.iam2rego_cli.today
	_iso_date(d)
} else := d if {
	d := data.iam2rego.clock.today
	_iso_date(d)
}

_iso_date(d) if {
	is_string(d)
	regex.match(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`, d)
}

_exception_live(x) if not "expires" in object.keys(x)

_exception_live(x) if {
	is_string(x.expires)
	substring(x.expires, 0, 10) > _today
}

# exceptions that would except f but have expired (or whose expiry cannot be checked)
_expired_exceptions(f) := [e |
	some i in numbers.range(0, count(_user_exceptions) - 1) # not `some i, x in`: regopy 1.5.2 cannot parse it here
	x := _user_exceptions[i]
	_exception_matches(x, f)
	not _exception_live(x)
	e := {"exception": i, "expires": x.expires, "note": _expiry_note(i, x)}
]

_expiry_note(i, x) := concat("", [_exception_name(i), " expired on ", _as_text(x.expires)]) if _today

_expiry_note(i, x) := concat("", [
	_exception_name(i), " expires on ", _as_text(x.expires),
	" but no date is known (pass data iam2rego_cli.today): not applied",
]) if {
	not _today
}

# an active finding's result: with a note per expired exception that would have excepted it
_active_result(f) := r if {
	r := _result(f)
	count(_expired_exceptions(f)) == 0
}

_active_result(f) := object.union(r, {
	"msg": concat("", [r.msg, concat("", [concat("", [" (", e.note, ")"]) | some e in expired])]),
	"exception_expired": expired,
}) if {
	r := _result(f)
	expired := _expired_exceptions(f)
	count(expired) > 0
}

# ---- selectors, by key ----

_exception_principals(x) := object.get(x, "principals", null) if is_object(object.get(x, "principals", null))

_exception_principals(x) := _legacy_principal(x.principal) if {
	not is_object(object.get(x, "principals", null))
	is_string(object.get(x, "principal", null))
}

_exception_principals(x) := {} if {
	not is_object(object.get(x, "principals", null))
	not is_string(object.get(x, "principal", null))
}

_exception_resources(x) := object.get(x, "resources", null) if is_object(object.get(x, "resources", null))

_exception_resources(x) := _legacy_resource(x.resource) if {
	not is_object(object.get(x, "resources", null))
	is_string(object.get(x, "resource", null))
}

_exception_resources(x) := {} if {
	not is_object(object.get(x, "resources", null))
	not is_string(object.get(x, "resource", null))
}

_exception_principal_ok(sel, _) if count(sel) == 0

_exception_principal_ok(sel, f) if {
	count(sel) > 0
	p := principals[f.principal]
	every key, globs in sel {
		_principal_key_ok(key, globs, p)
	}
}

_principal_key_ok("names", globs, p) if {
	n := _iam_name(p)
	_glob_any(globs, n)
}

_principal_key_ok("addresses", globs, p) if _glob_any(globs, p.address)

_principal_key_ok("arns", globs, p) if {
	is_string(p.arn)
	_glob_any(globs, p.arn)
}

_principal_key_ok("types", globs, p) if p.type in globs # a list of types, not globs

# the principal's IAM name as the plan knows it (never its address)
_iam_name(p) := n if {
	n := after(p.address).name
	is_string(n)
}

_exception_resource_ok(sel, f) if {
	every key, globs in sel {
		_resource_key_ok(key, globs, f)
	}
}

_resource_key_ok("tables", globs, f) if {
	t := object.get(f, "table", null)
	is_string(t)
	_glob_any(globs, t)
}

_resource_key_ok("arns", globs, f) if {
	is_string(f.resource)
	startswith(f.resource, "arn:")
	_glob_any(globs, f.resource)
}

# ---- the former one-glob syntax ----

_name_glob := `^[A-Za-z0-9_+=,@*?-]+$` # an IAM name glob without "." (IAM names allow [\w+=,.@-])

_legacy_principal(s) := {"arns": [s]} if startswith(s, "arn:")

_legacy_principal(s) := {"names": [s]} if regex.match(_name_glob, s)

_legacy_principal(s) := {"names": [m[2]], "types": [m[1]]} if {
	m := regex.find_all_string_submatch_n(`^(role|user)/([A-Za-z0-9_+=,.@*?-]+)$`, s, 1)[0]
}

_legacy_principal(s) := {"addresses": [s]} if _legacy_address(s)

# an address no IAM name can be: a module path or an instance key
_legacy_address(s) if {
	not startswith(s, "arn:")
	regex.match(`^(module\.|data\.)|\[`, s)
}

_legacy_principal_problem(s) := concat("", [
	_quoted(s), " could be an IAM name or a Terraform address: write principals: {names: [",
	_quoted(s), "]} or principals: {addresses: [", _quoted(s), "]}",
]) if {
	not startswith(s, "arn:")
	not regex.match(_name_glob, s)
	not regex.match(`^(role|user)/`, s)
	not _legacy_address(s)
	regex.match(`^[A-Za-z0-9_+=,.@*?-]+$`, s)
}

_legacy_principal_problem(s) := concat("", [
	_quoted(s), " is not an IAM name, an ARN or a Terraform address: ",
	"write principals: {names | arns | addresses: [...]}",
]) if {
	not startswith(s, "arn:")
	not regex.match(`^(role|user)/`, s)
	not _legacy_address(s)
	not regex.match(`^[A-Za-z0-9_+=,.@*?-]+$`, s)
}

_legacy_resource(s) := {"arns": [s]} if startswith(s, "arn:")

_legacy_resource(s) := {"tables": [s]} if regex.match(`^[A-Za-z0-9_.*?-]+$`, s)

# ---- configuration problems (IAM2REGO-CONFIG-INVALID, nothing else is evaluated) ----

default _exceptions_require := []

_exceptions_require := r if {
	r := _cfg.suppressions.exceptions_require
	is_array(r)
}

_config_problems contains why if some why in _exception_problems

_exception_problems contains concat("", [_path_text(["exceptions", i, "principal"]), ": ", why]) if {
	some i, x in _user_exceptions
	is_string(object.get(x, "principal", null))
	why := _legacy_principal_problem(x.principal)
}

_exception_problems contains concat("", [
	_path_text(["exceptions", i, "resource"]), ": ", _quoted(x.resource),
	" is not a table name glob or an ARN: write resources: {tables | arns: [...]}",
]) if {
	some i, x in _user_exceptions
	is_string(object.get(x, "resource", null))
	not _legacy_resource(x.resource)
}

_exception_problems contains concat("", [
	_path_text(["exceptions", i]), ": give `", old,
	"` or `", new, "`, not both",
]) if {
	some i, x in _user_exceptions
	some [old, new] in [["principal", "principals"], ["resource", "resources"]]
	old in object.keys(x)
	new in object.keys(x)
}

_exception_problems contains concat("", [
	_path_text(["exceptions", i]), ": needs `", k,
	"` (suppressions.exceptions_require)",
]) if {
	some i, x in _user_exceptions
	is_object(x)
	some k in _exceptions_require
	not _given(object.get(x, k, null))
}

_given(v) if {
	is_string(v)
	trim_space(v) != ""
}

_exception_name(i) := concat("", ["exception #", format_int(i, 10)])

# ---- baselines: the statements that decide each finding ----

# "<policy>#<statement index>" -> the statement, for every finding that names one: `iam2rego gate`
# hashes it into the baseline entry (terraform/findings.py), so a changed statement is a new finding
_deciding_statements[key] := st if {
	some f in _findings
	s := f.statement
	is_string(s.policy)
	is_number(s.statement_index)
	key := concat("", [s.policy, "#", format_int(s.statement_index, 10)])
	st := _statement_of(f.principal, s.policy, s.statement_index)
}

_statement_of(p, policy, i) := st if {
	some e in _pset_entries(policy_sets[p])
	e.name == policy
	st := policydoc.statements(_entry_document(e))[i]
} else := st if {
	st := policydoc.statements(documents[policy].document)[i]
}
