# METADATA
# title: "IAM policies compiled by iam2rego: iam2rego.policies.p_9_weird_name.if_"
# description: Generated from IAM policy JSON by iam2rego. Do not edit.
package iam2rego.policies.p_9_weird_name.if_

import data.iam2rego.catalog
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
	"resource_policy": caller_rbp_hits(r),
	"principal": object.get(r, "principal", {}),
	"rbp_grants_directly": caller_rbp_grants_directly(r),
}

caller_rbp_hits(r) := caller_rbp(r) if rbp_resource(r.resource)

caller_rbp_hits(r) := null if not rbp_resource(r.resource)

rbp_resource(resource) if {
	regex.match(`^arn:[^:]+:dynamodb:[^:]*:[^:]*:table/[^/]+(/index/[^/]+|/stream/.+)?$`, resource)
}

caller_rbp_direct(r) if {
	caller_rbp_0_0(r)
	match.principal_named_directly(
		{
			"AWS": ["arn:aws:iam::123456789012:user/al\"ice\n", "123456789012"],
			"Service": ["backup.amazonaws.com"],
		},
		r.principal,
	)
}

default caller_rbp_grants_directly(_) := false

caller_rbp_grants_directly(r) if {
	rbp_resource(r.resource)
	caller_rbp_direct(r)
}

caller_identity(r) := [x | x := caller_identity_0_0(r)]

# METADATA
# title: "pol`icy\xe9 statement 0"
# custom:
#   policy: "pol`icy\xe9"
#   sid: "\x54ODO"
#   source: "dir with \"quotes\" # and\nnewline/pol`icy\xe9.json:4:5"
#   effect: "Allow"
caller_identity_0_0(r) := {
	"policy": "pol`icyé",
	"sid": "TODO",
	"statement_index": 0,
	"effect": "Allow",
	"source": "dir with \"quotes\" # and\nnewline/pol`icyé.json:4:5",
} if {
	caller_identity_0_0_action(r.action)
	caller_identity_0_0_resource(r)
	conditions.holds(
		{
			"op": "StringEquals",
			"qualifier": "",
			"if_exists": false,
			"key": "aws:principaltag/q\"k#",
			"values": ["v\"}\n# METADATA", "\\", "$${*}{x", "`", "\u0000", "😀"],
			"vars": true,
		},
		r.context,
	)
	conditions.holds(
		{
			"op": "StringLike",
			"qualifier": "",
			"if_exists": false,
			"key": "aws:resourcetag/env",
			"values": ["**{a,b}[!x]"],
			"vars": true,
		},
		r.context,
	)
}

caller_identity_0_0_action("dynamodb:create\"backup")

caller_identity_0_0_action(a) if {
	not a in catalog.actions
	regex.match(`^dynamodb:\{a,b\}\[c\].*.*#x$`, a)
}

caller_identity_0_0_action(a) if {
	not a in catalog.actions
	regex.match(`^dynamodb:back\\slash.*$`, a)
}

caller_identity_0_0_action(a) if {
	not a in catalog.actions
	regex.match(`^dynamodb:x\x{60}y\x{7}z.*$`, a)
}

caller_identity_0_0_resource(r) if {
	r.resource == "arn:aws:dynamodb:us-east-1:123456789012:table/exact\"}\n# not a comment"
}

caller_identity_0_0_resource(r) if {
	regex.match(
		`^arn:aws:dynamodb:us-east-1:123456789012:table/q"uote\\back#hash\}\{brace\[\][^:]*.*$`,
		r.resource,
	)
}

caller_identity_0_0_resource(r) if {
	regex.match(
		`^arn:aws:dynamodb:us-east-1:123456789012:table/new\x{a}line\x{d}\x{9}\x{1}ctl\x{2028}sep\x{202e}RTLé😀\x{60}tick.*$`,
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

caller_rbp(r) := [reason |
	some hits in [
		[x | x := caller_rbp_0_0(r)],
		[x | x := caller_rbp_0_1(r)],
	]
	some reason in hits
]

# METADATA
# title: "r\"b#p\n statement 0"
# custom:
#   policy: "r\"b#p\n"
#   sid: "a\"b\\c\n# title: pwned\r\x01\u2028\xe9\U0001f600 \x46IXME `x` }{ ]"
#   source: "r\"b#p\n.json:4:5"
#   effect: "Allow"
caller_rbp_0_0(r) := {
	"policy": "r\"b#p\n",
	"sid": "a\"b\\c\n# title: pwned\r\u0001\u2028é😀 FIXME `x` }{ ]",
	"statement_index": 0,
	"effect": "Allow",
	"source": "r\"b#p\n.json:4:5",
} if {
	caller_rbp_0_0_action(r.action)
	match.principal_matches(
		{
			"AWS": ["arn:aws:iam::123456789012:user/al\"ice\n", "123456789012"],
			"Service": ["backup.amazonaws.com"],
		},
		r.principal,
	)
}

caller_rbp_0_0_action(a) if {
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

caller_rbp_0_0_action(a) if {
	not a in catalog.actions
	regex.match(`^dynamodb:.*$`, a)
}

# METADATA
# title: "r\"b#p\n statement 1"
# custom:
#   policy: "r\"b#p\n"
#   sid: ""
#   source: "r\"b#p\n.json:11:5"
#   effect: "Deny"
caller_rbp_0_1(r) := {
	"policy": "r\"b#p\n",
	"sid": "",
	"statement_index": 1,
	"effect": "Deny",
	"source": "r\"b#p\n.json:11:5",
} if {
	r.action == "dynamodb:deletebackup"
	not match.principal_matches("*", r.principal)
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
