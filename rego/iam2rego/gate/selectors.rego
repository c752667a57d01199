# iam2rego gate - selectors that select nothing
# A guardrail whose principal or table globs match nothing in the plan checks nothing; an exception
# whose globs match nothing excepts nothing (usually a typo). Both are warnings naming the guardrail
# or exception and the glob (IAM2REGO-SELECTOR-UNMATCHED); a `require` guardrail that selects no
# principal or table is a denial (guardrails.rego).
package iam2rego.gate

# every code an exception may name: the built-in checks' codes, their former gate IDs, and the
# codes of unverifiable policies and external principals
builtin_codes := ({
	"IAM2REGO-LISTBACKUPS-ON-TABLE", "IAM2REGO-DATAPLANE-ON-BACKUP", "IAM2REGO-UNVERIFIABLE",
	"IAM2REGO-UNKNOWN-MANAGED-POLICY", "IAM2REGO-EXTERNAL-PRINCIPAL",
} | {c | some c in renamed_codes}) | object.keys(renamed_codes)

principal_names := {p.name | some p in principals}

table_names := {t.name | some t in tables}

selector_hits contains selector_warning(g.id, why) if {
	some g in valid_guardrails
	some field in ["names", "exclude"]
	some pattern in object.get(object.get(g, "principals", {}), field, [])
	not glob_any_set([pattern], principal_names)
	why := concat("", ["principals.", field, " ", quoted(pattern), " matches no role or user of the plan"])
}

selector_hits contains selector_warning(g.id, why) if {
	some g in valid_guardrails
	g.kind == "forbid"
	count([p | some p in principals; selects_principal(g, p)]) == 0
	why := "selects no principal of the plan: it checks nothing"
}

selector_hits contains selector_warning(g.id, why) if {
	some g in valid_guardrails
	some pattern in object.get(object.get(g, "resources", {}), "tables", [])
	not glob_any_set([pattern], table_names)
	why := concat("", ["resources.tables ", quoted(pattern), " matches no table of the plan"])
}

selector_hits contains selector_warning(g.id, "selects no table of the plan: it checks nothing") if {
	some i, g in valid_guardrails
	g.kind == "forbid"
	count(targets_of[i]) == 0
}

selector_hits contains selector_warning(x.guardrail, why) if {
	some i, x in user_exceptions
	not x.guardrail in guardrail_ids
	not x.guardrail in builtin_codes
	why := concat("", [exception_name(i), " names no guardrail of the configuration and no built-in code"])
}

selector_hits contains selector_warning(x.guardrail, why) if {
	some i, x in user_exceptions
	is_string(x.principal)
	not glob_any_set([x.principal], principal_handles)
	why := concat("", [exception_name(i), ": principal ", quoted(x.principal), " matches no role or user of the plan"])
}

selector_hits contains selector_warning(x.guardrail, why) if {
	some i, x in user_exceptions
	is_string(x.resource)
	not glob_any_set([x.resource], resource_handles)
	why := concat("", [exception_name(i), ": resource ", quoted(x.resource), " matches no table or finding of the plan"])
}

guardrail_ids := {g.id | some g in user_guardrails}

exception_name(i) := concat("", ["exception #", format_int(i, 10)])

principal_handles := {s | some p in principals; some s in [p.address, p.name, p.arn]}

resource_handles := {s | some t in tables; some s in [t.name, t.arn]} | {f.resource |
	some f in ((unverifiable_hits | builtin_hits) | guardrail_hits)
	is_string(f.resource)
}

glob_any_set(globs, names) if {
	some n in names
	glob_any(globs, n)
}

selector_warning(id, why) := {
	"code": "IAM2REGO-SELECTOR-UNMATCHED", "guardrail": id, "principal": null, "resource": null,
	"decision": null, "statement": null, "severity": "warn", "detail": why,
}
