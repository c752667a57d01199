package iam2rego.gate_test

import data.iam2rego.catalog
import data.iam2rego.gate

# evaluate.rego: the gate's one call into the analysis

probe_set(effect, action) := {"identity": [{
	"name": "p",
	"document": {"Version": "2012-10-17", "Statement": [{"Effect": effect, "Action": action, "Resource": "*"}]},
	"source": "p",
}]}

backup_request(action) := {
	"action": action,
	"resource": "arn:aws:dynamodb:eu-west-1:123456789012:table/Orders/backup/01700000000000-0a1b2c3d",
	"principal": {"arn": "arn:aws:iam::123456789012:role/r"},
}

test_options_are_the_shared_defaults_with_the_configured_mode if {
	gate._eval_opts == catalog.option_defaults
	gate._eval_opts.mode == "sar-strict" with data.iam2rego_gate as {"mode": "sar-strict"}
	gate._eval_opts.resource_glob == catalog.option_defaults.resource_glob with data.iam2rego_gate as {"mode": "sar-strict"}
}

test_a_plain_allow_is_allowed_and_a_plain_deny_denied if {
	gate._probe_answer(probe_set("Allow", "dynamodb:DeleteBackup"), backup_request("dynamodb:DeleteBackup"), ["aws:principaltag/*"]).answer == "allowed"
	gate._probe_answer(probe_set("Deny", "dynamodb:DeleteBackup"), backup_request("dynamodb:DeleteBackup"), ["aws:principaltag/*"]).answer == "denied"
	gate._probe_answer(probe_set("Allow", "dynamodb:CreateBackup"), backup_request("dynamodb:DeleteBackup"), ["aws:principaltag/*"]).answer == "denied"
}

test_an_operation_is_answered_for_the_caller if {
	op := {
		"operation": "delete_backup",
		"backup": "arn:aws:dynamodb:eu-west-1:123456789012:table/Orders/backup/01700000000000-0a1b2c3d",
		"principal": {"arn": "arn:aws:iam::123456789012:role/r"},
	}
	gate._probe_op_answer({"caller": probe_set("Allow", "dynamodb:DeleteBackup")}, op).answer == "allowed"
	gate._probe_op_answer({"caller": probe_set("Allow", "dynamodb:DescribeBackup")}, op).answer == "denied"
}
