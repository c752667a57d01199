# iam2rego gate - selectors that select nothing
# A guardrail whose principal or table globs match nothing in the plan checks nothing; an exception
# whose globs match nothing excepts nothing (usually a typo). Both are warnings naming the guardrail
# or exception and the glob (IAM2REGO-SELECTOR-UNMATCHED); a `require` guardrail that selects no
# principal or table is a denial (guardrails.rego).
package iam2rego.gate

# every code an exception may name: the built-in checks' codes, their former gate IDs, and the
# codes of unverifiable policies and external principals
_builtin_codes := ({
	"IAM2REGO-LISTBACKUPS-ON-TABLE", "IAM2REGO-DATAPLANE-ON-BACKUP", "IAM2REGO-UNVERIFIABLE",
	"IAM2REGO-UNKNOWN-MANAGED-POLICY", "IAM2REGO-EXTERNAL-PRINCIPAL", "IAM2REGO-VAULT-UNLOCKED",
	"IAM2REGO-VAULT-POLICY-OPEN", "IAM2REGO-PUBLIC-RESOURCE-POLICY",
} | {c | some c in _renamed_codes}) | object.keys(_renamed_codes)

_principal_names := {p.name | some p in principals}

_table_names := {t.name | some t in tables}

_selector_hits contains _selector_warning(g.id, why) if {
	some g in _valid_guardrails
	some field in ["names", "exclude"]
	some pattern in object.get(object.get(g, "principals", {}), field, [])
	not _glob_any_set([pattern], _principal_names)
	why := concat("", ["principals.", field, " ", _quoted(pattern), " matches no role or user of the plan"])
}

_selector_hits contains _selector_warning(g.id, why) if {
	some g in _valid_guardrails
	g.kind == "forbid"
	count([p | some p in principals; _selects_principal(g, p)]) == 0
	why := "selects no principal of the plan: it checks nothing"
}

_selector_hits contains _selector_warning(g.id, why) if {
	some g in _valid_guardrails
	some pattern in object.get(object.get(g, "resources", {}), "tables", [])
	not _glob_any_set([pattern], _table_names)
	why := concat("", ["resources.tables ", _quoted(pattern), " matches no table of the plan"])
}

_selector_hits contains _selector_warning(g.id, "selects no table of the plan: it checks nothing") if {
	some i, g in _valid_guardrails
	g.kind == "forbid"
	count(_targets_of[i]) == 0
}

_selector_hits contains _selector_warning(x.guardrail, why) if {
	some i, x in _user_exceptions
	not x.guardrail in _guardrail_ids
	not x.guardrail in _builtin_codes
	why := concat("", [_exception_name(i), " names no guardrail of the configuration and no built-in code"])
}

_selector_hits contains _selector_warning(x.guardrail, why) if {
	some i, x in _user_exceptions
	some key, globs in _exception_principals(x)
	key != "types"
	some pattern in globs
	not _glob_any_set([pattern], _principal_handles[key])
	why := concat("", [
		_exception_name(i), ": ", _exception_key_text(x, "principal", key), " ",
		_quoted(pattern), " matches no role or user of the plan",
	])
}

_selector_hits contains _selector_warning(x.guardrail, why) if {
	some i, x in _user_exceptions
	some key, globs in _exception_resources(x)
	some pattern in globs
	not _glob_any_set([pattern], _resource_handles[key])
	why := concat("", [
		_exception_name(i), ": ", _exception_key_text(x, "resource", key), " ",
		_quoted(pattern), " matches no table or finding of the plan",
	])
}

# the former syntax's key (`principal`), else the key of the selector (`principals.names`)
_exception_key_text(x, old, _) := old if old in object.keys(x)

_exception_key_text(x, old, key) := concat("", [old, "s.", key]) if not old in object.keys(x)

_guardrail_ids := {g.id | some g in _user_guardrails}

_principal_handles := {
	"names": {n | some p in principals; n := _iam_name(p)},
	"addresses": {p.address | some p in principals},
	"arns": {p.arn | some p in principals; is_string(p.arn)},
}

_resource_handles := {
	"tables": {t.name | some t in tables},
	"arns": ({t.arn | some t in tables} | {f.resource |
		some f in ((unverifiable_hits | _builtin_hits) | _guardrail_hits)
		is_string(f.resource)
	}),
}

_glob_any_set(globs, names) if {
	some n in names
	_glob_any(globs, n)
}

_selector_warning(id, why) := {
	"code": "IAM2REGO-SELECTOR-UNMATCHED", "guardrail": id, "principal": null, "resource": null,
	"decision": null, "statement": null, "severity": "warn", "detail": why,
}
