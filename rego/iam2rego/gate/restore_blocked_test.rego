package iam2rego.gate_test

import data.iam2rego.gate

restorer(extra) := json.marshal({"Version": "2012-10-17", "Statement": array.concat(
	[
		{"Sid": "Restore", "Effect": "Allow", "Action": "dynamodb:RestoreTableFromBackup", "Resource": "*"},
		{
			"Sid": "Writes", "Effect": "Allow", "Action": ["dynamodb:*Item", "dynamodb:Query", "dynamodb:Scan"],
			"Resource": "arn:aws:dynamodb:*:*:table/*",
		},
	],
	extra,
)})

corp_deny(condition) := {
	"Sid": "CorpNetworkOnly", "Effect": "Deny", "Action": "*", "Resource": "*",
	"Condition": condition,
}

not_corp_ip := {"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}

blocked_of(deny) := [f | some f in deny; f.code == "IAM2REGO-RESTORE-WRITES-BLOCKED"]

restore_plan(doc) := plan([role, table, inline(doc)])

# issue 10: a Deny outside the corporate network also denies DynamoDB's own writes of the restore
test_deny_on_source_ip_blocks_the_restore_writes if {
	[f] := blocked_of(gate.deny) with input as restore_plan(restorer([corp_deny(not_corp_ip)]))
	f.principal.address == "aws_iam_role.r"
	f.table == "Orders"
	f.target_table == "arn:aws:dynamodb:eu-west-1:123456789012:table/Orders-restored"
	f.statement == {"policy": "aws_iam_role_policy.p", "sid": "CorpNetworkOnly", "statement_index": 2, "effect": "Deny"}
	f.check.kind == "svc"
	f.decision == "explicit_deny"
	contains(f.detail, `meet a Deny with Condition {"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`)
	contains(f.detail, "dynamodb:BatchWriteItem, dynamodb:DeleteItem, dynamodb:GetItem, dynamodb:PutItem")
}

test_deny_on_source_vpce_blocks_the_restore_writes if {
	[f] := blocked_of(gate.deny) with input as restore_plan(restorer([corp_deny({"StringNotEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}})]))
	f.statement.sid == "CorpNetworkOnly"
}

test_via_aws_service_exception_unblocks_the_restore if {
	exempt := object.union(not_corp_ip, {"Bool": {"aws:ViaAWSService": "false"}})
	count(blocked_of(gate.deny)) == 0 with input as restore_plan(restorer([corp_deny(exempt)]))
}

# the service's sub-requests carry no aws:SourceIp: IfExists makes the Deny apply, IpAddress does not
test_ifexists_deny_blocks_the_restore_too if {
	[_] := blocked_of(gate.deny) with input as restore_plan(restorer([corp_deny({"NotIpAddressIfExists": {"aws:SourceIp": "10.0.0.0/8"}})]))
}

test_deny_from_a_listed_address_does_not_block_the_restore if {
	count(blocked_of(gate.deny)) == 0 with input as restore_plan(restorer([corp_deny({"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}})]))
}

test_a_principal_that_cannot_restore_is_not_flagged if {
	no_restore := json.marshal({"Version": "2012-10-17", "Statement": [
		{"Effect": "Allow", "Action": "dynamodb:PutItem", "Resource": "*"},
		corp_deny(not_corp_ip),
	]})
	count(blocked_of(gate.deny)) == 0 with input as restore_plan(no_restore)
}

test_missing_writes_are_not_this_finding if {
	only_restore := json.marshal({"Version": "2012-10-17", "Statement": [
		{"Effect": "Allow", "Action": "dynamodb:RestoreTableFromBackup", "Resource": "*"},
		corp_deny(not_corp_ip),
	]})
	count(blocked_of(gate.deny)) == 0 with input as restore_plan(only_restore)
}
