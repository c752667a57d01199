package iam2rego.gate_test

import data.iam2rego.gate

# plan.rego: plan shape checks, live resources, addresses, ARNs and the IAM name index

test_a_well_formed_plan_has_no_malformed_reason if {
	count(gate._plan_malformed_reasons) == 0 with input as plan([role])
	gate._plan_format_ok with input as plan([role])
}

test_each_malformed_shape_is_named if {
	gate._plan_malformed_reasons == {"the input is not a JSON object"} with input as "plan"
	"`format_version` is missing or not a string" in gate._plan_malformed_reasons with input as object.remove(plan([]), ["format_version"])
	"`resource_changes` is not an array" in gate._plan_malformed_reasons with input as object.union(plan([]), {"resource_changes": {}})
}

test_a_newer_major_format_is_unsupported if {
	gate._plan_unsupported_format with input as object.union(plan([]), {"format_version": "2.0"})
	not gate._plan_unsupported_format with input as object.union(plan([]), {"format_version": "1.9"})
}

test_deleted_resources_are_not_live if {
	gone := change("aws_iam_role.old", "aws_iam_role", "old", ["delete"], null, {})
	object.keys(gate._live) == {"aws_iam_role.r"} with input as plan([role, gone])
	gate._live_of_type("aws_iam_role") == {"aws_iam_role.r"} with input as plan([role, gone])
	gate._live_of_type("aws_iam_user") == set() with input as plan([role, gone])
}

test_module_address_names_an_instance if {
	rc := {"module_address": "module.team[\"billing\"]", "index": 0}
	gate._module_prefix(rc) == "module.team[\"billing\"]."
	gate._module_prefix({}) == ""
}

test_an_unknown_attribute_is_not_a_known_string if {
	gate._attr_unknown("aws_dynamodb_table.t", "arn") with input as plan([table])
	gate._known_string("aws_dynamodb_table.t", "name") == "Orders" with input as plan([table])
	not gate._known_string("aws_dynamodb_table.t", "arn") with input as plan([table])
}

test_a_known_table_arn_is_kept if {
	arn := "arn:aws:dynamodb:us-east-2:210987654321:table/Orders"
	known := change("aws_dynamodb_table.t", "aws_dynamodb_table", "t", ["update"], {"name": "Orders", "arn": arn}, {})
	gate.tables["aws_dynamodb_table.t"].arn == arn with input as plan([known])
}

test_iam_entities_are_indexed_by_name if {
	user := change("aws_iam_user.u", "aws_iam_user", "u", ["create"], {"name": "alice", "path": "/"}, {"arn": true})
	gate._roles_by_name == {"r": {"aws_iam_role.r"}} with input as plan([role, user])
	gate._users_by_name == {"alice": {"aws_iam_user.u"}} with input as plan([role, user])
	gate._groups_by_name == {} with input as plan([role, user])
}

test_settings_default_without_gate_data if {
	gate._default_region == "us-east-1"
	gate._unverifiable_severity == "deny"
	gate._unverifiable_severity == "warn" with data.iam2rego_gate as {"unverifiable": "warn"}
}

# ---- resolve(): references followed like terraform (SEMANTICS §13.4) ----

pending_policy := change("aws_iam_policy.b", "aws_iam_policy", "b", ["create"], {"name": "b"}, {"arn": true, "id": true})

refs_to(rs) := {"references": rs}

boundary_of_b := refs_to(["each.value.bounded", "each.value", "aws_iam_policy.b.arn", "aws_iam_policy.b"])

team_role(key, after, unknown) := object.union(
	change(concat("", ["module.team[\"", key, "\"].aws_iam_role.r"]), "aws_iam_role", "r", ["create"], after, unknown),
	{"module_address": concat("", ["module.team[\"", key, "\"]"])},
)

conf_resource(addr, type, name, expressions) := {"address": addr, "type": type, "name": name, "mode": "managed", "expressions": expressions}

# module "team" { for_each = <for_each>, permissions_boundary = <expr> } around aws_iam_role.r
team_plan(changes, for_each, expr) := object.union(plan(changes), {"configuration": {
	"provider_config": provider_config,
	"root_module": {
		"resources": [conf_resource("aws_iam_policy.b", "aws_iam_policy", "b", {})],
		"module_calls": {"team": {
			"for_each_expression": for_each,
			"expressions": {"permissions_boundary": expr},
			"module": {"resources": [conf_resource("aws_iam_role.r", "aws_iam_role", "r", {"permissions_boundary": refs_to(["var.permissions_boundary"])})]},
		}},
	},
}})

bounded_map := {"constant_value": {"a": {"bounded": true}, "b": {"bounded": false}}}

test_resolve_follows_a_module_input_into_the_for_each_map if {
	p := team_plan([pending_policy, team_role("a", {"name": "team-a"}, {"permissions_boundary": true})], bounded_map, boundary_of_b)
	gate.resolve("module.team[\"a\"].aws_iam_role.r", "permissions_boundary") == {
		"kind": "resource", "address": "aws_iam_policy.b", "attr": "arn",
		"via": ["module.team[\"a\"]'s input `permissions_boundary`"],
	} with input as p
}

test_resolve_a_value_terraform_knows_is_that_value if {
	p := team_plan([pending_policy, team_role("b", {"name": "team-b", "permissions_boundary": null}, {})], bounded_map, boundary_of_b)
	gate.resolve("module.team[\"b\"].aws_iam_role.r", "permissions_boundary") == {"kind": "value", "value": null} with input as p
}

test_resolve_a_predicate_the_plan_does_not_hold_is_unknown if {
	p := team_plan(
		[pending_policy, team_role("a", {"name": "team-a"}, {"permissions_boundary": true})],
		refs_to(["local.teams"]), boundary_of_b,
	)
	r := gate.resolve("module.team[\"a\"].aws_iam_role.r", "permissions_boundary") with input as p
	r.kind == "unknown"
	contains(r.why, "each.value.bounded: the for_each value is not in the plan")
}

test_resolve_a_root_variable_for_each_map if {
	p := object.union(
		team_plan([pending_policy, team_role("a", {"name": "team-a"}, {"permissions_boundary": true})], refs_to(["var.teams"]), boundary_of_b),
		{"variables": {"teams": {"value": {"a": {"bounded": true}}}}},
	)
	r := gate.resolve("module.team[\"a\"].aws_iam_role.r", "permissions_boundary") with input as p
	r.address == "aws_iam_policy.b"
}

test_resolve_two_unknown_resources_is_unknown_and_names_both if {
	other := change("aws_iam_policy.c", "aws_iam_policy", "c", ["create"], {"name": "c"}, {"arn": true})
	expr := refs_to(["aws_iam_policy.b.arn", "aws_iam_policy.b", "aws_iam_policy.c.arn", "aws_iam_policy.c"])
	p := team_plan([pending_policy, other, team_role("a", {"name": "team-a"}, {"permissions_boundary": true})], bounded_map, expr)
	r := gate.resolve("module.team[\"a\"].aws_iam_role.r", "permissions_boundary") with input as p
	r.kind == "unknown"
	contains(r.why, "it may be any of aws_iam_policy.b.arn through module.team[\"a\"]'s input `permissions_boundary`, aws_iam_policy.c.arn")
}

test_resolve_a_local_is_unknown if {
	p := team_plan([pending_policy, team_role("a", {"name": "team-a"}, {"permissions_boundary": true})], bounded_map, refs_to(["local.pb"]))
	r := gate.resolve("module.team[\"a\"].aws_iam_role.r", "permissions_boundary") with input as p
	r.why == "`permissions_boundary` of module.team[\"a\"].aws_iam_role.r is known only after apply; local.pb: local values are not written to the plan"
}

test_resolve_follows_a_module_output if {
	pol := object.union(
		change("module.pol.aws_iam_policy.this", "aws_iam_policy", "this", ["create"], {"name": "x"}, {"arn": true}),
		{"module_address": "module.pol"},
	)
	role_pb := change("aws_iam_role.r", "aws_iam_role", "r", ["create"], {"name": "r"}, {"permissions_boundary": true})
	p := object.union(plan([pol, role_pb]), {"configuration": {
		"provider_config": provider_config,
		"root_module": {
			"resources": [conf_resource("aws_iam_role.r", "aws_iam_role", "r", {"permissions_boundary": refs_to(["module.pol.arn", "module.pol"])})],
			"module_calls": {"pol": {"module": {
				"resources": [conf_resource("aws_iam_policy.this", "aws_iam_policy", "this", {})],
				"outputs": {"arn": {"expression": refs_to(["aws_iam_policy.this.arn", "aws_iam_policy.this"])}},
			}}},
		},
	}})
	gate.resolve("aws_iam_role.r", "permissions_boundary") == {
		"kind": "resource", "address": "module.pol.aws_iam_policy.this", "attr": "arn",
		"via": ["module.pol's output `arn`"],
	} with input as p
}

# one plan with root resources only: `addr`'s `attr` is the expression `expr`
root_plan(changes, conf) := object.union(plan(changes), {"configuration": {
	"provider_config": provider_config,
	"root_module": {"resources": conf},
}})

test_resolve_a_literal_instance_key if {
	scratch := change("aws_dynamodb_table.t[\"scratch\"]", "aws_dynamodb_table", "t", ["create"], {"name": "scratch"}, {"arn": true})
	orders := change("aws_dynamodb_table.t[\"orders\"]", "aws_dynamodb_table", "t", ["create"], {"name": "orders"}, {"arn": true})
	sel := change("aws_backup_selection.s", "aws_backup_selection", "s", ["create"], {"name": "s"}, {"not_resources": true})
	expr := refs_to(["aws_dynamodb_table.t[\"scratch\"].arn", "aws_dynamodb_table.t[\"scratch\"]", "aws_dynamodb_table.t"])
	p := root_plan([scratch, orders, sel], [conf_resource("aws_backup_selection.s", "aws_backup_selection", "s", {"not_resources": expr})])
	[first, hidden] := gate.resolve_items("aws_backup_selection.s", "not_resources") with input as p
	first == {"kind": "resource", "address": "aws_dynamodb_table.t[\"scratch\"]", "attr": "arn", "via": []}
	hidden.kind == "unknown"
	contains(hidden.why, "may hold elements the plan does not show")
}

test_resolve_count_index_picks_the_referrers_instance if {
	# (a real plan gives every instance its `index`; the instance is picked by it, not by address text)
	roles := [object.union(change(concat("", ["aws_iam_role.x[", format_int(i, 10), "]"]), "aws_iam_role", "x", ["create"], {"name": "x"}, {"arn": true}), {"index": i}) | some i in [0, 1]]
	att := object.union(change("aws_iam_role_policy.y[1]", "aws_iam_role_policy", "y", ["create"], {}, {"role": true}), {"index": 1})
	conf := [object.union(conf_resource("aws_iam_role_policy.y", "aws_iam_role_policy", "y", {"role": refs_to(["aws_iam_role.x", "count.index"])}), {"count_expression": {"constant_value": 2}})]
	p := root_plan(array.concat(roles, [att]), conf)
	r := gate.resolve("aws_iam_role_policy.y[1]", "role") with input as p
	r.address == "aws_iam_role.x[1]"
	r.attr == null
}

test_resolve_an_unconfigured_computed_list_has_no_items if {
	r := change("aws_iam_role.r", "aws_iam_role", "r", ["create"], {"name": "r"}, {"managed_policy_arns": true})
	gate.resolve_items("aws_iam_role.r", "managed_policy_arns") == [] with input as plan([r])
}

test_resolve_items_of_a_concat_with_a_known_list if {
	holder := change("aws_iam_role.h", "aws_iam_role", "h", ["create"], {"name": "h"}, {"managed_policy_arns": true})
	conf := [conf_resource("aws_iam_role.h", "aws_iam_role", "h", {"managed_policy_arns": refs_to(["var.extra", "aws_iam_policy.b.arn", "aws_iam_policy.b"])})]
	p := object.union(root_plan([pending_policy, holder], conf), {"variables": {"extra": {"value": ["arn:aws:iam::aws:policy/ReadOnlyAccess"]}}})
	items := gate.resolve_items("aws_iam_role.h", "managed_policy_arns") with input as p
	{"kind": "value", "value": "arn:aws:iam::aws:policy/ReadOnlyAccess"} in items
	{"kind": "resource", "address": "aws_iam_policy.b", "attr": "arn", "via": []} in items
	count(items) == 3
}
