# iam2rego gate - reading `terraform show -json` output
# Indexes the plan by address: live resource changes (create, update, no-op, replace; never pure
# deletes), the configuration of each resource, references between resources (with count and
# for_each keys), provider regions and ARNs of resources created in the same plan.
package iam2rego.gate

# ---- configuration (conftest --data FILE with a top-level `iam2rego_gate` key) ----

default cfg := {}

cfg := data.iam2rego_gate

# facts `iam2rego gate` adds (absent under plain conftest): {"frontend": {document id: verdict}}
default cli := {}

cli := data.iam2rego_cli

default_region := object.get(cfg, "region", "us-east-1")

unverifiable_severity := object.get(cfg, "unverifiable", "deny")

scp_scope := object.get(cfg, "scp_scope", "attached")

supported_format_major := "1"

# ---- plan shape ----

plan_is_object if is_object(input)

plan_format_ok if {
	is_string(input.format_version)
	split(input.format_version, ".")[0] == supported_format_major
}

plan_malformed_reasons contains "the input is not a JSON object" if not plan_is_object

plan_malformed_reasons contains "`format_version` is missing or not a string" if {
	plan_is_object
	not string_field(input, "format_version")
}

# Terraform leaves out an empty resource_changes, but always writes planned_values
plan_malformed_reasons contains "`resource_changes` is not an array" if {
	plan_is_object
	"resource_changes" in object.keys(input)
	not array_field(input, "resource_changes")
}

plan_malformed_reasons contains "neither `resource_changes` nor `planned_values` is present" if {
	plan_is_object
	not array_field(input, "resource_changes")
	not object_field(input, "planned_values")
}

plan_malformed_reasons contains why if {
	some i, rc in input.resource_changes
	not well_formed_change(rc)
	why := concat("", ["resource_changes[", format_int(i, 10), "] lacks address/type/name/change"])
}

string_field(obj, key) if is_string(obj[key])

array_field(obj, key) if is_array(obj[key])

object_field(obj, key) if is_object(obj[key])

well_formed_change(rc) if {
	is_string(rc.address)
	is_string(rc.type)
	is_string(rc.name)
	is_object(rc.change)
	is_array(rc.change.actions)
}

plan_unsupported_format if {
	is_string(input.format_version)
	not plan_format_ok
}

# ---- live resources: everything that exists after apply ----

only_delete(actions) if actions == ["delete"]

# live[address] = resource change of a managed resource that exists after apply
live := {rc.address: rc |
	some rc in input.resource_changes
	well_formed_change(rc)
	rc.mode == "managed"
	not only_delete(rc.change.actions)
	is_object(rc.change.after)
}

# data sources read during apply (unknown at plan time) appear in resource_changes
pending_data[rc.address] := rc if {
	some rc in input.resource_changes
	well_formed_change(rc)
	rc.mode == "data"
}

after(addr) := live[addr].change.after

unknown_of(addr) := u if {
	u := live[addr].change.after_unknown
	is_object(u)
} else := {}

attr_unknown(addr, attr) if unknown_of(addr)[attr] == true

known_string(addr, attr) := s if {
	s := after(addr)[attr]
	is_string(s)
}

live_types := {rc.type | some rc in live}

live_by_type := {t: addrs |
	some t in live_types
	addrs := {a | some a; live[a].type == t}
}

live_of_type(t) := object.get(live_by_type, t, set())

module_address(rc) := object.get(rc, "module_address", "")

module_prefix(rc) := "" if module_address(rc) == ""

module_prefix(rc) := concat("", [module_address(rc), "."]) if module_address(rc) != ""

# module call names without instance keys: module.a["x"].module.b[0] -> "a.b"
module_path(rc) := concat(".", names) if {
	bare := regex.replace(module_address(rc), `\[("([^"\\]|\\.)*"|[0-9]+)\]`, "")
	parts := split(bare, ".")
	names := [n | some i in numbers.range(0, count(parts) - 1); i % 2 == 1; n := parts[i]]
}

index_suffix(rc) := concat("", ["[", format_int(rc.index, 10), "]"]) if is_number(rc.index)

index_suffix(rc) := concat("", ["[", json.marshal(rc.index), "]"]) if is_string(rc.index)

# ---- configuration index ----

config_resources[key] := r if {
	[path, r] := walk(input.configuration)
	n := count(path)
	n >= 3
	is_number(path[n - 1])
	path[n - 2] == "resources"
	path[n - 3] in {"root_module", "module"}
	mods := [path[i + 1] | some i; path[i] == "module_calls"]
	key := concat("|", [concat(".", mods), r.address])
}

config_of(addr) := c if {
	rc := live[addr]

	# the key is bound before the lookup: regopy 1.5.2 crashes while compiling a function call
	# inside a lookup key (config_resources[concat(..., [module_path(rc), ...])])
	key := concat("", [module_path(rc), "|", rc.type, ".", rc.name])
	c := config_resources[key]
}

references(addr, attr) := refs if {
	refs := config_of(addr).expressions[attr].references
	is_array(refs)
} else := []

# instances[module_address|type.name] = addresses of the live instances of that resource
instances[k] contains addr if {
	some addr, rc in live
	k := concat("", [module_address(rc), "|", rc.type, ".", rc.name])
}

non_resource_roots := {"var", "local", "each", "count", "module", "path", "terraform", "self"}

ref_parts(r) := m if {
	m := regex.find_all_string_submatch_n(`^([a-z][a-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_-]*)(\[[^\]]+\])?`, r, 1)[0]
	not m[1] in non_resource_roots
}

# resolve_ref(addr, attr) = the one live resource `attr` of `addr` refers to, if exactly one
resolve_ref(addr, attr) := t if {
	targets := {t | some r in references(addr, attr); t := ref_target(addr, r)}
	count(targets) == 1
	some t in targets
}

ref_target(addr, r) := t if {
	rc := live[addr]
	m := ref_parts(r)
	base := concat(".", [m[1], m[2]])
	key := concat("|", [module_address(rc), base])
	cands := instances[key]
	t := pick_instance(rc, addr, base, m[3], cands)
}

pick_instance(_, _, _, _, cands) := t if {
	count(cands) == 1
	some t in cands
}

pick_instance(rc, _, base, literal, cands) := t if {
	count(cands) > 1
	literal != ""
	t := concat("", [module_prefix(rc), base, literal])
	t in cands
}

pick_instance(rc, addr, base, "", cands) := t if {
	count(cands) > 1
	some idx in {"count.index", "each.key", "each.value"}
	idx in references_all(addr)
	t := concat("", [module_prefix(rc), base, index_suffix(rc)])
	t in cands
}

references_all(addr) := {r |
	some e in object.get(config_of(addr), "expressions", {})
	is_object(e)
	some r in object.get(e, "references", [])
}

# ---- regions and ARNs ----

region_of(addr) := r if {
	key := config_of(addr).provider_config_key
	r := input.configuration.provider_config[key].expressions.region.constant_value
	is_string(r)
} else := r if {
	r := input.configuration.provider_config.aws.expressions.region.constant_value
	is_string(r)
} else := default_region

name_of(addr) := known_string(addr, "name")

path_of(addr) := p if {
	p := known_string(addr, "path")
} else := "/"

table_arn(addr) := known_string(addr, "arn")

table_arn(addr) := concat("", ["arn:aws:dynamodb:", region_of(addr), ":", account_id, ":table/", name_of(addr)]) if {
	not known_string(addr, "arn")
}

iam_arn(addr, _) := known_string(addr, "arn")

iam_arn(addr, kind) := concat("", ["arn:aws:iam::", account_id, ":", kind, path_of(addr), name_of(addr)]) if {
	not known_string(addr, "arn")
}

# name -> address indexes (IAM names are unique per account)
named_types := {"aws_iam_role", "aws_iam_user", "aws_iam_group"}

iam_names := {a: [t, name_of(a)] | some t in named_types; some a in live_of_type(t)}

# {[type, name]: {address, ...}}: a set, so that duplicate names stay visible instead of conflicting
# (the inner comprehension is indexed by OPA: one pass, not one scan per name)
iam_by_name := {k: group |
	some k in iam_names
	group := {b | iam_names[b] == k}
}

roles_by_name := {k[1]: g | some k, g in iam_by_name; k[0] == "aws_iam_role"}

users_by_name := {k[1]: g | some k, g in iam_by_name; k[0] == "aws_iam_user"}

groups_by_name := {k[1]: g | some k, g in iam_by_name; k[0] == "aws_iam_group"}

tables[addr] := {
	"address": addr,
	"name": name_of(addr),
	"arn": table_arn(addr),
	"region": region_of(addr),
} if {
	some addr in live_of_type("aws_dynamodb_table")
}
