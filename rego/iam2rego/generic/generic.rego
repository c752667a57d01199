# METADATA
# title: Generic evaluator over raw policy documents (the Terraform gate and differential tests)
# description: |
#   input = {"policies": {"caller": PolicySetDoc, "role": PolicySetDoc?}, "options": {...},
#   <request fields> | <operation fields>}. PolicySetDoc = {"identity": [P], "boundary": P|null,
#   "session": P|null, "scp": [[P]], "rcp": [[P]], "resource_policies": {<table ARN>: P}};
#   P = {"name", "document" (object or JSON text), "source"}. A table's resource policy applies to
#   requests on the table, its indexes and streams, no other (SEMANTICS §3.5). The unbound
#   "resource_policy": P|null of earlier versions is still read when "resource_policies" is absent:
#   it applies to whichever table (index, stream) the request names. Statements are evaluated with the same library
#   the compiled modules use (match, conditions, decide).
#   Malformed documents never allow: any policy error in the set (see policy_errors) makes the
#   decision implicit_deny with reason "unreadable_policy" and the errors attached. JSON text is
#   read with json.unmarshal, which rejects trailing data and trailing commas but keeps the last
#   of duplicate keys (V-DUP is only detected by the Python front end).
package iam2rego.generic

import data.iam2rego.catalog
import data.iam2rego.conditions
import data.iam2rego.decide
import data.iam2rego.match
import data.iam2rego.operations
import data.iam2rego.policydoc
import data.iam2rego.request
import data.iam2rego.vault

default_options := catalog.option_defaults # generated from compiler/catalog/facts.json

_options := object.union(default_options, object.get(input, "options", {}))

# METADATA
# description: Decision object for a request input (no "operation" member).
# entrypoint: true
decision := decide_request(object.get(input, ["policies", "caller"], {}), input, _options) if not input.operation

# METADATA
# description: Verdict for an operation input.
# entrypoint: true
operation := run_operation(object.get(input, "policies", {}), input, _options) if input.operation

# METADATA
# description: Decide one raw request against one PolicySetDoc (ARCHITECTURE §3 decision object).
decide_request(psd, raw, opts) := result if {
	r := request.normalize(raw)
	bound := bind_resource_policy(psd, r)
	errs := set_errors(bound)
	result := _decide_or_refuse(bound, r, object.union(default_options, opts), errs)
}

# The policy set bound to request r: its table's or vault's resource policy and Vault Lock
# (_bind_rbp), and the key policy of the request's KMS key (_bind_key).
bind_resource_policy(psd, r) := _bind_key(_bind_rbp(psd, r), r)

# The policy set with "resource_policy" = the policy bound to the request's table or backup vault
# (request.resource_policy_key; null when the resource has none) and "vault_lock" = the Vault Lock
# statement of a vault locked in compliance mode after its grace time (SEMANTICS §14.4;
# "vault_locks": {<vault ARN>: "governance" | "compliance_grace" | "compliance_locked"}).
_bind_rbp(psd, _) := psd if {
	not is_object(object.get(psd, "resource_policies", null))
	not is_object(object.get(psd, "vault_locks", null))
}

_bind_rbp(psd, r) := object.union(object.remove(psd, ["resource_policies", "vault_locks"]), {
	"bound_to": key,
	"resource_policy": object.get(object.get(psd, "resource_policies", {}), key, null),
	"vault_lock": vault.lock_policy(object.get(object.get(psd, "vault_locks", {}), key, null), key),
}) if {
	_binds(psd)
	key := request.resource_policy_key(r)
}

_binds(psd) if is_object(object.get(psd, "resource_policies", null))

_binds(psd) if is_object(object.get(psd, "vault_locks", null))

# key_policies = {<key ARN>: P | [P, ...]}: the key policy and the key's grants as policies (a grant
# is an Allow statement naming its grantee). Bound only to a request on that key ARN; a request on a
# key the map does not hold is evaluated with IAM alone (the compiled modules' behaviour): callers
# that must not assume that (the gate) bind every key they ask, an unknown one with no document.
_bind_key(psd, _) := psd if not is_object(object.get(psd, "key_policies", null))

_bind_key(psd, r) := object.union(object.remove(psd, ["key_policies"]), {"key_policy": _as_set(p)}) if {
	is_object(psd.key_policies)
	p := object.get(psd.key_policies, r.resource, null)
	p != null
}

_bind_key(psd, r) := object.remove(psd, ["key_policies"]) if {
	is_object(psd.key_policies)
	object.get(psd.key_policies, r.resource, null) == null
}

_as_set(p) := p if is_array(p)

_as_set(p) := [p] if not is_array(p)

# METADATA
# scope: document
# description: The key policy entries bound to a request ([] when none is bound).
key_set(psd) := psd.key_policy if is_array(object.get(psd, "key_policy", null))

key_set(psd) := [] if not is_array(object.get(psd, "key_policy", null))

_decide_or_refuse(_, _, _, errs) := {
	"allowed": false, "decision": "implicit_deny", "reason": "unreadable_policy",
	"reasons": [], "policy_errors": errs,
} if {
	count(errs) > 0
}

_decide_or_refuse(psd, r, opts, errs) := decide.decide(hits(psd, r, opts)) if count(errs) == 0

# METADATA
# description: Expand an operation into checks, decide each with the right principal's set.
run_operation(policies, op, opts) := operations.verdict([result |
	some c in operations.checks(op, o)
	req := object.union(
		{"action": c.action, "resource": c.resource, "context": c.context, "principal": principal_for(op, c.principal)},
		object.filter(c, ["vault"]),
	)
	result := object.union(c, decide_request(object.get(policies, c.principal, {}), req, o))
]) if {
	o := object.union(default_options, opts)
}

principal_for(op, "caller") := object.get(op, "principal", {})

principal_for(op, "role") := object.get(op, "role_principal", {
	"arn": op.role,
	"account": operations.role_account(op),
	"type": "AssumedRole",
})

# --- the policy sets ----------------------------------------------------------------------------

optional(psd, name) := p if {
	p := psd[name]
	p != null
}

# METADATA
# description: |
#   The hits object of decide.decide (ARCHITECTURE §3) for r: the candidates whose
#   context-dependent parts hold in r.context.
hits(psd, r, opts) := hits_of(c, held(c, r, opts)) if c := candidates(psd, r, opts)

# METADATA
# description: |
#   The statements of a PolicySetDoc that match r's action, resource and principal, in the shape of
#   the hits object (null = set not configured, one list per SCP/RCP level), each as a candidate
#   {"id", "reason", "conditions", "resource", "direct", "vars"}: "conditions" are its condition
#   objects, "resource" is null or its Resource/NotResource block when that block holds policy
#   variables (then the resource match depends on the context and is deferred to held), "direct" =
#   a resource-policy Allow naming the principal itself. The context-independent half of §5.2's
#   statement_applies; iam2rego.analysis reasons over the other half.
candidates(psd, r, opts) := {
	"identity": _cands(object.get(psd, "identity", []), r, opts, "identity", "identity"),
	"boundary": _optional_cands(psd, "boundary", r, opts),
	"session": _optional_cands(psd, "session", r, opts),
	"scp": _level_cands(object.get(psd, "scp", []), r, opts, "identity", "scp"),
	"rcp": _level_cands(object.get(psd, "rcp", []), r, opts, "rcp", "rcp"),
	"resource_policy": _rbp_cands(psd, r, opts),
	"key_policy": _key_direct_cands(psd, r, opts),
	"key_account": _key_account_cands(psd, r, opts),
	"principal": r.principal,
	"cross_account": request.cross_account(r),
}

# METADATA
# description: The ids of the candidates whose conditions (and deferred resource block) hold in r.
held(c, r, opts) := {x.id |
	some x in all_candidates(c)
	_deferred_ok(x, r, opts)
	conditions.all_hold(x.conditions, r.context)
}

# METADATA
# description: Every candidate of a candidates object, as one list.
all_candidates(c) := array.concat(
	array.concat(c.identity, array.concat(listed(c.boundary), listed(c.session))),
	array.concat(
		array.concat([x | some level in c.scp; some x in level], [x | some level in c.rcp; some x in level]),
		array.concat(listed(c.resource_policy), array.concat(_listed_key(c, "key_policy"), _listed_key(c, "key_account"))),
	),
)

_listed_key(c, name) := listed(object.get(c, name, null))

listed(null) := []

listed(x) := x if x != null

_deferred_ok(x, _, _) if x.resource == null

_deferred_ok(x, r, opts) if {
	x.resource != null
	block_ok(x.resource, r, opts, x.vars)
}

# METADATA
# description: The hits object of decide.decide, keeping the candidates whose id is in held.
hits_of(c, held) := {
	"identity": _kept(c.identity, held),
	"boundary": _kept(c.boundary, held),
	"session": _kept(c.session, held),
	"scp": [x | some level in c.scp; x := _kept(level, held)],
	"rcp": [x | some level in c.rcp; x := _kept(level, held)],
	"resource_policy": _kept(c.resource_policy, held),
	"key_policy": _kept(object.get(c, "key_policy", null), held),
	"key_account": _kept(object.get(c, "key_account", null), held),
	"principal": c.principal,
	"rbp_grants_directly": _any_direct_held(c, held),
	"cross_account": c.cross_account,
}

default _any_direct_held(_, _) := false

_any_direct_held(c, held) if _direct_held(c.resource_policy, held)

_any_direct_held(c, held) if _direct_held(object.get(c, "key_policy", null), held)

_kept(null, _) := null

_kept(xs, held) := [x.reason | some x in xs; x.id in held] if xs != null

default _direct_held(_, _) := false

_direct_held(xs, held) if {
	xs != null
	some x in xs
	x.direct
	x.id in held
}

default _optional_cands(_, _, _, _) := null

_optional_cands(psd, name, r, opts) := _cands([optional(psd, name)], r, opts, "identity", name)

# §3.5, §14.3: tables (with their indexes and streams) and backup vaults (with their recovery points)
# carry resource-based policies; a Vault Lock acts as one more resource-side Deny (§14.4).
default _rbp_cands(_, _, _) := null

_rbp_cands(psd, r, opts) := [x |
	some x in _cands(policies, r, opts, _rbp_kind(psd), "rbp")
	not _refused_grant(x, r)
] if {
	_rbp_applies(psd, r)
	policies := [p | some name in ["resource_policy", "vault_lock"]; p := optional(psd, name)]
	count(policies) > 0
}

# A bound set (bind_resource_policy) holds the policy of the request's own table or vault; the
# unbound "resource_policy" of earlier versions applies to whichever table the request names, and
# to nothing else (no vault, backup, export or import).
_rbp_applies(psd, r) if {
	psd.bound_to != ""
	psd.bound_to == request.resource_policy_key(r)
}

_rbp_applies(psd, r) if {
	not psd.bound_to
	request.resource_policy_table(r.resource) != ""
}

# AWS Backup rejects every cross-account action on a vault but CopyIntoBackupVault, whatever the
# vault's access policy allows (SEMANTICS §14.3): such Allow statements grant nothing.
_refused_grant(x, r) if {
	x.reason.effect == "Allow"
	request.cross_account_refused(r)
}

# "rbp_bounded" when the principal has a permissions boundary (see principal_ok).
_rbp_kind(psd) := "rbp_bounded" if optional(psd, "boundary")

_rbp_kind(psd) := "rbp" if not optional(psd, "boundary")

# --- KMS key policies (SEMANTICS §3.4, §13.2) ------------------------------------------------------
# A key policy is the resource policy of a check on its key, with one difference: IAM policies count
# only when the key policy delegates to the account. "key_policy" = its statements that apply as a
# resource policy's (an Allow naming the principal itself, "*" or a service; across accounts an
# Allow naming the principal's account too; every Deny that names the principal or its account);
# "key_account" = its Allow statements naming the principal's own account (the delegation that lets
# the principal's IAM policies allow, decide.rego). Both null when no key policy is bound.
_kms_key_re := `^arn:[^:]+:kms:[^:]*:[^:]*:key/.+$`

default _key_direct_cands(_, _, _) := null

_key_direct_cands(psd, r, opts) := _cands(key_set(psd), r, opts, _rbp_kind(psd), "key") if _key_bound(psd, r)

default _key_account_cands(_, _, _) := null

_key_account_cands(psd, r, opts) := _cands(key_set(psd), r, opts, "key_account", "keyacct") if _key_bound(psd, r)

_key_bound(psd, r) if {
	count(key_set(psd)) > 0
	regex.match(_kms_key_re, r.resource)
}

# One list of candidates per SCP/RCP level; tags "scp0", "scp1", ... (regopy cannot parse
# `some k, v in` inside a comprehension, hence the index ranges; its sprintf("%s") quotes strings
# that came through function arguments, hence concat).
_level_cands(levels, r, opts, kind, name) := [x |
	some k in numbers.range(0, count(levels) - 1)
	x := _cands(levels[k], r, opts, kind, concat("", [name, format_int(k, 10)]))
]

# Candidates among the statements of the policies in `set`; ids "<tag>/<policy>/<statement>".
_cands(set, r, opts, kind, tag) := [x |
	some j in numbers.range(0, count(set) - 1)
	p := set[j]
	d := _document(p)
	vars := _vars_enabled(d)
	stmts := policydoc.statements(d)
	some i in numbers.range(0, count(stmts) - 1)
	st := stmts[i]
	_action_ok(st, r)
	_structural_resource_ok(st, r, opts, vars)
	_principal_ok(st, r, kind)
	x := {
		"id": concat("/", [tag, format_int(j, 10), format_int(i, 10)]),
		"reason": _reason(p, i, st),
		"conditions": _condition_objects(st, vars),
		"resource": _deferred_block(st, vars),
		"vars": vars,
		"direct": _direct_grant(st, r, kind),
	}
]

default _direct_grant(_, _, _) := false

_direct_grant(st, r, kind) if {
	kind in {"rbp", "rbp_bounded"}
	st.Effect == "Allow"
	match.principal_named_directly(object.get(st, "Principal", {}), r.principal)
}

_reason(p, i, st) := object.union(_lock_mark(p), {
	"policy": object.get(p, "name", ""),
	"sid": object.get(st, "Sid", null),
	"statement_index": i,
	"effect": st.Effect,
	"source": object.get(p, "source", object.get(p, "name", "")),
})

_lock_mark(p) := {"vault_lock": lock} if {
	lock := object.get(p, "vault_lock", null)
	is_string(lock)
} else := {}

_document(p) := p.document if is_object(p.document)

_document(p) := json.unmarshal(p.document) if {
	is_string(p.document)
	json.is_valid(p.document)
}

default _vars_enabled(_) := false

_vars_enabled(d) if d.Version == "2012-10-17"

# --- one statement (§5.2 statement_applies; conditions in held) ------------------------------------

_action_ok(st, r) if {
	some p in policydoc.as_list(st.Action)
	match.action_matches(p, r.action)
}

_action_ok(st, r) if {
	st.NotAction
	not _any_action(policydoc.as_list(st.NotAction), r.action)
}

_any_action(patterns, action) if {
	some p in patterns
	match.action_matches(p, action)
}

# A Resource/NotResource block: {"patterns", "negated"}.
_block(st) := {"patterns": policydoc.as_list(st.Resource), "negated": false} if st.Resource

_block(st) := {"patterns": policydoc.as_list(st.NotResource), "negated": true} if {
	not st.Resource
	st.NotResource
}

# The block when it holds policy variables (its match depends on the context), else null.
default _deferred_block(_, _) := null

_deferred_block(st, true) := b if {
	b := _block(st)
	_has_variable(b.patterns)
}

_has_variable(patterns) if {
	some p in patterns
	contains(p, "${")
}

# The resource test that does not depend on the context: a block with variables passes here and
# is decided by held.
_structural_resource_ok(st, _, _, vars) if _deferred_block(st, vars) != null

_structural_resource_ok(st, r, opts, vars) if {
	_deferred_block(st, vars) == null
	block_ok(_block(st), r, opts, vars)
}

block_ok(b, r, opts, vars) if {
	not b.negated
	some p in b.patterns
	match.resource_matches(p, r.resource, r.context, vars, opts.resource_glob)
}

block_ok(b, r, opts, vars) if {
	b.negated
	not _any_resource(b.patterns, r, opts, vars)
}

_any_resource(patterns, r, opts, vars) if {
	some p in patterns
	match.resource_matches(p, r.resource, r.context, vars, opts.resource_glob)
}

_principal_ok(_, _, "identity")

_principal_ok(st, _, "rcp") if not _has_principal(st)

# Principal of an Allow in a resource policy: within one account an account entry delegates to
# that account's identity policies and grants nothing by itself; across accounts it is the
# resource side of the grant (match.rbp_grants, SEMANTICS §5.1, §5.2a [IAM-PRINCIPAL]).
# A Deny (or an RCP statement) naming an account applies to every principal of that account.
_principal_ok(st, r, kind) if {
	_rbp_allow(st, kind)
	match.rbp_grants(st.Principal, r)
}

_principal_ok(st, r, kind) if {
	not kind in {"identity", "key_account"}
	not _rbp_allow(st, kind)
	match.principal_matches(st.Principal, r.principal)
}

# NotPrincipal lists exact principals (match.principal_listed, SEMANTICS §5.2a).
_principal_ok(st, r, kind) if {
	not kind in {"identity", "key_account"}
	not_principal := st.NotPrincipal
	not match.principal_listed(not_principal, r.principal)
}

# A key policy Allow naming the principal's own account (not the principal itself): within one
# account it delegates to the account's IAM policies ([KMS-KP-DEFAULT]); across accounts it is already
# a "key_policy" candidate (match.rbp_grants).
_principal_ok(st, r, "key_account") if {
	st.Effect == "Allow"
	not request.cross_account(r)
	not match.principal_grants(st.Principal, r.principal)
	match.principal_matches(st.Principal, r.principal)
}

# A Deny with NotPrincipal always denies a principal that has a permissions boundary, whatever
# NotPrincipal lists (SEMANTICS §5.2a, [IAM-NOTPRINCIPAL]).
_principal_ok(st, _, "rbp_bounded") if {
	st.Effect == "Deny"
	st.NotPrincipal
}

_has_principal(st) if st.Principal

_has_principal(st) if st.NotPrincipal

_rbp_allow(st, kind) if {
	kind in {"rbp", "rbp_bounded"}
	st.Effect == "Allow"
}

# --- Condition blocks → condition objects (ARCHITECTURE §3) -------------------------------------

_condition_objects(st, vars) := [x |
	some op_name in object.keys(object.get(st, "Condition", {}))
	_block := st.Condition[op_name]
	some key in object.keys(_block)
	vals := _block[key]
	x := _cond_object(op_name, key, vals, vars)
]

_cond_object(op_name, key, vals, vars) := {
	"op": base,
	"qualifier": _qualifier_of(op_name),
	"if_exists": if_exists,
	"key": lower(key),
	"values": [request.scalar_text(v) | some v in policydoc.as_list(vals)],
	"vars": vars,
} if {
	unqualified := _unqualify(op_name)
	if_exists := _is_if_exists(unqualified)
	base := _trim_suffix_if(unqualified, if_exists)
}

default _qualifier_of(_) := ""

_qualifier_of(op_name) := q if {
	some q in ["ForAllValues", "ForAnyValue"]
	startswith(op_name, concat("", [q, ":"]))
}

_unqualify(op_name) := substring(op_name, count(_qualifier_of(op_name)) + 1, -1) if _qualifier_of(op_name) != ""

_unqualify(op_name) := op_name if _qualifier_of(op_name) == ""

default _is_if_exists(_) := false

_is_if_exists(name) if {
	endswith(name, "IfExists")
	name != "IfExists"
}

_trim_suffix_if(name, true) := trim_suffix(name, "IfExists")

_trim_suffix_if(name, false) := name
