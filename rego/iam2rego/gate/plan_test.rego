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
	gate._scp_scope == "attached"
	gate._unverifiable_severity == "warn" with data.iam2rego_gate as {"unverifiable": "warn"}
}
