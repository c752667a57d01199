# METADATA
# title: "IAM policies compiled by iam2rego: iam2rego.policies.wildcards"
# description: Generated from IAM policy JSON by iam2rego. Do not edit.
package iam2rego.policies.wildcards

import data.iam2rego.catalog
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
decide(raw) := iam_decide.decide(caller_hits(request.normalize(raw)))

# METADATA
# title: "Verdict for one composite operation (input)"
# entrypoint: true
operation := operations.verdict(results) if {
	checks := operations.checks(input, options)
	results := [object.union(c, iam_decide.decide(check_hits(c, input))) | some c in checks]
}

check_hits(c, op) := caller_hits(request.normalize(check_request(c, op))) if c.principal == "caller"

check_hits(c, op) := role_hits(request.normalize(check_request(c, op))) if c.principal == "role"

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

caller_hits(r) := {
	"identity": caller_identity(r),
	"boundary": null,
	"session": null,
	"scp": [],
	"rcp": [],
	"resource_policy": null,
	"principal": object.get(r, "principal", {}),
	"rbp_grants_directly": false,
}

caller_identity(r) := [reason |
	some hits in [
		[x | x := caller_identity_0_0(r)],
		[x | x := caller_identity_0_1(r)],
		[x | x := caller_identity_0_2(r)],
	]
	some reason in hits
]

# METADATA
# title: "policy statement 0"
# custom:
#   policy: "policy"
#   sid: "MusicStar"
#   source: "wildcards/policy.json:4:5"
#   effect: "Allow"
caller_identity_0_0(r) := {
	"policy": "policy",
	"sid": "MusicStar",
	"statement_index": 0,
	"effect": "Allow",
	"source": "wildcards/policy.json:4:5",
} if {
	caller_identity_0_0_action(r.action)
	caller_identity_0_0_resource(r)
}

caller_identity_0_0_action(a) if {
	a in {
		"dynamodb:createbackup",
		"dynamodb:deletebackup",
		"dynamodb:describebackup",
		"dynamodb:describecontinuousbackups",
		"dynamodb:describetable",
		"dynamodb:listbackups",
		"dynamodb:restoretablefromawsbackup",
		"dynamodb:restoretablefrombackup",
		"dynamodb:restoretabletopointintime",
		"dynamodb:startawsbackupjob",
		"dynamodb:updatecontinuousbackups",
		"madeup:exactthing",
	}
}

caller_identity_0_0_action(a) if {
	not a in catalog.actions
	regex.match(`^dynamodb:.*backup.*$`, a)
}

caller_identity_0_0_action(a) if {
	not a in catalog.actions
	regex.match(`^dynamodb:describe.able$`, a)
}

caller_identity_0_0_action(a) if {
	not a in catalog.actions
	regex.match(`^dynamodb:restore.*$`, a)
}

caller_identity_0_0_action(a) if {
	not a in catalog.actions
	regex.match(`^futuresvc:do.*$`, a)
}

caller_identity_0_0_resource(r) if r.resource == "arn:aws:dynamodb:us-east-1:123456789012:table/Exact"

caller_identity_0_0_resource(r) if {
	regex.match(`^arn:aws:dynamodb:us-east-1:123456789012:table/Music.*$`, r.resource)
}

caller_identity_0_0_resource(r) if regex.match(`^arn:aws:dynamodb:.*:.*:table/[^:]*/backup/.*$`, r.resource)

caller_identity_0_0_resource(r) if {
	regex.match(
		`^arn:aws:dynamodb:us-east-1:123456789012:table/Music/stream/2021-12-10T[^:]*\.000$`,
		r.resource,
	)
}

# METADATA
# title: "policy statement 1"
# custom:
#   policy: "policy"
#   sid: "Everything"
#   source: "wildcards/policy.json:10:5"
#   effect: "Deny"
caller_identity_0_1(r) := {
	"policy": "policy",
	"sid": "Everything",
	"statement_index": 1,
	"effect": "Deny",
	"source": "wildcards/policy.json:10:5",
} if {
	is_string(r.action)
}

# METADATA
# title: "policy statement 2"
# custom:
#   policy: "policy"
#   sid: "TwoExact"
#   source: "wildcards/policy.json:16:5"
#   effect: "Allow"
caller_identity_0_2(r) := {
	"policy": "policy",
	"sid": "TwoExact",
	"statement_index": 2,
	"effect": "Allow",
	"source": "wildcards/policy.json:16:5",
} if {
	r.action == "dynamodb:listbackups"
	r.resource in {
		"arn:aws:dynamodb:us-east-1:123456789012:table/A",
		"arn:aws:dynamodb:us-east-1:123456789012:table/B",
	}
}

role_hits(r) := {
	"identity": [],
	"boundary": null,
	"session": null,
	"scp": [],
	"rcp": [],
	"resource_policy": null,
	"principal": object.get(r, "principal", {}),
	"rbp_grants_directly": false,
}
