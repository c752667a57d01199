# iam2rego gate - principals and their policy sets
# Links inline policies, attachments, boundaries and group memberships to the roles and users
# of the plan, and builds each principal's policy set for the generic evaluator.
package iam2rego.gate

by_name("aws_iam_role") := roles_by_name

by_name("aws_iam_user") := users_by_name

by_name("aws_iam_group") := groups_by_name

# owner(addr, attr, type): the live resource of `type` named by attribute `attr` (a name)
owner(addr, attr, type) := o if {
	n := known_string(addr, attr)
	owners := by_name(type)[n]
	count(owners) == 1
	some o in owners
} else := o if {
	not known_string(addr, attr)
	o := resolve_ref(addr, attr)
	live[o].type == type
}

# all live resources of `type` named by list attribute `attr` (names, or references when unknown)
owners_all(addr, attr, type) := {o |
	some n in after(addr)[attr]
	some o in by_name(type)[n]
}

owners_all(addr, attr, type) := {o |
	some r in references(addr, attr)
	o := ref_target(addr, r)
	live[o].type == type
} if {
	attr_unknown(addr, attr)
}

# ---- what a policy ARN attribute points at ----

policy_target(addr, attr) := t if {
	arn := known_string(addr, attr)
	t := target_for_arn(arn)
} else := {"kind": "doc", "id": p} if {
	p := resolve_ref(addr, attr)
	live[p].type == "aws_iam_policy"
} else := {
	"kind": "unresolved", "arn": null,
	"why": concat("", ["`", attr, "` is known only after apply and does not refer to a policy in this plan"]),
}

target_for_arn(arn) := {"kind": "doc", "id": p} if {
	ps := managed_in_plan[arn]
	count(ps) == 1
	some p in ps
} else := {"kind": "managed", "arn": arn} if {
	is_aws_managed_arn(arn)
	data.iam2rego.gate.managed.policies[arn]
} else := {"kind": "unknown_managed", "arn": arn, "why": "AWS managed policy not in the shipped data"} if {
	is_aws_managed_arn(arn)
} else := {"kind": "unresolved", "arn": arn, "why": "customer managed policy that is not part of this plan"}

# ---- edges: principal address -> {"slot": identity|boundary, "target": ..., "via": address} ----

inline_owner_types := {
	"aws_iam_role_policy": ["role", "aws_iam_role"],
	"aws_iam_user_policy": ["user", "aws_iam_user"],
	"aws_iam_group_policy": ["group", "aws_iam_group"],
}

attachment_types := {
	"aws_iam_role_policy_attachment": ["role", "aws_iam_role"],
	"aws_iam_user_policy_attachment": ["user", "aws_iam_user"],
	"aws_iam_group_policy_attachment": ["group", "aws_iam_group"],
}

multi_attachment_attrs := {"roles": "aws_iam_role", "users": "aws_iam_user", "groups": "aws_iam_group"}

edges[o] contains {"slot": "identity", "target": {"kind": "doc", "id": addr}, "via": addr} if {
	some t, spec in inline_owner_types
	some addr in live_of_type(t)
	o := owner(addr, spec[0], spec[1])
}

edges[role] contains {"slot": "identity", "target": {"kind": "doc", "id": id}, "via": role} if {
	some id, d in documents
	d.kind == "inline"
	live[d.address].type == "aws_iam_role"
	role := d.address
}

edges[o] contains {"slot": "identity", "target": policy_target(addr, "policy_arn"), "via": addr} if {
	some t, spec in attachment_types
	some addr in live_of_type(t)
	o := owner(addr, spec[0], spec[1])
}

edges[o] contains {"slot": "identity", "target": policy_target(addr, "policy_arn"), "via": addr} if {
	some addr in live_of_type("aws_iam_policy_attachment")
	some attr, type in multi_attachment_attrs
	some o in owners_all(addr, attr, type)
}

edges[role] contains {"slot": "identity", "target": target_for_arn(arn), "via": role} if {
	some role in live_of_type("aws_iam_role")
	some arn in after(role).managed_policy_arns
}

edges[p] contains {"slot": "boundary", "target": policy_target(p, "permissions_boundary"), "via": p} if {
	some t in {"aws_iam_role", "aws_iam_user"}
	some p in live_of_type(t)
	has_boundary(p)
}

has_boundary(p) if {
	is_string(after(p).permissions_boundary)
	after(p).permissions_boundary != ""
}

has_boundary(p) if attr_unknown(p, "permissions_boundary")

# attachments and inline policies whose owner cannot be determined
orphans contains {"via": addr, "why": concat("", ["cannot tell which ", spec[0], " `", spec[0], "` refers to"])} if {
	some t, spec in object.union(inline_owner_types, attachment_types)
	some addr in live_of_type(t)
	not owner(addr, spec[0], spec[1])
	not known_string(addr, spec[0])
}

# policies attached to an IAM principal that this plan does not manage
external_owners contains {"via": addr, "kind": spec[0], "name": n} if {
	some t, spec in object.union(inline_owner_types, attachment_types)
	some addr in live_of_type(t)
	n := known_string(addr, spec[0])
	not by_name(spec[1])[n]
}

# ---- group membership ----

user_groups[u] contains g if {
	some addr in live_of_type("aws_iam_user_group_membership")
	u := owner(addr, "user", "aws_iam_user")
	some g in owners_all(addr, "groups", "aws_iam_group")
}

user_groups[u] contains g if {
	some addr in live_of_type("aws_iam_group_membership")
	g := owner(addr, "group", "aws_iam_group")
	some u in owners_all(addr, "users", "aws_iam_user")
}

# ---- principals ----

principal_types := {"aws_iam_role": "role", "aws_iam_user": "user"}

principals[addr] := {
	"address": addr,
	"type": kind,
	"name": object.get(after(addr), "name", addr),
	"arn": iam_arn(addr, kind),
	"tags": tags_of(addr),
} if {
	some t, kind in principal_types
	some addr in live_of_type(t)
}

tags_of(addr) := t if {
	t := after(addr).tags
	is_object(t)
} else := {}

principal_edges(p) := edges[p] if principals[p].type == "role"

principal_edges(p) := object.get(edges, p, set()) | {e |
	some g in object.get(user_groups, p, set())
	some e in edges[g]
	e.slot == "identity"
} if {
	principals[p].type == "user"
}

principal_edges(p) := set() if {
	principals[p].type == "role"
	not edges[p]
}

entry_for(target) := {"name": target.id, "document": doc_of(target.id), "source": target.id} if {
	target.kind == "doc"
	readable(target.id)
}

entry_for(target) := {"name": target.arn, "document": managed_document(target.arn), "source": target.arn} if {
	target.kind == "managed"
}

managed_document(arn) := data.iam2rego.gate.managed.policies[arn].document

# unreadable(target): why the target's policy cannot be used (undefined when it can)
unreadable(target) := documents[target.id].problem if {
	target.kind == "doc"
	not readable(target.id)
}

unreadable(target) := target.why if target.kind in {"unresolved", "unknown_managed"}

policy_set(p) := {
	"identity": [e | some edge in principal_edges(p); edge.slot == "identity"; e := entry_for(edge.target)],
	"boundary": boundary_entries(p),
	"session": null,
	"scp": scp_levels,
	"rcp": [],
	"resource_policy": null,
}

# the permissions boundary entry; null when there is none or it cannot be read (reported separately)
boundary_entries(p) := e if {
	some edge in principal_edges(p)
	edge.slot == "boundary"
	e := entry_for(edge.target)
} else := null

# ---- SCPs: one organisation level with the default FullAWSAccess plus the SCPs in scope ----

full_aws_access := {
	"name": "FullAWSAccess",
	"document": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]},
	"source": "implicit FullAWSAccess SCP",
}

scp_attachments[id] contains addr if {
	some addr in live_of_type("aws_organizations_policy_attachment")
	id := scp_attachment_target(addr)
}

scp_attachment_target(addr) := id if {
	pid := known_string(addr, "policy_id")
	some id in live_of_type("aws_organizations_policy")
	known_string(id, "id") == pid
} else := resolve_ref(addr, "policy_id")

scps_in_scope contains id if {
	some id, d in documents
	d.kind == "scp"
	scp_in_scope(id)
}

scp_in_scope(_) if scp_scope == "all"

scp_in_scope(id) if scp_attachments[id]

scp_levels := [] if count(scps_in_scope) == 0

scp_levels := [array.concat([full_aws_access], [e |
	some id in sort(scps_in_scope)
	e := entry_for({"kind": "doc", "id": id})
])] if {
	count(scps_in_scope) > 0
}

# ---- table resource-based policies (by table ARN) ----

table_rbp[arn] := id if {
	some id, d in documents
	d.kind == "table_rbp"
	arn := rbp_table_arn(id)
}

rbp_table_arn(addr) := known_string(addr, "resource_arn")

rbp_table_arn(addr) := table_arn(t) if {
	not known_string(addr, "resource_arn")
	t := resolve_ref(addr, "resource_arn")
	live[t].type == "aws_dynamodb_table"
}
