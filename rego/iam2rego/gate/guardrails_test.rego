package iam2rego.gate_test

import data.iam2rego.gate

# DeleteBackup allowed with MFA only (a Deny with BoolIfExists MFA = false)
mfa_only := json.marshal({"Version": "2012-10-17", "Statement": [
	{"Sid": "Manage", "Effect": "Allow", "Action": ["dynamodb:DeleteBackup", "dynamodb:DescribeBackup"], "Resource": "*"},
	{
		"Sid": "NoMfaNoDelete", "Effect": "Deny", "Action": "dynamodb:DeleteBackup", "Resource": "*",
		"Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
	},
]})

# restores and their writes, but every request from outside 10.0.0.0/8 denied: the service's own
# writes of the restored table (aws:ViaAWSService, no aws:SourceIp) are denied too
corp_only_restore := json.marshal({"Version": "2012-10-17", "Statement": [
	{
		"Sid": "Restore", "Effect": "Allow", "Resource": "*",
		"Action": ["dynamodb:RestoreTableFromBackup", "dynamodb:*Item", "dynamodb:Query", "dynamodb:Scan"],
	},
	{
		"Sid": "CorpOnly", "Effect": "Deny", "Action": "*", "Resource": "*",
		"Condition": {"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
	},
]})

forbid_delete := {"id": "no-delete", "kind": "forbid", "operation": "delete_backup"}

require_restore := {"id": "restore", "kind": "require", "operation": "restore_table_from_backup"}

test_forbid_fails_on_a_conditional_grant_and_names_the_condition if {
	[f] := [f | some f in gate.deny] with input as plan([role, table, inline(mfa_only)])
		with data.iam2rego_gate as {"guardrails": [forbid_delete]}
	f.answer == "conditional"
	f.condition == "allowed when aws:MultiFactorAuthPresent is true"
	f.decision == "allow"
	f.statement.sid == "Manage"
	f.severity == "deny"
	endswith(f.detail, "can be allowed delete_backup on table Orders: allowed when aws:MultiFactorAuthPresent is true")
}

test_conditional_warn_lowers_the_severity if {
	g := object.union(forbid_delete, {"conditional": "warn"})
	count(gate.deny) == 0 with input as plan([role, table, inline(mfa_only)]) with data.iam2rego_gate as {"guardrails": [g]}
	[f] := [f | some f in gate.warn] with input as plan([role, table, inline(mfa_only)])
		with data.iam2rego_gate as {"guardrails": [g]}
	f.severity == "warn"
}

test_forbid_passes_when_the_pinned_context_denies if {
	g := object.union(forbid_delete, {"context": {"aws:MultiFactorAuthPresent": false}})
	count(gate.deny) == 0 with input as plan([role, table, inline(mfa_only)]) with data.iam2rego_gate as {"guardrails": [g]}
}

test_require_fails_on_conditional_unless_the_pins_satisfy_it if {
	g := {"id": "can-delete", "kind": "require", "operation": "delete_backup"}
	[f] := [f | some f in gate.deny] with input as plan([role, table, inline(mfa_only)])
		with data.iam2rego_gate as {"guardrails": [g]}
	f.answer == "conditional"
	f.decision == "explicit_deny"
	f.statement.sid == "NoMfaNoDelete"
	pinned := object.union(g, {"context": {"aws:MultiFactorAuthPresent": true}})
	count(gate.deny) == 0 with input as plan([role, table, inline(mfa_only)]) with data.iam2rego_gate as {"guardrails": [pinned]}
}

test_require_names_the_failing_service_check_and_its_context if {
	g := object.union(require_restore, {"context": {"aws:SourceIp": "10.1.2.3"}})
	deny := gate.deny with input as plan([role, table, inline(corp_only_restore)])
		with data.iam2rego_gate as {"guardrails": [g]}

	# the built-in reports the same blocked writes (restore_blocked_test.rego)
	codes(deny) == {"IAM2REGO-GUARDRAIL", "IAM2REGO-RESTORE-WRITES-BLOCKED"}
	[f] := [f | some f in deny; f.code == "IAM2REGO-GUARDRAIL"]
	f.answer == "denied"
	f.target_table == "arn:aws:dynamodb:eu-west-1:123456789012:table/Orders-restored"
	f.check.principal == "caller"
	f.check.kind == "svc"
	f.check.resource == "arn:aws:dynamodb:eu-west-1:123456789012:table/Orders-restored"
	f.check.answer == "denied"
	contains(f.detail, "; failing check: caller dynamodb:")
	contains(f.detail, "(made by the service: aws:ViaAWSService=true; aws:SourceIp, aws:SourceVpc")
}
