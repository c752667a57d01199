package iam2rego.gate_test

import data.iam2rego.gate

admin := json.marshal({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})

test_broad_allow_has_the_check_id if {
	codes(gate.deny) == {"W-BROAD-ALLOW"} with input as plan([role, inline(admin)])
}

test_exception_naming_the_former_gate_id_still_applies if {
	x := {"guardrail": "IAM2REGO-WILDCARD-ADMIN", "principal": "r", "reason": "approved"}
	count(gate.deny) == 0 with input as plan([role, inline(admin)]) with data.iam2rego_gate as {"exceptions": [x]}
}

test_severity_setting_naming_the_former_gate_id_still_applies if {
	cfg := {"builtin": {"IAM2REGO-WILDCARD-ADMIN": {"severity": "off"}}}
	count(gate.deny) == 0 with input as plan([role, inline(admin)]) with data.iam2rego_gate as cfg
}
