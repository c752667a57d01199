# iam2rego gate - reading `terraform show -json` output
# Indexes the plan by address: live resource changes (create, update, no-op, replace; never pure
# deletes), the configuration of each resource, references between resources (with count and
# for_each keys), provider regions and ARNs of resources created in the same plan.
package iam2rego.gate

# ---- configuration (conftest --data FILE with a top-level `iam2rego_gate` key) ----

default _cfg := {}

_cfg := data.iam2rego_gate

# facts `iam2rego gate` adds (absent under plain conftest): {"frontend": {document id: verdict}}
default _cli := {}

_cli := data.iam2rego_cli

_default_region := object.get(_cfg, "region", "us-east-1")

_unverifiable_severity := object.get(_cfg, "unverifiable", "deny")

_supported_format_major := "1"

# ---- plan shape ----

_plan_is_object if is_object(input)

_plan_format_ok if {
	is_string(input.format_version)
	split(input.format_version, ".")[0] == _supported_format_major
}

_plan_malformed_reasons contains "the input is not a JSON object" if not _plan_is_object

_plan_malformed_reasons contains "`format_version` is missing or not a string" if {
	_plan_is_object
	not _string_field(input, "format_version")
}

# Terraform leaves out an empty resource_changes, but always writes planned_values
_plan_malformed_reasons contains "`resource_changes` is not an array" if {
	_plan_is_object
	"resource_changes" in object.keys(input)
	not _array_field(input, "resource_changes")
}

_plan_malformed_reasons contains "neither `resource_changes` nor `planned_values` is present" if {
	_plan_is_object
	not _array_field(input, "resource_changes")
	not _object_field(input, "planned_values")
}

_plan_malformed_reasons contains why if {
	some i, rc in input.resource_changes
	not _well_formed_change(rc)
	why := concat("", ["resource_changes[", format_int(i, 10), "] lacks address/type/name/change"])
}

_string_field(obj, key) if is_string(obj[key])

_array_field(obj, key) if is_array(obj[key])

_object_field(obj, key) if is_object(obj[key])

_well_formed_change(rc) if {
	is_string(rc.address)
	is_string(rc.type)
	is_string(rc.name)
	is_object(rc.change)
	is_array(rc.change.actions)
}

_plan_unsupported_format if {
	is_string(input.format_version)
	not _plan_format_ok
}

# ---- live resources: everything that exists after apply ----

_only_delete(actions) if actions == ["delete"]

# live[address] = resource change of a managed resource that exists after apply
_live := {rc.address: rc |
	some rc in input.resource_changes
	_well_formed_change(rc)
	rc.mode == "managed"
	not _only_delete(rc.change.actions)
	is_object(rc.change.after)
}

# data sources read during apply (unknown at plan time) appear in resource_changes
_pending_data[rc.address] := rc if {
	some rc in input.resource_changes
	_well_formed_change(rc)
	rc.mode == "data"
}

after(addr) := _live[addr].change.after

_unknown_of(addr) := u if {
	u := _live[addr].change.after_unknown
	is_object(u)
} else := {}

_attr_unknown(addr, attr) if _unknown_of(addr)[attr] == true

_known_string(addr, attr) := s if {
	s := after(addr)[attr]
	is_string(s)
}

_live_types := {rc.type | some rc in _live}

_live_by_type := {t: addrs |
	some t in _live_types
	addrs := {a | some a; _live[a].type == t}
}

_live_of_type(t) := object.get(_live_by_type, t, set())

_module_address(rc) := object.get(rc, "module_address", "")

_module_prefix(rc) := "" if _module_address(rc) == ""

_module_prefix(rc) := concat("", [_module_address(rc), "."]) if _module_address(rc) != ""

# module call names without instance keys: module.a["x"].module.b[0] -> "a.b"
_module_path(rc) := concat(".", names) if {
	bare := regex.replace(_module_address(rc), `\[("([^"\\]|\\.)*"|[0-9]+)\]`, "")
	parts := split(bare, ".")
	names := [n | some i in numbers.range(0, count(parts) - 1); i % 2 == 1; n := parts[i]]
}

# ---- configuration index ----

_config_resources[key] := r if {
	[path, r] := walk(input.configuration)
	n := count(path)
	n >= 3
	is_number(path[n - 1])
	path[n - 2] == "resources"
	path[n - 3] in {"root_module", "module"}
	mods := [path[i + 1] | some i; path[i] == "module_calls"]
	key := concat("|", [concat(".", mods), r.address])
}

_config_of(addr) := c if {
	rc := _live[addr]

	# the key is bound before the lookup: regopy 1.5.2 crashes while compiling a function call
	# inside a lookup key (config_resources[concat(..., [module_path(rc), ...])])
	key := concat("", [_module_path(rc), "|", rc.type, ".", rc.name])
	c := _config_resources[key]
}

_references(addr, attr) := refs if {
	refs := _config_of(addr).expressions[attr].references
	is_array(refs)
} else := []

# instances[module_address|type.name] = addresses of the live instances of that resource
_instances[k] contains addr if {
	some addr, rc in _live
	k := concat("", [_module_address(rc), "|", rc.type, ".", rc.name])
}

_non_resource_roots := {"var", "local", "each", "count", "module", "path", "terraform", "self"}

_ref_parts(r) := m if {
	m := regex.find_all_string_submatch_n(`^([a-z][a-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_-]*)(\[[^\]]+\])?`, r, 1)[0]
	not m[1] in _non_resource_roots
}

# resolve_ref(addr, attr) = the one plan resource `attr` of `addr` refers to (resolve.rego; the
# old name kept for its callers)
_resolve_ref(addr, attr) := r.address if {
	r := resolve(addr, attr)
	r.kind == "resource"
}

_ref_target(addr, r) := t if {
	rc := _live[addr]
	m := _ref_parts(r)
	base := concat(".", [m[1], m[2]])
	key := concat("|", [_module_address(rc), base])
	cands := _instances[key]
	t := _pick_instance(rc, addr, base, m[3], cands)
}

_pick_instance(_, _, _, _, cands) := t if {
	count(cands) == 1
	some t in cands
}

_pick_instance(rc, _, base, literal, cands) := t if {
	count(cands) > 1
	literal != ""
	t := concat("", [_module_prefix(rc), base, literal])
	t in cands
}

_pick_instance(rc, addr, _, "", cands) := t if {
	count(cands) > 1
	some idx in {"count.index", "each.key", "each.value"}
	idx in _references_all(addr)

	# the instance with the same count index or for_each key: compared as values, never as address
	# text (issue 25: Terraform's quoting, OPA's HTML-escaping json.marshal and the Wasm runtime's
	# differ on & < > U+2028 U+FEFF ${ ...; building the address picked different roles per engine)
	# (t is walked from the _live object, not taken from the cands set: regopy 1.5.2 renders strings
	# taken from a set quoted; two instances of one resource never share an index)
	some t, x in _live
	t in cands
	x.index == rc.index
}

_references_all(addr) := {r |
	some e in object.get(_config_of(addr), "expressions", {})
	is_object(e)
	some r in object.get(e, "references", [])
}

# ---- regions and ARNs ----

_region_of(addr) := r if {
	key := _config_of(addr).provider_config_key
	r := input.configuration.provider_config[key].expressions.region.constant_value
	is_string(r)
} else := r if {
	r := input.configuration.provider_config.aws.expressions.region.constant_value
	is_string(r)
} else := _default_region

_name_of(addr) := _known_string(addr, "name")

_path_of(addr) := p if {
	p := _known_string(addr, "path")
} else := "/"

_table_arn(addr) := _known_string(addr, "arn")

_table_arn(addr) := concat("", [
	"arn:aws:dynamodb:", _region_of(addr), ":",
	_account_id, ":table/", _name_of(addr),
]) if {
	not _known_string(addr, "arn")
}

_iam_arn(addr, _) := _known_string(addr, "arn")

_iam_arn(addr, kind) := concat("", ["arn:aws:iam::", _account_id, ":", kind, _path_of(addr), _name_of(addr)]) if {
	not _known_string(addr, "arn")
}

# name -> address indexes (IAM names are unique per account)
_named_types := {"aws_iam_role", "aws_iam_user", "aws_iam_group"}

_iam_names := {a: [t, _name_of(a)] | some t in _named_types; some a in _live_of_type(t)}

# {[type, name]: {address, ...}}: a set, so that duplicate names stay visible instead of conflicting
# (the inner comprehension is indexed by OPA: one pass, not one scan per name)
_iam_by_name := {k: group |
	some k in _iam_names
	group := {b | _iam_names[b] == k}
}

_roles_by_name := {k[1]: g | some k, g in _iam_by_name; k[0] == "aws_iam_role"}

_users_by_name := {k[1]: g | some k, g in _iam_by_name; k[0] == "aws_iam_user"}

_groups_by_name := {k[1]: g | some k, g in _iam_by_name; k[0] == "aws_iam_group"}

tables[addr] := {
	"address": addr,
	"name": _name_of(addr),
	"arn": _table_arn(addr),
	"region": _region_of(addr),
	"kms": table_kms(addr), # kms.rego
} if {
	some addr in _live_of_type("aws_dynamodb_table")
}
