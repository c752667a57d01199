# iam2rego gate - which principals a guardrail selects, and selectors that select nothing or too much
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

# ---- guardrail principal selection (SEMANTICS §13.3) ----
# A `principals:` entry (in `names` or `exclude`) is one of
#   role/GLOB, user/GLOB  the IAM name of a principal of that type;
#   arn:...GLOB           the principal's ARN;
#   GLOB                  a bare name: the IAM name of a principal of any type.
# A principal whose name is known only after apply (name_prefix, or no name) matches a glob "yes"
# when every name it can get matches, "maybe" when some can, "no" when none can. _selection(g, p):
# "in", "out", or "unknown" (the guardrail reports the principal UNVERIFIABLE unless its answer
# cannot fail the guardrail). A bare `exclude` entry that matches principals of more than one type
# excludes none of them (IAM2REGO-SELECTOR-AMBIGUOUS): a user named like the role an exclusion was
# written for is not excepted with it.

_selects_principal(g, p) if _selection(g, p) == "in"

_selection(g, p) := "out" if not _principal_type_ok(_sel_of(g), p)

_selection(g, p) := "out" if {
	_principal_type_ok(_sel_of(g), p)
	_selector_verdict(g, p) == "out"
}

_selection(g, p) := v if {
	_principal_type_ok(_sel_of(g), p)
	v := _selector_verdict(g, p)
	v != "out"
}

_sel_of(g) := object.get(g, "principals", {})

_principal_type_ok(sel, p) if p.type in object.get(sel, "types", ["role", "user"])

_selector_verdict(g, p) := "out" if _included(g, p) == "no"

_selector_verdict(g, p) := "out" if _excluded(g, p) == "yes"

_selector_verdict(g, p) := "in" if {
	_included(g, p) == "yes"
	_excluded(g, p) == "no"
}

_selector_verdict(g, p) := "unknown" if {
	_included(g, p) != "no"
	_excluded(g, p) != "yes"
	"maybe" in {_included(g, p), _excluded(g, p)}
}

# (the lists are bound first: regopy 1.5.2 misreads `some e in f(x)` inside a comprehension)
_included(g, p) := _best(ms) if {
	entries := object.get(_sel_of(g), "names", ["*"])
	ms := [m | some e in entries; m := _entry_match(e, p)]
}

_excluded(g, p) := _best(ms) if {
	entries := object.get(_sel_of(g), "exclude", [])
	ms := [m | some e in entries; not _ambiguous_bare(g, e); m := _entry_match(e, p)]
}

_best(ms) := "yes" if "yes" in ms

_best(ms) := "maybe" if {
	not "yes" in ms
	"maybe" in ms
}

_best(ms) := "no" if {
	not "yes" in ms
	not "maybe" in ms
}

# an entry's kind and glob: {"on": "name" | "arn", "type": "role" | "user" | null, "glob"}
_entry_spec(e) := {"on": "arn", "type": null, "glob": e} if startswith(e, "arn:")

_entry_spec(e) := {"on": "name", "type": t, "glob": substring(e, count(t) + 1, -1)} if {
	some t in ["role", "user"]
	startswith(e, concat("", [t, "/"]))
}

_entry_spec(e) := {"on": "name", "type": null, "glob": e} if {
	not startswith(e, "arn:")
	not startswith(e, "role/")
	not startswith(e, "user/")
}

_entry_match(e, p) := "no" if {
	spec := _entry_spec(e)
	spec.type != null
	spec.type != p.type
}

_entry_match(e, p) := _glob_verdict(spec.glob, _handle(spec.on, p)) if {
	spec := _entry_spec(e)
	spec.type in {null, p.type}
}

# what an entry compares: {"known": string} or {"prefix": what every possible value starts with}
_handle("name", p) := {"known": p.name} if p.name != null

_handle("name", p) := {"prefix": _prefix_or_empty(p)} if p.name == null

_handle("arn", p) := {"known": p.arn} if p.arn != null

# an unknown path: every ARN of the account and type is possible
_handle("arn", p) := {"prefix": prefix} if {
	p.arn == null
	prefix := concat("", ["arn:aws:iam::", _account_id, ":", p.type, "/", _prefix_after_path(p)])
}

_prefix_after_path(p) := concat("", [trim_prefix(p.path, "/"), _prefix_or_empty(p)]) if is_string(p.path)

_prefix_after_path(p) := "" if not is_string(p.path)

_prefix_or_empty(p) := p.name_prefix if is_string(p.name_prefix)

_prefix_or_empty(p) := "" if not is_string(p.name_prefix)

_path_or_root(p) := p.path if is_string(p.path)

_path_or_root(p) := "/" if not is_string(p.path)

_glob_verdict(gl, h) := "yes" if _glob_any([gl], h.known)

_glob_verdict(gl, h) := "no" if {
	is_string(h.known)
	not _glob_any([gl], h.known)
}

_glob_verdict(gl, h) := "yes" if _glob_covers_prefix(gl, h.prefix)

_glob_verdict(gl, h) := "maybe" if {
	is_string(h.prefix)
	not _glob_covers_prefix(gl, h.prefix)
	_glob_may_extend(gl, h.prefix)
}

_glob_verdict(gl, h) := "no" if {
	is_string(h.prefix)
	not _glob_may_extend(gl, h.prefix)
}

# every string that starts with `prefix` matches: the glob is a part matching `prefix` then `*`s
_glob_covers_prefix(gl, prefix) if {
	chars := split(gl, "")
	some i in numbers.range(0, count(chars))
	regex.match(`^\**$`, substring(gl, i, -1))
	_glob_any([substring(gl, 0, i)], prefix)
}

# some string that starts with `prefix` matches: a leading part of the glob matches `prefix`
# (the rest of a glob always matches some string)
_glob_may_extend(gl, prefix) if {
	some i in numbers.range(0, count(gl))
	_glob_any([substring(gl, 0, i)], prefix)
}

# A bare entry that matches principals of more than one type (among those the guardrail's `types`
# admits): it says a name, not which principal.
_ambiguous_bare(g, e) if {
	_entry_spec(e).on == "name"
	_entry_spec(e).type == null
	types := {p.type |
		some p in principals
		_principal_type_ok(_sel_of(g), p)
		_entry_match(e, p) == "yes"
	}
	count(types) > 1
}

_principal_names := {p.name | some p in principals; p.name != null}

_table_names := {t.name | some t in tables}

_selector_hits contains _selector_warning(g.id, why) if {
	some g in _valid_guardrails
	some field in ["names", "exclude"]
	some pattern in object.get(object.get(g, "principals", {}), field, [])
	not _entry_matches_some(pattern)
	why := concat("", ["principals.", field, " ", _quoted(pattern), " matches no role or user of the plan"])
}

# IAM2REGO-SELECTOR-AMBIGUOUS: a bare name that matches principals of more than one type, or a
# bare `exclude` name that matches a principal this plan creates
_selector_hits contains _ambiguous_warning(g.id, why) if {
	some g in _valid_guardrails
	some field in ["names", "exclude"]
	some e in object.get(_sel_of(g), field, [])
	_ambiguous_bare(g, e)
	why := concat("", [
		"principals.", field, " ", _quoted(e), " is a bare name that matches ",
		_matched_list(g, e), _ambiguous_effect(field),
		"; write role/NAME, user/NAME, an ARN or `types:`",
	])
}

_selector_hits contains _ambiguous_warning(g.id, why) if {
	some g in _valid_guardrails
	some e in object.get(_sel_of(g), "exclude", [])
	_entry_spec(e) == {"on": "name", "type": null, "glob": e}
	not _ambiguous_bare(g, e)
	some p in principals
	p.created
	_principal_type_ok(_sel_of(g), p)
	_entry_match(e, p) != "no"
	why := concat("", [
		"principals.exclude ", _quoted(e), " is a bare name that excludes ", p.type, " ", p.address,
		", which this plan creates; write role/NAME, user/NAME, an ARN or `types:`",
	])
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

_entry_matches_some(e) if {
	some p in principals
	_entry_match(e, p) != "no"
}

_ambiguous_effect("exclude") := " and excludes none of them"

_ambiguous_effect("names") := " and selects all of them"

_matched_list(g, e) := concat(", ", sort([concat(" ", [p.type, p.address]) |
	some p in principals
	_principal_type_ok(_sel_of(g), p)
	_entry_match(e, p) == "yes"
]))

_ambiguous_warning(id, why) := object.union(_selector_warning(id, why), {"code": "IAM2REGO-SELECTOR-AMBIGUOUS"})

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
