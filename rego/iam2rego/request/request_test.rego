package iam2rego.request_test

import data.iam2rego.request

raw := {
	"action": "DynamoDB:ListBackups",
	"resource": "arn:aws:dynamodb:us-east-1:123456789012:table/Movies",
	"context": {
		"AWS:SourceIp": "203.0.113.10",
		"aws:MultiFactorAuthPresent": true,
		"aws:MultiFactorAuthAge": 300,
		"aws:EpochTime": 1.5,
		"aws:TagKeys": ["env", 7, false],
		"aws:Gone": null,
	},
	"principal": {"arn": "arn:aws:iam::123456789012:user/alice", "account": "123456789012", "type": "IAMUser"},
}

no_res := {"dynamodb:listbackups", "dynamodb:listexports"}

test_normalize_lowercases_action_and_keys if {
	r := request.normalize(raw) with data.iam2rego.catalog.no_resource_actions as no_res
	r.action == "dynamodb:listbackups"
	r.context == {
		"aws:sourceip": "203.0.113.10",
		"aws:multifactorauthpresent": "true",
		"aws:multifactorauthage": "300",
		"aws:epochtime": "1.5",
		"aws:tagkeys": ["env", "7", "false"],
	}
	r.principal == raw.principal
}

test_no_resource_action_forces_star if {
	r := request.normalize(raw) with data.iam2rego.catalog.no_resource_actions as no_res
	r.resource == "*"
}

test_resource_kept_for_resource_actions if {
	r := request.normalize(object.union(raw, {"action": "dynamodb:CreateBackup"})) with data.iam2rego.catalog.no_resource_actions as no_res
	r.resource == raw.resource
}

test_normalize_is_idempotent if {
	once := request.normalize(raw) with data.iam2rego.catalog.no_resource_actions as no_res
	twice := request.normalize(once) with data.iam2rego.catalog.no_resource_actions as no_res
	once == twice
}

test_missing_context_and_resource_default if {
	r := request.normalize({"action": "s3:GetObject"}) with data.iam2rego.catalog.no_resource_actions as no_res
	r.context == {}
	r.resource == "*"
	r.principal == {}
}

test_keys_differing_in_case_pick_the_first_sorted if {
	r := request.normalize({"action": "a:b", "context": {"aws:X": "upper", "aws:x": "lower"}})
	r.context == {"aws:x": "upper"}
}

test_a_null_key_does_not_collide_with_its_case_twin if {
	r := request.normalize({"action": "a:b", "context": {"aws:X": null, "aws:x": "lower", "aws:Y": 1}})
	r.context == {"aws:x": "lower", "aws:y": "1"}
}

test_principal_facts_from_the_arn if {
	cases := [
		["arn:aws:iam::123456789012:root", {"account": "123456789012", "type": "Root"}],
		["arn:aws:iam::123456789012:user/ops/alice", {"account": "123456789012", "type": "IAMUser"}],
		["arn:aws:iam::123456789012:role/Ops", {"account": "123456789012", "type": "Role"}],
		["arn:aws:sts::123456789012:assumed-role/Ops/s1", {"account": "123456789012", "type": "AssumedRole"}],
		["arn:aws:sts::123456789012:federated-user/bob", {"account": "123456789012", "type": "FederatedUser"}],
		["arn:aws-cn:iam::123456789012:user/alice", {"account": "123456789012", "type": "IAMUser"}],
		["dynamodb.amazonaws.com", {"type": "Service", "service": "dynamodb.amazonaws.com"}],
		["not an arn", {}],
	]
	failures := [[arn, got] |
		some x in cases
		arn := x[0]
		got := object.remove(request.principal_facts({"arn": arn}), ["arn"])
		got != x[1]
	]
	failures == []
}

test_principal_facts_keep_what_the_request_gives if {
	given := {"arn": "arn:aws:iam::123456789012:user/alice", "type": "Root", "account": "999999999999"}
	request.principal_facts(given) == given
	request.normalize({"action": "s3:GetObject", "principal": {"arn": "arn:aws:iam::123456789012:root"}}).principal.type == "Root"
}

xr(p, res) := {"principal": request.principal_facts({"arn": p}), "resource": res}

test_cross_account if {
	request.cross_account(xr("arn:aws:iam::210987654321:user/x", "arn:aws:dynamodb:us-east-1:123456789012:table/T"))
	not request.cross_account(xr("arn:aws:iam::123456789012:user/x", "arn:aws:dynamodb:us-east-1:123456789012:table/T"))
	not request.cross_account(xr("arn:aws:iam::210987654321:user/x", "*"))
	not request.cross_account(xr("arn:aws:iam::210987654321:user/x", "arn:aws:s3:::bucket/key"))
	not request.cross_account(xr("dynamodb.amazonaws.com", "arn:aws:dynamodb:us-east-1:123456789012:table/T"))
}

# Every shape's regex tried in turn: what arn_facts answered before it picked one shape by the
# ARN's service and resource word (issue 14). The two must agree on any text.
every_shape_facts(arn) := {"account": m[0][1], "type": shape.type} if {
	some shape in [
		{"re": `^arn:[^:]+:iam::([0-9]{12}):root$`, "type": "Root"},
		{"re": `^arn:[^:]+:iam::([0-9]{12}):user/.+$`, "type": "IAMUser"},
		{"re": `^arn:[^:]+:iam::([0-9]{12}):role/.+$`, "type": "Role"},
		{"re": `^arn:[^:]+:sts::([0-9]{12}):assumed-role/[^/]+/.+$`, "type": "AssumedRole"},
		{"re": `^arn:[^:]+:sts::([0-9]{12}):federated-user/.+$`, "type": "FederatedUser"},
	]
	m := regex.find_all_string_submatch_n(shape.re, arn, 1)
	count(m) == 1
} else := {"type": "Service", "service": arn} if {
	regex.match(`^[a-z0-9][a-z0-9.-]*\.amazonaws\.com(\.cn)?$`, arn)
} else := {}

test_principal_facts_pick_the_shape_every_shape_would_find if {
	arns := [
		"arn:aws:iam::123456789012:root", "arn:aws:iam::123456789012:root/x", "arn:aws:iam::123456789012:root:x",
		"arn:aws:iam::123456789012:user/a:b", "arn:aws:iam::123456789012:user/", "arn:aws:iam::123456789012:user",
		"arn:aws:iam::12345678901:user/a", "arn:aws:sts::123456789012:user/a", "arn:aws:iam:x:123456789012:user/a",
		"arn:aws:iam::123456789012:assumed-role/R/s", "arn:aws:sts::123456789012:assumed-role/R/s:x/y",
		"arn:aws:sts::123456789012:assumed-role/R", "arn:aws:sts::123456789012:assumed-role//s",
		"arn:aws:sts::123456789012:federated-user/b", "arn:aws:iam::123456789012:role/a/b:c",
		"arn::iam::123456789012:root", "arn:aws:iam::123456789012:user/a\nb", "arn:aws:iam::123456789012:Root",
		"ARN:aws:iam::123456789012:root", "s3.amazonaws.com", "s3.amazonaws.com.cn", "a:b:c:d:e:f", "", 7,
	]
	failures := [[arn, got, want] |
		some arn in arns
		got := object.remove(request.principal_facts({"arn": arn}), ["arn"])
		want := every_shape_facts(arn)
		got != want
	]
	failures == []
	given := [[p, got] |
		some arn in arns
		some p in [{"arn": arn, "account": "1", "type": "T"}, {"arn": arn, "account": null, "type": false}]
		got := request.principal_facts(p)
		got != object.union(every_shape_facts(arn), p)
	]
	given == []
}
