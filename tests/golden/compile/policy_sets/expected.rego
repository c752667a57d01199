# METADATA
# title: "IAM policies compiled by iam2rego: iam2rego.policies.team.sets"
# description: Generated from IAM policy JSON by iam2rego. Do not edit.
package iam2rego.policies.team.sets

import data.iam2rego.catalog
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
	"boundary": caller_boundary(r),
	"session": caller_session(r),
	"scp": [caller_scp0(r), caller_scp1(r)],
	"rcp": [caller_rcp0(r)],
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
		{"AWS": ["arn:aws:iam::123456789012:user/alice", "arn:aws:iam::123456789012:role/R"]},
		r.principal,
	)
}

default caller_rbp_grants_directly(_) := false

caller_rbp_grants_directly(r) if {
	rbp_resource(r.resource)
	caller_rbp_direct(r)
}

caller_identity(r) := [reason |
	some hits in [
		[x | x := caller_identity_0_0(r)],
		[x | x := caller_identity_1_0(r)],
	]
	some reason in hits
]

# METADATA
# title: "policy statement 0"
# custom:
#   policy: "policy"
#   sid: "Id1"
#   source: "policy_sets/policy.json:1:38"
#   effect: "Allow"
caller_identity_0_0(r) := {
	"policy": "policy",
	"sid": "Id1",
	"statement_index": 0,
	"effect": "Allow",
	"source": "policy_sets/policy.json:1:38",
} if {
	caller_identity_0_0_action(r.action)
}

caller_identity_0_0_action(a) if {
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

caller_identity_0_0_action(a) if {
	not a in catalog.actions
	regex.match(`^dynamodb:.*$`, a)
}

# METADATA
# title: "identity2 statement 0"
# custom:
#   policy: "identity2"
#   sid: "Id2"
#   source: "policy_sets/identity2.json:1:38"
#   effect: "Deny"
caller_identity_1_0(r) := {
	"policy": "identity2",
	"sid": "Id2",
	"statement_index": 0,
	"effect": "Deny",
	"source": "policy_sets/identity2.json:1:38",
} if {
	r.action == "dynamodb:deletebackup"
	caller_identity_1_0_resource(r)
}

caller_identity_1_0_resource(r) if {
	regex.match(`^arn:aws:dynamodb:us-east-1:123456789012:table/Music/backup/.*$`, r.resource)
}

caller_boundary(r) := [x | x := caller_boundary_0_0(r)]

# METADATA
# title: "boundary statement 0"
# custom:
#   policy: "boundary"
#   sid: "B"
#   source: "policy_sets/boundary.json:1:38"
#   effect: "Allow"
caller_boundary_0_0(r) := {
	"policy": "boundary",
	"sid": "B",
	"statement_index": 0,
	"effect": "Allow",
	"source": "policy_sets/boundary.json:1:38",
} if {
	caller_boundary_0_0_action(r.action)
}

caller_boundary_0_0_action(a) if {
	a in {
		"dynamodb:createbackup",
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
	}
}

caller_boundary_0_0_action(a) if {
	not a in catalog.actions
	regex.match(`^dynamodb:describe.*$`, a)
}

caller_session(r) := [x | x := caller_session_0_0(r)]

# METADATA
# title: "session statement 0"
# custom:
#   policy: "session"
#   sid: "S"
#   source: "policy_sets/session.json:1:38"
#   effect: "Allow"
caller_session_0_0(r) := {
	"policy": "session",
	"sid": "S",
	"statement_index": 0,
	"effect": "Allow",
	"source": "policy_sets/session.json:1:38",
} if {
	caller_session_0_0_action(r.action)
	caller_session_0_0_resource(r)
}

caller_session_0_0_action(a) if {
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

caller_session_0_0_action(a) if {
	not a in catalog.actions
	regex.match(`^dynamodb:.*$`, a)
}

caller_session_0_0_resource(r) if {
	regex.match(`^arn:aws:dynamodb:us-east-1:123456789012:table/.*$`, r.resource)
}

caller_rbp(r) := [reason |
	some hits in [
		[x | x := caller_rbp_0_0(r)],
		[x | x := caller_rbp_0_1(r)],
	]
	some reason in hits
]

# METADATA
# title: "rbp statement 0"
# custom:
#   policy: "rbp"
#   sid: "Rbp"
#   source: "policy_sets/rbp.json:1:38"
#   effect: "Allow"
caller_rbp_0_0(r) := {
	"policy": "rbp",
	"sid": "Rbp",
	"statement_index": 0,
	"effect": "Allow",
	"source": "policy_sets/rbp.json:1:38",
} if {
	r.action == "dynamodb:restoretablefrombackup"
	match.principal_matches(
		{"AWS": ["arn:aws:iam::123456789012:user/alice", "arn:aws:iam::123456789012:role/R"]},
		r.principal,
	)
}

# METADATA
# title: "rbp statement 1"
# custom:
#   policy: "rbp"
#   sid: "RbpDeny"
#   source: "policy_sets/rbp.json:1:223"
#   effect: "Deny"
caller_rbp_0_1(r) := {
	"policy": "rbp",
	"sid": "RbpDeny",
	"statement_index": 1,
	"effect": "Deny",
	"source": "policy_sets/rbp.json:1:223",
} if {
	r.action == "dynamodb:deletebackup"
	not match.principal_matches({"AWS": ["arn:aws:iam::123456789012:root"]}, r.principal)
}

caller_scp0(r) := [x | x := caller_scp0_0_0(r)]

# METADATA
# title: "scp_root statement 0"
# custom:
#   policy: "scp_root"
#   sid: "Full"
#   source: "policy_sets/scp_root.json:1:38"
#   effect: "Allow"
caller_scp0_0_0(r) := {
	"policy": "scp_root",
	"sid": "Full",
	"statement_index": 0,
	"effect": "Allow",
	"source": "policy_sets/scp_root.json:1:38",
} if {
	is_string(r.action)
}

caller_scp1(r) := [reason |
	some hits in [
		[x | x := caller_scp1_0_0(r)],
		[x | x := caller_scp1_1_0(r)],
	]
	some reason in hits
]

# METADATA
# title: "scp_ou_a statement 0"
# custom:
#   policy: "scp_ou_a"
#   sid: "OuA"
#   source: "policy_sets/scp_ou_a.json:1:38"
#   effect: "Allow"
caller_scp1_0_0(r) := {
	"policy": "scp_ou_a",
	"sid": "OuA",
	"statement_index": 0,
	"effect": "Allow",
	"source": "policy_sets/scp_ou_a.json:1:38",
} if {
	caller_scp1_0_0_action(r.action)
}

caller_scp1_0_0_action(a) if {
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

caller_scp1_0_0_action(a) if {
	not a in catalog.actions
	regex.match(`^dynamodb:.*$`, a)
}

# METADATA
# title: "scp_ou_b statement 0"
# custom:
#   policy: "scp_ou_b"
#   sid: "OuB"
#   source: "policy_sets/scp_ou_b.json:1:38"
#   effect: "Deny"
caller_scp1_1_0(r) := {
	"policy": "scp_ou_b",
	"sid": "OuB",
	"statement_index": 0,
	"effect": "Deny",
	"source": "policy_sets/scp_ou_b.json:1:38",
} if {
	r.action == "dynamodb:deletetable"
}

caller_rcp0(r) := [x | x := caller_rcp0_0_0(r)]

# METADATA
# title: "rcp statement 0"
# custom:
#   policy: "rcp"
#   sid: "Rcp"
#   source: "policy_sets/rcp.json:1:38"
#   effect: "Deny"
caller_rcp0_0_0(r) := {
	"policy": "rcp",
	"sid": "Rcp",
	"statement_index": 0,
	"effect": "Deny",
	"source": "policy_sets/rcp.json:1:38",
} if {
	caller_rcp0_0_0_action(r.action)
	match.principal_matches("*", r.principal)
	conditions.holds(
		{
			"op": "StringNotEquals",
			"qualifier": "",
			"if_exists": false,
			"key": "aws:principalorgid",
			"values": ["o-123"],
			"vars": true,
		},
		r.context,
	)
}

caller_rcp0_0_0_action(a) if {
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

caller_rcp0_0_0_action(a) if {
	not a in catalog.actions
	regex.match(`^dynamodb:.*$`, a)
}

role_hits(r) := {
	"identity": role_identity(r),
	"boundary": role_boundary(r),
	"session": null,
	"scp": [],
	"rcp": [],
	"resource_policy": null,
	"principal": object.get(r, "principal", {}),
	"rbp_grants_directly": false,
}

role_identity(r) := [x | x := role_identity_0_0(r)]

# METADATA
# title: "role statement 0"
# custom:
#   policy: "role"
#   sid: "Role"
#   source: "policy_sets/role.json:1:38"
#   effect: "Allow"
role_identity_0_0(r) := {
	"policy": "role",
	"sid": "Role",
	"statement_index": 0,
	"effect": "Allow",
	"source": "policy_sets/role.json:1:38",
} if {
	r.action in {
		"dynamodb:listtagsofresource",
		"dynamodb:restoretablefromawsbackup",
		"dynamodb:startawsbackupjob",
	}
	role_identity_0_0_resource(r)
}

role_identity_0_0_resource(r) if regex.match(`^arn:aws:dynamodb:.*:.*:table/.*$`, r.resource)

role_boundary(r) := [x | x := role_boundary_0_0(r)]

# METADATA
# title: "role_boundary statement 0"
# custom:
#   policy: "role_boundary"
#   sid: "RoleB"
#   source: "policy_sets/role_boundary.json:1:38"
#   effect: "Allow"
role_boundary_0_0(r) := {
	"policy": "role_boundary",
	"sid": "RoleB",
	"statement_index": 0,
	"effect": "Allow",
	"source": "policy_sets/role_boundary.json:1:38",
} if {
	role_boundary_0_0_action(r.action)
}

role_boundary_0_0_action(a) if {
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

role_boundary_0_0_action(a) if {
	not a in catalog.actions
	regex.match(`^dynamodb:.*$`, a)
}
