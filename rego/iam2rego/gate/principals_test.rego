package iam2rego.gate_test

import data.iam2rego.gate

# principals.rego: who the principals are and which policy documents reach each of them

user_alice := change("aws_iam_user.u", "aws_iam_user", "u", ["create"], {"name": "alice", "path": "/"}, {"arn": true})

group_ops := change("aws_iam_group.g", "aws_iam_group", "g", ["create"], {"name": "ops", "path": "/"}, {"arn": true})

membership := change(
	"aws_iam_user_group_membership.m", "aws_iam_user_group_membership", "m", ["create"],
	{"user": "alice", "groups": ["ops"]}, {},
)

group_policy(policy) := change("aws_iam_group_policy.gp", "aws_iam_group_policy", "gp", ["create"], {"group": "ops", "policy": policy}, {})

test_roles_and_users_are_principals_groups_are_not if {
	ps := gate.principals with input as plan([role, user_alice, group_ops])
	{a: p.type | some a, p in ps} == {"aws_iam_role.r": "role", "aws_iam_user.u": "user"}
	ps["aws_iam_user.u"].arn == "arn:aws:iam::123456789012:user/alice"
	ps["aws_iam_role.r"].tags == {}
}

test_an_inline_policy_reaches_its_role if {
	[e] := [e | some e in gate._principal_edges("aws_iam_role.r")] with input as plan([role, inline(allow_all_backups)])
	e.slot == "identity"
	e.target == {"kind": "doc", "id": "aws_iam_role_policy.p"}
}

test_a_role_without_policies_has_no_edges if {
	gate._principal_edges("aws_iam_role.r") == set() with input as plan([role])
}

test_a_group_policy_reaches_its_members if {
	p := plan([user_alice, group_ops, membership, group_policy(allow_all_backups)])
	gate._user_groups["aws_iam_user.u"] == {"aws_iam_group.g"} with input as p
	ids := {e.target.id | some e in gate._principal_edges("aws_iam_user.u")} with input as p
	ids == {"aws_iam_group_policy.gp"}
}

test_the_policy_set_holds_the_readable_documents if {
	ps := gate._policy_set("aws_iam_role.r") with input as plan([role, inline(allow_all_backups)])
	[entry] := ps.identity
	entry.name == "aws_iam_role_policy.p"
	entry.document.Statement[0].Sid == "All"
	ps.boundary == null
	ps.session == null
}

# an unreadable policy stays in the set with no document: the principal's answers are unverifiable
# instead of decided without it
test_an_unreadable_document_stays_in_the_policy_set_without_a_document if {
	ps := gate._policy_set("aws_iam_role.r") with input as plan([role, inline("{not json")])
	ps.identity == [{"name": "aws_iam_role_policy.p", "document": null, "source": "aws_iam_role_policy.p"}]
	gate._unreadable({"kind": "doc", "id": "aws_iam_role_policy.p"}) with input as plan([role, inline("{not json")])
}

test_no_scp_in_scope_means_no_scp_levels if {
	gate._scp_levels == [] with input as plan([role])
}
