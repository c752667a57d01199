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

one_statement(st) := json.marshal({"Version": "2012-10-17", "Statement": [st]})

broad_plan(st) := plan([role, inline(one_statement(st))])

# issue 10: written with wildcards or NotAction, these grant every backup action on every backup
test_broad_allow_double_star if {
	"W-BROAD-ALLOW" in codes(gate.deny) with input as broad_plan({"Effect": "Allow", "Action": "dynamodb:**", "Resource": "*"})
}

test_broad_allow_star_question_mark if {
	"W-BROAD-ALLOW" in codes(gate.deny) with input as broad_plan({"Effect": "Allow", "Action": "dynamodb:*?", "Resource": "*"})
}

test_broad_allow_not_action_other_service if {
	"W-BROAD-ALLOW" in codes(gate.deny) with input as broad_plan({"Effect": "Allow", "NotAction": "s3:*", "Resource": "*"})
}

test_broad_allow_backup_wildcard_covering_every_backup_action if {
	"W-BROAD-ALLOW" in codes(gate.deny) with input as broad_plan({"Effect": "Allow", "Action": "dynamodb:*Backup*", "Resource": "*"})
}

test_broad_allow_every_backup_arn_pattern if {
	st := {"Effect": "Allow", "Action": "dynamodb:*", "Resource": "arn:aws:dynamodb:*:*:table/*/backup/*"}
	"W-BROAD-ALLOW" in codes(gate.deny) with input as broad_plan(st)
}

test_broad_allow_not_resource_of_other_service if {
	"W-BROAD-ALLOW" in codes(gate.deny) with input as broad_plan({"Effect": "Allow", "Action": "*", "NotResource": "arn:aws:s3:::*"})
}

test_broad_allow_detail_names_the_statement if {
	p := plan([role, inline(one_statement({"Effect": "Allow", "Action": "dynamodb:*?", "Resource": "*"}))])
	some f in gate.deny with input as p
	f.code == "W-BROAD-ALLOW"
	f.detail == `Allow "dynamodb:*?" on "*" grants every DynamoDB backup action on every backup`
}

test_no_broad_allow_when_a_backup_action_is_left_out if {
	not "W-BROAD-ALLOW" in codes(gate.deny) with input as broad_plan({"Effect": "Allow", "NotAction": "dynamodb:DeleteBackup", "Resource": "*"})
	not "W-BROAD-ALLOW" in codes(gate.deny) with input as broad_plan({"Effect": "Allow", "Action": "dynamodb:*Backups", "Resource": "*"})
	not "W-BROAD-ALLOW" in codes(gate.deny) with input as broad_plan({"Effect": "Allow", "Action": "s3:*", "Resource": "*"})
}

test_no_broad_allow_on_one_table_or_for_deny if {
	st := {"Effect": "Allow", "Action": "dynamodb:*", "Resource": "arn:aws:dynamodb:us-east-1:123456789012:table/Orders"}
	not "W-BROAD-ALLOW" in codes(gate.deny) with input as broad_plan(st)
	not "W-BROAD-ALLOW" in codes(gate.deny) with input as broad_plan({"Effect": "Allow", "Action": "dynamodb:*", "NotResource": "*"})
	not "W-BROAD-ALLOW" in codes(gate.deny) with input as broad_plan({"Effect": "Deny", "Action": "*", "Resource": "*"})
}

listbackups_plan(action, resource) := broad_plan({"Effect": "Allow", "Action": action, "Resource": resource})

table_arn := "arn:aws:dynamodb:us-east-1:123456789012:table/Orders"

backup_arn := "arn:aws:dynamodb:us-east-1:123456789012:table/Orders/backup/01700000000000-0a1b2c3d"

index_arn := "arn:aws:dynamodb:us-east-1:123456789012:table/Orders/index/byDate"

# the same rule as check's W-RESOURCE-MISMATCH (no-resource-action): ListBackups on any ARN
test_listbackups_on_a_backup_arn_grants_nothing if {
	"IAM2REGO-LISTBACKUPS-ON-TABLE" in codes(gate.deny) with input as listbackups_plan("dynamodb:ListBackups", backup_arn)
}

test_listbackups_on_two_table_arns_is_one_finding if {
	p := listbackups_plan("dynamodb:ListBackups", [table_arn, concat("", [table_arn, "2"])])
	[f] := [f | some f in gate.deny; f.code == "IAM2REGO-LISTBACKUPS-ON-TABLE"] with input as p
	f.resource == table_arn
}

test_listbackups_pattern_covering_actions_with_resources_is_not_flagged if {
	# dynamodb:List* also covers ListTagsOfResource (a table action): check does not flag it either
	not "IAM2REGO-LISTBACKUPS-ON-TABLE" in codes(gate.deny) with input as listbackups_plan("dynamodb:List*", table_arn)
	not "IAM2REGO-LISTBACKUPS-ON-TABLE" in codes(gate.deny) with input as listbackups_plan("dynamodb:ListBackups", [table_arn, "*"])
}

mismatch_of(deny) := [f | some f in deny; f.code == "W-RESOURCE-MISMATCH"]

# issue 10: check's W-RESOURCE-MISMATCH (wrong-resource-type) rule, on the catalog's resource types
test_deletebackup_only_on_table_arns_grants_nothing if {
	st := {"Effect": "Allow", "Action": ["dynamodb:DescribeBackup", "dynamodb:DeleteBackup"], "Resource": table_arn}
	fs := mismatch_of(gate.deny) with input as broad_plan(st)
	{f.detail | some f in fs} == {
		"dynamodb:DescribeBackup applies to backup ARNs, but this statement lists only table ARNs; it grants nothing for dynamodb:DescribeBackup",
		"dynamodb:DeleteBackup applies to backup ARNs, but this statement lists only table ARNs; it grants nothing for dynamodb:DeleteBackup",
	}
	every f in fs {
		f.resource == table_arn
	}
}

test_createbackup_on_a_backup_pattern_grants_nothing if {
	st := {"Effect": "Allow", "Action": "dynamodb:CreateBackup", "Resource": "arn:aws:dynamodb:*:*:table/*/backup/*"}
	[f] := mismatch_of(gate.deny) with input as broad_plan(st)
	f.detail == "dynamodb:CreateBackup applies to table ARNs, but this statement lists only backup ARNs; it grants nothing for dynamodb:CreateBackup"
}

test_no_mismatch_when_some_entry_fits_or_is_unknown if {
	count(mismatch_of(gate.deny)) == 0 with input as broad_plan({"Effect": "Allow", "Action": "dynamodb:DeleteBackup", "Resource": [table_arn, backup_arn]})
	count(mismatch_of(gate.deny)) == 0 with input as broad_plan({"Effect": "Allow", "Action": "dynamodb:DeleteBackup", "Resource": "arn:aws:dynamodb:*:*:table/*"})
	count(mismatch_of(gate.deny)) == 0 with input as broad_plan({"Effect": "Allow", "Action": "dynamodb:DeleteBackup", "Resource": "*"})
	count(mismatch_of(gate.deny)) == 0 with input as broad_plan({"Effect": "Allow", "Action": "dynamodb:Delete*", "Resource": table_arn})
	count(mismatch_of(gate.deny)) == 0 with input as broad_plan({"Effect": "Deny", "Action": "dynamodb:DeleteBackup", "Resource": table_arn})
}

restore_on(resource) := broad_plan({"Effect": "Allow", "Action": "dynamodb:RestoreTableFromBackup", "Resource": resource})

# docs mode (the default, SEMANTICS §3.1) checks RestoreTableFromBackup on the backup only: on table
# ARNs it grants nothing; the message is check's
test_restore_from_backup_only_on_a_table_arn_grants_nothing_in_docs_mode if {
	[f] := mismatch_of(gate.deny) with input as restore_on(table_arn)
	f.detail == concat("", [
		"dynamodb:RestoreTableFromBackup is checked only on backup ARNs in docs mode (a restore's target ",
		"table needs only the data-plane writes), but this statement lists only table ARNs; it grants ",
		"nothing for dynamodb:RestoreTableFromBackup in docs mode. Under sar-strict it would be the ",
		"target-table half of a restore, still needing dynamodb:RestoreTableFromBackup on the backup",
	])
	f.resource == table_arn
	[g] := mismatch_of(gate.deny) with input as restore_on([table_arn, index_arn]) with data.iam2rego_gate as {"mode": "docs"}
	contains(g.detail, "lists only index, table ARNs; it grants nothing")
}

# under sar-strict the same statement is the target-table half of a restore: not flagged
test_restore_from_backup_on_a_table_arn_is_the_target_half_in_sar_strict if {
	count(mismatch_of(gate.deny)) == 0 with input as restore_on(table_arn) with data.iam2rego_gate as {"mode": "sar-strict"}
	count(mismatch_of(gate.deny)) == 0 with input as restore_on([table_arn, index_arn]) with data.iam2rego_gate as {"mode": "sar-strict"}
}

test_restore_from_backup_on_an_index_only_grants_nothing_in_either_mode if {
	detail := "dynamodb:RestoreTableFromBackup applies to backup/table ARNs, but this statement lists only index ARNs; it grants nothing for dynamodb:RestoreTableFromBackup"
	[f] := mismatch_of(gate.deny) with input as restore_on(index_arn) with data.iam2rego_gate as {"mode": "sar-strict"}
	f.detail == detail
	[g] := mismatch_of(gate.deny) with input as restore_on(index_arn)
	g.detail == detail
}

test_restore_from_backup_on_a_backup_is_no_mismatch_in_either_mode if {
	count(mismatch_of(gate.deny)) == 0 with input as restore_on(backup_arn)
	count(mismatch_of(gate.deny)) == 0 with input as restore_on([table_arn, backup_arn])
	count(mismatch_of(gate.deny)) == 0 with input as restore_on(backup_arn) with data.iam2rego_gate as {"mode": "sar-strict"}
}

test_dataplane_only_on_backups_is_one_finding if {
	p := broad_plan({"Effect": "Allow", "Action": "dynamodb:PutItem", "Resource": backup_arn})
	{f.code | some f in gate.deny} == {"IAM2REGO-DATAPLANE-ON-BACKUP"} with input as p
}
