package iam2rego.gate_test

import data.iam2rego.gate

backup_role_arn := "arn:aws:iam::123456789012:role/r"

orders_arn := "arn:aws:dynamodb:eu-west-1:123456789012:table/Orders"

selection(after) := change("aws_backup_selection.s", "aws_backup_selection", "s", ["create"], after, {})

on_orders := {"name": "s", "iam_role_arn": backup_role_arn, "resources": [orders_arn]}

role_known_arn := change(
	"aws_iam_role.r", "aws_iam_role", "r", ["create"],
	{"name": "r", "path": "/", "arn": backup_role_arn}, {},
)

grants(actions) := json.marshal({"Version": "2012-10-17", "Statement": [{"Sid": "Backup", "Effect": "Allow", "Action": actions, "Resource": "arn:aws:dynamodb:*:*:table/*"}]})

advanced := ["dynamodb:StartAwsBackupJob", "dynamodb:ListTagsOfResource"]

backup_role_of(fs) := [f | some f in fs; f.code == "IAM2REGO-BACKUP-ROLE"]

test_backup_role_without_start_aws_backup_job_is_denied if {
	p := plan([role_known_arn, table, inline(grants(["dynamodb:CreateBackup"])), selection(on_orders)])
	[f] := backup_role_of(gate.deny) with input as p
	f.principal.address == "aws_iam_role.r"
	f.table == "Orders"
	f.answer == "denied"
	contains(f.detail, "is denied dynamodb:StartAwsBackupJob, dynamodb:ListTagsOfResource on table Orders")
}

test_backup_role_with_the_advanced_actions_passes if {
	p := plan([role_known_arn, table, inline(grants(advanced)), selection(on_orders)])
	count(backup_role_of(gate.deny)) == 0 with input as p
	count(backup_role_of(gate.warn)) == 0 with input as p
}

test_not_resources_removes_the_table if {
	sel := object.union(on_orders, {"resources": ["*"], "not_resources": [orders_arn]})
	p := plan([role_known_arn, table, inline(grants(["dynamodb:DescribeTable"])), selection(sel)])
	count(backup_role_of(gate.deny)) == 0 with input as p
}

# advanced features off in the Region: DynamoDB-managed backups need CreateBackup etc.
test_advanced_features_off_needs_the_dynamodb_backup_actions if {
	settings := change(
		"aws_backup_region_settings.s", "aws_backup_region_settings", "s", ["create"],
		{"resource_type_management_preference": {"DynamoDB": false}}, {},
	)
	p := plan([role_known_arn, table, inline(grants(advanced)), selection(on_orders), settings])
	[f] := backup_role_of(gate.deny) with input as p
	contains(f.detail, "is denied dynamodb:CreateBackup, dynamodb:DescribeTable, dynamodb:DescribeBackup, dynamodb:DeleteBackup")
}

test_role_outside_the_plan_is_an_unverifiable_warning if {
	sel := object.union(on_orders, {"iam_role_arn": "arn:aws:iam::123456789012:role/elsewhere"})
	p := plan([table, selection(sel)])
	[f] := backup_role_of(gate.warn) with input as p
	f.answer == "unverifiable"
	f.principal == null
	contains(f.detail, "role arn:aws:iam::123456789012:role/elsewhere is not managed by this plan")
}

test_backup_role_severity_setting_applies if {
	p := plan([role_known_arn, table, inline(grants(["dynamodb:DescribeTable"])), selection(on_orders)])
	cfg := {"builtin": {"IAM2REGO-BACKUP-ROLE": {"severity": "warn"}}}
	count(backup_role_of(gate.deny)) == 0 with input as p with data.iam2rego_gate as cfg
	[_] := backup_role_of(gate.warn) with input as p with data.iam2rego_gate as cfg
}

test_resources_known_only_after_apply_are_an_unverifiable_warning if {
	sel := change("aws_backup_selection.s", "aws_backup_selection", "s", ["create"], {"name": "s", "iam_role_arn": backup_role_arn}, {"resources": true})
	conf := {"address": "aws_backup_selection.s", "type": "aws_backup_selection", "name": "s", "expressions": {"resources": {"references": ["var.table_arn"]}}}
	p := object.union(plan([role_known_arn, table, inline(grants(advanced)), sel]), {"configuration": {
		"provider_config": provider_config,
		"root_module": {"resources": [conf]},
	}})
	[f] := backup_role_of(gate.warn) with input as p
	f.principal.address == "aws_iam_role.r"
	f.answer == "unverifiable"
	contains(f.detail, "selects resources known only after apply (var.table_arn has no value in the plan)")
}

test_resources_referencing_a_plan_table_are_resolved if {
	sel := change("aws_backup_selection.s", "aws_backup_selection", "s", ["create"], {"name": "s", "iam_role_arn": backup_role_arn}, {"resources": [true]})
	refs := ["aws_dynamodb_table.t.arn", "aws_dynamodb_table.t"]
	conf := {"address": "aws_backup_selection.s", "type": "aws_backup_selection", "name": "s", "expressions": {"resources": {"references": refs}}}
	p := object.union(plan([role_known_arn, table, inline(grants(["dynamodb:DescribeTable"])), sel]), {"configuration": {
		"provider_config": provider_config,
		"root_module": {"resources": [conf]},
	}})
	count(backup_role_of(gate.warn)) == 0 with input as p
	[f] := backup_role_of(gate.deny) with input as p
	f.table == "Orders"
}

# [aws_dynamodb_table.t.arn, "<another table's ARN>"] is written as the references of the first element
# only: a plan table the selection does not name may be selected too (SEMANTICS §13.4)
test_resources_unknown_as_a_whole_may_select_the_other_tables if {
	other := change("aws_dynamodb_table.o", "aws_dynamodb_table", "o", ["create"], {"name": "Other"}, {"arn": true})
	sel := change("aws_backup_selection.s", "aws_backup_selection", "s", ["create"], {"name": "s", "iam_role_arn": backup_role_arn}, {"resources": true})
	conf := {"address": "aws_backup_selection.s", "type": "aws_backup_selection", "name": "s", "expressions": {"resources": {"references": ["aws_dynamodb_table.t.arn", "aws_dynamodb_table.t"]}}}
	orders_only := json.marshal({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": advanced, "Resource": "arn:aws:dynamodb:*:*:table/Orders"}]})
	p := object.union(plan([role_known_arn, table, other, inline(orders_only), sel]), {"configuration": {
		"provider_config": provider_config,
		"root_module": {"resources": [conf]},
	}})
	[f] := backup_role_of(gate.warn) with input as p
	f.table == "Other"
	f.answer == "unverifiable"
	contains(f.detail, "may also back up table Other")
	count(backup_role_of(gate.deny)) == 0 with input as p
}
