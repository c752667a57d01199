package iam2rego.generic_cases_test

# SEMANTICS §7.4 additional targeted cases through the generic evaluator.

import data.iam2rego.generic
import data.iam2rego.generic_test as seed

t(name) := seed.t(name)

b1 := seed.b1

str := "arn:aws:dynamodb:us-east-1:123456789012:table/Music/stream/2021-12-10T00:00:00.000"

exp := "arn:aws:dynamodb:us-east-1:123456789012:table/Music/export/01234567890123-a1b2c3d4"

key := "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"

s(effect, actions, resources) := seed.stmt(effect, actions, resources)

sc(effect, actions, resources, cond) := object.union(s(effect, actions, resources), {"Condition": cond})

not_action(effect, actions, resources) := {"Effect": effect, "NotAction": actions, "Resource": resources}

not_resource(effect, actions, resources) := {"Effect": effect, "Action": actions, "NotResource": resources}

d(statements) := seed.doc(statements)

ddb_all := s("Allow", "dynamodb:*", "*")

mfa_deny(op) := sc("Deny", "dynamodb:DeleteBackup", "*", {op: {"aws:MultiFactorAuthPresent": false}})

policies := {
	"ddbstar": d([ddb_all]),
	"star": d([s("Allow", "*", "*")]),
	"case": d([s("Allow", "DynamoDB:createBACKUP", t("Movies"))]),
	"musicstar": d([s("Allow", ["dynamodb:*Backup*", "dynamodb:Restore*"], t("Music*"))]),
	"exact": d([s("Allow", "dynamodb:*", t("Music"))]),
	"tablestar": d([s("Allow", "dynamodb:*", "arn:aws:dynamodb:*:*:table/*")]),
	"backuponly": d([s("Allow", "dynamodb:*", t("*/backup/*"))]),
	"notaction_deny": d([s("Allow", "*", "*"), not_action("Deny", ["dynamodb:ListBackups", "dynamodb:DescribeBackup"], "*")]),
	"notaction_scoped": d([ddb_all, not_action("Deny", "dynamodb:Describe*", t("Music/backup/*"))]),
	"notres": d([not_resource("Allow", "dynamodb:*", t("Secret*"))]),
	"notres_deny": d([ddb_all, not_resource("Deny", "dynamodb:*", t("Allowed*"))]),
	"lb_arnwild": d([s("Allow", "dynamodb:ListBackups", ["arn:aws:dynamodb:*:*:*", "arn:aws:dynamodb:us-east-1:123456789012:table/*"])]),
	"region": d([sc("Allow", "dynamodb:*", "*", {"StringEquals": {"aws:RequestedRegion": "us-east-1"}})]),
	"region_nor": d([ddb_all, sc("Deny", "*", "*", {"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}})]),
	"mfa": d([sc("Allow", "dynamodb:DeleteBackup", "*", {"Bool": {"aws:MultiFactorAuthPresent": true}})]),
	"mfa_deny": d([ddb_all, mfa_deny("BoolIfExists")]),
	"mfa_deny_2": d([ddb_all, mfa_deny("Bool")]),
	"var": d([s("Allow", "dynamodb:CreateBackup", t("${aws:username}"))]),
	"var_2008": {"Version": "2008-10-17", "Statement": [s("Allow", "dynamodb:CreateBackup", t("${aws:username}"))]},
	"var_default": d([s("Allow", "dynamodb:CreateBackup", t("team-${aws:PrincipalTag/team, 'shared'}"))]),
	"var_esc": d([s("Allow", "dynamodb:CreateBackup", t("Music${*}"))]),
	"rtag": d([sc("Allow", ["dynamodb:CreateBackup", "dynamodb:DeleteBackup"], "*", {"StringEquals": {"aws:ResourceTag/env": "dev"}})]),
	"forall": d([sc("Allow", "dynamodb:*", "*", {"ForAllValues:StringEquals": {"aws:TagKeys": ["env"]}})]),
	"forany": d([sc("Allow", "dynamodb:*", "*", {"ForAnyValue:StringEquals": {"aws:TagKeys": ["env"]}})]),
}

user := seed.principal

role := {"arn": "arn:aws:sts::123456789012:assumed-role/Ops/s1", "account": "123456789012", "type": "AssumedRole"}

req(action, resource, ctx, principal) := {"action": action, "resource": resource, "context": ctx, "principal": principal}

decide(name, action, resource, ctx, principal) := generic.decide_request(
	{"identity": [{"name": name, "document": policies[name], "source": name}]},
	req(action, resource, ctx, principal),
	{},
)

yes := "allow"

no := "implicit_deny"

denied := "explicit_deny"

e1 := {"aws:RequestedRegion": "us-east-1"}

# [case id, policy, action, resource, context, expected]
cases := [
	["T-DDBSTAR-1", "ddbstar", "dynamodb:ListBackups", "*", e1, yes],
	["T-DDBSTAR-2", "ddbstar", "s3:PutObject", "arn:aws:s3:::b/k", e1, no],
	["T-DDBSTAR-3", "ddbstar", "kms:Decrypt", key, e1, no],
	["T-STAR", "star", "s3:PutObject", "arn:aws:s3:::b/k", e1, yes],
	["T-CASE", "case", "dynamodb:CreateBackup", t("Movies"), e1, yes],
	["T-MUSICSTAR", "musicstar", "dynamodb:CreateBackup", t("Music"), e1, yes],
	["T-MUSICSTAR", "musicstar", "dynamodb:CreateBackup", t("MusicCollection"), e1, yes],
	["T-MUSICSTAR", "musicstar", "dynamodb:DeleteBackup", b1, e1, yes],
	["T-MUSICSTAR", "musicstar", "dynamodb:RestoreTableToPointInTime", t("Music"), e1, yes],
	["T-MUSICSTAR", "musicstar", "dynamodb:RestoreTableFromAwsBackup", t("MusicNew"), e1, yes],
	["T-MUSICSTAR", "musicstar", "dynamodb:DescribeContinuousBackups", t("Music"), e1, yes],
	["T-MUSICSTAR", "musicstar", "dynamodb:StartAwsBackupJob", t("Music"), e1, yes],
	["T-MUSICSTAR-2", "musicstar", "dynamodb:ListBackups", "*", e1, no],
	["T-EXACT", "exact", "dynamodb:DeleteBackup", b1, e1, no],
	["T-EXACT", "exact", "dynamodb:DescribeExport", exp, e1, no],
	["T-EXACT", "exact", "dynamodb:DescribeStream", str, e1, no],
	["T-TABLESTAR", "tablestar", "dynamodb:DeleteBackup", b1, e1, yes],
	["T-TABLESTAR", "tablestar", "dynamodb:DescribeStream", str, e1, yes],
	# by a principal of 123456789012 the request is cross-account and X has no resource policy
	# (SEMANTICS §5.2a); test_tablestar_in_the_table_account covers the principal of 999999999999
	["T-TABLESTAR", "tablestar", "dynamodb:CreateBackup", "arn:aws:dynamodb:eu-west-1:999999999999:table/X", e1, no],
	["T-TABLESTAR-2", "tablestar", "dynamodb:ListBackups", "*", e1, no],
	["T-BACKUPONLY", "backuponly", "dynamodb:CreateBackup", t("Music"), e1, no],
	["T-BACKUPONLY", "backuponly", "dynamodb:DeleteBackup", b1, e1, yes],
	["T-BACKUPONLY", "backuponly", "dynamodb:RestoreTableFromBackup", b1, e1, yes],
	["T-BACKUPONLY", "backuponly", "dynamodb:PutItem", t("Music"), e1, no],
	["T-NOTACTION-DENY", "notaction_deny", "dynamodb:ListBackups", "*", e1, yes],
	["T-NOTACTION-DENY", "notaction_deny", "dynamodb:DescribeBackup", b1, e1, yes],
	["T-NOTACTION-DENY", "notaction_deny", "dynamodb:CreateBackup", t("Music"), e1, denied],
	["T-NOTACTION-DENY", "notaction_deny", "s3:GetObject", "arn:aws:s3:::b/k", e1, denied],
	["T-NOTACTION-SCOPED", "notaction_scoped", "dynamodb:DeleteBackup", b1, e1, denied],
	["T-NOTACTION-SCOPED", "notaction_scoped", "dynamodb:DescribeBackup", b1, e1, yes],
	["T-NOTACTION-SCOPED", "notaction_scoped", "dynamodb:RestoreTableFromBackup", b1, e1, denied],
	["T-NOTACTION-SCOPED", "notaction_scoped", "dynamodb:CreateBackup", t("Music"), e1, yes],
	["T-NOTACTION-SCOPED", "notaction_scoped", "dynamodb:ListBackups", "*", e1, yes],
	["T-NOTRES", "notres", "dynamodb:ListBackups", "*", e1, yes],
	["T-NOTRES", "notres", "dynamodb:CreateBackup", t("Secret"), e1, no],
	["T-NOTRES", "notres", "dynamodb:DeleteBackup", t("Secret/backup/01489173575360-b308cd7d"), e1, no],
	["T-NOTRES", "notres", "dynamodb:CreateBackup", t("Movies"), e1, yes],
	["T-NOTRES-DENY", "notres_deny", "dynamodb:ListBackups", "*", e1, denied],
	["T-NOTRES-DENY", "notres_deny", "dynamodb:CreateBackup", t("Allowed1"), e1, yes],
	["T-NOTRES-DENY", "notres_deny", "dynamodb:CreateBackup", t("Music"), e1, denied],
	["T-LB-ARNWILD", "lb_arnwild", "dynamodb:ListBackups", "*", e1, no],
	["T-REGION", "region", "dynamodb:CreateBackup", t("Music"), e1, yes],
	["T-REGION", "region", "dynamodb:CreateBackup", t("Music"), {"aws:RequestedRegion": "us-west-2"}, no],
	["T-REGION-NOR", "region_nor", "dynamodb:CreateBackup", t("Music"), e1, yes],
	["T-REGION-NOR", "region_nor", "dynamodb:CreateBackup", t("Music"), {"aws:RequestedRegion": "eu-west-1"}, yes],
	["T-REGION-NOR", "region_nor", "dynamodb:CreateBackup", t("Music"), {"aws:RequestedRegion": "us-west-2"}, denied],
	["T-MFA", "mfa", "dynamodb:DeleteBackup", b1, e1, no],
	["T-MFA", "mfa", "dynamodb:DeleteBackup", b1, {"aws:MultiFactorAuthPresent": true}, yes],
	["T-MFA", "mfa", "dynamodb:DeleteBackup", b1, {"aws:MultiFactorAuthPresent": "false"}, no],
	["T-MFA-DENY", "mfa_deny", "dynamodb:DeleteBackup", b1, e1, denied],
	["T-MFA-DENY", "mfa_deny", "dynamodb:DeleteBackup", b1, {"aws:MultiFactorAuthPresent": "true"}, yes],
	["T-MFA-DENY", "mfa_deny", "dynamodb:DeleteBackup", b1, {"aws:MultiFactorAuthPresent": "false"}, denied],
	["T-MFA-DENY-2", "mfa_deny_2", "dynamodb:DeleteBackup", b1, e1, yes],
	["T-VAR", "var", "dynamodb:CreateBackup", t("alice"), {"aws:username": "alice"}, yes],
	["T-VAR", "var", "dynamodb:CreateBackup", t("bob"), {"aws:username": "alice"}, no],
	["T-VAR", "var", "dynamodb:CreateBackup", t("alice"), {"aws:userid": "AROAEXAMPLE:s1"}, no],
	["T-VAR-2008", "var_2008", "dynamodb:CreateBackup", t("alice"), {"aws:username": "alice"}, no],
	["T-VAR-2008", "var_2008", "dynamodb:CreateBackup", t("${aws:username}"), {"aws:username": "alice"}, yes],
	["T-VAR-DEFAULT", "var_default", "dynamodb:CreateBackup", t("team-red"), {"aws:PrincipalTag/team": "red"}, yes],
	["T-VAR-DEFAULT", "var_default", "dynamodb:CreateBackup", t("team-shared"), {"aws:PrincipalTag/team": "red"}, no],
	["T-VAR-DEFAULT", "var_default", "dynamodb:CreateBackup", t("team-shared"), e1, yes],
	["T-VAR-ESC", "var_esc", "dynamodb:CreateBackup", t("Music"), e1, no],
	["T-VAR-ESC", "var_esc", "dynamodb:CreateBackup", t("MusicCollection"), e1, no],
	["T-RTAG", "rtag", "dynamodb:CreateBackup", t("Music"), {"aws:ResourceTag/env": "dev"}, yes],
	["T-RTAG", "rtag", "dynamodb:CreateBackup", t("Music"), {"aws:ResourceTag/env": "prod"}, no],
	["T-RTAG", "rtag", "dynamodb:DeleteBackup", b1, e1, no],
	["T-FORALL", "forall", "dynamodb:CreateBackup", t("Music"), e1, yes],
	["T-FORALL", "forall", "dynamodb:TagResource", t("Music"), {"aws:TagKeys": ["env", "owner"]}, no],
	["T-FORALL", "forall", "dynamodb:TagResource", t("Music"), {"aws:TagKeys": ["env"]}, yes],
	["T-FORANY", "forany", "dynamodb:CreateBackup", t("Music"), e1, no],
	["T-FORANY", "forany", "dynamodb:TagResource", t("Music"), {"aws:TagKeys": ["env", "owner"]}, yes],
]

test_section_7_4_cases if {
	failures := [[c[0], c[2], c[3], got.decision] |
		some c in cases
		got := decide(c[1], c[2], c[3], c[4], user)
		got.decision != c[5]
	]
	failures == []
}

test_tablestar_in_the_table_account if {
	dana := {"arn": "arn:aws:iam::999999999999:user/dana"}
	decide("tablestar", "dynamodb:CreateBackup", "arn:aws:dynamodb:eu-west-1:999999999999:table/X", e1, dana).decision == yes
}

test_every_case_is_decided if {
	count([c | some c in cases; decide(c[1], c[2], c[3], c[4], user)]) == count(cases)
}

test_t_var_role_without_username if {
	decide("var", "dynamodb:CreateBackup", t("alice"), {}, role).decision == no
}

pol(name, document) := {"name": name, "document": document, "source": name}

ident := [pol("id", d([ddb_all]))]

test_t_boundary_is_an_intersection if {
	psd := {"identity": ident, "boundary": pol("b", d([s("Allow", "dynamodb:Describe*", "*")]))}
	generic.decide_request(psd, req("dynamodb:CreateBackup", t("Music"), e1, user), {}).reason == "boundary_no_allow"
	generic.decide_request(psd, req("dynamodb:DescribeBackup", b1, e1, user), {}).decision == yes
}

test_t_scp_deny if {
	psd := {"identity": ident, "scp": [[pol("scp", d([s("Allow", "*", "*"), s("Deny", "dynamodb:DeleteBackup", "*")]))]]}
	generic.decide_request(psd, req("dynamodb:DeleteBackup", b1, e1, user), {}).decision == denied
	generic.decide_request(psd, req("dynamodb:CreateBackup", t("Music"), e1, user), {}).decision == yes
}

test_t_scp_no_allow if {
	psd := {"identity": ident, "scp": [[pol("scp", d([s("Allow", "s3:*", "*")]))]]}
	generic.decide_request(psd, req("dynamodb:CreateBackup", t("Music"), e1, user), {}).reason == "scp_no_allow"
}

ip_deny := sc("Deny", "dynamodb:*", "*", {"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}})

ip_fix := sc("Deny", "dynamodb:*", "*", {
	"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"},
	"Bool": {"aws:ViaAWSService": "false"},
})

restore_op := {
	"operation": "restore_table_from_backup", "backup": b1, "target_table": t("MusicRestored"),
	"context": {"aws:SourceIp": "203.0.113.10", "aws:ViaAWSService": "false"}, "principal": user,
}

caller(statements) := {"caller": {"identity": [pol("p", d(statements))]}}

test_t_ip_restore_service_writes_are_denied if {
	v := generic.run_operation(caller([ddb_all, ip_deny]), restore_op, {})
	v.allowed == false
	v.decision == denied
	primary := [c | some c in v.checks; c.kind == "primary"][0]
	primary.decision == yes
	count([c | some c in v.failing; c.kind == "svc"; c.decision == denied]) == 7
}

test_t_ip_restore_fix_allows if {
	generic.run_operation(caller([ddb_all, ip_fix]), restore_op, {}).allowed == true
}

test_t_ip_restore_with_service_ip_inside_range_allows if {
	generic.run_operation(caller([ddb_all, ip_deny]), restore_op, {"service_ip": "203.0.113.99"}).allowed == true
}

test_t_kms_restore_needs_key_grants if {
	current_e1 := s("Allow", array.concat(["dynamodb:CreateBackup", "dynamodb:RestoreTableFromBackup"], seed.dataplane), "*")
	op := object.union(restore_op, {"target_kms_key": key, "context": {}})
	generic.run_operation(caller([current_e1]), object.remove(op, ["target_kms_key"]), {}).allowed == true
	v := generic.run_operation(caller([current_e1]), op, {})
	v.allowed == false
	count(v.failing) == 8
	v.failing[0].reason == "no_allow"
	every c in v.failing {
		c.kind == "kms"
	}
	with_kms := caller([current_e1, sc("Allow", "kms:*", key, {"StringLike": {"kms:ViaService": "dynamodb.*.amazonaws.com"}})])
	generic.run_operation(with_kms, op, {}).allowed == true
}

# SEMANTICS §5.1: a resource-policy Allow naming the ACCOUNT delegates to the account's identity
# policies and grants nothing by itself; naming the principal itself grants; a Deny naming the
# account applies to every principal of that account.
rbp_set(rbp_statements, identity_statements) := {
	"identity": [{"name": "id", "document": d(identity_statements), "source": "id"}],
	"resource_policy": {"name": "rbp", "document": d(rbp_statements), "source": "rbp"},
}

rbp_stmt(effect, principal) := object.union(s(effect, "dynamodb:DescribeTable", t("Music")), {"Principal": principal})

rbp_decide(rbp_statements, identity_statements, principal) := generic.decide_request(
	rbp_set(rbp_statements, identity_statements),
	req("dynamodb:DescribeTable", t("Music"), {}, principal),
	{},
)

test_rbp_allow_naming_the_account_does_not_grant_by_itself if {
	rbp_decide([rbp_stmt("Allow", {"AWS": "123456789012"})], [], user).reason == "no_allow"
	rbp_decide([rbp_stmt("Allow", {"AWS": "arn:aws:iam::123456789012:root"})], [], role).reason == "no_allow"
	rbp_decide([rbp_stmt("Allow", {"AWS": "123456789012"})], [ddb_all], user).decision == yes
}

test_rbp_allow_naming_the_principal_grants if {
	rbp_decide([rbp_stmt("Allow", {"AWS": user.arn})], [], user).decision == yes
	rbp_decide([rbp_stmt("Allow", {"AWS": "arn:aws:iam::123456789012:role/Ops"})], [], role).decision == yes
	rbp_decide([rbp_stmt("Allow", "*")], [], user).decision == yes
}

test_rbp_deny_naming_the_account_denies_its_principals if {
	rbp_decide([rbp_stmt("Deny", {"AWS": "123456789012"})], [ddb_all], user).decision == denied
	rbp_decide([rbp_stmt("Deny", {"AWS": "arn:aws:iam::123456789012:root"})], [ddb_all], role).decision == denied
}
