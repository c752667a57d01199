# METADATA
# title: Sound access analysis — allowed, denied or conditional over every request context
# description: |
#   For a principal's policy set and a request or operation (ARCHITECTURE §4), answer "allowed"
#   (allowed in every request context), "denied" (in none) or "conditional" with the residual
#   condition, in words and as a formula; "unverifiable" when a policy of the set is unreadable.
#   Context keys in `context` or matched by `fixed` are fixed; every other key is open.
#   Each condition object (or Resource block with ${variables}) that reads an open key is one boolean
#   atom; the assignments of a check's atoms are enumerated with decide.decide over
#   generic.hits_of, the same code as the ordinary evaluator. Atoms are independent, so a verdict
#   over all assignments holds over every real context (sound); imprecision only yields
#   "conditional". Shapes: docs/ANALYSIS.md.
package iam2rego.analysis

import data.iam2rego.catalog
import data.iam2rego.conditions
import data.iam2rego.generic
import data.iam2rego.match
import data.iam2rego.operations
import data.iam2rego.request

_default_max_atoms := 10

_options := object.union(generic.default_options, object.get(input, "options", {}))

# METADATA
# scope: document
# description: The answer object for a request input or (with an "operation" member) an operation.
# entrypoint: true
answer := analyze_request(psd, input, object.get(input, "fixed", []), _options) if {
	not input.operation
	psd := object.get(input, ["policies", "caller"], {})
}

answer := analyze_operation(object.get(input, "policies", {}), input, _options) if input.operation

# METADATA
# description: Analyse one raw request {action, resource, principal, context} for one PolicySetDoc.
analyze_request(psd, raw, fixed, opts) := _analyze({"caller": psd}, [c], principals, {"caller": fixed}, o) if {
	o := object.union(generic.default_options, opts)
	r := request.normalize(raw)
	c := object.union(object.filter(raw, ["vault"]), {
		"id": concat(" ", ["caller", r.action, r.resource]), "principal": "caller",
		"action": raw.action, "resource": r.resource, "context": r.context, "kind": "primary",
	})
	principals := {"caller": r.principal}
}

# METADATA
# description: Analyse an operation; op.fixed / op.role_fixed name the fixed keys of each principal.
analyze_operation(policies, op, opts) := _analyze(policies, operations.checks(op, o), principals, fixed, o) if {
	o := object.union(generic.default_options, opts)
	principals := {who: p | some who in ["caller", "role"]; p := generic.principal_for(op, who)}
	fixed := {"caller": object.get(op, "fixed", []), "role": object.get(op, "role_fixed", [])}
}

_max_atoms(o) := object.get(o, "max_atoms", _default_max_atoms)

# --- one check: candidates, fixed parts, atoms ------------------------------------------------------

# env = {"policies", "principals", "fixed", "errors"}: errors = the policy errors of each
# principal's set, computed once per question (validation is the costly part of a decision).
# A set with "resource_policies" (by table ARN) is bound to the check's resource first, as
# generic.decide_request does (SEMANTICS §3.5): the bound table policy is validated per check, so
# an unreadable one makes exactly the checks on its table unverifiable.
_prepare(env, c, o) := _prepare_bound(c, o, psd, r, fx, errs) if {
	who := c.principal
	unbound := object.get(env.policies, who, {})
	r := request.normalize(object.union(object.filter(c, ["vault"]), {
		"action": c.action, "resource": c.resource, "context": c.context,
		"principal": object.get(env.principals, who, {}),
	}))
	psd := generic.bind_resource_policy(unbound, r)
	errs := array.concat(env.errors[who], _bound_errors(unbound, psd))
	fx := _fixed_spec(object.get(env.fixed, who, []), c, r, o)
}

_prepare_bound(c, _, _, _, _, errs) := {"check": c, "errors": errs} if count(errs) > 0

_prepare_bound(c, o, psd, r, fx, errs) := {"check": c, "errors": [], "cands": cands, "atoms": atoms, "r": r} if {
	count(errs) == 0
	cands := generic.candidates(psd, r, o)
	atoms := {x.id: xs |
		some x in generic.all_candidates(cands)
		parts := [p | some p in _cand_parts(x, r, o, fx, c.principal)]
		not false in parts
		xs := {p | some p in parts; is_object(p)}
	}
}

# the errors of the table policy and the key policy bound to the check (the unbound set's errors
# exclude them)
_bound_errors(unbound, psd) := array.concat(_table_errors(unbound, psd), [e |
	is_object(object.get(unbound, "key_policies", null))
	some p in generic.key_set(psd)
	some e in generic.policy_errors(p, "rbp")
])

_table_errors(unbound, psd) := generic.policy_errors(p, "rbp") if {
	is_object(object.get(unbound, "resource_policies", null))
	p := generic.optional(psd, "resource_policy")
} else := []

# The fixed keys of a check: the caller's list, every key of the check's context, for a
# service-made sub-request (SEMANTICS §3.2) the keys the service sets or removes, and the keys a
# request on the check's resource never carries (SEMANTICS §13.5: aws:ResourceTag/* on a backup).
_fixed_spec(list, c, r, o) := {
	"keys": (({lower(k) |
		some k in _with_absent(list, r)
		not endswith(k, "*")
	} | object.keys(r.context)) | _svc_keys(c, o)),
	"prefixes": {trim_suffix(lower(k), "*") | some k in _with_absent(list, r); endswith(k, "*")},
}

_with_absent(list, r) := {k | some k in list} | {k | some k in _absent_keys(r.resource)}

_absent_keys(arn) := object.get(catalog.absent_context_keys, _dynamodb_type(arn), [])

# the DynamoDB resource type of a literal ARN (catalog.dynamodb_arn_types, first whole match), else null
_dynamodb_type(arn) := t if {
	parts := split(arn, ":")
	count(parts) >= 6
	parts[2] == "dynamodb"
	rest := concat(":", array.slice(parts, 5, count(parts)))
	types := [name | some [name, rx] in catalog.dynamodb_arn_types; regex.match(concat("", ["^(?:", rx, ")$"]), rest)]
	t := types[0]
} else := null

_svc_keys(c, o) := (operations.network_keys | {"aws:viaawsservice"}) | _calledvia_keys(o) if c.kind == "svc"

_svc_keys(c, _) := set() if c.kind != "svc"

_calledvia_keys(o) := {"aws:calledvia", "aws:calledviafirst", "aws:calledvialast"} if o.svc_calledvia == true

_calledvia_keys(o) := set() if o.svc_calledvia != true

_is_fixed(k, fx) if k in fx.keys

_is_fixed(k, fx) if {
	some p in fx.prefixes
	startswith(k, p)
}

# The context-dependent parts of a candidate: true/false when they read only fixed keys, else atoms.
_cand_parts(x, r, o, fx, who) := array.concat(
	[_part(refs, v, atom, fx) |
		some cond in x.conditions
		refs := _condition_refs(cond)
		v := conditions.holds(cond, r.context)
		atom := {"who": who, "condition": cond, "fixed": _fixed_values(refs, fx, r.context)}
	],
	_resource_part(x, r, o, fx, who),
)

_resource_part(x, _, _, _, _) := [] if x.resource == null

_resource_part(x, r, o, fx, who) := [_part(refs, v, atom, fx)] if {
	x.resource != null
	refs := _block_refs(x.resource, o)
	v := _block_value(x.resource, r, o, x.vars)
	atom := {
		"who": who,
		"resource": object.union(x.resource, {"target": r.resource, "vars": x.vars, "glob": o.resource_glob}),
		"fixed": _fixed_values(refs, fx, r.context),
	}
}

_part(refs, v, _, fx) := v if {
	every k in refs {
		_is_fixed(k, fx)
	}
}

_part(refs, _, atom, fx) := atom if _has_open(refs, fx)

_has_open(refs, fx) if {
	some k in refs
	not _is_fixed(k, fx)
}

default _block_value(_, _, _, _) := false

_block_value(b, r, o, vars) if generic.block_ok(b, r, o, vars)

_fixed_values(refs, fx, ctx) := {k: v | some k in refs; _is_fixed(k, fx); v := object.get(ctx, k, null)}

# The context keys a condition reads: its key, and the variables of its values when they are on.
_condition_refs(cond) := {cond.key} | {k |
	conditions.uses_vars(cond)
	some v in cond.values
	some k in _var_keys(v, "naive")
}

_block_refs(b, o) := {k | some p in b.patterns; some k in _var_keys(p, o.resource_glob)}

_var_keys(text, mode) := {t.k | some t in match.pattern_tokens(text, true, mode); t.t == "var"}

# --- evaluating atoms and residuals on a concrete context ---------------------------------------------

# METADATA
# scope: document
# description: |
#   Whether an atom holds in a concrete context of its principal (any request context; keys are
#   normalised here); the atom's fixed values replace the context's values of those keys.
atom_holds(atom, ctx) if {
	c := _atom_context(atom, ctx)
	conditions.holds(atom.condition, c)
}

atom_holds(atom, ctx) if {
	c := _atom_context(atom, ctx)
	b := atom.resource
	generic.block_ok(b, {"resource": b.target, "context": c}, {"resource_glob": b.glob}, b.vars)
}

_atom_context(atom, ctx) := object.union(
	object.remove(request.normalize_context(ctx), object.keys(atom.fixed)),
	{k: v | some k in object.keys(atom.fixed); v := atom.fixed[k]; v != null},
)

default _atom_value(_, _) := false

_atom_value(atom, ctx) if atom_holds(atom, ctx)

# METADATA
# description: |
#   Whether a residual condition holds: contexts = {"caller": ctx, "role": ctx} (concrete request
#   contexts), atoms = the answer's atoms object.
residual_holds(f, atoms, contexts) if {
	every clause in f.all {
		some conj in clause.any
		every lit in conj.all {
			_atom_value(atoms[lit.atom], object.get(contexts, atoms[lit.atom].who, {})) == lit.value
		}
	}
}
