package iam2rego.conditions_test

import data.iam2rego.conditions
import data.iam2rego.match

c(op, key, values) := {"op": op, "qualifier": "", "if_exists": false, "key": key, "values": values, "vars": true}

q(qual, op, key, values) := object.union(c(op, key, values), {"qualifier": qual})

ie(op, key, values) := object.union(c(op, key, values), {"if_exists": true})

ctx := {
	"aws:requestedregion": "us-east-1",
	"aws:sourceip": "203.0.113.10",
	"aws:multifactorauthpresent": "true",
	"aws:multifactorauthage": "300",
	"aws:currenttime": "2024-06-01T12:00:00Z",
	"aws:epochtime": "1717243200",
	"aws:principalarn": "arn:aws:iam::123456789012:role/Ops",
	"aws:username": "alice",
	"aws:tagkeys": ["env", "owner"],
	"aws:onetag": ["env"],
	"aws:emptyset": [],
	"aws:empty": "",
	"aws:path": "a:b/c",
	"aws:bin": "aGVsbG8=",
	"s3:prefix": "home/alice/docs",
}

# [condition, expected]
cases := [
	# String family, OR over values, NOR for negated
	[c("StringEquals", "aws:requestedregion", ["us-east-1"]), true],
	[c("StringEquals", "aws:requestedregion", ["US-EAST-1"]), false],
	[c("StringEquals", "aws:requestedregion", ["eu-west-1", "us-east-1"]), true],
	[c("StringNotEquals", "aws:requestedregion", ["us-east-1", "eu-west-1"]), false],
	[c("StringNotEquals", "aws:requestedregion", ["us-west-2", "eu-west-1"]), true],
	[c("StringEqualsIgnoreCase", "aws:requestedregion", ["US-EAST-1"]), true],
	[c("StringNotEqualsIgnoreCase", "aws:requestedregion", ["US-EAST-1"]), false],
	[c("StringLike", "aws:requestedregion", ["us-*"]), true],
	[c("StringLike", "aws:requestedregion", ["us-east-?"]), true],
	[c("StringLike", "aws:requestedregion", ["us-east"]), false],
	[c("StringLike", "aws:path", ["a*c"]), true],
	[c("StringNotLike", "aws:requestedregion", ["eu-*"]), true],
	[c("StringEquals", "aws:requestedregion", ["us-*"]), false],
	[c("StringEquals", "aws:empty", [""]), true],
	# missing keys (§6.3)
	[c("StringEquals", "aws:missing", ["x"]), false],
	[c("StringNotEquals", "aws:missing", ["x"]), true],
	[c("StringNotLike", "aws:missing", ["x*"]), true],
	[ie("StringEquals", "aws:missing", ["x"]), true],
	[ie("StringEquals", "aws:requestedregion", ["x"]), false],
	[ie("StringNotEquals", "aws:missing", ["x"]), true],
	[c("ArnNotLike", "aws:missing", ["arn:*"]), true],
	# policy variables
	[c("StringLike", "s3:prefix", ["home/${aws:username}/*"]), true],
	[c("StringLike", "s3:prefix", ["home/${aws:userid}/*"]), false],
	[c("StringNotLike", "s3:prefix", ["home/${aws:userid}/*"]), true],
	[c("StringEquals", "aws:requestedregion", ["${aws:missing, 'us-east-1'}"]), true],
	[object.union(c("StringLike", "s3:prefix", ["home/${aws:username}/*"]), {"vars": false}), false],
	# Numeric
	[c("NumericLessThan", "aws:multifactorauthage", ["3600"]), true],
	[c("NumericLessThan", "aws:multifactorauthage", ["300"]), false],
	[c("NumericLessThanEquals", "aws:multifactorauthage", ["300.0"]), true],
	[c("NumericGreaterThan", "aws:multifactorauthage", ["299.5"]), true],
	[c("NumericGreaterThanEquals", "aws:multifactorauthage", ["0300"]), true],
	[c("NumericEquals", "aws:multifactorauthage", ["300"]), true],
	[c("NumericNotEquals", "aws:multifactorauthage", ["300"]), false],
	[c("NumericEquals", "aws:multifactorauthage", ["abc"]), false],
	[c("NumericEquals", "aws:requestedregion", ["1"]), false],
	[c("NumericEquals", "aws:multifactorauthage", ["0x12C"]), false],
	# Date
	[c("DateGreaterThan", "aws:currenttime", ["2024-01-01T00:00:00Z"]), true],
	[c("DateLessThan", "aws:currenttime", ["2024-01-01"]), false],
	[c("DateEquals", "aws:currenttime", ["2024-06-01T14:00:00+02:00"]), true],
	[c("DateNotEquals", "aws:currenttime", ["2024-06-01T14:00:00+02:00"]), false],
	[c("DateLessThanEquals", "aws:epochtime", ["2024-06-01T12:00:00Z"]), true],
	[c("DateGreaterThanEquals", "aws:currenttime", ["1717243200"]), true],
	[c("DateEquals", "aws:currenttime", ["not-a-date"]), false],
	# Bool
	[c("Bool", "aws:multifactorauthpresent", ["true"]), true],
	[c("Bool", "aws:multifactorauthpresent", ["TRUE"]), true],
	[c("Bool", "aws:multifactorauthpresent", ["false"]), false],
	[c("Bool", "aws:missing", ["false"]), false],
	[ie("Bool", "aws:missing", ["false"]), true],
	# Binary
	[c("BinaryEquals", "aws:bin", ["aGVsbG8="]), true],
	[c("BinaryEquals", "aws:bin", ["d29ybGQ="]), false],
	# IP
	[c("IpAddress", "aws:sourceip", ["203.0.113.0/24"]), true],
	[c("IpAddress", "aws:sourceip", ["198.51.100.0/24", "203.0.113.10"]), true],
	[c("NotIpAddress", "aws:sourceip", ["203.0.113.0/24"]), false],
	[c("NotIpAddress", "aws:sourceip", ["198.51.100.0/24"]), true],
	[c("NotIpAddress", "aws:missing", ["198.51.100.0/24"]), true],
	[c("IpAddress", "aws:missing", ["0.0.0.0/0"]), false],
	# Arn (per component)
	[c("ArnLike", "aws:principalarn", ["arn:aws:iam::*:role/*"]), true],
	[c("ArnEquals", "aws:principalarn", ["arn:aws:iam::123456789012:role/Ops"]), true],
	[c("ArnLike", "aws:principalarn", ["arn:aws:iam::*"]), false],
	[c("ArnLike", "aws:principalarn", ["arn:aws:*:role/Ops"]), false],
	[c("ArnLike", "aws:principalarn", ["arn:aws:iam::123456789012:role/o*"]), false],
	[c("ArnNotLike", "aws:principalarn", ["arn:aws:iam::*:role/Adm*"]), true],
	[c("ArnLike", "aws:requestedregion", ["*"]), false],
	[c("StringLike", "aws:principalarn", ["arn:aws:*:role/Ops"]), true],
	# Null
	[c("Null", "aws:missing", ["true"]), true],
	[c("Null", "aws:missing", ["false"]), false],
	[c("Null", "aws:requestedregion", ["false"]), true],
	[c("Null", "aws:requestedregion", ["true"]), false],
	[c("Null", "aws:empty", ["true"]), true],
	[c("Null", "aws:emptyset", ["true"]), true],
	# set operators (§6.4)
	[q("ForAllValues", "StringEquals", "aws:tagkeys", ["env"]), false],
	[q("ForAllValues", "StringEquals", "aws:tagkeys", ["env", "owner"]), true],
	[q("ForAllValues", "StringEquals", "aws:missing", ["env"]), true],
	[q("ForAllValues", "StringEquals", "aws:emptyset", ["env"]), true],
	[q("ForAllValues", "StringNotEquals", "aws:tagkeys", ["secret"]), true],
	[q("ForAllValues", "StringNotEquals", "aws:tagkeys", ["env"]), false],
	[q("ForAnyValue", "StringEquals", "aws:tagkeys", ["env"]), true],
	[q("ForAnyValue", "StringEquals", "aws:tagkeys", ["x"]), false],
	[q("ForAnyValue", "StringEquals", "aws:missing", ["env"]), false],
	[q("ForAnyValue", "StringEquals", "aws:emptyset", ["env"]), false],
	[q("ForAnyValue", "StringNotEquals", "aws:tagkeys", ["env"]), true],
	[q("ForAnyValue", "StringEquals", "aws:requestedregion", ["us-east-1"]), true],
	# plain operator on a multivalued key (Q8)
	[c("StringEquals", "aws:tagkeys", ["env", "owner"]), false],
	[c("StringNotEquals", "aws:tagkeys", ["env"]), true],
	[c("StringEquals", "aws:onetag", ["env"]), true],
	[c("StringEquals", "aws:emptyset", ["env"]), false],
	[c("StringNotEquals", "aws:emptyset", ["env"]), true],
	# unknown operator never holds
	[c("StringMatches", "aws:requestedregion", ["us-east-1"]), false],
]

test_condition_cases if {
	failures := [[i, x[0]] | some i, x in cases; conditions.holds(x[0], ctx) != x[1]]
	failures == []
}

test_all_hold_is_and if {
	conditions.all_hold([c("StringEquals", "aws:requestedregion", ["us-east-1"]), c("Bool", "aws:multifactorauthpresent", ["true"])], ctx)
	not conditions.all_hold([c("StringEquals", "aws:requestedregion", ["us-east-1"]), c("Bool", "aws:multifactorauthpresent", ["false"])], ctx)
	conditions.all_hold([], ctx)
}

# SEMANTICS §5.2a/§6.4: IfExists never turns an absent key into a ForAnyValue match; ForAllValues
# stays true.
test_for_any_value_if_exists_on_absent_key_is_false if {
	absent := object.union(q("ForAnyValue", "StringEquals", "aws:tagkeys", ["env"]), {"if_exists": true})
	not conditions.holds(absent, {})
	not conditions.holds(object.union(absent, {"key": "aws:emptyset"}), ctx)
	conditions.holds(absent, {"aws:tagkeys": ["env", "owner"]})
	conditions.holds(object.union(absent, {"qualifier": "ForAllValues"}), {})
	conditions.holds(object.union(absent, {"qualifier": ""}), {})
}

# Values and request strings where a fast path could differ from tokenising the value.
tricky_values := [
	"", "dev", "dev*", "*dev", "d*v", "*", "**", "a*b*c", "d?v", "?", "ab*ba", "$", "$dev", "{x}", "$ {x}",
	"a\\b", "é*", "*é", "x.y", "a[b]*", "line\n*", "${aws:username}", "${*}", "a${?}b", "${unclosed",
	"arn:aws:iam::123456789012:role/R", "arn:aws:iam::*:role/R", "arn:aws:s3:::b/*",
]

tricky_requests := [
	"", "dev", "devx", "xdev", "dv", "dxv", "abba", "aba", "ab", "abc", "a-b-c", "$dev", "{x}", "a\\b",
	"é", "éé", "x.y", "xzy", "a[b]", "line\nz", "alice", "*", "a?b", "arn:aws:iam::123456789012:role/R",
	"arn:aws:iam::210987654321:role/R", "arn:aws:s3:::b/k", "arn:aws:iam::123456789012:role/R/x",
]

# What the token path answers (the library before the fast paths).
token_like(v, pv, vars, ctx) if match.resource_tokens_match(match.pattern_tokens(pv, vars, "naive"), v, ctx)

token_resolved(pv, ctx) := concat("", parts) if {
	tokens := match.pattern_tokens(pv, true, "naive")
	parts := [x | some t in tokens; x := conditions._token_text(t, ctx)]
	count(parts) == count(tokens)
}

vars_ctx := {"aws:username": "alice"}

test_string_like_fast_paths_agree_with_tokens if {
	failures := [[v, pv, vars] |
		some pv in tricky_values
		some v in tricky_requests
		some vars in [true, false]
		like_fast(v, pv, vars) != like_tokens(v, pv, vars)
	]
	failures == []
}

test_resolved_fast_path_agrees_with_tokens if {
	failures := [pv |
		some pv in tricky_values
		got := object.get({"v": conditions._resolved(pv, true, vars_ctx)}, "v", null)
		want := object.get({"v": token_resolved(pv, vars_ctx)}, "v", null)
		got != want
	]
	failures == []
}

test_arn_fast_path_agrees_with_tokens if {
	failures := [[v, pv, vars] |
		some pv in tricky_values
		some v in tricky_requests
		some vars in [true, false]
		arn_fast(v, pv, vars) != arn_tokens(v, pv, vars)
	]
	failures == []
}

token_arn(v, pv, vars, ctx) if {
	strings.count(v, ":") >= 5
	tokens := match.pattern_tokens(pv, vars, "naive")
	parts := conditions._arn_parts(tokens, ctx)
	count(parts) == count(tokens)
	regex.match(concat("", ["^", concat("", parts), "$"]), v)
}

# Both sides as booleans (an undefined answer is false), so a difference is seen.
like_fast(v, pv, vars) if conditions._like(v, pv, vars, vars_ctx)

else := false

like_tokens(v, pv, vars) if token_like(v, pv, vars, vars_ctx)

else := false

arn_fast(v, pv, vars) if conditions._arn_like(v, pv, vars, vars_ctx)

else := false

arn_tokens(v, pv, vars) if token_arn(v, pv, vars, vars_ctx)

else := false
