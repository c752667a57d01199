package iam2rego.gate_test

import data.iam2rego.catalog
import data.iam2rego.gate

# config_schema.rego is generated from compiler/terraform/gate.schema.json (scripts/gen_gate_schema.py;
# tests/e2e/test_gate_config_pack.py keeps it in step). These tests pin what the pack relies on.

shape(path) := s if {
	some s in gate.config_shapes
	s.path == path
}

test_every_shape_has_a_path_and_types if {
	every s in gate.config_shapes {
		is_array(s.path)
		count(s.types) > 0
	}
}

test_paths_are_unique if {
	count({s.path | some s in gate.config_shapes}) == count(gate.config_shapes)
}

test_the_top_level_is_the_iam2rego_gate_mapping if {
	shape([]).types == ["object"]
	{"guardrails", "exceptions", "account_id", "unverifiable"} & {k | some k in shape([]).keys} == {
		"guardrails",
		"exceptions",
		"account_id",
		"unverifiable",
	}
}

test_guardrail_operations_are_the_operations_the_gate_can_name if {
	{op | some op in shape(["guardrails", "*", "operation"]).enum} == gate._supported_ops
	{op | some op in shape(["guardrails", "*", "operation"]).enum} == {name |
		some name in object.keys(catalog.operations)
		catalog.operations[name].gate != null
	} | {name | some name in object.keys(catalog.gate_composites)}
}

test_a_guardrail_needs_an_id_and_a_kind if {
	shape(["guardrails", "*"]).required == ["id", "kind"]
}
