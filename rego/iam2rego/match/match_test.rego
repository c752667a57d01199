package iam2rego.match_test

import data.iam2rego.match

t(table) := sprintf("arn:aws:dynamodb:us-east-1:123456789012:table/%s", [table])

b1 := "arn:aws:dynamodb:us-east-1:123456789012:table/Music/backup/01489173575360-b308cd7d"

str := "arn:aws:dynamodb:us-east-1:123456789012:table/Music/stream/2021-12-10T00:00:00.000"

# [pattern, action, expected]
action_cases := [
	["*", "s3:putobject", true],
	["dynamodb:*", "dynamodb:listbackups", true],
	["dynamodb:*", "s3:putobject", false],
	["DynamoDB:createBACKUP", "dynamodb:createbackup", true],
	["dynamodb:*Backup*", "dynamodb:describecontinuousbackups", true],
	["dynamodb:*Backup*", "dynamodb:startawsbackupjob", true],
	["dynamodb:Restore*", "dynamodb:restoretabletopointintime", true],
	["dynamodb:Describe?ackup", "dynamodb:describebackup", true],
	["dynamodb:Describe?ackup", "dynamodb:describeackup", false],
	["dynamo*:ListBackups", "dynamodb:listbackups", false],
	["dynamodb:List.ackups", "dynamodb:listbackups", false],
	["dynamodb:ListBackups", "dynamodb:listbackupsx", false],
	["dynamodb", "dynamodb", false],
	["dynamodb:[L]istBackups", "dynamodb:listbackups", false],
	["dynamodb:Create*", "dynamodb:create\nbackup", true],
	["dynamodb:Create?ackup", "dynamodb:create\nackup", true],
]

default action_ok(_, _) := false

action_ok(p, a) if match.action_matches(p, a)

default res_ok(_, _, _, _) := false

res_ok(p, r, ctx, mode) if match.resource_matches(p, r, ctx, true, mode)

test_action_cases if {
	failures := [c | some c in action_cases; action_ok(c[0], c[1]) != c[2]]
	failures == []
}

# §1.3 table and §7.4 resource rows: [pattern, resource, expected]
resource_cases := [
	[t("Music"), t("Music"), true],
	[t("Music"), t("MusicCollection"), false],
	[t("Music"), b1, false],
	[t("Music*"), t("MusicCollection"), true],
	[t("Music*"), b1, true],
	[t("Music*"), str, true],
	[t("Music/*"), t("Music"), false],
	[t("Music/*"), b1, true],
	[t("Music/backup/*"), b1, true],
	[t("Music/backup/*"), str, false],
	[t("*"), str, true],
	[t("*/backup/*"), b1, true],
	[t("*/backup/*"), t("Music"), false],
	["arn:aws:dynamodb:*:*:table/*", "arn:aws:dynamodb:eu-west-1:999999999999:table/X", true],
	[t("Music/stream/2021-12-10T*.000"), str, false],
	[t("Music/stream/2021-12-10T*"), str, true],
	[t("movies"), t("Movies"), false],
	["arn:aws:dynamodb:us-east-1:123456789012:*", b1, true],
	["arn:aws:dynamodb:us-east-?:123456789012:table/Music", t("Music"), true],
	["arn:aws:dynamodb:us-east-1:123456789012:table/Mus.c", t("Music"), false],
	["arn:aws:dynamodb:us-east-1:123456789012:table/[M]usic", t("Music"), false],
	["*", "*", true],
	["**", "*", true],
	["arn:aws:dynamodb:*:*:*", "*", false],
	[t("*"), "*", false],
	["*", t("Music"), true],
	[t("*"), t("a\nb"), true],
	[t("a?b"), t("a\nb"), true],
	[t("*/backup/*"), t("a\n/backup/x\ny"), true],
]

test_resource_cases_segment_mode if {
	failures := [c | some c in resource_cases; res_ok(c[0], c[1], {}, "segment") != c[2]]
	failures == []
}

test_naive_mode_lets_inner_star_cross_colons if {
	match.resource_matches(t("Music/stream/2021-12-10T*.000"), str, {}, true, "naive")
	not match.resource_matches(t("Music/stream/2021-12-10T*.000"), str, {}, true, "segment")
}

ctx := {"aws:username": "alice", "aws:principaltag/team": "red", "aws:tagkeys": ["a"], "aws:star": "M*"}

var_cases := [
	[t("${aws:username}"), t("alice"), ctx, true],
	[t("${AWS:UserName}"), t("alice"), ctx, true],
	[t("${aws:username}"), t("bob"), ctx, false],
	[t("${aws:username}"), t("alice"), {}, false],
	[t("team-${aws:PrincipalTag/team, 'shared'}"), t("team-red"), ctx, true],
	[t("team-${aws:PrincipalTag/team, 'shared'}"), t("team-shared"), ctx, false],
	[t("team-${aws:PrincipalTag/team, 'shared'}"), t("team-shared"), {}, true],
	[t("Music${*}"), t("Music"), {}, false],
	[t("Music${*}"), t("MusicCollection"), {}, false],
	[t("Music${*}"), t("Music*"), {}, true],
	[t("a${?}"), t("a?"), {}, true],
	[t("a${?}"), t("ab"), {}, false],
	[t("a${$}"), t("a$"), {}, true],
	[t("${aws:star}"), t("Music"), ctx, false],
	[t("${aws:star}"), t("M*"), ctx, true],
	[t("${aws:tagkeys}"), t("a"), ctx, false],
	[t("${aws:username"), t("alice"), ctx, false],
	[t("${}"), t("${}"), ctx, false],
	["${*}", "*", {}, true],
]

test_policy_variables if {
	failures := [c | some c in var_cases; res_ok(c[0], c[1], c[2], "segment") != c[3]]
	failures == []
}

test_variables_are_literal_when_disabled if {
	not match.resource_matches(t("${aws:username}"), t("alice"), ctx, false, "segment")
	match.resource_matches(t("${aws:username}"), t("${aws:username}"), ctx, false, "segment")
	match.resource_matches(t("${aws:username"), t("${aws:username"), ctx, false, "segment")
}

test_compiled_tokens if {
	tokens := [
		{"t": "lit", "v": "arn:aws:dynamodb:"},
		{"t": "star", "cross": true},
		{"t": "lit", "v": ":123456789012:table/"},
		{"t": "var", "k": "aws:username", "d": null},
		{"t": "any"},
	]
	match.resource_tokens_match(tokens, "arn:aws:dynamodb:us-east-1:123456789012:table/alice1", ctx)
	not match.resource_tokens_match(tokens, "arn:aws:dynamodb:us-east-1:123456789012:table/alice", ctx)
	not match.resource_tokens_match(tokens, "arn:aws:dynamodb:us-east-1:123456789012:table/bob1", ctx)
	not match.resource_tokens_match(tokens, "arn:aws:dynamodb:us-east-1:123456789012:table/alice1", {})
}

test_pattern_tokens_mark_segment_final_stars if {
	match.pattern_tokens("arn:aws:dynamodb:*:*:table/*/backup/*", true, "segment") == [
		{"t": "lit", "v": "arn:aws:dynamodb:"},
		{"t": "star", "cross": true},
		{"t": "lit", "v": ":"},
		{"t": "star", "cross": true},
		{"t": "lit", "v": ":table/"},
		{"t": "star", "cross": false},
		{"t": "lit", "v": "/backup/"},
		{"t": "star", "cross": true},
	]
}

test_escape_regex if {
	match.escape_regex("a.b*c?[d]{e}(f)|g^h$i\\j+") == `a\.b\*c\?\[d\]\{e\}\(f\)\|g\^h\$i\\j\+`
	regex.match(concat("", ["^", match.escape_regex("a.b*c?[d]{e}(f)|g^h$i\\j+"), "$"]), "a.b*c?[d]{e}(f)|g^h$i\\j+")
}

user := {"arn": "arn:aws:iam::123456789012:user/alice", "account": "123456789012", "type": "IAMUser"}

session := {"arn": "arn:aws:sts::123456789012:assumed-role/Ops/s1", "account": "123456789012", "type": "AssumedRole"}

test_principal_matching if {
	match.principal_matches("*", user)
	match.principal_matches({"AWS": "*"}, user)
	match.principal_matches({"AWS": "123456789012"}, user)
	match.principal_matches({"AWS": ["arn:aws:iam::123456789012:root"]}, user)
	match.principal_matches({"AWS": "arn:aws:iam::123456789012:user/alice"}, user)
	not match.principal_matches({"AWS": "arn:aws:iam::123456789012:user/bob"}, user)
	not match.principal_matches({"AWS": "210987654321"}, user)
	match.principal_matches({"AWS": "arn:aws:iam::123456789012:role/Ops"}, session)
	match.principal_matches({"AWS": "arn:aws:sts::123456789012:assumed-role/Ops/s1"}, session)
	not match.principal_matches({"AWS": "arn:aws:iam::123456789012:role/Other"}, session)
	match.principal_matches({"Service": "backup.amazonaws.com"}, {"type": "Service", "service": "backup.amazonaws.com"})
	not match.principal_matches({"Service": "backup.amazonaws.com"}, user)
}

test_principal_named_directly if {
	match.principal_named_directly({"AWS": "arn:aws:iam::123456789012:user/alice"}, user)
	match.principal_named_directly({"AWS": ["arn:aws:sts::123456789012:assumed-role/Ops/s1"]}, session)
	not match.principal_named_directly({"AWS": "arn:aws:iam::123456789012:role/Ops"}, session)
	not match.principal_named_directly({"AWS": "123456789012"}, user)
}

# An Allow naming the account delegates to the account's identity policies: it grants nothing by
# itself (SEMANTICS §5.1, [IAM-PRINCIPAL]); the principal itself, "*" and services grant.
test_principal_grants_only_to_principals_named_themselves if {
	match.principal_grants("*", user)
	match.principal_grants({"AWS": "*"}, user)
	not match.principal_grants({"AWS": "123456789012"}, user)
	not match.principal_grants({"AWS": ["arn:aws:iam::123456789012:root"]}, user)
	not match.principal_grants({"AWS": "123456789012"}, session)
	match.principal_grants({"AWS": "arn:aws:iam::123456789012:user/alice"}, user)
	match.principal_grants({"AWS": ["123456789012", "arn:aws:iam::123456789012:user/alice"]}, user)
	not match.principal_grants({"AWS": "arn:aws:iam::123456789012:user/bob"}, user)
	match.principal_grants({"AWS": "arn:aws:iam::123456789012:role/Ops"}, session)
	match.principal_grants({"AWS": "arn:aws:sts::123456789012:assumed-role/Ops/s1"}, session)
	not match.principal_grants({"AWS": "arn:aws:iam::123456789012:role/Other"}, session)
	match.principal_grants({"Service": "backup.amazonaws.com"}, {"type": "Service", "service": "backup.amazonaws.com"})
	not match.principal_grants({"Service": "backup.amazonaws.com"}, user)
}
