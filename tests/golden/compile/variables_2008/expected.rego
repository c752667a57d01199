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
decide(raw) := d if {
	d := iam_decide.decide(caller_hits) with input.req as normalized(raw)
}

# METADATA
# title: "Verdict for one composite operation (input)"
# entrypoint: true
operation := operations.verdict(results) if {
	results := [result | some pair in sort(check_results); result := pair[1]]
}

check_results contains [i, object.union(c, check_decision(c, input))] if {
	some i, c in operations.checks(input, options)
}

check_decision(c, op) := d if {
	c.principal == "caller"
	d := iam_decide.decide(caller_hits) with input.req as normalized(check_request(c, op))
}

check_decision(c, op) := d if {
	c.principal == "role"
	d := iam_decide.decide(role_hits) with input.req as normalized(check_request(c, op))
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

caller_hits := {
	"identity": [x | some x in caller_identity_hits],
	"boundary": null,
	"session": null,
	"scp": [],
	"rcp": [],
	"resource_policy": null,
	"principal": input.req.principal,
	"rbp_grants_directly": false,
}

# METADATA
# title: "policy statement 0"
# custom:
#   policy: "policy"
#   sid: "OwnTable"
#   source: "variables_2008/policy.json:4:5"
#   effect: "Allow"
caller_identity_hits contains {
	"policy": "policy",
	"sid": "OwnTable",
	"statement_index": 0,
	"effect": "Allow",
	"source": "variables_2008/policy.json:4:5",
} if {
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
caller_identity_hits contains {
	"policy": "policy",
	"sid": "NotOwn",
	"statement_index": 1,
	"effect": "Deny",
	"source": "variables_2008/policy.json:15:5",
} if {
	input.req.action == "dynamodb:deletebackup"
	not caller_identity_0_1_resource(input.req)
	conditions.holds(
		{
			"op": "StringLike",
			"qualifier": "",
			"if_exists": false,
			"key": "aws:principaltag/project",
			"values": ["${aws:username}-*"],
			"vars": false,
		},
		input.req.context,
	)
}

caller_identity_0_0_resource(r) if {
	regex.match(`^arn:aws:dynamodb:.*:.*:table/\$\{aws:username\}$`, r.resource)
}

caller_identity_0_0_resource(r) if {
	regex.match(`^arn:aws:dynamodb:.*:.*:table/team-\$\{aws:PrincipalTag/Team, 'shared'\}.*$`, r.resource)
}

caller_identity_0_0_resource(r) if {
	regex.match(`^arn:aws:dynamodb:us-east-1:123456789012:table/Music\$\{[^:]*\}$`, r.resource)
}

caller_identity_0_0_resource(r) if {
	regex.match(`^arn:aws:dynamodb:us-east-1:123456789012:table/Q\$\{.\}\$\{\$\}.*$`, r.resource)
}

caller_identity_0_1_resource(r) if {
	regex.match(`^arn:aws:dynamodb:.*:.*:table/\$\{aws:username\}/backup/.*$`, r.resource)
}

role_hits := {
	"identity": [],
	"boundary": null,
	"session": null,
	"scp": [],
	"rcp": [],
	"resource_policy": null,
	"principal": input.req.principal,
	"rbp_grants_directly": false,
}

# METADATA
# title: "The normalised request the statement rules read as input.req"
normalized(raw) := object.union(r, extra) if {
	r := request.normalize(raw)
	extra := {
		"known_action": false,
		"resource_key": resource_key(r.resource),
	}
}

default resource_key(_) := ""

resource_key(resource) := concat("/", array.slice(split(resource, "/"), 0, 2)) if is_string(resource)
