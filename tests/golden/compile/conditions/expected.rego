# METADATA
# title: "IAM policies compiled by iam2rego: iam2rego.policies.conditions"
# description: Generated from IAM policy JSON by iam2rego. Do not edit.
package iam2rego.policies.conditions

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

check_decision(c, op) := iam_decide.decide(role_hits(r)) if {
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
}

# The reasons of the matched statements (numbers) whose conditions hold for r.
applied(matches, r) := [s.reason |
	some i in matches
	s := statements[i]
	conditions.all_hold(s.conditions, r.context)
]

default rbp_applied(_, _) := null

rbp_applied(matches, r) := applied(matches, r) if rbp_resource(r.resource)

rbp_resource(resource) if {
	regex.match(`^arn:[^:]+:dynamodb:[^:]*:[^:]*:table/[^/]+(/index/[^/]+|/stream/.+)?$`, resource)
}

default grants_directly(_, _) := false

grants_directly(r, m) if {
	rbp_resource(r.resource)
	some i in m.rbp_direct
	i in m.resource_policy
	conditions.all_hold(statements[i].conditions, r.context)
}

# METADATA
# title: "policy statement 0"
# custom:
#   policy: "policy"
#   sid: "Strings"
#   source: "conditions/policy.json:4:5"
#   effect: "Allow"
caller_identity_matches contains 0 if {
	input.req.action in {
		"dynamodb:associatetablereplica",
		"dynamodb:batchgetitem",
		"dynamodb:batchwriteitem",
		"dynamodb:conditioncheckitem",
		"dynamodb:createbackup",
		"dynamodb:createglobaltable",
		"dynamodb:createglobaltablewitness",
		"dynamodb:createtable",
		"dynamodb:createtablereplica",
		"dynamodb:deletebackup",
		"dynamodb:deleteglobaltablewitness",
		"dynamodb:deleteitem",
		"dynamodb:deleteresourcepolicy",
		"dynamodb:deletetable",
		"dynamodb:deletetablereplica",
		"dynamodb:describebackup",
		"dynamodb:describecontinuousbackups",
		"dynamodb:describecontributorinsights",
		"dynamodb:describeendpoints",
		"dynamodb:describeexport",
		"dynamodb:describeglobaltable",
		"dynamodb:describeglobaltablesettings",
		"dynamodb:describeimport",
		"dynamodb:describekinesisstreamingdestination",
		"dynamodb:describelimits",
		"dynamodb:describereservedcapacity",
		"dynamodb:describereservedcapacityofferings",
		"dynamodb:describestream",
		"dynamodb:describetable",
		"dynamodb:describetablereplicaautoscaling",
		"dynamodb:describetimetolive",
		"dynamodb:disablekinesisstreamingdestination",
		"dynamodb:enablekinesisstreamingdestination",
		"dynamodb:exporttabletopointintime",
		"dynamodb:getabacstatus",
		"dynamodb:getitem",
		"dynamodb:getrecords",
		"dynamodb:getresourcepolicy",
		"dynamodb:getsharditerator",
		"dynamodb:importtable",
		"dynamodb:injecterror",
		"dynamodb:listbackups",
		"dynamodb:listcontributorinsights",
		"dynamodb:listexports",
		"dynamodb:listglobaltables",
		"dynamodb:listimports",
		"dynamodb:liststreams",
		"dynamodb:listtables",
		"dynamodb:listtagsofresource",
		"dynamodb:partiqldelete",
		"dynamodb:partiqlinsert",
		"dynamodb:partiqlselect",
		"dynamodb:partiqlupdate",
		"dynamodb:purchasereservedcapacityofferings",
		"dynamodb:putitem",
		"dynamodb:putresourcepolicy",
		"dynamodb:query",
		"dynamodb:readdataforreplication",
		"dynamodb:replicatesettings",
		"dynamodb:restoretablefromawsbackup",
		"dynamodb:restoretablefrombackup",
		"dynamodb:restoretabletopointintime",
		"dynamodb:scan",
		"dynamodb:searchvectors",
		"dynamodb:startawsbackupjob",
		"dynamodb:tagresource",
		"dynamodb:untagresource",
		"dynamodb:updateabacstatus",
		"dynamodb:updatecontinuousbackups",
		"dynamodb:updatecontributorinsights",
		"dynamodb:updateglobaltable",
		"dynamodb:updateglobaltablesettings",
		"dynamodb:updateglobaltableversion",
		"dynamodb:updateitem",
		"dynamodb:updatekinesisstreamingdestination",
		"dynamodb:updatetable",
		"dynamodb:updatetablereplicaautoscaling",
		"dynamodb:updatetimetolive",
		"dynamodb:writedataforreplication",
	}
}

# METADATA
# title: "policy statement 0"
# custom:
#   policy: "policy"
#   sid: "Strings"
#   source: "conditions/policy.json:4:5"
#   effect: "Allow"
caller_identity_matches contains 0 if {
	input.req.known_action == false
	regex.match(`^dynamodb:[\s\S]*$`, input.req.action)
}

# METADATA
# title: "policy statement 1"
# custom:
#   policy: "policy"
#   sid: "Others"
#   source: "conditions/policy.json:20:5"
#   effect: "Deny"
caller_identity_matches contains 1 if {
	input.req.action == "dynamodb:deletebackup"
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
}

# METADATA
# title: "The normalised request the statement rules read as input.req"
normalized(raw) := object.union(r, extra) if {
	r := request.normalize(raw)
	extra := {
		"known_action": known_action(r.action),
		"resource_key": resource_key(r.resource),
	}
}

default resource_key(_) := ""

resource_key(resource) := concat("/", array.slice(split(resource, "/"), 0, 2)) if is_string(resource)

# Whether the literal sets of the action wildcards decide this action (not their regexes).
default known_action(_) := false

known_action(a) if {
	startswith(a, "dynamodb:")
	a in {
		"dynamodb:associatetablereplica",
		"dynamodb:batchgetitem",
		"dynamodb:batchwriteitem",
		"dynamodb:conditioncheckitem",
		"dynamodb:createbackup",
		"dynamodb:createglobaltable",
		"dynamodb:createglobaltablewitness",
		"dynamodb:createtable",
		"dynamodb:createtablereplica",
		"dynamodb:deletebackup",
		"dynamodb:deleteglobaltablewitness",
		"dynamodb:deleteitem",
		"dynamodb:deleteresourcepolicy",
		"dynamodb:deletetable",
		"dynamodb:deletetablereplica",
		"dynamodb:describebackup",
		"dynamodb:describecontinuousbackups",
		"dynamodb:describecontributorinsights",
		"dynamodb:describeendpoints",
		"dynamodb:describeexport",
		"dynamodb:describeglobaltable",
		"dynamodb:describeglobaltablesettings",
		"dynamodb:describeimport",
		"dynamodb:describekinesisstreamingdestination",
		"dynamodb:describelimits",
		"dynamodb:describereservedcapacity",
		"dynamodb:describereservedcapacityofferings",
		"dynamodb:describestream",
		"dynamodb:describetable",
		"dynamodb:describetablereplicaautoscaling",
		"dynamodb:describetimetolive",
		"dynamodb:disablekinesisstreamingdestination",
		"dynamodb:enablekinesisstreamingdestination",
		"dynamodb:exporttabletopointintime",
		"dynamodb:getabacstatus",
		"dynamodb:getitem",
		"dynamodb:getrecords",
		"dynamodb:getresourcepolicy",
		"dynamodb:getsharditerator",
		"dynamodb:importtable",
		"dynamodb:injecterror",
		"dynamodb:listbackups",
		"dynamodb:listcontributorinsights",
		"dynamodb:listexports",
		"dynamodb:listglobaltables",
		"dynamodb:listimports",
		"dynamodb:liststreams",
		"dynamodb:listtables",
		"dynamodb:listtagsofresource",
		"dynamodb:partiqldelete",
		"dynamodb:partiqlinsert",
		"dynamodb:partiqlselect",
		"dynamodb:partiqlupdate",
		"dynamodb:purchasereservedcapacityofferings",
		"dynamodb:putitem",
		"dynamodb:putresourcepolicy",
		"dynamodb:query",
		"dynamodb:readdataforreplication",
		"dynamodb:replicatesettings",
		"dynamodb:restoretablefromawsbackup",
		"dynamodb:restoretablefrombackup",
		"dynamodb:restoretabletopointintime",
		"dynamodb:scan",
		"dynamodb:searchvectors",
		"dynamodb:startawsbackupjob",
		"dynamodb:tagresource",
		"dynamodb:untagresource",
		"dynamodb:updateabacstatus",
		"dynamodb:updatecontinuousbackups",
		"dynamodb:updatecontributorinsights",
		"dynamodb:updateglobaltable",
		"dynamodb:updateglobaltablesettings",
		"dynamodb:updateglobaltableversion",
		"dynamodb:updateitem",
		"dynamodb:updatekinesisstreamingdestination",
		"dynamodb:updatetable",
		"dynamodb:updatetablereplicaautoscaling",
		"dynamodb:updatetimetolive",
		"dynamodb:writedataforreplication",
	}
}

# METADATA
# title: "Reason and conditions of each statement, by statement number"
statements := {
	0: {
		"reason": {
			"policy": "policy",
			"sid": "Strings",
			"statement_index": 0,
			"effect": "Allow",
			"source": "conditions/policy.json:4:5",
		},
		"conditions": [
			{
				"op": "StringEquals",
				"qualifier": "",
				"if_exists": false,
				"key": "aws:requestedregion",
				"values": ["us-east-1", "eu-west-1"],
				"vars": true,
			},
			{
				"op": "StringEquals",
				"qualifier": "",
				"if_exists": false,
				"key": "aws:principalaccount",
				"values": ["123456789012"],
				"vars": true,
			},
			{
				"op": "StringNotEquals",
				"qualifier": "",
				"if_exists": false,
				"key": "aws:principaltag/env",
				"values": ["prod"],
				"vars": true,
			},
			{
				"op": "StringEqualsIgnoreCase",
				"qualifier": "",
				"if_exists": false,
				"key": "aws:principaltag/team",
				"values": ["Red"],
				"vars": true,
			},
			{
				"op": "StringNotEqualsIgnoreCase",
				"qualifier": "",
				"if_exists": false,
				"key": "aws:principaltag/owner",
				"values": ["root"],
				"vars": true,
			},
			{
				"op": "StringLike",
				"qualifier": "",
				"if_exists": false,
				"key": "aws:resourcetag/env",
				"values": ["dev*", "te?t"],
				"vars": true,
			},
			{
				"op": "StringNotLike",
				"qualifier": "",
				"if_exists": false,
				"key": "aws:userid",
				"values": ["AIDA*"],
				"vars": true,
			},
			{
				"op": "StringEquals",
				"qualifier": "ForAllValues",
				"if_exists": false,
				"key": "aws:tagkeys",
				"values": ["env", "owner"],
				"vars": true,
			},
			{
				"op": "StringLike",
				"qualifier": "ForAnyValue",
				"if_exists": true,
				"key": "aws:calledvia",
				"values": ["dynamodb.*"],
				"vars": true,
			},
		],
	},
	1: {
		"reason": {
			"policy": "policy",
			"sid": "Others",
			"statement_index": 1,
			"effect": "Deny",
			"source": "conditions/policy.json:20:5",
		},
		"conditions": [
			{
				"op": "NumericLessThan",
				"qualifier": "",
				"if_exists": false,
				"key": "aws:multifactorauthage",
				"values": ["3600"],
				"vars": true,
			},
			{
				"op": "NumericGreaterThanEquals",
				"qualifier": "",
				"if_exists": false,
				"key": "dynamodb:limit",
				"values": ["1.5"],
				"vars": true,
			},
			{
				"op": "DateGreaterThan",
				"qualifier": "",
				"if_exists": false,
				"key": "aws:currenttime",
				"values": ["2020-01-01T00:00:00Z"],
				"vars": true,
			},
			{
				"op": "DateLessThanEquals",
				"qualifier": "",
				"if_exists": false,
				"key": "aws:epochtime",
				"values": ["1700000000"],
				"vars": true,
			},
			{
				"op": "Bool",
				"qualifier": "",
				"if_exists": false,
				"key": "aws:securetransport",
				"values": ["false"],
				"vars": true,
			},
			{
				"op": "Bool",
				"qualifier": "",
				"if_exists": true,
				"key": "aws:multifactorauthpresent",
				"values": ["false"],
				"vars": true,
			},
			{
				"op": "BinaryEquals",
				"qualifier": "",
				"if_exists": false,
				"key": "aws:x",
				"values": ["QmluYXJ5VmFsdWU="],
				"vars": true,
			},
			{
				"op": "IpAddress",
				"qualifier": "",
				"if_exists": false,
				"key": "aws:sourceip",
				"values": ["203.0.113.0/24", "2001:db8::/32"],
				"vars": true,
			},
			{
				"op": "NotIpAddress",
				"qualifier": "",
				"if_exists": false,
				"key": "aws:vpcsourceip",
				"values": ["10.0.0.1"],
				"vars": true,
			},
			{
				"op": "ArnLike",
				"qualifier": "",
				"if_exists": false,
				"key": "aws:principalarn",
				"values": ["arn:aws:iam::*:role/Admin*"],
				"vars": true,
			},
			{
				"op": "ArnNotEquals",
				"qualifier": "",
				"if_exists": false,
				"key": "aws:sourcearn",
				"values": ["arn:aws:s3:::bucket"],
				"vars": true,
			},
			{
				"op": "Null",
				"qualifier": "",
				"if_exists": false,
				"key": "aws:tokenissuetime",
				"values": ["true"],
				"vars": true,
			},
			{
				"op": "NumericEquals",
				"qualifier": "ForAllValues",
				"if_exists": true,
				"key": "aws:x2",
				"values": ["1", "2"],
				"vars": true,
			},
		],
	},
}
