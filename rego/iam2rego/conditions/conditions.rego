# METADATA
# title: Condition evaluation — the one implementation of SEMANTICS §6
# description: |
#   cond = {"op", "qualifier", "if_exists", "key", "values", "vars"} (ARCHITECTURE §3); ctx = the
#   normalised context (lower-case keys; values are strings or arrays of strings).
#   Rules: several values under a positive operator = OR, under a negated operator = NOR (§6.2);
#   absent key: positive false, negated true, IfExists true, ForAllValues true, ForAnyValue false
#   with or without IfExists (§6.3/§6.4, §5.2a); Null treats an empty string or empty set as
#   null; a plain operator on a key with more than one value: positive false, negated true
#   (§6.4/Q8); unknown operators never hold.
package iam2rego.conditions

import data.iam2rego.dates
import data.iam2rego.ip
import data.iam2rego.match

negated_ops := {
	"StringNotEquals", "StringNotEqualsIgnoreCase", "StringNotLike", "NumericNotEquals",
	"DateNotEquals", "NotIpAddress", "ArnNotEquals", "ArnNotLike",
}

# Negated operator -> the positive operator whose NOR it is.
positive_of := {
	"StringNotEquals": "StringEquals", "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
	"StringNotLike": "StringLike", "NumericNotEquals": "NumericEquals", "DateNotEquals": "DateEquals",
	"NotIpAddress": "IpAddress", "ArnNotEquals": "ArnEquals", "ArnNotLike": "ArnLike",
}

positive_ops := {
	"StringEquals", "StringEqualsIgnoreCase", "StringLike", "NumericEquals", "NumericLessThan",
	"NumericLessThanEquals", "NumericGreaterThan", "NumericGreaterThanEquals", "DateEquals",
	"DateLessThan", "DateLessThanEquals", "DateGreaterThan", "DateGreaterThanEquals", "Bool",
	"BinaryEquals", "IpAddress", "ArnEquals", "ArnLike",
}

# Operators whose values may hold policy variables (§4.5; Bool excluded, see Q5).
_var_ops := {"StringEquals", "StringEqualsIgnoreCase", "StringLike", "ArnEquals", "ArnLike"}

# METADATA
# description: Every condition object of the list holds (AND across operators and keys).
all_hold(conds, ctx) if {
	every c in conds {
		holds(c, ctx)
	}
}

default holds(_, _) := false

# METADATA
# scope: document
# description: Whether one condition object holds against the normalised context.
holds(cond, ctx) if {
	cond.op == "Null"
	_null_holds(cond, ctx)
}

holds(cond, ctx) if {
	cond.op != "Null"
	_known_op(cond.op)
	_absent(ctx, cond.key)
	_absent_holds(cond)
}

holds(cond, ctx) if {
	cond.op != "Null"
	_known_op(cond.op)
	vals := _request_values(ctx, cond.key)
	_present_holds(cond, vals, ctx)
}

_known_op(op) if op in positive_ops

_known_op(op) if op in negated_ops

_absent(ctx, key) if not ctx[key]

_absent(ctx, key) if ctx[key] == []

_request_values(ctx, key) := v if {
	v := ctx[key]
	is_array(v)
	v != []
}

_request_values(ctx, key) := [v] if {
	v := ctx[key]
	is_string(v)
}

_absent_holds(cond) if _qualifier(cond) == "ForAllValues"

# IfExists never makes ForAnyValue hold on an absent key (SEMANTICS §5.2a, §6.4).
_absent_holds(cond) if {
	object.get(cond, "if_exists", false) == true
	_qualifier(cond) != "ForAnyValue"
}

_absent_holds(cond) if {
	_qualifier(cond) == ""
	cond.op in negated_ops
}

_qualifier(cond) := object.get(cond, "qualifier", "")

# --- present key -------------------------------------------------------------------------------

_present_holds(cond, vals, ctx) if {
	_qualifier(cond) == "ForAllValues"
	every v in [x | some x in vals; x != ""] {
		_value_holds(cond, v, ctx)
	}
}

_present_holds(cond, vals, ctx) if {
	_qualifier(cond) == "ForAnyValue"
	some v in vals
	v != ""
	_value_holds(cond, v, ctx)
}

_present_holds(cond, vals, ctx) if {
	_qualifier(cond) == ""
	count(vals) == 1
	_value_holds(cond, vals[0], ctx)
}

# A plain operator on a multivalued key with several values (Q8): only negated operators hold.
_present_holds(cond, vals, _) if {
	_qualifier(cond) == ""
	count(vals) > 1
	cond.op in negated_ops
}

# One request value against the policy values: positive = any matches; negated = none matches.
_value_holds(cond, v, ctx) if {
	cond.op in positive_ops
	some pv in cond.values
	_compare(cond.op, v, pv, uses_vars(cond), ctx)
}

_value_holds(cond, v, ctx) if {
	cond.op in negated_ops
	pos := positive_of[cond.op]
	vars := uses_vars(cond)
	not _any_compare(pos, v, cond.values, vars, ctx)
}

_any_compare(op, v, values, vars, ctx) if {
	some pv in values
	_compare(op, v, pv, vars, ctx)
}

default uses_vars(_) := false

uses_vars(cond) if {
	object.get(cond, "vars", false) == true
	cond.op in _var_ops
}

uses_vars(cond) if {
	object.get(cond, "vars", false) == true
	positive_of[cond.op] in _var_ops
}

# --- Null ----------------------------------------------------------------------------------------

_null_holds(cond, ctx) if {
	_is_null_value(ctx, cond.key)
	some pv in cond.values
	lower(pv) == "true"
}

_null_holds(cond, ctx) if {
	not _is_null_value(ctx, cond.key)
	some pv in cond.values
	lower(pv) == "false"
}

_is_null_value(ctx, key) if _absent(ctx, key)

_is_null_value(ctx, key) if ctx[key] == ""

# --- comparisons (op is always a positive operator here) ---------------------------------------

_compare("StringEquals", v, pv, vars, ctx) if v == _resolved(pv, vars, ctx)

_compare("StringEqualsIgnoreCase", v, pv, vars, ctx) if lower(v) == lower(_resolved(pv, vars, ctx))

_compare("StringLike", v, pv, vars, ctx) if _like(v, pv, vars, ctx)

_compare("ArnEquals", v, pv, vars, ctx) if _arn_like(v, pv, vars, ctx)

_compare("ArnLike", v, pv, vars, ctx) if _arn_like(v, pv, vars, ctx)

_compare("Bool", v, pv, _, _) if lower(v) == lower(pv)

_compare("BinaryEquals", v, pv, _, _) if {
	base64.is_valid(pv)
	base64.is_valid(v)
	base64.decode(v) == base64.decode(pv)
}

_compare("IpAddress", v, pv, _, _) if ip.cidr_contains(pv, v)

_compare("NumericEquals", v, pv, _, _) if _number_of(v) == _number_of(pv)

_compare("NumericLessThan", v, pv, _, _) if _number_of(v) < _number_of(pv)

_compare("NumericLessThanEquals", v, pv, _, _) if _number_of(v) <= _number_of(pv)

_compare("NumericGreaterThan", v, pv, _, _) if _number_of(v) > _number_of(pv)

_compare("NumericGreaterThanEquals", v, pv, _, _) if _number_of(v) >= _number_of(pv)

_compare("DateEquals", v, pv, _, _) if dates.parse_ns(v) == dates.parse_ns(pv)

_compare("DateLessThan", v, pv, _, _) if dates.parse_ns(v) < dates.parse_ns(pv)

_compare("DateLessThanEquals", v, pv, _, _) if dates.parse_ns(v) <= dates.parse_ns(pv)

_compare("DateGreaterThan", v, pv, _, _) if dates.parse_ns(v) > dates.parse_ns(pv)

_compare("DateGreaterThanEquals", v, pv, _, _) if dates.parse_ns(v) >= dates.parse_ns(pv)

# METADATA
# description: |
#   A decimal number (optional sign, digits, optional fraction) as a number; undefined otherwise
#   (hex, exponents, text). Leading zeros are allowed (to_number alone would reject them).
_number_of(s) := n if {
	some m in regex.find_all_string_submatch_n(`^\s*([+-]?)([0-9]*)(?:\.([0-9]*))?\s*$`, s, 1)
	concat("", [m[2], m[3]]) != ""
	int_part := trim_left(m[2], "0")
	frac := trim_right(m[3], "0")
	text := concat("", [_sign_text(m[1]), _int_text(int_part), _frac_text(frac)])
	n := to_number(text)
}

_sign_text("-") := "-"

_sign_text(s) := "" if s != "-"

_int_text("") := "0"

_int_text(t) := t if t != ""

_frac_text("") := ""

_frac_text(f) := concat("", [".", f]) if f != ""

# --- policy values with variables and wildcards ------------------------------------------------

# The policy value with variables substituted (wildcards stay literal text); undefined when a
# variable has no value and no default.
_resolved(pv, false, _) := pv

# Without "${" a value holds no variable (issue 14: tokenising it gives it back).
_resolved(pv, true, ctx) := pv if {
	not contains(pv, "${")
} else := concat("", parts) if {
	tokens := match.pattern_tokens(pv, true, "naive")
	parts := [x | some t in tokens; x := _token_text(t, ctx)]
	count(parts) == count(tokens)
}

_token_text(t, _) := t.v if t.t == "lit"

_token_text(t, _) := "*" if t.t == "star"

_token_text(t, _) := "?" if t.t == "any"

_token_text(t, ctx) := match.var_value(t, ctx) if t.t == "var"

# StringLike: anchored glob, * and ? cross ":" and "/" (§6.5).
_like(v, pv, vars, ctx) if {
	not _plain(pv, vars)
	tokens := match.pattern_tokens(pv, vars, "naive")
	match.resource_tokens_match(tokens, v, ctx)
}

_like(v, pv, vars, _) if {
	_plain(pv, vars)
	_glob(v, pv)
}

# A policy value without variables to resolve (issue 14: the fast paths below need no tokens).
_plain(_, false)

_plain(pv, true) if not contains(pv, "${")

# StringLike of a plain value: no wildcard = equal; one * = prefix and suffix that do not overlap
# (counted in the same unit on both sides, so runes or bytes agree); else the token regex.
_glob(v, pv) if {
	not contains(pv, "*")
	not contains(pv, "?")
	v == pv
}

_glob(v, pv) if {
	not contains(pv, "?")
	parts := split(pv, "*")
	count(parts) == 2
	startswith(v, parts[0])
	endswith(v, parts[1])
	count(v) >= count(parts[0]) + count(parts[1])
}

_glob(v, pv) if {
	_many_wildcards(pv)
	match.resource_tokens_match(match.pattern_tokens(pv, false, "naive"), v, {})
}

_many_wildcards(pv) if contains(pv, "?")

_many_wildcards(pv) if count(split(pv, "*")) > 2

# Arn*: six components split on the first five ":"; wildcards stay inside a component (§6.5).
# The request value must have at least six components.
_arn_like(v, pv, vars, _) if {
	# a plain value without wildcards: the regex below would be the value itself (issue 14)
	_arn_plain(pv, vars)
	strings.count(v, ":") >= 5
	v == pv
}

_arn_like(v, pv, vars, ctx) if {
	not _arn_plain(pv, vars)
	strings.count(v, ":") >= 5
	tokens := match.pattern_tokens(pv, vars, "naive")
	parts := _arn_parts(tokens, ctx)
	count(parts) == count(tokens)
	regex.match(concat("", ["^", concat("", parts), "$"]), v)
}

_arn_plain(pv, vars) if {
	_plain(pv, vars)
	not contains(pv, "*")
	not contains(pv, "?")
}

# Regex text per token; a star or ? before the fifth ":" of the pattern text must not cross ":".
_arn_parts(tokens, ctx) := [x |
	some i in numbers.range(0, count(tokens) - 1)
	tokens[i]
	x := _arn_token_regex(tokens[i], _colons_before(tokens, i), ctx)
]

_colons_before(tokens, i) := sum([n |
	some j in numbers.range(0, i - 1)
	tokens[j].t == "lit"
	n := strings.count(tokens[j].v, ":")
])

_arn_token_regex(t, n, ctx) := match.tok_regex(t, ctx) if {
	t.t in {"lit", "var"}
	n >= 0
}

_arn_token_regex(t, n, _) := "[^:]*" if {
	t.t == "star"
	n < 5
}

_arn_token_regex(t, n, _) := `[\s\S]*` if {
	t.t == "star"
	n >= 5
}

_arn_token_regex(t, n, _) := "[^:]" if {
	t.t == "any"
	n < 5
}

_arn_token_regex(t, n, _) := `[\s\S]` if {
	t.t == "any"
	n >= 5
}
