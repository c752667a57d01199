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

# ---- links resolved by reference (plan_test.rego: resolve) ----

readable_b := change("aws_iam_policy.b", "aws_iam_policy", "b", ["create"], {"name": "b", "policy": allow_all_backups}, {"arn": true})

test_a_boundary_passed_into_a_module_is_the_roles_boundary if {
	p := team_plan([readable_b, team_role("a", {"name": "team-a"}, {"permissions_boundary": true})], bounded_map, boundary_of_b)
	ps := gate._policy_set("module.team[\"a\"].aws_iam_role.r") with input as p
	ps.boundary.name == "aws_iam_policy.b"
	ps.boundary.document.Statement[0].Sid == "All"
}

test_a_boundary_that_is_no_policy_is_unresolved_and_keeps_the_role_unverifiable if {
	seed := change("aws_iam_role.seed", "aws_iam_role", "seed", ["create"], {"name": "seed"}, {"unique_id": true})
	opaque := change("aws_iam_role.o", "aws_iam_role", "o", ["create"], {"name": "o"}, {"permissions_boundary": true})
	conf := [conf_resource("aws_iam_role.o", "aws_iam_role", "o", {"permissions_boundary": refs_to(["aws_iam_role.seed.unique_id", "aws_iam_role.seed"])})]
	p := root_plan([seed, opaque], conf)
	[e] := [e | some e in gate._principal_edges("aws_iam_role.o"); e.slot == "boundary"] with input as p
	e.target.kind == "unresolved"
	e.target.why == "`permissions_boundary` of aws_iam_role.o is known only after apply; it refers to aws_iam_role.seed.unique_id, which is not an IAM policy of this plan"
	ps := gate._policy_set("aws_iam_role.o") with input as p
	ps.boundary == {"name": "`permissions_boundary` of aws_iam_role.o", "document": null, "source": "`permissions_boundary` of aws_iam_role.o"}
}

test_managed_policy_arns_by_reference_reach_the_role if {
	evil := change("aws_iam_policy.evil", "aws_iam_policy", "evil", ["create"], {"name": "evil", "policy": allow_all_backups}, {"arn": true})
	holder := change("aws_iam_role.h", "aws_iam_role", "h", ["create"], {"name": "h"}, {"managed_policy_arns": true})
	conf := [conf_resource("aws_iam_role.h", "aws_iam_role", "h", {"managed_policy_arns": refs_to(["aws_iam_policy.evil.arn", "aws_iam_policy.evil"])})]
	p := root_plan([evil, holder], conf)
	targets := {e.target.kind: e.target | some e in gate._principal_edges("aws_iam_role.h")} with input as p
	targets.doc == {"kind": "doc", "id": "aws_iam_policy.evil"}
	contains(targets.unresolved.why, "may hold elements the plan does not show")
	ps := gate._policy_set("aws_iam_role.h") with input as p
	{[e.name, is_null(e.document)] | some e in ps.identity} == {
		["aws_iam_policy.evil", false],
		["`managed_policy_arns` of aws_iam_role.h", true],
	}
}
