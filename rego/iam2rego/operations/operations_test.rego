package iam2rego.operations_test

import data.iam2rego.operations

acct := "123456789012"

t(region, name) := sprintf("arn:aws:dynamodb:%s:%s:table/%s", [region, acct, name])

b1 := "arn:aws:dynamodb:us-east-1:123456789012:table/Music/backup/01489173575360-b308cd7d"

key := "arn:aws:kms:us-east-1:123456789012:key/k1"

user := {"arn": "arn:aws:iam::123456789012:user/alice", "account": acct, "type": "IAMUser"}

caller_ctx := {"aws:SourceIp": "203.0.113.10", "aws:SourceVpc": "vpc-1", "aws:ViaAWSService": "false"}

op(name, params) := object.union({"operation": name, "context": caller_ctx, "principal": user}, params)

ids(cs) := [c.id | some c in cs]

actions(cs) := [c.action | some c in cs]

rtfb := op("restore_table_from_backup", {"backup": b1, "target_table": t("us-east-1", "New")})

test_simple_operations_have_one_primary_check if {
	every x in [
		["create_backup", {"table": t("us-east-1", "Music")}, "dynamodb:CreateBackup"],
		["describe_backup", {"backup": b1}, "dynamodb:DescribeBackup"],
		["delete_backup", {"backup": b1}, "dynamodb:DeleteBackup"],
		["update_continuous_backups", {"table": t("us-east-1", "Music")}, "dynamodb:UpdateContinuousBackups"],
		["describe_continuous_backups", {"table": t("us-east-1", "Music")}, "dynamodb:DescribeContinuousBackups"],
	] {
		cs := operations.checks(op(x[0], x[1]), {})
		actions(cs) == [x[2]]
		cs[0].kind == "primary"
		cs[0].principal == "caller"
	}
}

test_list_backups_is_on_star_even_with_a_table if {
	cs := operations.checks(op("list_backups", {"table": t("us-east-1", "Music")}), {})
	cs[0].resource == "*"
	cs[0].id == "caller dynamodb:listbackups *"
}

test_rtfb_docs_mode if {
	cs := operations.checks(rtfb, {})
	count(cs) == 8
	cs[0].resource == b1
	cs[0].kind == "primary"
	every c in array.slice(cs, 1, 8) {
		c.kind == "svc"
		c.resource == t("us-east-1", "New")
	}
}

test_rtfb_sar_strict_adds_the_target_check if {
	cs := operations.checks(rtfb, {"mode": "sar-strict"})
	count(cs) == 9
	cs[1] == {
		"id": sprintf("caller dynamodb:restoretablefrombackup %s", [t("us-east-1", "New")]),
		"principal": "caller", "action": "dynamodb:RestoreTableFromBackup",
		"resource": t("us-east-1", "New"), "kind": "sar-strict",
		"context": {"aws:sourceip": "203.0.113.10", "aws:sourcevpc": "vpc-1", "aws:viaawsservice": "false", "aws:requestedregion": "us-east-1"},
	}
}

test_svc_context_drops_network_keys if {
	svc := [c | some c in operations.checks(rtfb, {}); c.kind == "svc"][0]
	svc.context == {"aws:viaawsservice": "true", "aws:requestedregion": "us-east-1"}
	svc2 := [c | some c in operations.checks(rtfb, {"service_ip": "198.51.100.7", "svc_calledvia": true}); c.kind == "svc"][0]
	svc2.context["aws:sourceip"] == "198.51.100.7"
	svc2.context["aws:calledvia"] == ["dynamodb.amazonaws.com"]
}

test_pitr_cross_region_uses_the_target_region if {
	p := op("restore_table_to_point_in_time", {"source_table": t("us-east-1", "Music"), "target_table": t("eu-west-1", "Music2")})
	cs := operations.checks(p, {})
	cs[0].action == "dynamodb:RestoreTableToPointInTime"
	cs[0].resource == t("us-east-1", "Music")
	every c in cs {
		c.context["aws:requestedregion"] == "eu-west-1"
	}
}

test_caller_region_is_kept if {
	p := op("create_backup", {"table": t("us-east-1", "Music"), "context": {"AWS:RequestedRegion": "us-west-2"}})
	operations.checks(p, {})[0].context["aws:requestedregion"] == "us-west-2"
}

test_kms_checks_per_key_with_context if {
	cs := operations.checks(object.union(rtfb, {"backup_kms_key": key, "target_kms_key": key}), {})
	kms := [c | some c in cs; c.kind == "kms"]
	count(kms) == 8
	every c in kms {
		c.context["kms:viaservice"] == "dynamodb.us-east-1.amazonaws.com"
		c.context["kms:calleraccount"] == acct
	}
	[c.context["kms:grantisforawsresource"] | some c in kms; c.action == "kms:CreateGrant"] == ["true"]
	[c | some c in kms; c.action != "kms:CreateGrant"; c.context["kms:grantisforawsresource"]] == []
}

test_kms_set_narrows if {
	cs := operations.checks(object.union(rtfb, {"target_kms_key": key}), {"kms_set": ["kms:Decrypt", "CreateGrant"]})
	actions([c | some c in cs; c.kind == "kms"]) == ["kms:Decrypt", "kms:CreateGrant"]
}

test_export_checks_the_object_arn if {
	p := op("export_table_to_point_in_time", {"table": t("us-east-1", "Music"), "s3_bucket": "bkt", "s3_prefix": "/exports/"})
	cs := operations.checks(p, {})
	actions(cs) == ["dynamodb:ExportTableToPointInTime", "s3:AbortMultipartUpload", "s3:PutObject", "s3:PutObjectAcl"]
	cs[1].resource == "arn:aws:s3:::bkt/exports/AWSDynamoDB/00000000000000-00000000/manifest-summary.json"
	no_prefix := operations.checks(op("export_table_to_point_in_time", {"table": t("us-east-1", "Music"), "s3_bucket": "bkt"}), {})
	no_prefix[1].resource == "arn:aws:s3:::bkt/AWSDynamoDB/00000000000000-00000000/manifest-summary.json"
}

test_import_checks if {
	data.iam2rego.catalog.no_resource_actions["logs:describeloggroups"]
	p := op("import_table", {"table": t("us-east-1", "New"), "s3_bucket": "src", "s3_prefix": "in/"})
	cs := operations.checks(p, {})
	count(cs) == 9
	cs[1].resource == "arn:aws:s3:::src/in/data"
	cs[2] == object.union(cs[2], {"action": "s3:ListBucket", "resource": "arn:aws:s3:::src"})
	every c in array.slice(cs, 3, 9) {
		startswith(c.action, "logs:")
		c.resource == log_resource(c.action)
	}
}

# logs:DescribeLogGroups has no resource type in the catalog, so its check is on "*" (§2.3).
log_resource("logs:DescribeLogGroups") := "*"

log_resource(a) := "arn:aws:logs:us-east-1:123456789012:log-group:/aws-dynamodb/imports:*" if a != "logs:DescribeLogGroups"

test_list_exports_with_table if {
	cs := operations.checks(op("list_exports", {"table": t("us-east-1", "Music")}), {}) with data.iam2rego.catalog.no_resource_actions as {"dynamodb:listbackups"}
	cs[0].resource == t("us-east-1", "Music")
	cs2 := operations.checks(op("list_exports", {}), {}) with data.iam2rego.catalog.no_resource_actions as {"dynamodb:listbackups"}
	cs2[0].resource == "*"
}

role := "arn:aws:iam::123456789012:role/BackupRole"

test_aws_backup_restore_of_a_dynamodb_backup_uses_the_rtfb_row if {
	p := op("aws_backup_start_restore_job", {"recovery_point": b1, "target_table": t("us-east-1", "New"), "role": role})
	cs := operations.checks(p, {})
	[[c.principal, c.action] | some c in array.slice(cs, 0, 3)] == [
		["caller", "backup:StartRestoreJob"], ["caller", "iam:PassRole"],
		["role", "dynamodb:RestoreTableFromBackup"],
	]
	count([c | some c in cs; c.principal == "role"; c.kind == "svc"]) == 7
}

test_aws_backup_restore_with_dataplane_option if {
	rp := "arn:aws:backup:us-east-1:123456789012:recovery-point:abc"
	p := op("aws_backup_start_restore_job", {"recovery_point": rp, "target_table": t("us-east-1", "New"), "role": role, "kms_key": key})
	count(operations.checks(p, {})) == 11
	cs := operations.checks(p, {"awsbackup_restore_dataplane": true})
	count(cs) == 19
	every c in [c | some c in cs; c.kind == "kms"] {
		c.principal == "role"
		c.context["kms:calleraccount"] == acct
	}
}

test_unknown_operation_has_no_checks_and_is_not_allowed if {
	operations.checks(op("drop_everything", {}), {}) == []
	operations.verdict([]).allowed == false
	operations.verdict([]).decision == "implicit_deny"
}

test_verdict_worst_decision if {
	a := {"id": "a", "decision": "allow"}
	operations.verdict([a, a]).decision == "allow"
	operations.verdict([a, a]).allowed == true
	i := {"id": "i", "decision": "implicit_deny"}
	operations.verdict([a, i]).decision == "implicit_deny"
	x := {"id": "x", "decision": "explicit_deny"}
	operations.verdict([i, x, a]).decision == "explicit_deny"
	operations.verdict([i, x, a]).failing == [i, x]
}
