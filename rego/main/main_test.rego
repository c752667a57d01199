package main_test

import data.main

# A plan whose only inline policy IAM would reject: the gate denies it as unverifiable.
bad_plan := {
	"format_version": "1.2",
	"planned_values": {},
	"configuration": {"root_module": {"resources": []}},
	"resource_changes": [
		{
			"address": "aws_iam_role.r", "mode": "managed", "type": "aws_iam_role", "name": "r",
			"change": {"actions": ["create"], "after": {"name": "r", "path": "/"}, "after_unknown": {"arn": true}},
		},
		{
			"address": "aws_iam_role_policy.p", "mode": "managed", "type": "aws_iam_role_policy", "name": "p",
			"change": {"actions": ["create"], "after": {"role": "r", "policy": "not json"}, "after_unknown": {}},
		},
	],
}

test_main_denies_what_the_gate_denies if {
	denied := main.deny with input as bad_plan
	count(denied) > 0
	denied == data.iam2rego.gate.deny with input as bad_plan
}

test_main_warns_what_the_gate_warns if {
	main.warn == data.iam2rego.gate.warn with input as bad_plan
}
