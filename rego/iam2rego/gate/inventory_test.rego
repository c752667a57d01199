package iam2rego.gate_test

import data.iam2rego.gate

# one Allow of every backup action, then the same key again: Rego's JSON decoder keeps the last one
dup_statement := `{"Version": "2012-10-17",
 "Statement": [{"Effect": "Allow", "Action": "dynamodb:DeleteBackup", "Resource": "*"}],
 "Statement": [{"Effect": "Allow", "Action": "dynamodb:DescribeBackup", "Resource": "*"}]}`

dup_effect := `{"Version": "2012-10-17", "Statement": [
 {"Effect": "Deny", "Effect": "Allow", "Action": "dynamodb:DeleteBackup", "Resource": "*"}]}`

unverifiable_problems(deny) := {f.detail | some f in deny; f.code == "IAM2REGO-UNVERIFIABLE"}

test_duplicate_statement_key_is_unverifiable if {
	d := gate.deny with input as plan([role, inline(dup_statement)])
	unverifiable_problems(d) == {"inline policy cannot be verified: the policy is not a valid IAM policy document (V-DUP)"}
}

test_duplicate_effect_key_is_unverifiable if {
	d := gate.deny with input as plan([role, inline(dup_effect)])
	unverifiable_problems(d) == {"inline policy cannot be verified: the policy is not a valid IAM policy document (V-DUP)"}
}

test_keys_inside_strings_are_not_keys if {
	# quotes, colons and backslashes inside string values and keys: no key is repeated
	values := ["\"Statement\":", "\\", `a\": \"Effect\": \\`]
	text := json.marshal({"Version": "2012-10-17", "Statement": [{
		"Effect": "Allow", "Action": "dynamodb:DescribeBackup", "Resource": "*",
		"Condition": {"StringEquals": {`aws:PrincipalTag/x":y`: values}},
	}]})
	not gate._has_duplicate_keys(text, json.unmarshal(text))
	count(gate.deny) == 0 with input as plan([role, inline(text)])
}

test_same_key_in_different_objects_is_not_a_duplicate if {
	text := `{"Version": "2012-10-17", "Statement": [
	 {"Sid": "A", "Effect": "Allow", "Action": "dynamodb:DescribeBackup", "Resource": "*"},
	 {"Sid": "B", "Effect": "Allow", "Action": "dynamodb:ListBackups", "Resource": "*"}]}`
	not gate._has_duplicate_keys(text, json.unmarshal(text))
}

test_escaped_spelling_of_the_same_key_is_a_duplicate if {
	text := `{"Version": "2012-10-17", "Statement": [], "St\u0061tement": []}`
	gate._has_duplicate_keys(text, json.unmarshal(text))
}

test_front_end_verdict_makes_a_document_unverifiable if {
	ok := json.marshal({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]})
	verdict := {"codes": ["V-X"], "problem": "IAM would reject the policy (V-X at 1:2: reason)"}
	d := gate.deny with input as plan([role, inline(ok)])
		with data.iam2rego_cli as {"frontend": {"aws_iam_role_policy.p": verdict}}
	unverifiable_problems(d) == {"inline policy cannot be verified: IAM would reject the policy (V-X at 1:2: reason)"}
}

test_front_end_verdict_never_makes_an_unreadable_document_readable if {
	d := gate.deny with input as plan([role, inline("{not json")])
		with data.iam2rego_cli as {"frontend": {}}
	unverifiable_problems(d) == {"inline policy cannot be verified: the policy text is not a JSON object"}
}

statement_with(extra) := object.union({"Effect": "Allow", "Action": "dynamodb:DescribeBackup", "Resource": "*"}, extra)

test_sid_rules_of_iam_are_checked if {
	dup := json.marshal({"Version": "2012-10-17", "Statement": [statement_with({"Sid": "A"}), statement_with({"Sid": "A"})]})
	gate._document_codes("p", dup, json.unmarshal(dup), "inline") == ["V-SID"]
	chars := json.marshal({"Version": "2012-10-17", "Statement": [statement_with({"Sid": "no-dashes"})]})
	gate._document_codes("p", chars, json.unmarshal(chars), "inline") == ["V-SID"]
	gate._document_codes("p", chars, json.unmarshal(chars), "table_rbp") != ["V-SID"]
	not_text := json.marshal({"Version": "2012-10-17", "Statement": [statement_with({"Sid": 7})]})
	gate._document_codes("p", not_text, json.unmarshal(not_text), "inline") == ["V-SID"]
	ok := json.marshal({"Version": "2012-10-17", "Statement": [
		statement_with({"Sid": "A"}),
		statement_with({"Sid": ""}), statement_with({"Sid": ""}),
	]})
	gate._document_codes("p", ok, json.unmarshal(ok), "inline") == []
}

test_characters_iam_rejects_are_checked if {
	text := concat("", [`{"Version": "2012-10-17", "Statement": [{"Sid": "A", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::`, "\u2603", `"}]}`])
	gate._document_codes("p", text, json.unmarshal(text), "inline") == ["V-CHARS"]
	escaped := `{"Version": "2012-10-17", "Statement": [{"Sid": "A", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::\u2603"}]}`
	gate._document_codes("p", escaped, json.unmarshal(escaped), "inline") == []
}

# a policy attribute the provider always writes as a string, given as another JSON type: never
# evaluated, never skipped (issue 25 item 4)
test_a_policy_attribute_of_another_type_is_unverifiable if {
	grant := {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "dynamodb:DeleteBackup", "Resource": "*"}]}
	every value in [grant, 7, [grant], true, false] {
		d := gate.deny with input as plan([role, inline(value)])
		unverifiable_problems(d) == {concat("", [
			"inline policy cannot be verified: the policy attribute is a JSON ",
			type_name(value), ", not a string",
		])}
	}
}

test_a_null_policy_attribute_is_missing if {
	d := gate.deny with input as plan([role, inline(null)])
	unverifiable_problems(d) == {"inline policy cannot be verified: the policy is missing"}
}

test_an_inline_policy_block_of_another_type_is_unverifiable if {
	grant := {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "dynamodb:DeleteBackup", "Resource": "*"}]}
	r := change("aws_iam_role.r", "aws_iam_role", "r", ["create"], {"name": "r", "path": "/", "inline_policy": [{"name": "x", "policy": grant}]}, {"arn": true})
	d := gate.deny with input as plan([r])
	unverifiable_problems(d) == {"inline policy cannot be verified: the policy attribute is a JSON object, not a string"}
}
