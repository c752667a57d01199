# iam2rego gate - reference resolution: what an attribute known only after apply refers to
# (the resolve part of plan.rego, ARCHITECTURE §8; SEMANTICS §13.4)
package iam2rego.gate

# ---- reference resolution (ARCHITECTURE §8, SEMANTICS §13.4) ----
# resolve(addr, attr): what attribute `attr` of the live resource `addr` is, as far as the plan shows:
#   {"kind": "value", "value": v}                                    known in `after`
#   {"kind": "resource", "address", "attr", "via": [hop, ...]}       known only after apply: the
#       attribute of that plan resource (or pending data source), reached through `via`
#   {"kind": "unknown", "why"}                                       anything else
# Terraform's JSON writes an expression as `constant_value` or as its `references` only (no operators,
# no functions, no list literals). A value is unknown only when something it depends on is unknown, so
# an unknown value whose references, followed through module inputs (`var.x` -> the calling
# module's `module_calls[..].expressions.x`), module outputs, `each.*`/`count.index` and instance keys,
# reach exactly one unknown resource attribute, every other reference being a known value (a
# conditional's predicate, a coalesce's null), is that attribute. Rego has no recursion: the walk is
# unrolled (_resolve_hops levels).
resolve(addr, attr) := {"kind": "value", "value": after(addr)[attr]} if {
	not _unknown_anywhere(addr, attr)
	_has_key(after(addr), attr)
} else := r if {
	expr := _config_of(addr).expressions[attr]
	leaves := _resolve_leaves({"t": "expr", "expr": expr, "ctx": _ctx_of(addr), "via": []})
	r := _combine(addr, attr, leaves)
} else := {"kind": "unknown", "why": concat("", [
	"`", attr, "` of ", addr, " is known only after apply and is not set in the configuration",
	" (the provider computes it)",
])}

# resolve_items(addr, attr): the elements of a list/set attribute, one resolve-shaped object each.
# A list that is unknown as a whole may hold elements terraform's JSON does not show (constants of a
# list literal beside a reference: `[aws_iam_policy.p.arn, "arn:aws:iam::aws:policy/X"]` is written
# as the references of the first element only), so its items end with one `unknown` item saying so.
resolve_items(addr, attr) := _unknown_items(addr, attr, _expr_of(addr, attr)) if {
	_unknown_anywhere(addr, attr)
} else := [{"kind": "value", "value": v} | some v in after(addr)[attr]] if {
	is_array(after(addr)[attr])
} else := []

_expr_of(addr, attr) := e if {
	e := _config_of(addr).expressions[attr]
} else := null

# not in the configuration: computed by the provider (managed_policy_arns of a role that does not set it)
_unknown_items(_, _, expr) := [] if is_null(expr)

_unknown_items(addr, attr, expr) := array.concat(known, array.concat(refs, [hidden])) if {
	not is_null(expr)
	leaves := _resolve_leaves({"t": "expr", "expr": expr, "ctx": _ctx_of(addr), "via": []})
	vals := _array_or_empty(object.get(after(addr), attr, []))
	flags := _array_or_empty(object.get(_unknown_of(addr), attr, []))
	known := [{"kind": "value", "value": vals[i]} |
		count(vals) > 0
		some i in numbers.range(0, count(vals) - 1)
		not flags[i] == true
	]
	refs := array.concat(
		[object.remove(l, ["t"]) | some l in _sorted_leaves(leaves); _element_leaf(l)],
		[{"kind": "value", "value": v} |
			some l in _sorted_leaves(leaves)
			l.kind == "value"
			is_array(l.value)
			some v in l.value
			is_string(v)
		],
	)
	hidden := {"kind": "unknown", "why": concat("", [
		"`", attr, "` of ", addr, " is known only after apply and may hold elements the plan does not show",
		" (terraform writes the references of a list, not its literal elements)",
	])}
}

# the leaves of a list expression that may be its elements: resources, unknowns, and known strings
# (a known resource attribute or variable) or lists of strings (`concat(var.extra, [aws_iam_policy.p.arn])`,
# flattened above); booleans and numbers are a conditional's predicate or an index, never an ARN
_element_leaf(l) if l.kind != "value"

_element_leaf(l) if {
	l.kind == "value"
	is_string(l.value)
}

_array_or_empty(a) := a if is_array(a)

_array_or_empty(a) := [] if not is_array(a)

_has_key(obj, k) if {
	is_object(obj)
	k in object.keys(obj)
}

_unknown_anywhere(addr, attr) if _unknown_of(addr)[attr] == true

_unknown_anywhere(addr, attr) if {
	[path, v] := walk(object.get(_unknown_of(addr), attr, false))
	is_array(path)
	v == true
}

_sorted_leaves(leaves) := [l | some l in sort(leaves)]

# the context of a resource instance: its module instance, and its own each/count
_ctx_of(addr) := {"steps": steps, "each": _each_of(c.for_each_expression, rc.index, steps), "count": null} if {
	rc := _live[addr]
	steps := _parse_steps(_module_address(rc))
	c := _config_of(addr)
	c.for_each_expression
} else := {"steps": steps, "each": null, "count": object.get(rc, "index", null)} if {
	rc := _live[addr]
	steps := _parse_steps(_module_address(rc))
}

# module.a["x"].module.b[0] -> [["a", "x"], ["b", 0]]
# (whole matches only, m[0]: regopy 1.5.2 numbers `(?:...)` groups and groups that did not take
# part differently from OPA; regex.find_n is not a builtin of OPA's Wasm target)
_parse_steps(m) := [[name, _key_value(_key_inner(key))] |
	some ms in regex.find_all_string_submatch_n(`module\.[A-Za-z_][A-Za-z0-9_-]*(\[("([^"\\]|\\.)*"|[0-9]+)\])?`, m, -1)
	s := ms[0]
	name := trim_prefix(_lead(`^module\.[A-Za-z_][A-Za-z0-9_-]*`, s), "module.")
	key := substring(s, count(name) + 7, -1)
]

_name_pattern := `^[A-Za-z_][A-Za-z0-9_-]*`

_key_pattern := `^\[("([^"\\]|\\.)*"|[0-9]+)\]`

# the leading match of pattern in s, or ""
_lead(pattern, s) := m if {
	ms := regex.find_all_string_submatch_n(pattern, s, 1)
	count(ms) == 1
	m := ms[0][0]
} else := ""

# `["k"]` -> `"k"`, `[0]` -> `0`, "" -> ""
_key_inner("") := ""

_key_inner(k) := substring(k, 1, count(k) - 2) if k != ""

# the configuration of a module (by call names from the root)
_mod_config(steps) := object.get(input.configuration.root_module, path, {}) if {
	path := [p | some st in steps; some p in ["module_calls", st[0], "module"]]
}

# ---- the walk ----

_resolve_hops := 12

# leaves of the walk from one task (a set of {"t": "leaf", "kind": ...} objects)
_resolve_leaves(task) := {x | some x in s12} if {
	s1 := _hop({task})
	s2 := _hop(s1)
	s3 := _hop(s2)
	s4 := _hop(s3)
	s5 := _hop(s4)
	s6 := _hop(s5)
	s7 := _hop(s6)
	s8 := _hop(s7)
	s9 := _hop(s8)
	s10 := _hop(s9)
	s11 := _hop(s10)
	s12 := _finish(_hop(s11))
}

_hop(tasks) := {y | some x in tasks; some y in _step(x)}

_finish(tasks) := {_leaf_of(x) | some x in tasks}

_leaf_of(x) := x if x.t == "leaf"

_leaf_of(x) := _unknown_leaf(_too_many_hops) if x.t != "leaf"

_too_many_hops := concat("", ["the reference chain is longer than ", format_int(_resolve_hops, 10), " hops"])

_unknown_leaf(why) := {"t": "leaf", "kind": "unknown", "why": why}

_value_leaf(v) := {"t": "leaf", "kind": "value", "value": v}

_step(x) := {x} if x.t == "leaf"

_step(x) := {_value_leaf(x.expr.constant_value)} if {
	x.t == "expr"
	_has_key(x.expr, "constant_value")
}

_step(x) := {y | some r in _maximal(refs); y := {"t": "ref", "ref": r, "refs": refs, "ctx": x.ctx, "via": x.via}} if {
	x.t == "expr"
	not _has_key(x.expr, "constant_value")
	refs := object.get(x.expr, "references", [])
	is_array(refs)
	count(refs) > 0
}

_step(x) := {_unknown_leaf("an expression terraform's JSON does not show (no references, no constant)")} if {
	x.t == "expr"
	not _has_key(x.expr, "constant_value")
	count(object.get(x.expr, "references", [])) == 0
}

_step(x) := {_ref_step(x)} if x.t == "ref"

# the references that are not a prefix of another one (`aws_iam_policy.b` beside `aws_iam_policy.b.arn`)
_maximal(refs) := {r |
	some r in refs
	is_string(r)
	not _has_longer(refs, r)
}

_has_longer(refs, r) if {
	some r2 in refs
	is_string(r2)
	r2 != r
	_extends(r2, r)
}

_extends(r2, r) if startswith(r2, concat("", [r, "."]))

_extends(r2, r) if startswith(r2, concat("", [r, "["]))

# ---- one reference ----

# var.x: the calling module's argument (or the variable's default); at the root the plan's variables
_ref_step(x) := t if {
	regex.match(`^var\.[A-Za-z_][A-Za-z0-9_-]*$`, x.ref)
	t := _var_step(trim_prefix(x.ref, "var."), x.ctx, x.via)
} else := t if {
	o := _output_ref(x.ref)
	t := _output_step(o.name, _key_inner(o.key), o.out, x.ctx, x.via)
} else := t if {
	startswith(x.ref, "each.")
	t := _each_step(x.ref, x.ctx)
} else := t if {
	x.ref == "count.index"
	t := _count_step(x.ctx)
} else := _unknown_leaf(concat("", [x.ref, ": local values are not written to the plan"])) if {
	startswith(x.ref, "local.")
} else := t if {
	t := _resource_step(x)
} else := _unknown_leaf(concat("", [x.ref, ": a reference iam2rego does not follow"]))

# module.m.o / module.m["k"].o -> {"name", "key", "out"}
_output_ref(ref) := {"name": name, "key": key, "out": trim_prefix(r3, ".")} if {
	startswith(ref, "module.")
	r1 := trim_prefix(ref, "module.")
	name := _lead(_name_pattern, r1)
	name != ""
	r2 := substring(r1, count(name), -1)
	key := _lead(_key_pattern, r2)
	r3 := substring(r2, count(key), -1)
	regex.match(`^\.[A-Za-z_][A-Za-z0-9_-]*$`, r3)
}

_var_step(name, ctx, via) := _value_leaf(v) if {
	count(ctx.steps) == 0
	v := input.variables[name].value
} else := _unknown_leaf(concat("", ["var.", name, " has no value in the plan"])) if {
	count(ctx.steps) == 0
} else := t if {
	n := count(ctx.steps)
	parent := array.slice(ctx.steps, 0, n - 1)
	call := _mod_config(parent).module_calls[ctx.steps[n - 1][0]]
	hop := concat("", [_step_address(ctx.steps), "'s input `", name, "`"])
	t := _input_step(name, call, parent, ctx.steps[n - 1], array.concat(via, [hop]))
}

_input_step(name, call, parent, step, via) := t if {
	expr := call.expressions[name]
	t := {"t": "expr", "expr": expr, "ctx": _call_ctx(call, parent, step), "via": via}
} else := _value_leaf(call.module.variables[name].default) if {
	_has_key(call.module.variables[name], "default")
} else := _value_leaf(null)

# the context a module call's arguments are evaluated in: the caller's module, each/count of the call
_call_ctx(call, parent, step) := {"steps": parent, "each": each, "count": null} if {
	call.for_each_expression
	each := _each_of(call.for_each_expression, step[1], parent)
} else := {"steps": parent, "each": null, "count": step[1]} if {
	call.count_expression
} else := {"steps": parent, "each": null, "count": null}

# module.m.o / module.m["k"].o: the output's expression inside that module instance
_output_step(name, key, out, ctx, via) := t if {
	call := _mod_config(ctx.steps).module_calls[name]
	not _multi_instance_call(call, key)
	expr := call.module.outputs[out].expression
	steps := array.concat(ctx.steps, [[name, _key_value(key)]])
	hop := concat("", [_step_address(steps), "'s output `", out, "`"])
	t := {
		"t": "expr",
		"expr": expr,
		"ctx": {"steps": steps, "each": null, "count": null},
		"via": array.concat(via, [hop]),
	}
}

_multi_instance_call(call, "") if call.for_each_expression

_multi_instance_call(call, "") if call.count_expression

_key_value("") := null

# (json.unmarshal only for escapes: regopy 1.5.2 rejects a JSON string scalar; raw-string patterns:
# the embedded engine refuses Rego string literals with escapes)
_key_value(k) := to_number(k) if regex.match(`^[0-9]+$`, k)

_key_value(k) := substring(k, 1, count(k) - 2) if {
	regex.match(`^"`, k)
	not regex.match(`\\`, k)
}

_key_value(k) := json.unmarshal(k) if {
	regex.match(`^"`, k)
	regex.match(`\\`, k)
}

_each_step(ref, ctx) := _unknown_leaf(concat("", [ref, " outside a for_each"])) if {
	ctx.each == null
} else := _value_leaf(ctx.each.key) if {
	ref == "each.key"
} else := _value_leaf(v) if {
	ctx.each.value_known
	path := _each_path(ref)
	v := object.get(ctx.each.value, path, null)
	_path_exists(ctx.each.value, path)
} else := _unknown_leaf(concat("", [ref, ": the for_each value is not in the plan"]))

_each_path("each.value") := []

_each_path(ref) := split(trim_prefix(ref, "each.value."), ".") if startswith(ref, "each.value.")

_path_exists(_, []) := true

_path_exists(v, path) if {
	count(path) > 0
	_has_key(object.get(v, array.slice(path, 0, count(path) - 1), null), path[count(path) - 1])
}

_count_step(ctx) := _value_leaf(ctx.count) if ctx.count != null

_count_step(ctx) := _unknown_leaf("count.index outside a count") if ctx.count == null

# each of a for_each: the key, and the value when the for_each map is a constant (or a root variable)
_each_of(fe, key, steps) := {"key": key, "value": fe.constant_value[key], "value_known": true} if {
	is_object(fe.constant_value)
} else := {"key": key, "value": key, "value_known": true} if {
	is_array(fe.constant_value)
} else := {"key": key, "value": v, "value_known": true} if {
	count(steps) == 0
	count(fe.references) == 1
	regex.match(`^var\.[A-Za-z_][A-Za-z0-9_-]*$`, fe.references[0])
	v := _root_each_value(input.variables[trim_prefix(fe.references[0], "var.")].value, key)
} else := {"key": key, "value": null, "value_known": false}

_root_each_value(vals, key) := vals[key] if is_object(vals)

_root_each_value(vals, key) := key if {
	is_array(vals)
	key in vals
}

# a resource, data source or attribute of one: the instance in the same module instance
_resource_step(x) := leaf if {
	p := _resource_ref(x.ref)
	not p.type in _non_resource_roots
	base := concat("", [p.data, p.type, ".", p.name])
	prefix := _steps_prefix(x.ctx.steps)
	leaf := _instance_leaf(x, _pick_ref_instance(x, base, prefix, p.key), p.attr)
}

# [data.]type.name[key].attr -> {"data", "type", "name", "key", "attr"} ("" for the parts not there)
_resource_ref(ref) := {"data": d, "type": type, "name": name, "key": key, "attr": trim_prefix(attr, ".")} if {
	d := _lead(`^data\.`, ref)
	r1 := substring(ref, count(d), -1)
	type := _lead(`^[a-z][a-z0-9_]*`, r1)
	type != ""
	startswith(substring(r1, count(type), -1), ".")
	r2 := substring(r1, count(type) + 1, -1)
	name := _lead(_name_pattern, r2)
	name != ""
	r3 := substring(r2, count(name), -1)
	key := _lead(_key_pattern, r3)
	attr := _lead(`^\.[A-Za-z_][A-Za-z0-9_-]*`, substring(r3, count(key), -1))
}

_steps_prefix(steps) := "" if count(steps) == 0

_steps_prefix(steps) := concat("", [_step_address(steps), "."]) if count(steps) > 0

_step_address(steps) := concat(".", [s |
	some st in steps
	s := concat("", ["module.", st[0], _key_suffix(st[1])])
])

_key_suffix(null) := ""

_key_suffix(k) := concat("", ["[", format_int(k, 10), "]"]) if is_number(k)

# a module instance key as Terraform writes it in `module_address`, escaped the same way on every
# engine (gate.rego _json_text); a key whose text differs from Terraform's does not match, and the
# reference stays unresolved (unverifiable), never a different instance per engine
_key_suffix(k) := concat("", ["[", _json_text(k), "]"]) if is_string(k)

_index_of(t) := _live[t].index

_index_of(t) := _pending_data[t].index if not _live[t]

# instances of `base` in the module instance `prefix` (managed resources and pending data sources)
# (`some a in object.keys(...)`: regopy 1.5.2 reads `some k, v in` inside a comprehension as two set
# elements, "Invalid collection")
_ref_candidates(base, prefix) := object.get(_instances, concat("|", [trim_suffix(prefix, "."), base]), set()) | {a |
	some a in object.keys(_pending_data)
	rc := _pending_data[a]
	concat("", [_module_prefix(rc), "data.", rc.type, ".", rc.name]) == concat("", [prefix, base])
}

# the instance: a literal key; the one instance of an unindexed resource; or the key of the
# referrer's own count.index / each.key / each.value (`aws_iam_role.r[count.index].arn` is written
# as the references `aws_iam_role.r` and `count.index`)
_pick_ref_instance(x, base, prefix, literal) := {"address": t} if {
	literal != ""
	t := concat("", [prefix, base, literal])
	t in _ref_candidates(base, prefix)
} else := {"address": t} if {
	literal == ""
	t := concat("", [prefix, base])
	t in _ref_candidates(base, prefix)
} else := {"address": t} if {
	literal == ""
	keys := {k | some k in _sibling_keys(x)}

	# the candidate whose index equals a key, compared as values, never as rebuilt address text
	# (issue 25: Terraform's quoting, OPA's json.marshal and the Wasm runtime's differ on & < >
	# U+2028 ${ ...): t is walked from the candidates' own records (_live, _pending_data)
	cands := _ref_candidates(base, prefix)
	ts := {t | some t in cands; _index_of(t) in keys}
	count(ts) == 1
	some t in ts
} else := {"none": concat("", [
	x.ref, ": ", format_int(count(_ref_candidates(base, prefix)), 10), " instances of ", prefix, base,
	" in the plan, and the reference does not say which",
])}

_sibling_keys(x) := ({x.ctx.count | "count.index" in x.refs; x.ctx.count != null} | {x.ctx.each.key |
	"each.key" in x.refs
	x.ctx.each != null
}) | {x.ctx.each.value |
	"each.value" in x.refs
	x.ctx.each != null
	x.ctx.each.value_known
	is_string(x.ctx.each.value)
}

_instance_leaf(_, inst, _) := _unknown_leaf(inst.none) if inst.none

_instance_leaf(x, inst, attr) := {"t": "leaf", "kind": "value", "value": v, "ref": x.ref} if {
	attr != ""
	not _unknown_anywhere(inst.address, attr)
	v := _live[inst.address].change.after[attr]
} else := {"t": "leaf", "kind": "resource", "address": inst.address, "attr": _attr_or_null(attr), "via": x.via} if {
	inst.address
}

_attr_or_null("") := null

_attr_or_null(a) := a if a != ""

# ---- the whole expression ----

_combine(addr, attr, leaves) := object.remove(r, ["t"]) if {
	rs := {l | some l in leaves; l.kind == "resource"}
	count(rs) == 1
	count({l | some l in leaves; l.kind == "unknown"}) == 0
	some r in rs
} else := {"kind": "unknown", "why": concat("", [_unknown_head(addr, attr), _unknown_tail(leaves)])}

_unknown_head(addr, attr) := concat("", ["`", attr, "` of ", addr, " is known only after apply"])

_unknown_tail(leaves) := concat("", ["; ", concat("; ", sort({l.why | some l in leaves; l.kind == "unknown"}))]) if {
	some l in leaves
	l.kind == "unknown"
} else := concat("", [
	"; it may be any of ",
	concat(", ", sort({_leaf_words(l) | some l in leaves; l.kind == "resource"})),
]) if {
	count({l | some l in leaves; l.kind == "resource"}) > 1
} else := "; it is computed from known values by an expression terraform's JSON does not show"

_leaf_words(l) := concat("", [l.address, _attr_words(l.attr), _via_words(l.via)])

_attr_words(null) := ""

_attr_words(a) := concat("", [".", a]) if a != null

# "refers to aws_iam_policy.b through module.team["a"]'s input `permissions_boundary`"
_via_words(via) := "" if count(via) == 0

_via_words(via) := concat("", [" through ", concat(", ", via)]) if count(via) > 0

# resolution words for messages: what the reference names, or why it names nothing
resolve_words(r) := concat("", ["refers to ", _leaf_words(r)]) if r.kind == "resource"

resolve_words(r) := r.why if r.kind == "unknown"
