# METADATA
# title: "IAM policies compiled by iam2rego: iam2rego.policies.rbp_account"
# description: Generated from IAM policy JSON by iam2rego. Do not edit.
package iam2rego.policies.rbp_account

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
	"resource_policy": caller_rbp_reasons,
	"principal": input.req.principal,
	"rbp_grants_directly": caller_rbp_grants_directly,
}

default caller_rbp_reasons := null

caller_rbp_reasons := [x | some x in caller_rbp_hits] if rbp_resource(input.req.resource)

rbp_resource(resource) if {
	regex.match(`^arn:[^:]+:dynamodb:[^:]*:[^:]*:table/[^/]+(/index/[^/]+|/stream/.+)?$`, resource)
}

caller_rbp_direct if {
	{
		"policy": "rbp",
		"sid": "AccountDelegates",
		"statement_index": 0,
		"effect": "Allow",
		"source": "rbp_account/rbp.json:4:5",
	} in caller_rbp_hits
	match.principal_named_directly(
		{"AWS": ["123456789012", "arn:aws:iam::210987654321:root"]},
		input.req.principal,
	)
}

caller_rbp_direct if {
	{
		"policy": "rbp",
		"sid": "UserGrants",
		"statement_index": 1,
		"effect": "Allow",
		"source": "rbp_account/rbp.json:11:5",
	} in caller_rbp_hits
	match.principal_named_directly(
		{"AWS": ["123456789012", "arn:aws:iam::123456789012:user/alice"]},
		input.req.principal,
	)
}

default caller_rbp_grants_directly := false

caller_rbp_grants_directly if {
	rbp_resource(input.req.resource)
	caller_rbp_direct
}

# METADATA
# title: "policy statement 0"
# custom:
#   policy: "policy"
#   sid: "ReadBackups"
#   source: "rbp_account/policy.json:4:5"
#   effect: "Allow"
caller_identity_hits contains {
	"policy": "policy",
	"sid": "ReadBackups",
	"statement_index": 0,
	"effect": "Allow",
	"source": "rbp_account/policy.json:4:5",
} if {
	input.req.action == "dynamodb:describebackup"
}

# METADATA
# title: "rbp statement 0"
# custom:
#   policy: "rbp"
#   sid: "AccountDelegates"
#   source: "rbp_account/rbp.json:4:5"
#   effect: "Allow"
caller_rbp_hits contains {
	"policy": "rbp",
	"sid": "AccountDelegates",
	"statement_index": 0,
	"effect": "Allow",
	"source": "rbp_account/rbp.json:4:5",
} if {
	input.req.action == "dynamodb:describetable"
	input.req.resource == "arn:aws:dynamodb:us-east-1:123456789012:table/Music"
	match.principal_grants({"AWS": ["123456789012", "arn:aws:iam::210987654321:root"]}, input.req.principal)
}

# METADATA
# title: "rbp statement 1"
# custom:
#   policy: "rbp"
#   sid: "UserGrants"
#   source: "rbp_account/rbp.json:11:5"
#   effect: "Allow"
caller_rbp_hits contains {
	"policy": "rbp",
	"sid": "UserGrants",
	"statement_index": 1,
	"effect": "Allow",
	"source": "rbp_account/rbp.json:11:5",
} if {
	input.req.action == "dynamodb:query"
	input.req.resource == "arn:aws:dynamodb:us-east-1:123456789012:table/Music"
	match.principal_grants(
		{"AWS": ["123456789012", "arn:aws:iam::123456789012:user/alice"]},
		input.req.principal,
	)
}

# METADATA
# title: "rbp statement 2"
# custom:
#   policy: "rbp"
#   sid: "AccountDenied"
#   source: "rbp_account/rbp.json:18:5"
#   effect: "Deny"
caller_rbp_hits contains {
	"policy": "rbp",
	"sid": "AccountDenied",
	"statement_index": 2,
	"effect": "Deny",
	"source": "rbp_account/rbp.json:18:5",
} if {
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
	caller_rbp_0_2_resource(input.req)
	match.principal_matches({"AWS": ["arn:aws:iam::210987654321:root"]}, input.req.principal)
}

# METADATA
# title: "rbp statement 2"
# custom:
#   policy: "rbp"
#   sid: "AccountDenied"
#   source: "rbp_account/rbp.json:18:5"
#   effect: "Deny"
caller_rbp_hits contains {
	"policy": "rbp",
	"sid": "AccountDenied",
	"statement_index": 2,
	"effect": "Deny",
	"source": "rbp_account/rbp.json:18:5",
} if {
	input.req.known_action == false
	regex.match(`^dynamodb:.*$`, input.req.action)
	caller_rbp_0_2_resource(input.req)
	match.principal_matches({"AWS": ["arn:aws:iam::210987654321:root"]}, input.req.principal)
}

caller_rbp_0_2_resource(r) if {
	regex.match(`^arn:aws:dynamodb:us-east-1:123456789012:table/Music.*$`, r.resource)
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
