# Residual conditions in words
# Each atom gets "text" (the phrase when it holds) and "negation" (when it does not). A residual is
# read as "allowed when <clauses>, unless <clauses>": a clause made only of negated atoms (a
# conditional Deny) reads "unless <atoms>", except a single atom whose negation needs no
# "(or absent)" (e.g. not BoolIfExists aws:MultiFactorAuthPresent false = "... is true").
package iam2rego.analysis

import data.iam2rego.conditions

_words(t, _) := "allowed in every request context" if t.answer == "allowed"

_words(t, _) := "denied in every request context" if t.answer == "denied"

_words(t, _) := "unverifiable: a policy of the set cannot be read" if t.answer == "unverifiable"

_words(t, _) := "conditional: depends on more open conditions than the analysis enumerates" if {
	t.answer == "conditional"
	t.condition == null
}

_words(t, atoms) := concat("", ["allowed", _when_part(whens), _unless_part(whens, unlesses)]) if {
	t.answer == "conditional"
	t.condition != null
	whens := [_clause_text(cl, atoms, count(t.condition.all)) | some cl in t.condition.all; not _unless_clause(cl, atoms)]
	unlesses := [_unless_text(cl, atoms) | some cl in t.condition.all; _unless_clause(cl, atoms)]
}

_when_part([]) := ""

_when_part(whens) := concat("", [" when ", concat(" and ", whens)]) if count(whens) > 0

_unless_part(_, []) := ""

_unless_part(whens, unlesses) := concat("", [
	lead,
	concat(" or ", [_wrap(u, count(unlesses)) | some u in unlesses]),
]) if {
	count(unlesses) > 0
	lead := _unless_lead(count(whens))
}

_unless_lead(0) := " unless "

_unless_lead(n) := ", unless " if n > 0

_wrap(text, n) := concat("", ["(", text, ")"]) if {
	n > 1
	contains(text, " and ")
}

_wrap(text, n) := text if {
	not n > 1
}

_wrap(text, n) := text if {
	n > 1
	not contains(text, " and ")
}

# A clause "not a or not b or ..." (one conditional Deny) reads "unless a and b".
_unless_clause(cl, atoms) if {
	not _prefer_when(cl, atoms)
	every conj in cl.any {
		count(conj.all) == 1
		conj.all[0].value == false
	}
}

_prefer_when(cl, atoms) if {
	count(cl.any) == 1
	atoms[cl.any[0].all[0].atom].absent_holds == true
}

_unless_text(cl, atoms) := concat(" and ", [x | some conj in cl.any; x := atoms[conj.all[0].atom].text])

_clause_text(cl, atoms, n) := _wrap_or(concat(" or ", texts), count(cl.any), n) if {
	texts := [x | some conj in cl.any; x := _conj_text(conj, atoms, count(cl.any))]
}

_wrap_or(text, conjs, clauses) := concat("", ["(", text, ")"]) if {
	conjs > 1
	clauses > 1
}

_wrap_or(text, conjs, clauses) := text if not _both_above_one(conjs, clauses)

_both_above_one(a, b) if {
	a > 1
	b > 1
}

_conj_text(conj, atoms, n) := t if {
	t := concat(" and ", [x | some l in conj.all; x := _lit_text(l, atoms)])
	not _paren_needed(conj, n)
}

_conj_text(conj, atoms, n) := concat("", ["(", t, ")"]) if {
	_paren_needed(conj, n)
	t := concat(" and ", [x | some l in conj.all; x := _lit_text(l, atoms)])
}

_paren_needed(conj, n) if {
	count(conj.all) > 1
	n > 1
}

_lit_text(l, atoms) := atoms[l.atom].text if l.value == true

_lit_text(l, atoms) := atoms[l.atom].negation if l.value == false

# --- atoms ----------------------------------------------------------------------------------------------

_with_words(atom) := object.union(atom, extra) if {
	extra := {"text": _phrase(atom, true), "negation": _phrase(atom, false), "absent_holds": _absent_holds(atom)}
}

default _absent_holds(_) := false

_absent_holds(atom) if {
	c := atom.condition
	c.op != "Null"
	c.qualifier != "ForAnyValue"
	_absent_ok(c)
}

_absent_ok(c) if c.if_exists == true

_absent_ok(c) if c.op in conditions.negated_ops

_absent_ok(c) if c.qualifier == "ForAllValues"

_phrase(atom, holds) := _resource_phrase(atom.resource, holds) if atom.resource

_phrase(atom, holds) := _null_phrase(_key_name(atom.condition.key), atom.condition, holds) if {
	atom.condition.op == "Null"
}

_phrase(atom, holds) := _cond_phrase(atom.condition, _key_name(atom.condition.key), holds) if {
	atom.condition.op != "Null"
}

_null_phrase(k, c, holds) := concat(" ", [k, "is absent"]) if lower(c.values[0]) == "true" == holds

_null_phrase(k, c, holds) := concat(" ", [k, "is present"]) if lower(c.values[0]) == "true" != holds

_resource_phrase(b, holds) := concat("", parts) if {
	parts := ["the resource ", b.target, " matches ", _resource_rel(b.negated == holds), " ", concat(", ", b.patterns)]
}

_resource_rel(true) := "none of"

_resource_rel(false) := "one of"

# own = the relation the operator asserts; other = its complement. Absent keys per SEMANTICS §6.3/§6.4.
_cond_phrase(c, k, true) := concat("", [k, " ", _own_rel(c), _or_absent(absent_is_true)]) if {
	c.qualifier == ""
	absent_is_true := _absent_holds({"condition": c})
}

_cond_phrase(c, k, false) := concat("", [k, " ", _other_rel(c), _or_absent(_not_absent(c))]) if c.qualifier == ""

_cond_phrase(c, k, true) := concat("", ["some value of ", k, " ", _own_rel(c)]) if c.qualifier == "ForAnyValue"

_cond_phrase(c, k, false) := concat("", ["no value of ", k, " ", _own_rel(c), " (or ", k, " is absent)"]) if {
	c.qualifier == "ForAnyValue"
}

_cond_phrase(c, k, true) := concat("", ["every value of ", k, " ", _own_rel(c), " (or ", k, " is absent)"]) if {
	c.qualifier == "ForAllValues"
}

_cond_phrase(c, k, false) := concat("", ["some value of ", k, " ", _other_rel(c)]) if c.qualifier == "ForAllValues"

_not_absent(c) := false if _absent_holds({"condition": c})

_not_absent(c) if not _absent_holds({"condition": c})

_or_absent(true) := " (or absent)"

_or_absent(false) := ""

_own_rel(c) := _relation(conditions.positive_of[c.op], c.values, false) if c.op in conditions.negated_ops

_own_rel(c) := _relation(c.op, c.values, true) if not c.op in conditions.negated_ops

_other_rel(c) := _relation(conditions.positive_of[c.op], c.values, true) if c.op in conditions.negated_ops

_other_rel(c) := _relation(c.op, c.values, false) if not c.op in conditions.negated_ops

# relation(positive operator, values, asserted?) — several values: OR when asserted, NOR otherwise.
_relation(op, vals, pos) := concat("", [
	_verb(op, pos, count(vals)), " ",
	_listed_values(op, vals, pos), _suffix(op),
]) if {
	not _bool_flip(op, vals, pos)
}

# Bool keys carry true or false: "not false" reads "true".
_relation(op, vals, pos) := concat(" ", ["is", _bool_flip(op, vals, pos)])

_bool_flip("Bool", [v], false) := {"true": "false", "false": "true"}[lower(v)]

_one_of_ops := {"StringEquals", "StringEqualsIgnoreCase", "StringLike", "ArnEquals", "ArnLike", "IpAddress"}

_listed_values(_, vals, _) := vals[0] if count(vals) == 1

_listed_values(op, vals, _) := concat(", ", vals) if {
	count(vals) > 1
	op in _one_of_ops
}

_listed_values(op, vals, true) := concat(" or ", vals) if {
	count(vals) > 1
	not op in _one_of_ops
}

_listed_values(op, vals, false) := concat(" and ", vals) if {
	count(vals) > 1
	not op in _one_of_ops
}

_suffix("StringEqualsIgnoreCase") := " (ignoring case)"

_suffix(op) := "" if op != "StringEqualsIgnoreCase"

_verb(op, pos, n) := v if {
	op in _one_of_ops
	v := _one_of_verb(op, pos, n > 1)
}

_verb(op, pos, _) := _verbs[op][_side(pos)] if not op in _one_of_ops

_side(true) := 0

_side(false) := 1

_one_of_verb(op, true, false) := _matchy[op][0]

_one_of_verb(op, false, false) := _matchy[op][1]

_one_of_verb(op, true, true) := concat(" ", [_matchy[op][0], "one of"])

_one_of_verb(op, false, true) := concat(" ", [_matchy[op][0], "none of"])

_matchy := {
	"StringEquals": ["is", "is not"], "StringEqualsIgnoreCase": ["is", "is not"],
	"StringLike": ["matches", "does not match"], "ArnEquals": ["matches", "does not match"],
	"ArnLike": ["matches", "does not match"], "IpAddress": ["is in", "is not in"],
}

_verbs := {
	"NumericEquals": ["equals", "does not equal"],
	"NumericLessThan": ["is less than", "is at least"],
	"NumericLessThanEquals": ["is at most", "is greater than"],
	"NumericGreaterThan": ["is greater than", "is at most"],
	"NumericGreaterThanEquals": ["is at least", "is less than"],
	"DateEquals": ["is", "is not"],
	"DateLessThan": ["is before", "is at or after"],
	"DateLessThanEquals": ["is at or before", "is after"],
	"DateGreaterThan": ["is after", "is at or before"],
	"DateGreaterThanEquals": ["is at or after", "is before"],
	"Bool": ["is", "is not"],
	"BinaryEquals": ["equals (base64)", "does not equal (base64)"],
}

# Canonical spelling of the global keys of SEMANTICS §6.6 (condition keys are compared lower-case).
_key_names[lower(k)] := k if {
	some k in [
		"aws:RequestedRegion", "aws:SourceIp", "aws:SourceVpc", "aws:SourceVpce", "aws:VpcSourceIp",
		"aws:ViaAWSService", "aws:CalledVia", "aws:CalledViaFirst", "aws:CalledViaLast", "aws:PrincipalArn",
		"aws:PrincipalAccount", "aws:PrincipalType", "aws:userid", "aws:username", "aws:PrincipalOrgID",
		"aws:ResourceAccount", "aws:SecureTransport", "aws:CurrentTime", "aws:EpochTime",
		"aws:MultiFactorAuthPresent", "aws:MultiFactorAuthAge", "aws:TokenIssueTime", "aws:SourceArn",
		"aws:SourceAccount", "aws:TagKeys", "aws:PrincipalOrgPaths", "aws:ResourceOrgID",
		"kms:ViaService", "kms:CallerAccount", "kms:GrantIsForAWSResource", "iam:PassedToService",
		"dynamodb:LeadingKeys", "dynamodb:Attributes",
	]
}

_tag_prefixes := {
	"aws:principaltag/": "aws:PrincipalTag/",
	"aws:resourcetag/": "aws:ResourceTag/",
	"aws:requesttag/": "aws:RequestTag/",
}

_key_name(k) := _key_names[k]

_key_name(k) := concat("", [_tag_prefixes[p], substring(k, count(p), -1)]) if {
	not _key_names[k]
	some p in object.keys(_tag_prefixes)
	startswith(k, p)
}

_key_name(k) := k if {
	not _key_names[k]
	not _tagged(k)
}

_tagged(k) if {
	some p in object.keys(_tag_prefixes)
	startswith(k, p)
}
