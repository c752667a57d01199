package iam2rego.generic_restore_test

# Restore-as-a-whole verdicts: SEMANTICS §7.2 (seed) and §7.3 (later page versions), plus the
# AWS Backup variant of Example 8, through generic.run_operation.

import data.iam2rego.generic
import data.iam2rego.generic_test as seed

t(name) := seed.t(name)

all_dynamodb := seed.stmt("Allow", "dynamodb:*", "*")

current := {
	"e1": seed.doc([seed.stmt("Allow", array.concat(["dynamodb:CreateBackup", "dynamodb:RestoreTableFromBackup"], seed.dataplane), "*")]),
	"e2": seed.doc([
		seed.stmt("Allow", ["dynamodb:CreateBackup"], "*"),
		seed.stmt("Deny", ["dynamodb:RestoreTableFromBackup"], "*"),
	]),
	"e3": seed.doc([
		seed.stmt("Allow", ["dynamodb:ListBackups"], "*"),
		seed.stmt("Deny", ["dynamodb:CreateBackup", "dynamodb:RestoreTableFromBackup"], "*"),
	]),
	"e5": seed.doc([
		seed.stmt("Allow", ["dynamodb:DescribeBackup", "dynamodb:RestoreTableFromBackup"], seed.b1),
		seed.stmt("Allow", seed.dataplane, "*"),
		seed.stmt("Deny", ["dynamodb:DeleteBackup"], seed.b1),
	]),
	"e9": seed.doc([seed.stmt("Deny", ["dynamodb:RestoreTableToPointInTime"], t("Music")), all_dynamodb]),
	"e10": seed.doc([seed.stmt("Deny", ["dynamodb:RestoreTableFromBackup"], t("Music/backup/*")), all_dynamodb]),
}

caller_set(d) := {"caller": {"identity": [{"name": "p", "document": d, "source": "p.json"}]}}

rtfb(backup, target) := {
	"operation": "restore_table_from_backup", "backup": backup, "target_table": target,
	"context": {"aws:PrincipalAccount": seed.acct, "aws:ViaAWSService": "false"}, "principal": seed.principal,
}

run(d, op, mode) := generic.run_operation(caller_set(d), op, {"mode": mode})

failing_ids(v) := sort([c.id | some c in v.failing])

# [label, policy document, backup, target, docs verdict, sar-strict verdict, docs worst decision]
rtfb_rows := [
	["seed e1 same name", seed.seed.e1, seed.b2, t("Movies"), false, false, "implicit_deny"],
	["seed e1 new name", seed.seed.e1, seed.b2, t("MoviesRestored"), false, false, "implicit_deny"],
	["seed e2", seed.seed.e2, seed.b3, "arn:aws:dynamodb:us-west-2:123456789012:table/BooksRestored", false, false, "implicit_deny"],
	["seed e3", seed.seed.e3, seed.b2, t("MoviesRestored"), false, false, "implicit_deny"],
	["seed e4", seed.seed.e4, seed.b3, t("Any"), false, false, "implicit_deny"],
	["seed e5", seed.seed.e5, seed.b1, t("MusicRestored"), false, false, "implicit_deny"],
	["seed e6", seed.seed.e6, seed.b2, t("Any"), false, false, "implicit_deny"],
	["seed e7", seed.seed.e7, seed.b2, t("Any"), false, false, "implicit_deny"],
	["seed e8 strict", seed.seed.e8, seed.b2, t("Any"), false, false, "implicit_deny"],
	["current e1", current.e1, seed.b2, t("MoviesRestored"), true, true, "allow"],
	["current e2", current.e2, seed.b2, t("MoviesRestored"), false, false, "explicit_deny"],
	["current e3", current.e3, seed.b2, t("MoviesRestored"), false, false, "explicit_deny"],
	["current e5", current.e5, seed.b1, t("MusicRestored"), true, false, "allow"],
	["e10 on a Music backup", current.e10, seed.b1, t("X"), false, false, "explicit_deny"],
	["e10 into Music", current.e10, seed.b2, t("Music"), true, true, "allow"],
]

test_restore_verdict_tables if {
	failures := [[r[0], docs.allowed, strict.allowed, docs.decision] |
		some r in rtfb_rows
		docs := run(r[1], rtfb(r[2], r[3]), "docs")
		strict := run(r[1], rtfb(r[2], r[3]), "sar-strict")
		[docs.allowed, strict.allowed, docs.decision] != [r[4], r[5], r[6]]
	]
	failures == []
}

test_every_restore_row_is_decided if {
	count([r | some r in rtfb_rows; run(r[1], rtfb(r[2], r[3]), "docs")]) == count(rtfb_rows)
}

rtfb_id(resource) := sprintf("caller dynamodb:restoretablefrombackup %s", [resource])

dp_ids(target) := [sprintf("caller %s %s", [lower(a), target]) | some a in seed.dataplane]

test_seed_e1_same_name_fails_only_on_the_backup if {
	failing_ids(run(seed.seed.e1, rtfb(seed.b2, t("Movies")), "docs")) == [rtfb_id(seed.b2)]
}

test_seed_e1_new_name_fails_on_backup_and_all_writes if {
	failing_ids(run(seed.seed.e1, rtfb(seed.b2, t("MoviesRestored")), "docs")) == sort(array.concat([rtfb_id(seed.b2)], dp_ids(t("MoviesRestored"))))
}

test_seed_e3_is_explicit_only_in_sar_strict_with_movies_target if {
	run(seed.seed.e3, rtfb(seed.b2, t("Movies")), "docs").decision == "implicit_deny"
	run(seed.seed.e3, rtfb(seed.b2, t("Movies")), "sar-strict").decision == "explicit_deny"
}

test_seed_e5_fails_on_the_seven_writes if {
	failing_ids(run(seed.seed.e5, rtfb(seed.b1, t("MusicRestored")), "docs")) == sort(dp_ids(t("MusicRestored")))
	strict := run(seed.seed.e5, rtfb(seed.b1, t("MusicRestored")), "sar-strict")
	rtfb_id(t("MusicRestored")) in failing_ids(strict)
}

test_current_e5_modes_differ_on_the_target_check if {
	failing_ids(run(current.e5, rtfb(seed.b1, t("MusicRestored")), "sar-strict")) == [rtfb_id(t("MusicRestored"))]
}

pitr(source, target) := {
	"operation": "restore_table_to_point_in_time", "source_table": source, "target_table": target,
	"context": {}, "principal": seed.principal,
}

test_e9_pitr_verdicts if {
	v := run(current.e9, pitr(t("Music"), t("Music2")), "docs")
	v.allowed == false
	v.decision == "explicit_deny"
	run(current.e9, pitr(t("Movies"), t("Music2")), "docs").allowed == true
	run(current.e9, pitr(t("Movies"), t("Music2")), "sar-strict").allowed == true
}

# Example 8 for the AWS Backup role, placeholder account replaced (§7.2, last paragraph).
e8_role := seed.doc([{
	"Sid": "DescribeQueryScanBooksTable", "Effect": "Allow",
	"Action": ["dynamodb:StartAwsBackupJob", "dynamodb:RestoreTableFromAwsBackup", "dynamodb:DescribeTable", "dynamodb:Query", "dynamodb:Scan"],
	"Resource": seed.books_w2,
}])

backup_caller := seed.doc([
	seed.stmt("Allow", ["backup:StartBackupJob", "backup:StartRestoreJob"], "*"),
	{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*", "Condition": {"StringEquals": {"iam:PassedToService": "backup.amazonaws.com"}}},
])

backup_policies(role_doc) := {
	"caller": {"identity": [{"name": "c", "document": backup_caller, "source": "c.json"}]},
	"role": {"identity": [{"name": "e8", "document": role_doc, "source": "e8.json"}]},
}

role_arn := "arn:aws:iam::123456789012:role/BackupRole"

start_backup := {
	"operation": "aws_backup_start_backup_job", "table": seed.books_w2,
	"vault": "arn:aws:backup:us-west-2:123456789012:backup-vault:Default", "role": role_arn,
	"context": {}, "principal": seed.principal,
}

start_restore := {
	"operation": "aws_backup_start_restore_job",
	"recovery_point": "arn:aws:backup:us-west-2:123456789012:recovery-point:1EB3B5E7-9EB0-435A-A80B-108B488B0D45",
	"target_table": seed.books_w2, "role": role_arn, "context": {}, "principal": seed.principal,
}

test_e8_backup_job_needs_list_tags if {
	v := generic.run_operation(backup_policies(e8_role), start_backup, {})
	v.allowed == false
	failing_ids(v) == [sprintf("role dynamodb:listtagsofresource %s", [seed.books_w2])]
}

test_e8_restore_job_role_side if {
	generic.run_operation(backup_policies(e8_role), start_restore, {}).allowed == true
	v := generic.run_operation(backup_policies(e8_role), start_restore, {"awsbackup_restore_dataplane": true})
	v.allowed == false
	count(v.failing) == 5
}

test_e8_placeholder_account_denies_role if {
	v := generic.run_operation(backup_policies(seed.seed.e8l), start_restore, {})
	failing_ids(v) == [sprintf("role dynamodb:restoretablefromawsbackup %s", [seed.books_w2])]
}

test_passrole_needs_the_backup_service if {
	other := object.union(start_backup, {"operation": "aws_backup_start_backup_job"})
	v := generic.run_operation(backup_policies(e8_role), other, {})
	passrole := [c | some c in v.checks; c.action == "iam:PassRole"][0]
	passrole.context["iam:passedtoservice"] == "backup.amazonaws.com"
	passrole.decision == "allow"
}
