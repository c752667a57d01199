# METADATA
# title: "IAM policies compiled by iam2rego: iam2rego.policies.team.sets"
# description: Generated from IAM policy JSON by iam2rego. Do not edit.
package iam2rego.policies.team.sets

import data.iam2rego.conditions
import data.iam2rego.decide as iam_decide
import data.iam2rego.match
import data.iam2rego.operations
import data.iam2rego.request

# METADATA
# title: "Compile options baked into this module"
options := {
	"awsbackup_restore_dataplane": true,
	"kms_set": ["kms:Decrypt"],
	"mode": "sar-strict",
	"resource_glob": "segment",
	"service_ip": "198.51.100.7",
	"svc_calledvia": true,
}

# METADATA
# title: "Decision for one raw request (input)"
# entrypoint: true
decision := decide(input)

# METADATA
# title: "Decision for one raw request, normalised first"
decide(raw) := iam_decide.decide(caller_hits(r, m)) if {
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

check_decision(c, op) := iam_decide.decide(caller_hits(r, m)) if {
	c.principal == "caller"
	r := normalized(check_request(c, op))
	m := caller_matches with input.req as r
}

check_decision(c, op) := iam_decide.decide(role_hits(r, m)) if {
	c.principal == "role"
	r := normalized(check_request(c, op))
	m := role_matches with input.req as r
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

caller_matches := {
	"identity": caller_identity_matches,
	"boundary": caller_boundary_matches,
	"session": caller_session_matches,
	"resource_policy": caller_rbp_matches,
	"scp0": caller_scp0_matches,
	"scp1": caller_scp1_matches,
	"rcp0": caller_rcp0_matches,
	"rbp_direct": caller_rbp_direct,
}

caller_hits(r, m) := {
	"identity": applied(m.identity, r),
	"boundary": applied(m.boundary, r),
	"session": applied(m.session, r),
	"scp": [applied(m.scp0, r), applied(m.scp1, r)],
	"rcp": [applied(m.rcp0, r)],
	"resource_policy": rbp_applied(
		m.resource_policy,
		r,
		{"arn:aws:dynamodb:us-east-1:123456789012:table/Music"},
	),
	"principal": r.principal,
	"rbp_grants_directly": grants_directly(r, m),
	"cross_account": request.cross_account(r),
}

# The reasons of the matched statements (numbers) whose conditions hold for r.
applied(matches, r) := [s.reason |
	some i in matches
	s := data.iam2rego.policies.team.sets.statements[i]
] if {
	not conditional(matches)
} else := [s.reason |
	some i in matches
	s := data.iam2rego.policies.team.sets.statements[i]
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
	data.iam2rego.policies.team.sets.statements[i].conditions != []
}

default rbp_applied(_, _, _) := null

rbp_applied(matches, r, tables) := applied(matches, r) if {
	request.resource_policy_table(r.resource) in tables
}

default grants_directly(_, _) := false

grants_directly(r, m) if {
	some i in m.rbp_direct
	i in m.resource_policy
	s := data.iam2rego.policies.team.sets.statements[i]
	conditions.all_hold(s.conditions, request.normalize_context(r.context))
}

caller_rbp_direct contains 4 if {
	match.principal_named_directly(
		{"AWS": ["arn:aws:iam::123456789012:user/alice", "arn:aws:iam::123456789012:role/R"]},
		input.req.principal,
	)
}

# METADATA
# title: "policy statement 0"
# custom:
#   policy: "policy"
#   sid: "Id1"
#   source: "policy_sets/policy.json:1:38"
#   effect: "Allow"
caller_identity_matches contains 0 if {
	"dynamodb:*" in input.req.action_keys
}

# METADATA
# title: "identity2 statement 0"
# custom:
#   policy: "identity2"
#   sid: "Id2"
#   source: "policy_sets/identity2.json:1:38"
#   effect: "Deny"
caller_identity_matches contains 1 if {
	input.req.action == "dynamodb:deletebackup"
	input.req.resource_key == "arn:aws:dynamodb:us-east-1:123456789012:table/Music"
	caller_identity_1_0_resource(input.req)
}

caller_identity_1_0_resource(r) if {
	regex.match(`^arn:aws:dynamodb:us-east-1:123456789012:table/Music/backup/[\s\S]*$`, r.resource)
}

# METADATA
# title: "boundary statement 0"
# custom:
#   policy: "boundary"
#   sid: "B"
#   source: "policy_sets/boundary.json:1:38"
#   effect: "Allow"
caller_boundary_matches contains 2 if {
	input.req.action == "dynamodb:createbackup"
}

# METADATA
# title: "boundary statement 0"
# custom:
#   policy: "boundary"
#   sid: "B"
#   source: "policy_sets/boundary.json:1:38"
#   effect: "Allow"
caller_boundary_matches contains 2 if {
	"dynamodb:describe*" in input.req.action_keys
}

# METADATA
# title: "session statement 0"
# custom:
#   policy: "session"
#   sid: "S"
#   source: "policy_sets/session.json:1:38"
#   effect: "Allow"
caller_session_matches contains 3 if {
	"dynamodb:*" in input.req.action_keys
	caller_session_0_0_resource(input.req)
}

caller_session_0_0_resource(r) if {
	regex.match(`^arn:aws:dynamodb:us-east-1:123456789012:table/[\s\S]*$`, r.resource)
}

# METADATA
# title: "rbp statement 0"
# custom:
#   policy: "rbp"
#   sid: "Rbp"
#   source: "policy_sets/rbp.json:1:38"
#   effect: "Allow"
caller_rbp_matches contains 4 if {
	input.req.action == "dynamodb:restoretablefrombackup"
	request.resource_policy_table(input.req.resource) == "arn:aws:dynamodb:us-east-1:123456789012:table/Music"
	match.rbp_grants(
		{"AWS": ["arn:aws:iam::123456789012:user/alice", "arn:aws:iam::123456789012:role/R"]},
		input.req,
	)
}

# METADATA
# title: "rbp statement 1"
# custom:
#   policy: "rbp"
#   sid: "RbpDeny"
#   source: "policy_sets/rbp.json:1:223"
#   effect: "Deny"
caller_rbp_matches contains 5 if {
	input.req.action == "dynamodb:deletebackup"
	request.resource_policy_table(input.req.resource) == "arn:aws:dynamodb:us-east-1:123456789012:table/Music"
}

# METADATA
# title: "scp_root statement 0"
# custom:
#   policy: "scp_root"
#   sid: "Full"
#   source: "policy_sets/scp_root.json:1:38"
#   effect: "Allow"
caller_scp0_matches contains 6 if {
	is_string(input.req.action)
}

# METADATA
# title: "scp_ou_a statement 0"
# custom:
#   policy: "scp_ou_a"
#   sid: "OuA"
#   source: "policy_sets/scp_ou_a.json:1:38"
#   effect: "Allow"
caller_scp1_matches contains 7 if {
	"dynamodb:*" in input.req.action_keys
}

# METADATA
# title: "scp_ou_b statement 0"
# custom:
#   policy: "scp_ou_b"
#   sid: "OuB"
#   source: "policy_sets/scp_ou_b.json:1:38"
#   effect: "Deny"
caller_scp1_matches contains 8 if {
	input.req.action == "dynamodb:deletetable"
}

# METADATA
# title: "rcp statement 0"
# custom:
#   policy: "rcp"
#   sid: "Rcp"
#   source: "policy_sets/rcp.json:1:38"
#   effect: "Deny"
caller_rcp0_matches contains 9 if {
	"dynamodb:*" in input.req.action_keys
	match.principal_matches("*", input.req.principal)
}

role_matches := {"identity": role_identity_matches, "boundary": role_boundary_matches}

role_hits(r, m) := {
	"identity": applied(m.identity, r),
	"boundary": applied(m.boundary, r),
	"session": null,
	"scp": [],
	"rcp": [],
	"resource_policy": null,
	"principal": r.principal,
	"rbp_grants_directly": false,
	"cross_account": request.cross_account(r),
}

# METADATA
# title: "role statement 0"
# custom:
#   policy: "role"
#   sid: "Role"
#   source: "policy_sets/role.json:1:38"
#   effect: "Allow"
role_identity_matches contains 10 if {
	input.req.action in {
		"dynamodb:listtagsofresource",
		"dynamodb:restoretablefromawsbackup",
		"dynamodb:startawsbackupjob",
	}
	role_identity_0_0_resource(input.req)
}

role_identity_0_0_resource(r) if regex.match(`^arn:aws:dynamodb:[\s\S]*:[\s\S]*:table/[\s\S]*$`, r.resource)

# METADATA
# title: "role_boundary statement 0"
# custom:
#   policy: "role_boundary"
#   sid: "RoleB"
#   source: "policy_sets/role_boundary.json:1:38"
#   effect: "Allow"
role_boundary_matches contains 11 if {
	"dynamodb:*" in input.req.action_keys
}

# METADATA
# title: "The normalised request the statement rules read as input.req"
normalized(raw) := {
	"action": a,
	"resource": resource,
	"context": ctx,
	"principal": request.principal_facts(object.get(raw, "principal", {})),
	"action_keys": action_keys(a),
	"resource_key": resource_key(resource),
} if {
	a := lower(raw.action)
	resource := request.resource_for(a, object.get(raw, "resource", "*"))
	ctx := object.get(raw, "context", {})
}

default resource_key(_) := ""

resource_key(resource) := concat("/", array.slice(split(resource, "/"), 0, 2)) if is_string(resource)

# The keys of the module's action wildcards that match the action.
action_keys(a) := keys if {
	keys := data.iam2rego.policies.team.sets.action_table[a]
} else := [key |
	rx := wildcard_regexes[service][key]
	regex.match(rx, a)
] if {
	service := split(a, ":")[0]
}

# Service -> its action wildcards' keys -> their anchored regexes (actions outside the catalog).
wildcard_regexes := {"dynamodb": {
	"dynamodb:*": `^dynamodb:[\s\S]*$`,
	"dynamodb:describe*": `^dynamodb:describe[\s\S]*$`,
}}
