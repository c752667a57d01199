package iam2rego.analysis_test

import data.iam2rego.analysis

acct := "123456789012"

backup := "arn:aws:dynamodb:us-east-1:123456789012:table/Orders/backup/01700000000000-0a1b2c3d"

target := "arn:aws:dynamodb:us-east-1:123456789012:table/OrdersRestored"

alice := {"arn": "arn:aws:iam::123456789012:user/alice", "account": acct, "type": "IAMUser"}

allow_all := {"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"}

doc(statements) := {"Version": "2012-10-17", "Statement": statements}

psd(statements) := {"identity": [{"name": "p", "document": doc(statements), "source": "p.json"}]}

delete_backup(statements, ctx, fixed) := analysis.analyze_request(
	psd(statements),
	{"action": "dynamodb:DeleteBackup", "resource": backup, "principal": alice, "context": ctx},
	fixed, {},
)

cond_stmt(effect, cond) := {"Effect": effect, "Action": "dynamodb:DeleteBackup", "Resource": "*", "Condition": cond}

mfa_deny := cond_stmt("Deny", {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}})

# --- the examples of issue 10 "Why": one probe without the key passed these ---------------------------

test_mfa_boolifexists_deny_is_conditional if {
	a := delete_backup([allow_all, mfa_deny], {}, [])
	a.answer == "conditional"
	a.exact == true
	a.words == "allowed when aws:MultiFactorAuthPresent is true"
	a.checks[0].worst.decision == "explicit_deny"
	a.checks[0].best.decision == "allow"
}

test_mfa_pinned_true_is_allowed if {
	delete_backup([allow_all, mfa_deny], {"aws:MultiFactorAuthPresent": true}, []).answer == "allowed"
}

test_mfa_pinned_absent_is_denied if {
	delete_backup([allow_all, mfa_deny], {}, ["aws:MultiFactorAuthPresent"]).answer == "denied"
}

test_sourceip_grant_is_conditional if {
	a := delete_backup([cond_stmt("Allow", {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}})], {}, [])
	a.answer == "conditional"
	a.words == "allowed when aws:SourceIp is in 10.0.0.0/8"
}

test_sourceip_deny_reads_unless if {
	a := delete_backup([allow_all, cond_stmt("Deny", {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}})], {}, [])
	a.words == "allowed unless aws:SourceIp is in 10.0.0.0/8"
}

test_sourcevpce_grant_is_conditional if {
	a := delete_backup([cond_stmt("Allow", {"StringEquals": {"aws:SourceVpce": ["vpce-1", "vpce-2"]}})], {}, [])
	a.words == "allowed when aws:SourceVpce is one of vpce-1, vpce-2"
}

tag_grant := cond_stmt("Allow", {"StringEquals": {"aws:PrincipalTag/team": "ops"}})

test_principaltag_grant_open_is_conditional if {
	a := delete_backup([tag_grant], {}, [])
	a.answer == "conditional"
	a.words == "allowed when aws:PrincipalTag/team is ops"
}

test_principaltag_fixed_by_the_principals_tags if {
	delete_backup([tag_grant], {"aws:PrincipalTag/team": "ops"}, ["aws:PrincipalTag/*"]).answer == "allowed"
	delete_backup([tag_grant], {"aws:PrincipalTag/team": "dev"}, ["aws:PrincipalTag/*"]).answer == "denied"
	delete_backup([tag_grant], {}, ["aws:PrincipalTag/*"]).answer == "denied"
}

test_currenttime_grant_is_conditional if {
	a := delete_backup([cond_stmt("Allow", {"DateLessThan": {"aws:CurrentTime": "2027-01-01T00:00:00Z"}})], {}, [])
	a.answer == "conditional"
	a.words == "allowed when aws:CurrentTime is before 2027-01-01T00:00:00Z"
}

# --- plain answers ---------------------------------------------------------------------------------------

test_unconditional_allow_is_allowed if {
	a := delete_backup([allow_all], {}, [])
	a.answer == "allowed"
	a.words == "allowed in every request context"
	a.condition == null
}

test_no_grant_is_denied if {
	delete_backup([{"Effect": "Allow", "Action": "dynamodb:DescribeBackup", "Resource": "*"}], {}, []).answer == "denied"
}

test_unconditional_deny_wins_over_conditions if {
	deny := {"Effect": "Deny", "Action": "dynamodb:DeleteBackup", "Resource": "*"}
	a := delete_backup([tag_grant, deny], {}, [])
	a.answer == "denied"
	a.checks[0].best.decision == "explicit_deny"
}

test_unreadable_policy_is_unverifiable_not_denied if {
	p := {"identity": [{"name": "bad", "document": "{not json", "source": "bad.json"}]}
	a := analysis.analyze_request(p, {"action": "dynamodb:DeleteBackup", "resource": backup, "principal": alice}, [], {})
	a.answer == "unverifiable"
	a.policy_errors[0].code == "V-JSON"
}

test_either_of_two_grants if {
	a := delete_backup(
		[
			cond_stmt("Allow", {"Bool": {"aws:MultiFactorAuthPresent": "true"}}),
			cond_stmt("Allow", {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}),
		],
		{}, [],
	)
	a.answer == "conditional"
	a.words == "allowed when aws:MultiFactorAuthPresent is true or aws:SourceIp is in 10.0.0.0/8"
}

test_identical_conditions_are_one_atom if {
	a := delete_backup(
		[
			cond_stmt("Allow", {"Bool": {"aws:MultiFactorAuthPresent": "true"}}),
			{"Effect": "Allow", "Action": "dynamodb:*Backup", "Resource": "*", "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}},
		],
		{}, [],
	)
	count(a.atoms) == 1
	a.words == "allowed when aws:MultiFactorAuthPresent is true"
}

test_contradicting_conditions_are_only_conditional if {
	# StringEquals k = a and k = b cannot both hold; the analysis treats them as independent atoms and
	# answers conditional (imprecise, never a wrong allowed/denied).
	s := cond_stmt("Allow", {"StringEquals": {"aws:PrincipalTag/x": "a"}, "StringLike": {"aws:PrincipalTag/x": "b"}})
	delete_backup([s], {}, []).answer == "conditional"
}

test_over_the_bound_is_conditional_and_inexact if {
	stmts := [
		cond_stmt("Allow", {"Bool": {"aws:MultiFactorAuthPresent": "true"}, "IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}),
		cond_stmt("Deny", {"StringEquals": {"aws:SourceVpce": "vpce-1"}}),
	]
	a := analysis.analyze_request(psd(stmts), {"action": "dynamodb:DeleteBackup", "resource": backup, "principal": alice}, [], {"max_atoms": 2})
	a.answer == "conditional"
	a.exact == false
	a.condition == null
}

test_bound_does_not_hide_a_proof if {
	stmts := [allow_all, {"Effect": "Deny", "Action": "*", "Resource": "*"}, mfa_deny]
	a := analysis.analyze_request(psd(stmts), {"action": "dynamodb:DeleteBackup", "resource": backup, "principal": alice}, [], {"max_atoms": 0})
	a.answer == "denied"
}

# --- residuals evaluate on concrete contexts --------------------------------------------------------------

test_residual_holds_on_concrete_contexts if {
	a := delete_backup([allow_all, mfa_deny, cond_stmt("Deny", {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}})], {}, [])
	analysis.residual_holds(a.condition, a.atoms, {"caller": {"aws:MultiFactorAuthPresent": "true", "aws:SourceIp": "192.0.2.1"}})
	not analysis.residual_holds(a.condition, a.atoms, {"caller": {"aws:MultiFactorAuthPresent": "true", "aws:SourceIp": "10.1.2.3"}})
	not analysis.residual_holds(a.condition, a.atoms, {"caller": {"aws:SourceIp": "192.0.2.1"}})
}

# --- composite operations ----------------------------------------------------------------------------------

restore_op := {"operation": "restore_table_from_backup", "backup": backup, "target_table": target, "principal": alice}

restore(statements, ctx) := analysis.analyze_operation({"caller": psd(statements)}, object.union(restore_op, {"context": ctx}), {})

ip_deny := {"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"NotIpAddress": {"aws:SourceIp": "192.0.2.0/24"}}}

test_restore_blocked_by_sourceip_deny_without_viaawsservice if {
	a := restore([allow_all, ip_deny], {})
	a.answer == "denied"
	some c in a.failing
	c.kind == "svc"
	c.answer == "denied"
	c.context["aws:viaawsservice"] == "true"
}

test_restore_with_viaawsservice_exception_is_conditional if {
	deny := object.union(ip_deny, {"Condition": {
		"NotIpAddress": {"aws:SourceIp": "192.0.2.0/24"},
		"Bool": {"aws:ViaAWSService": "false"},
	}})
	a := restore([allow_all, deny], {})
	a.answer == "conditional"
	a.words == "allowed unless aws:SourceIp is not in 192.0.2.0/24 (or absent) and aws:ViaAWSService is false"
	count([c | some c in a.checks; c.kind == "svc"; c.answer == "allowed"]) == 7
}

test_restore_shares_the_callers_open_conditions_across_checks if {
	# RestoreTableFromBackup needs SecureTransport, the service-made PutItem is denied with it:
	# every check is conditional on its own, together they cannot all be allowed.
	stmts := [
		{"Effect": "Allow", "Action": "dynamodb:RestoreTableFromBackup", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "true"}}},
		{"Effect": "Allow", "Action": "dynamodb:*Item", "Resource": "*"},
		{"Effect": "Allow", "Action": ["dynamodb:Query", "dynamodb:Scan"], "Resource": "*"},
		{"Effect": "Deny", "Action": "dynamodb:PutItem", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "true"}}},
	]
	a := restore(stmts, {})
	a.answer == "denied"
	every c in a.checks {
		c.answer != "denied"
	}
}

# --- across accounts (SEMANTICS §5.2a): identity AND resource policy ------------------------------------

outsider := {"arn": "arn:aws:iam::999988887777:user/ext", "account": "999988887777", "type": "IAMUser"}

test_cross_account_needs_both_sides if {
	mfa_grant := {"Effect": "Allow", "Action": "dynamodb:CreateBackup", "Resource": "*", "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}
	rbp := {"Version": "2012-10-17", "Statement": [{
		"Effect": "Allow", "Principal": {"AWS": outsider.arn}, "Action": "dynamodb:CreateBackup",
		"Resource": "arn:aws:dynamodb:us-east-1:123456789012:table/Orders",
		"Condition": {"IpAddress": {"aws:SourceIp": "192.0.2.0/24"}},
	}]}
	p := object.union(psd([mfa_grant]), {"resource_policy": {"name": "rbp", "document": rbp, "source": "rbp.json"}})
	req := {"action": "dynamodb:CreateBackup", "resource": "arn:aws:dynamodb:us-east-1:123456789012:table/Orders", "principal": outsider}
	a := analysis.analyze_request(p, req, [], {})
	a.answer == "conditional"
	a.words == "allowed when aws:MultiFactorAuthPresent is true and aws:SourceIp is in 192.0.2.0/24"
}

test_cross_account_backup_is_never_reachable if {
	a := analysis.analyze_request(psd([allow_all]), {"action": "dynamodb:DeleteBackup", "resource": backup, "principal": outsider}, [], {})
	a.answer == "denied"
}

# --- words for the other operator families ------------------------------------------------------------------

words_of(cond) := delete_backup([cond_stmt("Allow", cond)], {}, []).words

test_words_set_operators_and_null if {
	words_of({"ForAnyValue:StringEquals": {"aws:TagKeys": ["env", "owner"]}}) == "allowed when some value of aws:TagKeys is one of env, owner"
	words_of({"ForAllValues:StringLike": {"aws:TagKeys": "cost*"}}) == "allowed when every value of aws:TagKeys matches cost* (or aws:TagKeys is absent)"
	words_of({"Null": {"aws:SourceVpce": "true"}}) == "allowed when aws:SourceVpce is absent"
	words_of({"NumericLessThanIfExists": {"aws:MultiFactorAuthAge": "3600"}}) == "allowed when aws:MultiFactorAuthAge is less than 3600 (or absent)"
	words_of({"StringNotLike": {"aws:PrincipalTag/team": ["dev*", "test*"]}}) == "allowed when aws:PrincipalTag/team matches none of dev*, test* (or absent)"
}

test_words_deny_with_two_conditions_reads_unless_both if {
	deny := cond_stmt("Deny", {"Bool": {"aws:SecureTransport": "false"}, "StringEquals": {"aws:PrincipalTag/team": "dev"}})
	a := delete_backup([allow_all, deny], {}, [])
	a.words == "allowed unless aws:PrincipalTag/team is dev and aws:SecureTransport is false"
}

# --- table resource policies bound by ARN (SEMANTICS §3.5) -------------------------------------------

orders := "arn:aws:dynamodb:us-east-1:123456789012:table/Orders"

create_backup_on(p, table) := analysis.analyze_request(p, {"action": "dynamodb:CreateBackup", "resource": table, "principal": alice}, [], {})

with_table_policy(document) := object.union(psd([allow_all]), {"resource_policies": {orders: {"name": "rbp", "document": document, "source": "rbp"}}})

test_bound_table_policy_deny_decides_on_its_table_only if {
	p := with_table_policy(doc([{"Effect": "Deny", "Principal": "*", "Action": "dynamodb:CreateBackup", "Resource": "*"}]))
	create_backup_on(p, orders).answer == "denied"
	create_backup_on(p, target).answer == "allowed"
}

test_unreadable_bound_table_policy_is_unverifiable_on_its_table_only if {
	p := with_table_policy("{not json")
	a := create_backup_on(p, orders)
	a.answer == "unverifiable"
	a.policy_errors[0].code == "V-JSON"
	create_backup_on(p, target).answer == "allowed"
}

# --- keys a resource cannot carry (SEMANTICS §1.5, §6.6, §13.5): backups have no resource tags -------

legal_hold_deny := cond_stmt("Deny", {"StringEquals": {"aws:ResourceTag/retention": "legal-hold"}})

test_resource_tag_deny_never_applies_to_a_backup if {
	a := delete_backup([allow_all, legal_hold_deny], {}, [])
	a.answer == "allowed"
	a.checks[0].worst.decision == "allow"
}

test_resource_tag_grant_on_a_backup_is_denied if {
	a := delete_backup([cond_stmt("Allow", {"StringEquals": {"aws:ResourceTag/retention": "disposable"}})], {}, [])
	a.answer == "denied"
}

test_resource_tag_on_a_table_stays_open if {
	a := analysis.analyze_request(
		psd([{
			"Effect": "Allow", "Action": "dynamodb:CreateBackup", "Resource": "*",
			"Condition": {"StringEquals": {"aws:ResourceTag/env": "dev"}},
		}]),
		{"action": "dynamodb:CreateBackup", "resource": target, "principal": alice, "context": {}},
		[], {},
	)
	a.answer == "conditional"
	a.words == "allowed when aws:ResourceTag/env is dev"
}

test_resource_tag_absent_on_every_check_of_a_restore if {
	a := analysis.analyze_operation(
		{"caller": psd([allow_all, object.union(legal_hold_deny, {"Action": "dynamodb:RestoreTableFromBackup"})])},
		{"operation": "restore_table_from_backup", "backup": backup, "target_table": target, "principal": alice},
		{},
	)
	a.answer == "allowed"
}
