package iam2rego.validate_test

import data.iam2rego.generic

p(document) := {"name": "bad", "document": document, "source": "bad.json"}

allow_all := {"Effect": "Allow", "Action": "*", "Resource": "*"}

req := {"action": "dynamodb:CreateBackup", "resource": "arn:aws:dynamodb:us-east-1:123456789012:table/Music", "context": {}, "principal": {}}

codes(psd) := [[e.code, e.statement_index] | some e in generic.set_errors(psd)]

# [document, expected [code, statement_index] list]; every case also carries an Allow-everything
# statement so that a silently skipped error would show up as "allow".
bad_docs := [
	[`{"Version":"2012-10-17","Statement":[]}}`, [["V-JSON", null]]],
	[`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},]}`, [["V-JSON", null]]],
	[42, [["V-JSON", null]]],
	[`[1]`, [["V-TOP", null]]],
	[{"Version": "2012-10-17", "Statement": [allow_all], "Extra": 1}, [["V-TOP", null]]],
	[{"Version": "2013-01-01", "Statement": [allow_all]}, [["V-TOP", null]]],
	[{"Version": "2012-10-17"}, [["V-TOP", null]]],
	[{"Statement": [allow_all, "x"]}, [["V-STMT", 1]]],
	[{"Statement": [allow_all, object.union(allow_all, {"effect": "Deny"})]}, [["V-STMT", 1]]],
	[{"Statement": [allow_all, object.union(allow_all, {"Effect": "allow"})]}, [["V-EFFECT", 1]]],
	[{"Statement": [allow_all, object.remove(allow_all, ["Action"])]}, [["V-ACTION", 1]]],
	[{"Statement": [allow_all, object.union(allow_all, {"NotAction": "s3:*"})]}, [["V-ACTION", 1]]],
	[{"Statement": [allow_all, object.union(allow_all, {"Action": []})]}, [["V-ACTION", 1]]],
	[{"Statement": [allow_all, object.union(allow_all, {"Action": "dynamodb"})]}, [["V-ACTION", 1]]],
	[{"Statement": [allow_all, object.remove(allow_all, ["Resource"])]}, [["V-RESOURCE", 1]]],
	[{"Statement": [allow_all, object.union(allow_all, {"Resource": [1]})]}, [["V-RESOURCE", 1]]],
	[{"Statement": [allow_all, object.union(allow_all, {"Principal": "*"})]}, [["V-PRINCIPAL", 1]]],
	[{"Statement": [allow_all, object.union(allow_all, {"Condition": {"StringEqualz": {"k": "v"}}})]}, [["V-COND", 1]]],
	[{"Statement": [allow_all, object.union(allow_all, {"Condition": {"NullIfExists": {"k": "true"}}})]}, [["V-COND", 1]]],
	[{"Statement": [allow_all, object.union(allow_all, {"Condition": {"StringEquals": {"k": {"a": 1}}}})]}, [["V-COND", 1]]],
	[{"Statement": [allow_all, object.union(allow_all, {"Condition": "x"})]}, [["V-COND", 1]]],
	[{"Version": "2012-10-17", "Statement": [allow_all, object.union(allow_all, {"Resource": "arn:aws:s3:::${aws:username"})]}, [["V-VAR", 1]]],
]

test_malformed_documents_are_reported_and_never_allow if {
	failures := [[i, codes(psd), d.decision] |
		some i, x in bad_docs
		psd := {"identity": [p(x[0])]}
		d := generic.decide_request(psd, req, {})
		[codes(psd), d.decision, d.reason] != [x[1], "implicit_deny", "unreadable_policy"]
	]
	failures == []
}

test_valid_documents_have_no_errors if {
	every document in [
		{"Statement": allow_all},
		{"Version": "2008-10-17", "Id": "x", "Statement": [allow_all]},
		{"Version": "2012-10-17", "Statement": [object.union(allow_all, {"Condition": {"ForAllValues:StringLikeIfExists": {"aws:TagKeys": ["a*"]}, "Null": {"k": true}}})]},
		{"Version": "2008-10-17", "Statement": [object.union(allow_all, {"Resource": ["*", "arn:aws:s3:::${aws:username"]})]},
	] {
		codes({"identity": [p(document)]}) == []
		generic.decide_request({"identity": [p(document)]}, req, {}).decision == "allow"
	}
}

test_errors_in_any_set_refuse if {
	good := p({"Statement": allow_all})
	bad := p("{")
	every psd in [
		{"identity": [good], "boundary": bad},
		{"identity": [good], "session": bad},
		{"identity": [good], "scp": [[bad]]},
		{"identity": [good], "rcp": [[bad]]},
		{"identity": [good], "resource_policy": bad},
	] {
		generic.decide_request(psd, req, {}).reason == "unreadable_policy"
	}
}

test_resource_policy_needs_a_principal if {
	codes({"resource_policy": p({"Statement": allow_all})}) == [["V-PRINCIPAL", 0]]
}
