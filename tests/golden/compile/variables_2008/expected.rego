# METADATA
# title: "IAM policies compiled by iam2rego: iam2rego.policies.variables_2008"
# description: Generated from IAM policy JSON by iam2rego. Do not edit.
package iam2rego.policies.variables_2008

import data.iam2rego.conditions
import data.iam2rego.decide as iam_decide
import data.iam2rego.operations
import data.iam2rego.request

# METADATA
# title: "Compile options baked into this module"
options := {
	"awsbackup_restore_dataplane": false,
	"kms_set": null,
	"mode": "docs",
	"resource_glob": "segment",
	"service_ip": null,
	"svc_calledvia": false,
}

# METADATA
# title: "Decision for one raw request (input)"
# entrypoint: true
decision := decide(input)

# METADATA
# title: "Decision for one raw request, normalised first"
decide(raw) := iam_decide.identity_only(caller_hits(r, m)) if {
	r := normalized(raw)
	m := caller_matches with input.req as r
}

# METADATA
# title: "Verdict for one composite operation (input)"
# entrypoint: true
operation := operations.verdict(results) if {
	results := [pair[1] | some pair in sort(check_results)]
}

check_results contains [i, object.union(c, check_decision(c, input))] if {
	some i, c in operations.checks(input, options)
}

check_decision(c, op) := iam_decide.identity_only(caller_hits(r, m)) if {
	c.principal == "caller"
	r := normalized(check_request(c, op))
	m := caller_matches with input.req as r
}

check_decision(c, op) := iam_decide.identity_only(role_hits(r)) if {
	c.principal == "role"
	r := normalized(check_request(c, op))
}

check_request(c, op) := {
	"action": c.action,
	"resource": c.resource,
	"context": c.context,
	"principal": check_principal(c, op),
}

check_principal(c, op) := object.get(op, "principal", {}) if c.principal == "caller"

check_principal(c, op) := object.get(op, "role_principal", assumed) if {
	c.principal == "role"
	assumed := {"arn": op.role, "account": operations.role_account(op), "type": "AssumedRole"}
}

caller_matches := {"identity": caller_identity_matches}

caller_hits(r, m) := {
	"identity": applied(m.identity, r),
	"boundary": null,
	"session": null,
	"scp": [],
	"rcp": [],
	"resource_policy": null,
	"principal": r.principal,
	"rbp_grants_directly": false,
	"cross_account": request.cross_account(r),
}

# The reasons of the matched statements (numbers) whose conditions hold for r.
applied(matches, r) := [s.reason |
	some i in matches
	s := data.iam2rego.policies.variables_2008.statements[i]
] if {
	not conditional(matches)
} else := [s.reason |
	some i in matches
	s := data.iam2rego.policies.variables_2008.statements[i]
	holds_in(s.conditions, ctx)
] if {
	ctx := request.normalize_context(r.context)
}

# Whether a statement's conditions hold in the normalised context ctx.
holds_in(cs, _) if cs == []

holds_in(cs, ctx) if {
	cs != []
	conditions.all_hold(cs, ctx)
}

# Whether a matched statement has conditions.
conditional(matches) if {
	some i in matches
	data.iam2rego.policies.variables_2008.statements[i].conditions != []
}

default rbp_applied(_, _, _) := null

rbp_applied(matches, r, tables) := applied(matches, r) if {
	request.resource_policy_table(r.resource) in tables
}

default grants_directly(_, _) := false

grants_directly(r, m) if {
	some i in m.rbp_direct
	i in m.resource_policy
	s := data.iam2rego.policies.variables_2008.statements[i]
	conditions.all_hold(s.conditions, request.normalize_context(r.context))
}

# METADATA
# title: "policy statement 0"
# custom:
#   policy: "policy"
#   sid: "OwnTable"
#   source: "variables_2008/policy.json:4:5"
#   effect: "Allow"
caller_identity_matches contains 0 if {
	input.req.action == "dynamodb:createbackup"
	caller_identity_0_0_resource(input.req)
}

# METADATA
# title: "policy statement 1"
# custom:
#   policy: "policy"
#   sid: "NotOwn"
#   source: "variables_2008/policy.json:15:5"
#   effect: "Deny"
caller_identity_matches contains 1 if {
	input.req.action == "dynamodb:deletebackup"
	not caller_identity_0_1_resource(input.req)
}

caller_identity_0_0_resource(r) if {
	regex.match(`^arn:aws:dynamodb:[\s\S]*:[\s\S]*:table/\$\{aws:username\}$`, r.resource)
}

caller_identity_0_0_resource(r) if {
	regex.match(
		`^arn:aws:dynamodb:[\s\S]*:[\s\S]*:table/team-\$\{aws:PrincipalTag/Team, 'shared'\}[\s\S]*$`,
		r.resource,
	)
}

caller_identity_0_0_resource(r) if {
	regex.match(`^arn:aws:dynamodb:us-east-1:123456789012:table/Music\$\{[^:]*\}$`, r.resource)
}

caller_identity_0_0_resource(r) if {
	regex.match(`^arn:aws:dynamodb:us-east-1:123456789012:table/Q\$\{[\s\S]\}\$\{\$\}[\s\S]*$`, r.resource)
}

caller_identity_0_1_resource(r) if {
	regex.match(`^arn:aws:dynamodb:[\s\S]*:[\s\S]*:table/\$\{aws:username\}/backup/[\s\S]*$`, r.resource)
}

role_hits(r) := {
	"identity": [],
	"boundary": null,
	"session": null,
	"scp": [],
	"rcp": [],
	"resource_policy": null,
	"principal": r.principal,
	"rbp_grants_directly": false,
	"cross_account": request.cross_account(r),
}

# METADATA
# title: "The normalised request the statement rules read as input.req"
normalized(raw) := {
	"action": a,
	"resource": resource,
	"context": ctx,
	"principal": request.principal_facts(object.get(raw, "principal", {})),
	"resource_key": resource_key(resource),
} if {
	a := lower(raw.action)
	resource := request.resource_for(a, object.get(raw, "resource", "*"))
	ctx := object.get(raw, "context", {})
}

default resource_key(_) := ""

resource_key(resource) := concat("/", array.slice(split(resource, "/"), 0, 2)) if is_string(resource)
