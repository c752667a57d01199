package iam2rego.generic_accounts_test

# SEMANTICS §5.2a through the generic evaluator: cross-account requests, NotPrincipal, federated
# user sessions, ForAnyValue + IfExists on an absent key. Principals carry only their ARN: the
# account and the type come from it.

import data.iam2rego.generic

a := "123456789012"

other := "210987654321"

t(name) := sprintf("arn:aws:dynamodb:us-east-1:%s:table/%s", [a, name])

backup := concat("", [t("Music"), "/backup/01489173575360-b308cd7d"])

alice := {"arn": sprintf("arn:aws:iam::%s:user/alice", [a])}

bob := {"arn": sprintf("arn:aws:iam::%s:user/bob", [a])}

root := {"arn": sprintf("arn:aws:iam::%s:root", [a])}

stranger := {"arn": sprintf("arn:aws:iam::%s:user/carol", [other])}

stranger_session := {"arn": sprintf("arn:aws:sts::%s:assumed-role/Ops/s1", [other])}

fed := {"arn": sprintf("arn:aws:sts::%s:federated-user/bob", [a])}

doc(statements) := {"Version": "2012-10-17", "Statement": statements}

p(name, statements) := {"name": name, "document": doc(statements), "source": name}

s(effect, actions, resources) := {"Effect": effect, "Action": actions, "Resource": resources}

ps(effect, actions, principal) := object.union(s(effect, actions, t("Music")), {"Principal": principal})

nps(effect, actions, not_principal) := object.union(s(effect, actions, t("Music")), {"NotPrincipal": not_principal})

ddb_all := s("Allow", "dynamodb:*", "*")

# psd: identity statements, optional resource policy statements (on table Music), extra sets.
psd(identity, rbp, extra) := object.union(
	{"identity": [p("id", identity)], "resource_policy": rbp_doc(rbp)},
	extra,
)

rbp_doc(null) := null

rbp_doc(statements) := p("rbp", statements) if statements != null

req(action, resource, principal) := {"action": action, "resource": resource, "context": {}, "principal": principal}

dec(set, action, resource, principal) := generic.decide_request(set, req(action, resource, principal), {})

outcome(d) := [d.decision, d.reason]

allowed := ["allow", "allow"]

explicit := ["explicit_deny", "explicit_deny"]

# --- 1. cross-account requests need the identity side AND the resource policy ---------------------

test_cross_account_needs_the_resource_policy if {
	# Issue 11 item 1: Allow dynamodb:* on * in account 210987654321 is not enough on its own.
	outcome(dec(psd([ddb_all], null, {}), "dynamodb:GetItem", t("Music"), stranger)) == ["implicit_deny", "resource_policy_no_allow"]
	someone_else := [ps("Allow", "dynamodb:GetItem", {"AWS": alice.arn})]
	outcome(dec(psd([ddb_all], someone_else, {}), "dynamodb:GetItem", t("Music"), stranger)) == ["implicit_deny", "resource_policy_no_allow"]

	# the same request from the table's own account: the identity policy is enough (union)
	outcome(dec(psd([ddb_all], someone_else, {}), "dynamodb:GetItem", t("Music"), bob)) == allowed
}

test_cross_account_resource_policy_naming_the_account_or_the_principal if {
	every principal in [{"AWS": other}, {"AWS": sprintf("arn:aws:iam::%s:root", [other])}, {"AWS": stranger.arn}, "*"] {
		rbp := [ps("Allow", "dynamodb:GetItem", principal)]
		outcome(dec(psd([ddb_all], rbp, {}), "dynamodb:GetItem", t("Music"), stranger)) == allowed

		# the identity side must allow too
		outcome(dec(psd([], rbp, {}), "dynamodb:GetItem", t("Music"), stranger)) == ["implicit_deny", "no_allow"]
	}

	# a role session of the other account: its role ARN or its account
	rbp := [ps("Allow", "dynamodb:GetItem", {"AWS": sprintf("arn:aws:iam::%s:role/Ops", [other])})]
	outcome(dec(psd([ddb_all], rbp, {}), "dynamodb:GetItem", t("Music"), stranger_session)) == allowed
	outcome(dec(psd([ddb_all], rbp, {}), "dynamodb:GetItem", t("Music"), stranger)) == ["implicit_deny", "resource_policy_no_allow"]
}

test_backups_are_never_reachable_cross_account if {
	rbp := [ps("Allow", "dynamodb:*", "*"), object.union(s("Allow", "dynamodb:*", "*"), {"Principal": "*"})]
	outcome(dec(psd([ddb_all], rbp, {}), "dynamodb:DescribeBackup", backup, stranger)) == ["implicit_deny", "resource_policy_no_allow"]
	outcome(dec(psd([ddb_all], rbp, {}), "dynamodb:RestoreTableFromBackup", backup, stranger)) == ["implicit_deny", "resource_policy_no_allow"]
	outcome(dec(psd([ddb_all], rbp, {}), "dynamodb:DescribeBackup", backup, alice)) == allowed
}

test_cross_account_root_needs_the_resource_policy if {
	other_root := {"arn": sprintf("arn:aws:iam::%s:root", [other])}
	outcome(dec(psd([], null, {}), "dynamodb:GetItem", t("Music"), other_root)) == ["implicit_deny", "resource_policy_no_allow"]
	rbp := [ps("Allow", "dynamodb:GetItem", {"AWS": other})]
	outcome(dec(psd([], rbp, {}), "dynamodb:GetItem", t("Music"), other_root)) == allowed
	outcome(dec(psd([], null, {}), "dynamodb:GetItem", t("Music"), root)) == allowed
}

test_cross_account_boundary_and_session_still_limit_the_identity_side if {
	rbp := [ps("Allow", "dynamodb:GetItem", {"AWS": stranger.arn})]
	bounded := {"boundary": p("b", [s("Allow", "s3:*", "*")])}
	outcome(dec(psd([ddb_all], rbp, bounded), "dynamodb:GetItem", t("Music"), stranger)) == ["implicit_deny", "boundary_no_allow"]
	session := {"session": p("sess", [s("Allow", "s3:*", "*")])}
	rbp_session := [ps("Allow", "dynamodb:GetItem", {"AWS": stranger_session.arn})]
	outcome(dec(psd([ddb_all], rbp_session, session), "dynamodb:GetItem", t("Music"), stranger_session)) == ["implicit_deny", "session_no_allow"]
}

test_cross_account_scps_rcps_and_denies_in_either_account if {
	rbp := [ps("Allow", "dynamodb:*", {"AWS": other})]
	base := psd([ddb_all], rbp, {})
	outcome(dec(base, "dynamodb:GetItem", t("Music"), stranger)) == allowed

	# SCPs of the caller's account
	scp_deny := {"scp": [[p("full", [s("Allow", "*", "*")]), p("no-get", [s("Deny", "dynamodb:GetItem", "*")])]]}
	outcome(dec(psd([ddb_all], rbp, scp_deny), "dynamodb:GetItem", t("Music"), stranger)) == explicit
	scp_gap := {"scp": [[p("s3-only", [s("Allow", "s3:*", "*")])]]}
	outcome(dec(psd([ddb_all], rbp, scp_gap), "dynamodb:GetItem", t("Music"), stranger)) == ["implicit_deny", "scp_no_allow"]

	# RCPs of the resource's account
	rcp_deny := {"rcp": [[
		p("full", [object.union(s("Allow", "*", "*"), {"Principal": "*"})]),
		p("no-strangers", [object.union(s("Deny", "dynamodb:*", "*"), {
			"Principal": "*",
			"Condition": {"StringNotEquals": {"aws:PrincipalAccount": a}},
		})]),
	]]}
	d := dec(psd([ddb_all], rbp, rcp_deny), "dynamodb:GetItem", t("Music"), object.union(stranger, {}))
	outcome(d) == explicit
	d.reasons[0].policy == "no-strangers"

	# explicit denies in either account
	outcome(dec(psd([ddb_all, s("Deny", "dynamodb:GetItem", "*")], rbp, {}), "dynamodb:GetItem", t("Music"), stranger)) == explicit
	rbp_deny := array.concat(rbp, [ps("Deny", "dynamodb:GetItem", {"AWS": other})])
	outcome(dec(psd([ddb_all], rbp_deny, {}), "dynamodb:GetItem", t("Music"), stranger)) == explicit
}

test_region_and_account_wildcards_cross_account if {
	# SEMANTICS §7.4 T-TABLESTAR
	tablestar := [s("Allow", "dynamodb:*", "arn:aws:dynamodb:*:*:table/*")]
	x := "arn:aws:dynamodb:eu-west-1:999999999999:table/X"
	own := {"arn": "arn:aws:iam::999999999999:user/dana"}
	outcome(dec(psd(tablestar, null, {}), "dynamodb:CreateBackup", x, own)) == allowed
	outcome(dec(psd(tablestar, null, {}), "dynamodb:CreateBackup", x, alice)) == ["implicit_deny", "resource_policy_no_allow"]
}

# --- 2. Deny + NotPrincipal always denies a principal with a permissions boundary ----------------

test_deny_not_principal_denies_every_bounded_principal if {
	rbp := [nps("Deny", "dynamodb:*", {"AWS": [alice.arn, sprintf("arn:aws:iam::%s:root", [a])]})]
	outcome(dec(psd([ddb_all], rbp, {}), "dynamodb:GetItem", t("Music"), alice)) == allowed
	bounded := {"boundary": p("b", [s("Allow", "*", "*")])}
	outcome(dec(psd([ddb_all], rbp, bounded), "dynamodb:GetItem", t("Music"), alice)) == explicit

	# an Allow with a Principal is unaffected by the boundary rule
	outcome(dec(psd([ddb_all], [ps("Allow", "dynamodb:GetItem", {"AWS": alice.arn})], bounded), "dynamodb:GetItem", t("Music"), alice)) == allowed
}

# --- 3. NotPrincipal lists exact principals -----------------------------------------------------

test_not_principal_account_entry_exempts_only_the_account_principal if {
	every acct in [sprintf("arn:aws:iam::%s:root", [a]), a] {
		rbp := [nps("Deny", "dynamodb:*", {"AWS": [alice.arn, acct]})]
		outcome(dec(psd([ddb_all], rbp, {}), "dynamodb:GetItem", t("Music"), bob)) == explicit
		outcome(dec(psd([ddb_all], rbp, {}), "dynamodb:GetItem", t("Music"), alice)) == allowed
		outcome(dec(psd([ddb_all], rbp, {}), "dynamodb:GetItem", t("Music"), root)) == allowed
	}
}

# --- 4. federated user sessions -----------------------------------------------------------------

test_federated_session_is_tied_to_its_user_through_the_session_policy if {
	by_user := [ps("Allow", "dynamodb:GetItem", {"AWS": bob.arn})]
	session_s3 := {"session": p("sess", [s("Allow", "s3:*", "*")])}
	session_get := {"session": p("sess", [s("Allow", "dynamodb:GetItem", "*")])}

	# a resource policy naming the IAM user adds to the user's permissions, then the session
	# policy limits them
	outcome(dec(psd([], by_user, session_get), "dynamodb:GetItem", t("Music"), fed)) == allowed
	outcome(dec(psd([], by_user, session_s3), "dynamodb:GetItem", t("Music"), fed)) == ["implicit_deny", "session_no_allow"]

	# a resource policy naming the session ARN is not limited by the session policy
	by_session := [ps("Allow", "dynamodb:GetItem", {"AWS": fed.arn})]
	outcome(dec(psd([], by_session, session_s3), "dynamodb:GetItem", t("Music"), fed)) == allowed

	# the IAM user itself is not the session
	outcome(dec(psd([], by_session, {}), "dynamodb:GetItem", t("Music"), bob)) == ["implicit_deny", "no_allow"]
}

# --- 5. ForAnyValue + IfExists on an absent multivalued key ---------------------------------------

test_for_any_value_if_exists_on_absent_key_does_not_allow if {
	st := object.union(ddb_all, {"Condition": {"ForAnyValue:StringEqualsIfExists": {"aws:TagKeys": ["env"]}}})
	outcome(dec(psd([st], null, {}), "dynamodb:CreateBackup", t("Music"), alice)) == ["implicit_deny", "no_allow"]
	tagged := object.union(req("dynamodb:TagResource", t("Music"), alice), {"context": {"aws:TagKeys": ["env"]}})
	generic.decide_request(psd([st], null, {}), tagged, {}).decision == "allow"
}

# --- principal facts from the ARN -----------------------------------------------------------------

test_root_recognised_from_its_arn if {
	# no identity policy: the root user of the account is allowed, an IAM user is not
	outcome(dec(psd([], null, {}), "dynamodb:GetItem", t("Music"), root)) == allowed
	outcome(dec(psd([], null, {}), "dynamodb:GetItem", t("Music"), alice)) == ["implicit_deny", "no_allow"]
}

# A resource policy granting to everyone ("*") grants to the principal itself: its boundary does not
# limit it (a boundary does not cap what a resource-based policy grants); a grant to the role ARN is
# limited (SEMANTICS §5.1).
test_everyone_in_a_resource_policy_is_not_cut_by_the_boundary if {
	session := {"arn": sprintf("arn:aws:sts::%s:assumed-role/Ops/s1", [a])}
	bounded := {"boundary": p("b", [s("Allow", "s3:*", "*")])}
	outcome(dec(psd([], [ps("Allow", "dynamodb:GetItem", "*")], bounded), "dynamodb:GetItem", t("Music"), session)) == allowed
	by_role := [ps("Allow", "dynamodb:GetItem", {"AWS": sprintf("arn:aws:iam::%s:role/Ops", [a])})]
	outcome(dec(psd([], by_role, bounded), "dynamodb:GetItem", t("Music"), session)) == ["implicit_deny", "boundary_no_allow"]
}
