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
	gate.policy_sets["aws_iam_role.r"].scp == [] with input as plan([role])
	gate.policy_sets["aws_iam_role.r"].maybe == {"scp": [], "rcp": [], "why": []} with input as plan([role])
}

# ---- names, tags and session tags the plan may not know (SEMANTICS §13.3) ----

trust_doc(actions) := json.marshal({"Version": "2012-10-17", "Statement": [statement]}) if {
	statement := {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": actions}
}

role_with(after, unknown) := change(
	"aws_iam_role.x", "aws_iam_role", "x", ["create"], object.union(
		{"path": "/", "assume_role_policy": trust_doc("sts:AssumeRole")},
		after,
	),
	unknown,
)

x_plan(after, unknown) := plan([role_with(after, unknown)])

test_a_name_prefix_role_is_a_principal_with_no_name_and_no_arn if {
	p := gate.principals["aws_iam_role.x"] with input as x_plan({"name_prefix": "cleaner-"}, {"name": true, "arn": true})
	p.name == null
	p.name_known == false
	p.name_prefix == "cleaner-"
	p.arn == null
}

test_a_role_with_no_name_is_a_principal_never_named_by_its_address if {
	p := gate.principals["aws_iam_role.x"] with input as x_plan({}, {"name": true, "name_prefix": true, "arn": true})
	p.name == null
	p.name_prefix == null
	p.arn == null
}

test_a_known_name_gives_the_arn if {
	p := gate.principals["aws_iam_role.x"] with input as x_plan({"name": "ops"}, {"arn": true})
	p.name == "ops"
	p.arn == "arn:aws:iam::123456789012:role/ops"
}

test_known_tags_without_tag_session_fix_every_principal_tag_key if {
	p := gate.principals["aws_iam_role.x"] with input as x_plan({"name": "ops", "tags": {"team": "dev"}, "tags_all": {"team": "dev"}}, {"arn": true})
	p.tags_known
	p.session_tags == "none"
	gate._principal_fixed_keys(p) == ["aws:principaltag/*"]
	gate._principal_tag_context(p) == {"aws:PrincipalTag/team": "dev"}
}

test_tags_unknown_until_apply_are_open_keys if {
	p := gate.principals["aws_iam_role.x"] with input as x_plan({"name": "ops"}, {"arn": true, "tags": true, "tags_all": true})
	not p.tags_known
	gate._principal_fixed_keys(p) == []
	gate._principal_tag_context(p) == {}
}

test_one_unknown_tag_value_leaves_the_known_tags_fixed_and_the_rest_open if {
	p := gate.principals["aws_iam_role.x"] with input as x_plan({"name": "ops", "tags": {"owner": "data"}}, {"arn": true, "tags": {"team": true}, "tags_all": true})
	p.tags_unknown_keys == ["team"]
	gate._principal_fixed_keys(p) == []
	gate._principal_tag_context(p) == {"aws:PrincipalTag/owner": "data"}
}

test_default_tags_make_unknown_tags_all_unknown if {
	r := role_with({"name": "ops", "tags": {"team": "dev"}}, {"arn": true, "tags_all": true})
	res := [{"address": "aws_iam_role.x", "type": "aws_iam_role", "name": "x", "provider_config_key": "aws", "expressions": {}}]
	with_defaults := {"aws": {"expressions": object.union(
		provider_config.aws.expressions,
		{"default_tags": [{"tags": {"references": ["var.t"]}}]},
	)}}
	p := object.union(plan([r]), {"configuration": {"provider_config": provider_config, "root_module": {"resources": res}}})
	pd := object.union(plan([r]), {"configuration": {"provider_config": with_defaults, "root_module": {"resources": res}}})
	gate.principals["aws_iam_role.x"].tags_known with input as p
	not gate.principals["aws_iam_role.x"].tags_known with input as pd

	# constant default_tags are the principal's tags, under its own
	constant := {"aws": {"expressions": object.union(
		provider_config.aws.expressions,
		{"default_tags": [{"tags": {"constant_value": {"team": "platform", "env": "prod"}}}]},
	)}}
	pc := object.union(plan([r]), {"configuration": {"provider_config": constant, "root_module": {"resources": res}}})
	gate.principals["aws_iam_role.x"].tags_known with input as pc
	gate.principals["aws_iam_role.x"].tags == {"team": "dev", "env": "prod"} with input as pc

	# no configuration for the resource: default_tags cannot be ruled out
	not gate.principals["aws_iam_role.x"].tags_known with input as plan([r])
}

test_a_trust_policy_allowing_tag_session_opens_every_principal_tag_key if {
	some actions in [["sts:AssumeRole", "sts:TagSession"], "sts:*", "*", ["sts:Tag*"]]
	p := gate.principals["aws_iam_role.x"] with input as x_plan({"name": "ops", "tags": {"team": "dev"}, "tags_all": {"team": "dev"}, "assume_role_policy": trust_doc(actions)}, {})
	p.session_tags == "open"
	gate._principal_fixed_keys(p) == []
	gate._principal_tag_context(p) == {}
}

test_not_action_without_tag_session_allows_it if {
	doc := json.marshal({"Statement": {"Effect": "Allow", "Principal": "*", "NotAction": "sts:AssumeRoleWithSAML"}})
	gate.principals["aws_iam_role.x"].session_tags == "open" with input as x_plan({"name": "ops", "assume_role_policy": doc}, {})
	no := json.marshal({"Statement": {"Effect": "Allow", "Principal": "*", "NotAction": "sts:Tag*"}})
	gate.principals["aws_iam_role.x"].session_tags == "none" with input as x_plan({"name": "ops", "assume_role_policy": no}, {})
}

test_an_unknown_or_unreadable_trust_policy_leaves_session_tags_unknown if {
	gate.principals["aws_iam_role.x"].session_tags == "unknown" with input as x_plan({"name": "ops"}, {"assume_role_policy": true})
	gate.principals["aws_iam_role.x"].session_tags == "unknown" with input as x_plan({"name": "ops", "assume_role_policy": "{not json"}, {})
	gate.principals["aws_iam_role.x"].trust == "malformed" with input as x_plan({"name": "ops", "assume_role_policy": "{not json"}, {})
}

test_a_user_carries_its_own_tags if {
	u := change("aws_iam_user.u", "aws_iam_user", "u", ["create"], {"name": "alice", "path": "/", "tags": {"team": "ops"}, "tags_all": {"team": "ops"}}, {})
	p := gate.principals["aws_iam_user.u"] with input as plan([u])
	p.session_tags == "none"
	p.trust == null
	gate._principal_fixed_keys(p) == ["aws:principaltag/*"]
}

test_an_unknown_name_leaves_principal_arn_and_username_open if {
	u := change("aws_iam_user.u", "aws_iam_user", "u", ["create"], {"path": "/", "name_prefix": "svc-"}, {"name": true, "arn": true})
	p := gate.principals["aws_iam_user.u"] with input as plan([u])
	ctx := gate._principal_context(p) with input as plan([u])
	not ctx["aws:PrincipalArn"]
	not ctx["aws:username"]
	ctx["aws:PrincipalType"] == "IAMUser"
	gate._eval_arn(p) == "arn:aws:iam::123456789012:user/svc-(name known after apply)" with input as plan([u])
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
