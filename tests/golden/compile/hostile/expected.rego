# METADATA
# title: "IAM policies compiled by iam2rego: iam2rego.policies.p_9_weird_name.if_"
# description: Generated from IAM policy JSON by iam2rego. Do not edit.
package iam2rego.policies.p_9_weird_name.if_

import data.iam2rego.conditions
import data.iam2rego.decide as iam_decide
import data.iam2rego.match
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

caller_matches := {
	"identity": caller_identity_matches,
	"resource_policy": caller_rbp_matches,
	"rbp_direct": caller_rbp_direct,
}

caller_hits(r, m) := {
	"identity": applied(m.identity, r),
	"boundary": null,
	"session": null,
	"scp": [],
	"rcp": [],
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
	s := data.iam2rego.policies.p_9_weird_name.if_.statements[i]
] if {
	not conditional(matches)
} else := [s.reason |
	some i in matches
	s := data.iam2rego.policies.p_9_weird_name.if_.statements[i]
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
	data.iam2rego.policies.p_9_weird_name.if_.statements[i].conditions != []
}

default rbp_applied(_, _, _) := null

rbp_applied(matches, r, tables) := applied(matches, r) if {
	request.resource_policy_table(r.resource) in tables
}

default grants_directly(_, _) := false

grants_directly(r, m) if {
	some i in m.rbp_direct
	i in m.resource_policy
	s := data.iam2rego.policies.p_9_weird_name.if_.statements[i]
	conditions.all_hold(s.conditions, request.normalize_context(r.context))
}

caller_rbp_direct contains 1 if {
	match.principal_named_directly(
		{
			"AWS": ["arn:aws:iam::123456789012:user/al\"ice\n", "123456789012"],
			"Service": ["backup.amazonaws.com"],
		},
		input.req.principal,
	)
}

# METADATA
# title: "pol`icy\xe9 statement 0"
# custom:
#   policy: "pol`icy\xe9"
#   sid: "\x54ODO"
#   source: "dir with \"quotes\" # and\nnewline/pol`icy\xe9.json:4:5"
#   effect: "Allow"
caller_identity_matches contains 0 if {
	input.req.action == "dynamodb:create\"backup"
	caller_identity_0_0_resource(input.req)
}

# METADATA
# title: "pol`icy\xe9 statement 0"
# custom:
#   policy: "pol`icy\xe9"
#   sid: "\x54ODO"
#   source: "dir with \"quotes\" # and\nnewline/pol`icy\xe9.json:4:5"
#   effect: "Allow"
caller_identity_matches contains 0 if {
	"dynamodb:back\\slash*" in input.req.action_keys
	caller_identity_0_0_resource(input.req)
}

# METADATA
# title: "pol`icy\xe9 statement 0"
# custom:
#   policy: "pol`icy\xe9"
#   sid: "\x54ODO"
#   source: "dir with \"quotes\" # and\nnewline/pol`icy\xe9.json:4:5"
#   effect: "Allow"
caller_identity_matches contains 0 if {
	"dynamodb:x`y\u0007z*" in input.req.action_keys
	caller_identity_0_0_resource(input.req)
}

# METADATA
# title: "pol`icy\xe9 statement 0"
# custom:
#   policy: "pol`icy\xe9"
#   sid: "\x54ODO"
#   source: "dir with \"quotes\" # and\nnewline/pol`icy\xe9.json:4:5"
#   effect: "Allow"
caller_identity_matches contains 0 if {
	"dynamodb:{a,b}[c]**#x" in input.req.action_keys
	caller_identity_0_0_resource(input.req)
}

caller_identity_0_0_resource(r) if {
	r.resource == "arn:aws:dynamodb:us-east-1:123456789012:table/exact\"}\n# not a comment"
}

caller_identity_0_0_resource(r) if {
	regex.match(
		`^arn:aws:dynamodb:us-east-1:123456789012:table/q"uote\\back#hash\}\{brace\[\][^:]*[\s\S]*$`,
		r.resource,
	)
}

caller_identity_0_0_resource(r) if {
	regex.match(
		`^arn:aws:dynamodb:us-east-1:123456789012:table/new\x{a}line\x{d}\x{9}\x{1}ctl\x{2028}sep\x{202e}RTLé😀\x{60}tick[\s\S]*$`,
		r.resource,
	)
}

caller_identity_0_0_resource(r) if {
	match.resource_tokens_match(
		[
			{"t": "lit", "v": "arn:aws:dynamodb:us-east-1:123456789012:table/"},
			{"t": "var", "k": "aws:username", "d": null},
			{"t": "lit", "v": "\"\\*é"},
		],
		r.resource,
		r.context,
	)
}

# METADATA
# title: "r\"b#p\n statement 0"
# custom:
#   policy: "r\"b#p\n"
#   sid: "a\"b\\c\n# title: pwned\r\x01\u2028\xe9\U0001f600 \x46IXME `x` }{ ]"
#   source: "r\"b#p\n.json:4:5"
#   effect: "Allow"
caller_rbp_matches contains 1 if {
	"dynamodb:*" in input.req.action_keys
	request.resource_policy_table(input.req.resource) == "arn:aws:dynamodb:us-east-1:123456789012:table/Music"
	match.rbp_grants(
		{
			"AWS": ["arn:aws:iam::123456789012:user/al\"ice\n", "123456789012"],
			"Service": ["backup.amazonaws.com"],
		},
		input.req,
	)
}

# METADATA
# title: "r\"b#p\n statement 1"
# custom:
#   policy: "r\"b#p\n"
#   sid: ""
#   source: "r\"b#p\n.json:11:5"
#   effect: "Deny"
caller_rbp_matches contains 2 if {
	input.req.action == "dynamodb:deletebackup"
	request.resource_policy_table(input.req.resource) == "arn:aws:dynamodb:us-east-1:123456789012:table/Music"
	not match.principal_listed("*", input.req.principal)
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
	"context": request.normalize_context(ctx),
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
	keys := data.iam2rego.policies.p_9_weird_name.if_.action_table[a]
} else := [key |
	rx := wildcard_regexes[service][key]
	regex.match(rx, a)
] if {
	service := split(a, ":")[0]
}

# Service -> its action wildcards' keys -> their anchored regexes (actions outside the catalog).
wildcard_regexes := {"dynamodb": {
	"dynamodb:*": `^dynamodb:[\s\S]*$`,
	"dynamodb:back\\slash*": `^dynamodb:back\\slash[\s\S]*$`,
	"dynamodb:x`y\u0007z*": `^dynamodb:x\x{60}y\x{7}z[\s\S]*$`,
	"dynamodb:{a,b}[c]**#x": `^dynamodb:\{a,b\}\[c\][\s\S]*[\s\S]*#x$`,
}}
