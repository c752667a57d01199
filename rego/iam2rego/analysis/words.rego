# Residual conditions in words
# Each atom gets "text" (the phrase when it holds) and "negation" (when it does not). A residual is
# read as "allowed when <clauses>, unless <clauses>": a clause made only of negated atoms (a
# conditional Deny) reads "unless <atoms>", except a single atom whose negation needs no
# "(or absent)" (e.g. not BoolIfExists aws:MultiFactorAuthPresent false = "... is true").
package iam2rego.analysis

import data.iam2rego.conditions

words(t, _) := "allowed in every request context" if t.answer == "allowed"

words(t, _) := "denied in every request context" if t.answer == "denied"

words(t, _) := "unverifiable: a policy of the set cannot be read" if t.answer == "unverifiable"

words(t, _) := "conditional: depends on more open conditions than the analysis enumerates" if {
	t.answer == "conditional"
	t.condition == null
}

words(t, atoms) := concat("", ["allowed", when_part(whens), unless_part(whens, unlesses)]) if {
	t.answer == "conditional"
	t.condition != null
	whens := [clause_text(cl, atoms, count(t.condition.all)) | some cl in t.condition.all; not unless_clause(cl, atoms)]
	unlesses := [unless_text(cl, atoms) | some cl in t.condition.all; unless_clause(cl, atoms)]
}

when_part([]) := ""

when_part(whens) := concat("", [" when ", concat(" and ", whens)]) if count(whens) > 0

unless_part(_, []) := ""

unless_part(whens, unlesses) := concat("", [lead, concat(" or ", [wrap(u, count(unlesses)) | some u in unlesses])]) if {
	count(unlesses) > 0
	lead := unless_lead(count(whens))
}

unless_lead(0) := " unless "

unless_lead(n) := ", unless " if n > 0

wrap(text, n) := concat("", ["(", text, ")"]) if {
	n > 1
	contains(text, " and ")
}

wrap(text, n) := text if {
	not n > 1
}

wrap(text, n) := text if {
	n > 1
	not contains(text, " and ")
}

# A clause "not a or not b or ..." (one conditional Deny) reads "unless a and b".
unless_clause(cl, atoms) if {
	not prefer_when(cl, atoms)
	every conj in cl.any {
		count(conj.all) == 1
		conj.all[0].value == false
	}
}

prefer_when(cl, atoms) if {
	count(cl.any) == 1
	atoms[cl.any[0].all[0].atom].absent_holds == true
}

unless_text(cl, atoms) := concat(" and ", [x | some conj in cl.any; x := atoms[conj.all[0].atom].text])

clause_text(cl, atoms, n) := wrap_or(concat(" or ", texts), count(cl.any), n) if {
	texts := [x | some conj in cl.any; x := conj_text(conj, atoms, count(cl.any))]
}

wrap_or(text, conjs, clauses) := concat("", ["(", text, ")"]) if {
	conjs > 1
	clauses > 1
}

wrap_or(text, conjs, clauses) := text if not both_above_one(conjs, clauses)

both_above_one(a, b) if {
	a > 1
	b > 1
}

conj_text(conj, atoms, n) := t if {
	t := concat(" and ", [x | some l in conj.all; x := lit_text(l, atoms)])
	not paren_needed(conj, n)
}

conj_text(conj, atoms, n) := concat("", ["(", t, ")"]) if {
	paren_needed(conj, n)
	t := concat(" and ", [x | some l in conj.all; x := lit_text(l, atoms)])
}

paren_needed(conj, n) if {
	count(conj.all) > 1
	n > 1
}

lit_text(l, atoms) := atoms[l.atom].text if l.value == true

lit_text(l, atoms) := atoms[l.atom].negation if l.value == false

# --- atoms ----------------------------------------------------------------------------------------------

with_words(atom) := object.union(atom, extra) if {
	extra := {"text": phrase(atom, true), "negation": phrase(atom, false), "absent_holds": absent_holds(atom)}
}

default absent_holds(_) := false

absent_holds(atom) if {
	c := atom.condition
	c.op != "Null"
	c.qualifier != "ForAnyValue"
	absent_ok(c)
}

absent_ok(c) if c.if_exists == true

absent_ok(c) if c.op in conditions.negated_ops

absent_ok(c) if c.qualifier == "ForAllValues"

phrase(atom, holds) := resource_phrase(atom.resource, holds) if atom.resource

phrase(atom, holds) := null_phrase(key_name(atom.condition.key), atom.condition, holds) if atom.condition.op == "Null"

phrase(atom, holds) := cond_phrase(atom.condition, key_name(atom.condition.key), holds) if {
	atom.condition.op != "Null"
}

null_phrase(k, c, holds) := concat(" ", [k, "is absent"]) if lower(c.values[0]) == "true" == holds

null_phrase(k, c, holds) := concat(" ", [k, "is present"]) if lower(c.values[0]) == "true" != holds

resource_phrase(b, holds) := concat("", parts) if {
	parts := ["the resource ", b.target, " matches ", resource_rel(b.negated == holds), " ", concat(", ", b.patterns)]
}

resource_rel(true) := "none of"

resource_rel(false) := "one of"

# own = the relation the operator asserts; other = its complement. Absent keys per SEMANTICS §6.3/§6.4.
cond_phrase(c, k, true) := concat("", [k, " ", own_rel(c), or_absent(absent_is_true)]) if {
	c.qualifier == ""
	absent_is_true := absent_holds({"condition": c})
}

cond_phrase(c, k, false) := concat("", [k, " ", other_rel(c), or_absent(not_absent(c))]) if c.qualifier == ""

cond_phrase(c, k, true) := concat("", ["some value of ", k, " ", own_rel(c)]) if c.qualifier == "ForAnyValue"

cond_phrase(c, k, false) := concat("", ["no value of ", k, " ", own_rel(c), " (or ", k, " is absent)"]) if {
	c.qualifier == "ForAnyValue"
}

cond_phrase(c, k, true) := concat("", ["every value of ", k, " ", own_rel(c), " (or ", k, " is absent)"]) if {
	c.qualifier == "ForAllValues"
}

cond_phrase(c, k, false) := concat("", ["some value of ", k, " ", other_rel(c)]) if c.qualifier == "ForAllValues"

not_absent(c) := false if absent_holds({"condition": c})

not_absent(c) if not absent_holds({"condition": c})

or_absent(true) := " (or absent)"

or_absent(false) := ""

own_rel(c) := relation(conditions.positive_of[c.op], c.values, false) if c.op in conditions.negated_ops

own_rel(c) := relation(c.op, c.values, true) if not c.op in conditions.negated_ops

other_rel(c) := relation(conditions.positive_of[c.op], c.values, true) if c.op in conditions.negated_ops

other_rel(c) := relation(c.op, c.values, false) if not c.op in conditions.negated_ops

# relation(positive operator, values, asserted?) — several values: OR when asserted, NOR otherwise.
relation(op, vals, pos) := concat("", [verb(op, pos, count(vals)), " ", listed_values(op, vals, pos), suffix(op)]) if {
	not bool_flip(op, vals, pos)
}

# Bool keys carry true or false: "not false" reads "true".
relation(op, vals, pos) := concat(" ", ["is", bool_flip(op, vals, pos)])

bool_flip("Bool", [v], false) := {"true": "false", "false": "true"}[lower(v)]

one_of_ops := {"StringEquals", "StringEqualsIgnoreCase", "StringLike", "ArnEquals", "ArnLike", "IpAddress"}

listed_values(_, vals, _) := vals[0] if count(vals) == 1

listed_values(op, vals, _) := concat(", ", vals) if {
	count(vals) > 1
	op in one_of_ops
}

listed_values(op, vals, true) := concat(" or ", vals) if {
	count(vals) > 1
	not op in one_of_ops
}

listed_values(op, vals, false) := concat(" and ", vals) if {
	count(vals) > 1
	not op in one_of_ops
}

suffix("StringEqualsIgnoreCase") := " (ignoring case)"

suffix(op) := "" if op != "StringEqualsIgnoreCase"

verb(op, pos, n) := v if {
	op in one_of_ops
	v := one_of_verb(op, pos, n > 1)
}

verb(op, pos, _) := verbs[op][side(pos)] if not op in one_of_ops

side(true) := 0

side(false) := 1

one_of_verb(op, true, false) := matchy[op][0]

one_of_verb(op, false, false) := matchy[op][1]

one_of_verb(op, true, true) := concat(" ", [matchy[op][0], "one of"])

one_of_verb(op, false, true) := concat(" ", [matchy[op][0], "none of"])

matchy := {
	"StringEquals": ["is", "is not"], "StringEqualsIgnoreCase": ["is", "is not"],
	"StringLike": ["matches", "does not match"], "ArnEquals": ["matches", "does not match"],
	"ArnLike": ["matches", "does not match"], "IpAddress": ["is in", "is not in"],
}

verbs := {
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
key_names[lower(k)] := k if {
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

tag_prefixes := {
	"aws:principaltag/": "aws:PrincipalTag/",
	"aws:resourcetag/": "aws:ResourceTag/",
	"aws:requesttag/": "aws:RequestTag/",
}

key_name(k) := key_names[k]

key_name(k) := concat("", [tag_prefixes[p], substring(k, count(p), -1)]) if {
	not key_names[k]
	some p in object.keys(tag_prefixes)
	startswith(k, p)
}

key_name(k) := k if {
	not key_names[k]
	not tagged(k)
}

tagged(k) if {
	some p in object.keys(tag_prefixes)
	startswith(k, p)
}
