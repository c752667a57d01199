# METADATA
# title: Generic evaluator over raw policy documents (the Terraform gate and differential tests)
# description: |
#   input = {"policies": {"caller": PolicySetDoc, "role": PolicySetDoc?}, "options": {...},
#   <request fields> | <operation fields>}. PolicySetDoc = {"identity": [P], "boundary": P|null,
#   "session": P|null, "scp": [[P]], "rcp": [[P]], "resource_policy": P|null}; P = {"name",
#   "document" (object or JSON text), "source"}. Statements are evaluated with the same library
#   the compiled modules use (match, conditions, decide).
#   Malformed documents never allow: any policy error in the set (see policy_errors) makes the
#   decision implicit_deny with reason "unreadable_policy" and the errors attached. JSON text is
#   read with json.unmarshal, which rejects trailing data and trailing commas but keeps the last
#   of duplicate keys (V-DUP is only detected by the Python front end).
package iam2rego.generic

import data.iam2rego.conditions
import data.iam2rego.decide
import data.iam2rego.match
import data.iam2rego.operations
import data.iam2rego.request

default_options := {
	"mode": "docs", "resource_glob": "segment", "awsbackup_restore_dataplane": false,
	"kms_set": null, "service_ip": null, "svc_calledvia": false,
}

options := object.union(default_options, object.get(input, "options", {}))

# METADATA
# description: Decision object for a request input (no "operation" member).
# entrypoint: true
decision := decide_request(object.get(input, ["policies", "caller"], {}), input, options) if not input.operation

# METADATA
# description: Verdict for an operation input.
# entrypoint: true
operation := run_operation(object.get(input, "policies", {}), input, options) if input.operation

# METADATA
# description: Decide one raw request against one PolicySetDoc (ARCHITECTURE §3 decision object).
decide_request(psd, raw, opts) := result if {
	r := request.normalize(raw)
	errs := set_errors(psd)
	result := decide_or_refuse(psd, r, object.union(default_options, opts), errs)
}

decide_or_refuse(_, _, _, errs) := {
	"allowed": false, "decision": "implicit_deny", "reason": "unreadable_policy",
	"reasons": [], "policy_errors": errs,
} if {
	count(errs) > 0
}

decide_or_refuse(psd, r, opts, errs) := decide.decide(hits(psd, r, opts)) if count(errs) == 0

# METADATA
# description: Expand an operation into checks, decide each with the right principal's set.
run_operation(policies, op, opts) := operations.verdict([result |
	some c in operations.checks(op, o)
	req := {"action": c.action, "resource": c.resource, "context": c.context, "principal": principal_for(op, c.principal)}
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

hits(psd, r, opts) := {
	"identity": reasons(object.get(psd, "identity", []), r, opts, "identity"),
	"boundary": optional_reasons(psd, "boundary", r, opts),
	"session": optional_reasons(psd, "session", r, opts),
	"scp": [x | some level in object.get(psd, "scp", []); x := reasons(level, r, opts, "identity")],
	"rcp": [x | some level in object.get(psd, "rcp", []); x := reasons(level, r, opts, "rcp")],
	"resource_policy": rbp_reasons(psd, r, opts),
	"principal": r.principal,
	"rbp_grants_directly": grants_directly(psd, r, opts),
	"cross_account": request.cross_account(r),
}

default optional_reasons(_, _, _, _) := null

optional_reasons(psd, name, r, opts) := reasons([optional(psd, name)], r, opts, "identity")

# §3.5: only tables, indexes and streams carry resource-based policies.
rbp_resource_re := `^arn:[^:]+:dynamodb:[^:]*:[^:]*:table/[^/]+(/index/[^/]+|/stream/.+)?$`

default rbp_reasons(_, _, _) := null

rbp_reasons(psd, r, opts) := reasons([optional(psd, "resource_policy")], r, opts, rbp_kind(psd)) if {
	regex.match(rbp_resource_re, r.resource)
}

# "rbp_bounded" when the principal has a permissions boundary (see principal_ok).
rbp_kind(psd) := "rbp_bounded" if optional(psd, "boundary")

rbp_kind(psd) := "rbp" if not optional(psd, "boundary")

default grants_directly(_, _, _) := false

grants_directly(psd, r, opts) if {
	regex.match(rbp_resource_re, r.resource)
	p := optional(psd, "resource_policy")
	d := document(p)
	some st in statements(d)
	st.Effect == "Allow"
	match.principal_named_directly(object.get(st, "Principal", {}), r.principal)
	applies(st, r, opts, vars_enabled(d), "rbp")
}

# Reasons of the statements of the policies in `set` that apply to r.
reasons(set, r, opts, kind) := [x |
	some p in set
	d := document(p)
	vars := vars_enabled(d)
	stmts := statements(d)
	some i in numbers.range(0, count(stmts) - 1)
	st := stmts[i]
	applies(st, r, opts, vars, kind)
	x := reason(p, i, st)
]

reason(p, i, st) := {
	"policy": object.get(p, "name", ""),
	"sid": object.get(st, "Sid", null),
	"statement_index": i,
	"effect": st.Effect,
	"source": object.get(p, "source", object.get(p, "name", "")),
}

document(p) := p.document if is_object(p.document)

document(p) := json.unmarshal(p.document) if {
	is_string(p.document)
	json.is_valid(p.document)
}

statements(d) := d.Statement if is_array(d.Statement)

statements(d) := [d.Statement] if is_object(d.Statement)

default vars_enabled(_) := false

vars_enabled(d) if d.Version == "2012-10-17"

as_list(v) := v if is_array(v)

as_list(v) := [v] if not is_array(v)

# --- one statement (§5.2 statement_applies) ------------------------------------------------------

applies(st, r, opts, vars, kind) if {
	action_ok(st, r)
	resource_ok(st, r, opts, vars)
	principal_ok(st, r, kind)
	conditions.all_hold(condition_objects(st, vars), r.context)
}

action_ok(st, r) if {
	some p in as_list(st.Action)
	match.action_matches(p, r.action)
}

action_ok(st, r) if {
	st.NotAction
	not any_action(as_list(st.NotAction), r.action)
}

any_action(patterns, action) if {
	some p in patterns
	match.action_matches(p, action)
}

resource_ok(st, r, opts, vars) if {
	some p in as_list(st.Resource)
	match.resource_matches(p, r.resource, r.context, vars, opts.resource_glob)
}

resource_ok(st, r, opts, vars) if {
	st.NotResource
	not any_resource(as_list(st.NotResource), r, opts, vars)
}

any_resource(patterns, r, opts, vars) if {
	some p in patterns
	match.resource_matches(p, r.resource, r.context, vars, opts.resource_glob)
}

principal_ok(_, _, "identity")

principal_ok(st, _, "rcp") if not has_principal(st)

# Principal of an Allow in a resource policy: within one account an account entry delegates to
# that account's identity policies and grants nothing by itself; across accounts it is the
# resource side of the grant (match.rbp_grants, SEMANTICS §5.1, §5.2a [IAM-PRINCIPAL]).
# A Deny (or an RCP statement) naming an account applies to every principal of that account.
principal_ok(st, r, kind) if {
	rbp_allow(st, kind)
	match.rbp_grants(st.Principal, r)
}

principal_ok(st, r, kind) if {
	kind != "identity"
	not rbp_allow(st, kind)
	match.principal_matches(st.Principal, r.principal)
}

# NotPrincipal lists exact principals (match.principal_listed, SEMANTICS §5.2a).
principal_ok(st, r, kind) if {
	kind != "identity"
	not_principal := st.NotPrincipal
	not match.principal_listed(not_principal, r.principal)
}

# A Deny with NotPrincipal always denies a principal that has a permissions boundary, whatever
# NotPrincipal lists (SEMANTICS §5.2a, [IAM-NOTPRINCIPAL]).
principal_ok(st, _, "rbp_bounded") if {
	st.Effect == "Deny"
	st.NotPrincipal
}

has_principal(st) if st.Principal

has_principal(st) if st.NotPrincipal

rbp_allow(st, kind) if {
	kind in {"rbp", "rbp_bounded"}
	st.Effect == "Allow"
}

# --- Condition blocks → condition objects (ARCHITECTURE §3) -------------------------------------

condition_objects(st, vars) := [x |
	some op_name in object.keys(object.get(st, "Condition", {}))
	block := st.Condition[op_name]
	some key in object.keys(block)
	vals := block[key]
	x := cond_object(op_name, key, vals, vars)
]

cond_object(op_name, key, vals, vars) := {
	"op": base,
	"qualifier": qualifier_of(op_name),
	"if_exists": if_exists,
	"key": lower(key),
	"values": [request.scalar_text(v) | some v in as_list(vals)],
	"vars": vars,
} if {
	unqualified := unqualify(op_name)
	if_exists := is_if_exists(unqualified)
	base := trim_suffix_if(unqualified, if_exists)
}

default qualifier_of(_) := ""

qualifier_of(op_name) := q if {
	some q in ["ForAllValues", "ForAnyValue"]
	startswith(op_name, concat("", [q, ":"]))
}

unqualify(op_name) := substring(op_name, count(qualifier_of(op_name)) + 1, -1) if qualifier_of(op_name) != ""

unqualify(op_name) := op_name if qualifier_of(op_name) == ""

default is_if_exists(_) := false

is_if_exists(name) if {
	endswith(name, "IfExists")
	name != "IfExists"
}

trim_suffix_if(name, true) := trim_suffix(name, "IfExists")

trim_suffix_if(name, false) := name
