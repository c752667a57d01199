package iam2rego.access_test

import data.iam2rego.access

# a single action column: one check, the catalog's no-resource actions on "*"
test_action_column_is_one_check_on_its_resource if {
	cs := access.column_checks with input as {"items": [
		{"action": "dynamodb:ListBackups", "resource": "arn:aws:dynamodb:us-east-1:111122223333:table/T"},
		{"action": "dynamodb:DeleteBackup", "resource": "arn:aws:dynamodb:us-east-1:111122223333:table/T/backup/1"},
	]}
	cs == [
		[{
			"id": "caller dynamodb:listbackups *", "principal": "caller", "action": "dynamodb:ListBackups",
			"resource": "*", "context": {}, "kind": "primary",
		}],
		[{
			"id": "caller dynamodb:deletebackup arn:aws:dynamodb:us-east-1:111122223333:table/T/backup/1",
			"principal": "caller", "action": "dynamodb:DeleteBackup",
			"resource": "arn:aws:dynamodb:us-east-1:111122223333:table/T/backup/1", "context": {}, "kind": "primary",
		}],
	]
}

# an operation column: the operation's checks (a restore also writes the target table)
test_operation_column_expands_the_operation if {
	[checks] := access.column_checks with input as {"items": [{
		"operation": "restore_table_from_backup",
		"backup": "arn:aws:dynamodb:us-east-1:111122223333:table/T/backup/1",
		"target_table": "arn:aws:dynamodb:us-east-1:111122223333:table/T-restored",
	}]}
	count(checks) == 8
	{c.resource | some c in checks; c.kind == "svc"} == {"arn:aws:dynamodb:us-east-1:111122223333:table/T-restored"}
}
