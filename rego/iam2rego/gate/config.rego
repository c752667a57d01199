# iam2rego gate - the configuration checked against its schema (config_schema.rego, generated from
# the JSON Schema `iam2rego gate` validates with): unknown keys, wrong types, values outside their
# enum or pattern. A misspelt key (`contxt:`, `principal:`, `unverifable:`) must not silently change
# what a guardrail checks, so every problem is IAM2REGO-CONFIG-INVALID and nothing else is evaluated.
package iam2rego.gate

_config_problems contains why if some why in _schema_problems

_schema_problems contains concat("", [_path_text(path), ": ", why]) if {
	[path, value] := walk(_cfg)
	some shape in config_shapes
	_shape_matches(shape.path, path)
	some why in _shape_problems(shape, value)
}

_shape_matches(pattern, path) if {
	count(pattern) == count(path)
	every i, p in pattern {
		_path_part_matches(p, path[i])
	}
}

_path_part_matches("*", _)

_path_part_matches(p, q) if p == q

_shape_problems(shape, value) := {why |
	some why in _type_problems(shape, value)
} | {why |
	_shape_type_ok(shape, value)
	some why in _value_problems(shape, value)
}

_type_problems(shape, value) := [] if _shape_type_ok(shape, value)

_type_problems(shape, value) := [concat("", [
	_json_text(value), " is not of type ",
	concat(" or ", shape.types),
])] if {
	not _shape_type_ok(shape, value)
}

_shape_type_ok(shape, value) if type_name(value) in shape.types

_value_problems(shape, value) := ((({concat("", [_json_text(value), " is not one of ", _as_text(shape.enum)]) |
	shape.enum
	not value in shape.enum
} | {concat("", [_json_text(value), " does not match ", shape.pattern]) |
	shape.pattern
	not regex.match(shape.pattern, value)
}) | {"must not be empty" |
	shape.min_length
	count(value) < shape.min_length
}) | {"must not be empty" |
	shape.min_items
	count(value) < shape.min_items
}) | _key_problems(shape, value)

_key_problems(shape, value) := ({concat("", [
	"unknown key ", _quoted(k),
	" (allowed: ", concat(", ", shape.keys), ")",
]) |
	shape.keys
	some k in object.keys(value)
	not k in shape.keys
} | {concat("", ["key ", _quoted(k), " is not one of ", concat(", ", shape.key_enum)]) |
	shape.key_enum
	some k in object.keys(value)
	not k in shape.key_enum
}) | {concat("", ["needs `", k, "`"]) |
	some k in object.get(shape, "required", [])
	not k in object.keys(value)
}

_path_text(path) := "iam2rego_gate" if count(path) == 0

_path_text(path) := concat("", ["iam2rego_gate", concat("", [_path_part(p) | some p in path])]) if count(path) > 0

_path_part(p) := concat("", ["[", format_int(p, 10), "]"]) if is_number(p)

_path_part(p) := concat("", [".", p]) if is_string(p)
