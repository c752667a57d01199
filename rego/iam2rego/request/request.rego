# METADATA
# title: Request normalisation (ARCHITECTURE.md §2)
# description: |
#   normalize(raw) lower-cases the action and the context keys, turns scalar context values into
#   strings, keeps arrays as arrays of strings, drops null-valued keys (a null key is an absent key)
#   and forces the resource to "*" for actions without a resource type (SEMANTICS §2.3 rule 1).
#   Normalising twice is a no-op.
package iam2rego.request

# Lower-case names of actions without a resource type, from the generated catalog.
default no_resource_actions := set()

no_resource_actions := data.iam2rego.catalog.no_resource_actions

# METADATA
# description: The normalised request r (see ARCHITECTURE.md §2).
normalize(raw) := object.union(object.remove(raw, ["action", "resource", "context", "principal"]), {
	"action": action,
	"resource": resource_for(action, object.get(raw, "resource", "*")),
	"context": normalize_context(object.get(raw, "context", {})),
	"principal": object.get(raw, "principal", {}),
}) if {
	action := lower(raw.action)
}

resource_for(action, _) := "*" if action in no_resource_actions

resource_for(action, resource) := resource if not action in no_resource_actions

# METADATA
# scope: document
# description: |
#   Context keys lower-cased, values as strings or arrays of strings. When two keys differ only in
#   case, the value of the key that sorts first wins (deterministic on every engine).
normalize_context(ctx) := {lower(k): value_text(v) | some k, v in ctx; v != null} if {
	not case_collision(ctx)
} else := {lk: value_text(ctx[first_key(ctx, lk)]) |
	some k, v in ctx
	v != null
	lk := lower(k)
}

# Two present keys that differ only in case (rare; resolved by first_key, which is quadratic).
case_collision(ctx) if {
	present := [k | some k in object.keys(ctx); ctx[k] != null]
	count({lower(k) | some k in present}) != count(present)
}

first_key(ctx, lk) := min({k | some k in object.keys(ctx); ctx[k] != null; lower(k) == lk})

# METADATA
# scope: document
# description: A context value as text; arrays become arrays of text (null members dropped).
value_text(v) := [scalar_text(x) | some x in v; x != null] if is_array(v)

value_text(v) := scalar_text(v) if not is_array(v)

scalar_text(v) := v if is_string(v)

scalar_text(true) := "true"

scalar_text(false) := "false"

scalar_text(v) := format_int(v, 10) if {
	is_number(v)
	v == floor(v)
}

scalar_text(v) := sprintf("%v", [v]) if {
	is_number(v)
	v != floor(v)
}

scalar_text(v) := json.marshal(v) if is_object(v)
