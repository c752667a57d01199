package iam2rego.generic_test

# SEMANTICS §7.2 (seed examples, rows 1–41) and the restore verdict tables of §7.2/§7.3, run
# through the generic evaluator on raw documents.

import data.iam2rego.generic

acct := "123456789012"

t(name) := sprintf("arn:aws:dynamodb:us-east-1:%s:table/%s", [acct, name])

b1 := "arn:aws:dynamodb:us-east-1:123456789012:table/Music/backup/01489173575360-b308cd7d"

b1b := "arn:aws:dynamodb:us-east-1:123456789012:table/Music/backup/01489602797149-73d8d5bc"

b2 := "arn:aws:dynamodb:us-east-1:123456789012:table/Movies/backup/01489602797149-73d8d5bc"

b3 := "arn:aws:dynamodb:us-west-2:123456789012:table/Books/backup/01600000000000-a1b2c3d4"

books_w2 := "arn:aws:dynamodb:us-west-2:123456789012:table/Books"

books_placeholder := "arn:aws:dynamodb:us-west-2:account-id:table/Books"

dataplane := [
	"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:GetItem",
	"dynamodb:Query", "dynamodb:Scan", "dynamodb:BatchWriteItem",
]

stmt(effect, actions, resources) := {"Effect": effect, "Action": actions, "Resource": resources}

doc(statements) := {"Version": "2012-10-17", "Statement": statements}

seed := {
	"e1": doc([stmt("Allow", array.concat(["dynamodb:CreateBackup", "dynamodb:RestoreTableFromBackup"], dataplane), t("Movies"))]),
	"e2": doc([
		stmt("Allow", ["dynamodb:CreateBackup"], books_placeholder),
		stmt("Deny", ["dynamodb:RestoreTableFromBackup"], books_placeholder),
	]),
	"e3": doc([
		stmt("Allow", ["dynamodb:ListBackups"], t("Movies")),
		stmt("Deny", ["dynamodb:CreateBackup", "dynamodb:RestoreTableFromBackup"], t("Movies")),
	]),
	"e4": doc([
		stmt("Allow", ["dynamodb:ListBackups"], books_placeholder),
		stmt("Deny", ["dynamodb:DeleteBackup"], books_placeholder),
	]),
	"e5": doc([
		stmt("Allow", array.concat(["dynamodb:DescribeBackup", "dynamodb:RestoreTableFromBackup"], dataplane), b1),
		stmt("Deny", ["dynamodb:DeleteBackup"], b1),
	]),
	"e6": doc([stmt("Allow", ["dynamodb:CreateBackup"], [t("Movies")])]),
	"e7": doc([stmt("Allow", ["dynamodb:ListBackups"], books_placeholder)]),
	# Example 8 as published: one "}" too many (strict JSON rejects it).
	"e8": `{"Version":"2012-10-17","Statement":[{"Sid":"DescribeQueryScanBooksTable","Effect":"Allow","Action":["dynamodb:StartAwsBackupJob","dynamodb:RestoreTableFromAwsBackup","dynamodb:DescribeTable","dynamodb:Query","dynamodb:Scan"],"Resource":"arn:aws:dynamodb:us-west-2:account-id:table/Books"}]}}`,
	# Example 8 as --lenient-json reads it (first JSON value only).
	"e8l": `{"Version":"2012-10-17","Statement":[{"Sid":"DescribeQueryScanBooksTable","Effect":"Allow","Action":["dynamodb:StartAwsBackupJob","dynamodb:RestoreTableFromAwsBackup","dynamodb:DescribeTable","dynamodb:Query","dynamodb:Scan"],"Resource":"arn:aws:dynamodb:us-west-2:account-id:table/Books"}]}`,
}

policies(name) := {"caller": {"identity": [{"name": name, "document": seed[name], "source": sprintf("%s.json", [name])}]}}

region(arn) := split(arn, ":")[3] if count(split(arn, ":")) >= 6

region(arn) := "us-east-1" if count(split(arn, ":")) < 6

principal := {"arn": "arn:aws:iam::123456789012:user/alice", "account": acct, "type": "IAMUser"}

ctx(resource) := {"aws:RequestedRegion": region(resource), "aws:PrincipalAccount": acct, "aws:ViaAWSService": "false"}

decide(name, action, resource) := generic.decide_request(
	policies(name).caller,
	{"action": action, "resource": resource, "context": ctx(resource), "principal": principal},
	{},
)

yes := "allow"

no := "implicit_deny"

denied := "explicit_deny"

# [row, policy, action, resource, expected decision]
rows := [
	[1, "e1", "dynamodb:CreateBackup", t("Movies"), yes],
	[2, "e1", "dynamodb:CreateBackup", t("Music"), no],
	[3, "e1", "dynamodb:CreateBackup", "arn:aws:dynamodb:us-west-2:123456789012:table/Movies", no],
	[4, "e1", "dynamodb:CreateBackup", t("movies"), no],
	[5, "e1", "dynamodb:RestoreTableFromBackup", b2, no],
	[6, "e1", "dynamodb:RestoreTableFromBackup", t("Movies"), yes],
	[7, "e1", "dynamodb:PutItem", t("Movies"), yes],
	[8, "e1", "dynamodb:BatchWriteItem", t("MoviesRestored"), no],
	[9, "e1", "dynamodb:ListBackups", "*", no],
	[10, "e1", "dynamodb:DescribeBackup", b2, no],
	[11, "e2", "dynamodb:CreateBackup", books_w2, no],
	[12, "e2", "dynamodb:RestoreTableFromBackup", b3, no],
	[13, "e2", "dynamodb:RestoreTableFromBackup", books_w2, no],
	[14, "e2", "dynamodb:CreateBackup", books_placeholder, yes],
	[15, "e2", "dynamodb:RestoreTableFromBackup", books_placeholder, denied],
	[16, "e3", "dynamodb:ListBackups", "*", no],
	[16, "e3", "dynamodb:ListBackups", t("Movies"), no],
	[17, "e3", "dynamodb:CreateBackup", t("Movies"), denied],
	[18, "e3", "dynamodb:CreateBackup", t("Music"), no],
	[19, "e3", "dynamodb:RestoreTableFromBackup", b2, no],
	[20, "e3", "dynamodb:RestoreTableFromBackup", t("Movies"), denied],
	[21, "e4", "dynamodb:ListBackups", "*", no],
	[22, "e4", "dynamodb:DeleteBackup", b3, no],
	[23, "e5", "dynamodb:DescribeBackup", b1, yes],
	[24, "e5", "dynamodb:DescribeBackup", b1b, no],
	[25, "e5", "dynamodb:RestoreTableFromBackup", b1, yes],
	[26, "e5", "dynamodb:RestoreTableFromBackup", b1b, no],
	[27, "e5", "dynamodb:DeleteBackup", b1, denied],
	[28, "e5", "dynamodb:DeleteBackup", b1b, no],
	[29, "e5", "dynamodb:PutItem", t("MusicRestored"), no],
	[30, "e5", "dynamodb:RestoreTableFromBackup", t("MusicRestored"), no],
	[31, "e6", "dynamodb:CreateBackup", t("Movies"), yes],
	[32, "e6", "dynamodb:CreateBackup", t("MoviesArchive"), no],
	[33, "e6", "dynamodb:CreateBackup", t("movies"), no],
	[34, "e6", "dynamodb:DescribeBackup", b2, no],
	[34, "e6", "dynamodb:DeleteBackup", b2, no],
	[35, "e6", "dynamodb:CreateBackup", "arn:aws:dynamodb:eu-west-1:123456789012:table/Movies", no],
	[36, "e6", "dynamodb:CreateBackup", "arn:aws:dynamodb:us-east-1:210987654321:table/Movies", no],
	[37, "e7", "dynamodb:ListBackups", "*", no],
	[38, "e8", "dynamodb:StartAwsBackupJob", books_placeholder, no],
	[39, "e8l", "dynamodb:StartAwsBackupJob", books_w2, no],
	[40, "e8l", "dynamodb:RestoreTableFromAwsBackup", books_w2, no],
	[40, "e8l", "dynamodb:DescribeTable", books_w2, no],
	[41, "e8l", "dynamodb:StartAwsBackupJob", books_placeholder, yes],
]

test_seed_rows_1_to_41 if {
	failures := [[r[0], r[3], d.decision] |
		some r in rows
		d := decide(r[1], r[2], r[3])
		d.decision != r[4]
	]
	failures == []
}

test_every_seed_row_is_decided if {
	count([r | some r in rows; decide(r[1], r[2], r[3])]) == count(rows)
}

test_row_38_strict_json_error_is_reported if {
	d := decide("e8", "dynamodb:StartAwsBackupJob", books_placeholder)
	d.reason == "unreadable_policy"
	d.policy_errors == [{"policy": "e8", "source": "e8.json", "code": "V-JSON", "statement_index": null}]
}

test_reasons_name_the_statement if {
	decide("e5", "dynamodb:DeleteBackup", b1).reasons == [{"policy": "e5", "sid": null, "statement_index": 1, "effect": "Deny", "source": "e5.json"}]
	decide("e8l", "dynamodb:StartAwsBackupJob", books_placeholder).reasons[0].sid == "DescribeQueryScanBooksTable"
	decide("e1", "dynamodb:ListBackups", "*").reason == "no_allow"
}

test_json_string_document_equals_object_document if {
	p := {"caller": {"identity": [{"name": "e1", "document": json.marshal(seed.e1), "source": "e1.json"}]}}
	r := {"action": "dynamodb:CreateBackup", "resource": t("Movies"), "context": ctx(t("Movies")), "principal": principal}
	generic.decide_request(p.caller, r, {}) == decide("e1", "dynamodb:CreateBackup", t("Movies"))
}
