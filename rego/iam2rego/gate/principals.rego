# iam2rego gate - principals and their policy sets
# Links inline policies, attachments, boundaries and group memberships to the roles and users
# of the plan, and builds each principal's policy set for the generic evaluator.
package iam2rego.gate

import data.iam2rego.match
import data.iam2rego.policydoc

_by_name("aws_iam_role") := _roles_by_name

_by_name("aws_iam_user") := _users_by_name

_by_name("aws_iam_group") := _groups_by_name

# owner(addr, attr, type): the live resource of `type` named by attribute `attr` (a name)
_owner(addr, attr, type) := o if {
	n := _known_string(addr, attr)
	owners := _by_name(type)[n]
	count(owners) == 1
	some o in owners
} else := o if {
	not _known_string(addr, attr)
	o := _resolve_ref(addr, attr)
	_live[o].type == type
}

# all live resources of `type` named by list attribute `attr` (names, or references when unknown)
_owners_all(addr, attr, type) := {o |
	some n in after(addr)[attr]
	some o in _by_name(type)[n]
}

_owners_all(addr, attr, type) := {it.address |
	some it in resolve_items(addr, attr)
	it.kind == "resource"
	_live[it.address].type == type
} if {
	_attr_unknown(addr, attr)
}

# ---- what a policy ARN attribute points at ----

_policy_target(addr, attr) := t if {
	arn := _known_string(addr, attr)
	t := _target_for_arn(arn)
} else := _resolved_policy_target(addr, attr, resolve(addr, attr))

# a resolve() object (or one item of resolve_items) of a policy ARN attribute -> edge target
_resolved_policy_target(addr, attr, r) := _target_for_arn(r.value) if {
	r.kind == "value"
	is_string(r.value)
} else := {"kind": "doc", "id": r.address} if {
	r.kind == "resource"
	_is_policy_ref(r)
} else := {"kind": "unresolved", "arn": null, "attr": attr, "why": concat("", [
	"`", attr, "` of ", addr, " is known only after apply; it ", resolve_words(r),
	", which is not an IAM policy of this plan",
])} if {
	r.kind == "resource"
} else := {"kind": "unresolved", "arn": null, "attr": attr, "why": r.why} if {
	r.kind == "unknown"
} else := {"kind": "unresolved", "arn": null, "attr": attr, "why": why} if {
	why := concat("", ["`", attr, "` of ", addr, " is not a policy ARN (", json.marshal(r.value), ")"])
}

# aws_iam_policy's `arn` and `id` are both the policy's ARN
_is_policy_ref(r) if {
	_live[r.address].type == "aws_iam_policy"
	r.attr in {"arn", "id", null}
}

_target_for_arn(arn) := {"kind": "doc", "id": p} if {
	ps := _managed_in_plan[arn]
	count(ps) == 1
	some p in ps
} else := {"kind": "managed", "arn": arn} if {
	_is_aws_managed_arn(arn)
	data.iam2rego.gate.managed.policies[arn]
} else := {"kind": "unknown_managed", "arn": arn, "why": "AWS managed policy not in the shipped data"} if {
	_is_aws_managed_arn(arn)
} else := {"kind": "unresolved", "arn": arn, "why": "customer managed policy that is not part of this plan"}

# ---- edges: principal address -> {"slot": identity|boundary, "target": ..., "via": address} ----

_inline_owner_types := {
	"aws_iam_role_policy": ["role", "aws_iam_role"],
	"aws_iam_user_policy": ["user", "aws_iam_user"],
	"aws_iam_group_policy": ["group", "aws_iam_group"],
}

_attachment_types := {
	"aws_iam_role_policy_attachment": ["role", "aws_iam_role"],
	"aws_iam_user_policy_attachment": ["user", "aws_iam_user"],
	"aws_iam_group_policy_attachment": ["group", "aws_iam_group"],
}

_multi_attachment_attrs := {"roles": "aws_iam_role", "users": "aws_iam_user", "groups": "aws_iam_group"}

_edges[o] contains {"slot": "identity", "target": {"kind": "doc", "id": addr}, "via": addr} if {
	some t, spec in _inline_owner_types
	some addr in _live_of_type(t)
	o := _owner(addr, spec[0], spec[1])
}

_edges[role] contains {"slot": "identity", "target": {"kind": "doc", "id": id}, "via": role} if {
	some id, d in documents
	d.kind == "inline"
	_live[d.address].type == "aws_iam_role"
	role := d.address
}

_edges[o] contains {"slot": "identity", "target": _policy_target(addr, "policy_arn"), "via": addr} if {
	some t, spec in _attachment_types
	some addr in _live_of_type(t)
	o := _owner(addr, spec[0], spec[1])
}

_edges[o] contains {"slot": "identity", "target": _policy_target(addr, "policy_arn"), "via": addr} if {
	some addr in _live_of_type("aws_iam_policy_attachment")
	some attr, type in _multi_attachment_attrs
	some o in _owners_all(addr, attr, type)
}

# managed_policy_arns: each element, resolved like terraform (an element the plan cannot show is an
# unresolved target: the role's answers are unverifiable)
_edges[role] contains {"slot": "identity", "target": t, "via": role} if {
	some role in _live_of_type("aws_iam_role")
	some it in resolve_items(role, "managed_policy_arns")
	t := _resolved_policy_target(role, "managed_policy_arns", it)
}

_edges[p] contains {"slot": "boundary", "target": _policy_target(p, "permissions_boundary"), "via": p} if {
	some t in {"aws_iam_role", "aws_iam_user"}
	some p in _live_of_type(t)
	_has_boundary(p)
}

_has_boundary(p) if {
	is_string(after(p).permissions_boundary)
	after(p).permissions_boundary != ""
}

_has_boundary(p) if _attr_unknown(p, "permissions_boundary")

# attachments and inline policies whose owner cannot be determined
_orphans contains {"via": addr, "why": concat("", ["cannot tell which ", spec[0], " `", spec[0], "` refers to"])} if {
	some t, spec in object.union(_inline_owner_types, _attachment_types)
	some addr in _live_of_type(t)
	not _owner(addr, spec[0], spec[1])
	not _known_string(addr, spec[0])
}

# a table resource policy whose table cannot be resolved may apply to any table: reported, never dropped
_orphans contains {"via": id, "why": concat("", [
	"the table of this resource policy cannot be determined: ",
	_rbp_unresolved_words(id, resolve(id, "resource_arn")),
])} if {
	some id, d in documents
	d.kind == "table_rbp"
	not _rbp_table_arn(id)
}

_rbp_unresolved_words(_, r) := r.why if r.kind == "unknown"

_rbp_unresolved_words(id, r) := concat("", [
	"`resource_arn` of ", id, " ", resolve_words(r),
	", which is not a table of this plan",
]) if {
	r.kind == "resource"
}

_rbp_unresolved_words(id, r) := concat("", ["`resource_arn` of ", id, " is ", json.marshal(r.value)]) if {
	r.kind == "value"
}

# policies attached to an IAM principal that this plan does not manage
_external_owners contains {"via": addr, "kind": spec[0], "name": n} if {
	some t, spec in object.union(_inline_owner_types, _attachment_types)
	some addr in _live_of_type(t)
	n := _known_string(addr, spec[0])
	not _by_name(spec[1])[n]
}

# ---- group membership ----

_user_groups[u] contains g if {
	some addr in _live_of_type("aws_iam_user_group_membership")
	u := _owner(addr, "user", "aws_iam_user")
	some g in _owners_all(addr, "groups", "aws_iam_group")
}

_user_groups[u] contains g if {
	some addr in _live_of_type("aws_iam_group_membership")
	g := _owner(addr, "group", "aws_iam_group")
	some u in _owners_all(addr, "users", "aws_iam_user")
}

# ---- principals ----

_principal_types := {"aws_iam_role": "role", "aws_iam_user": "user"}

# principals[addr]: the shape of docs/ARCHITECTURE.md §8. The name (and so the ARN) is null when the
# plan does not know it (name_prefix, or no name at all): guardrails then select the principal by
# address and type, and by `names:` globs as "name unknown" (selectors.rego). Tags known only after
# apply, and session tags a trust policy lets a caller set, are open aws:PrincipalTag/* keys
# (SEMANTICS §13.3, _principal_fixed_keys).
principals[addr] := {
	"address": addr,
	"type": kind,
	"name": _principal_name(addr),
	"name_known": _principal_name(addr) != null,
	"name_prefix": _name_prefix(addr),
	"arn": _principal_arn(addr, kind),
	"path": _principal_path(addr),
	"tags": _tags_of(addr),
	"tags_known": _tags_known(addr),
	"tags_unknown_keys": _tags_unknown_keys(addr),
	"session_tags": _session_tags(addr, kind),
	"trust": _trust_status(addr, kind),
	"created": _created(addr),
} if {
	some t, kind in _principal_types
	some addr in _live_of_type(t)
}

_principal_name(addr) := n if {
	not _attr_unknown(addr, "name")
	n := _known_string(addr, "name")
	n != ""
} else := null

_name_prefix(addr) := p if {
	p := _known_string(addr, "name_prefix")
	not _attr_unknown(addr, "name_prefix")
} else := null

# the IAM path; null when it is known only after apply (then the ARN is not known either)
_principal_path(addr) := null if _attr_unknown(addr, "path")

_principal_path(addr) := _path_of(addr) if not _attr_unknown(addr, "path")

_principal_arn(addr, kind) := a if {
	not _attr_unknown(addr, "arn")
	a := _known_string(addr, "arn")
} else := a if {
	n := _principal_name(addr)
	n != null
	path := _principal_path(addr)
	path != null
	a := concat("", ["arn:aws:iam::", _account_id, ":", kind, path, n])
} else := null

default _created(_) := false

_created(addr) if "create" in _live[addr].change.actions

# ---- tags: known ones are the request's aws:PrincipalTag/*, unknown ones are open ----

# tags_all = tags + the provider's default_tags; read `tags`, and `tags_all` when it is known
_tags_of(addr) := t if {
	not _attr_unknown(addr, "tags_all")
	t := after(addr).tags_all
	is_object(t)
} else := t if {
	# tags_all is computed at apply from constant default_tags and the resource's own tags
	d := _default_tags_constant(addr)
	t := object.union(d, _own_tags(addr))
} else := t if {
	t := after(addr).tags
	is_object(t)
} else := {}

# tag keys known only after apply (after_unknown.tags = {"team": true})
_tags_unknown_keys(addr) := sort([k | some k in object.keys(u); u[k] == true]) if {
	u := _unknown_of(addr).tags
	is_object(u)
} else := []

default _tags_known(_) := false

_tags_known(addr) if {
	not _attr_unknown(addr, "tags")
	count(_tags_unknown_keys(addr)) == 0
	_tags_all_known(addr)
}

# tags_all is known, or there are no default_tags that could add keys to it
_tags_all_known(addr) if not _attr_unknown(addr, "tags_all")

_tags_all_known(addr) if {
	_attr_unknown(addr, "tags_all")
	not _has_default_tags(addr)
}

_tags_all_known(addr) if _default_tags_constant(addr)

_own_tags(addr) := t if {
	t := after(addr).tags
	is_object(t)
} else := {}

# the provider's default_tags when the plan's configuration holds them as a constant map
_default_tags_constant(addr) := t if {
	_attr_unknown(addr, "tags_all")
	key := object.get(_config_of(addr), "provider_config_key", "aws")
	blocks := input.configuration.provider_config[key].expressions.default_tags
	count(blocks) == 1
	t := blocks[0].tags.constant_value
	is_object(t)
}

_has_default_tags(addr) if {
	key := object.get(_config_of(addr), "provider_config_key", "aws")
	input.configuration.provider_config[key].expressions.default_tags
}

_has_default_tags(addr) if not _config_of(addr)

# ---- session tags: what the trust policy lets a caller set (SEMANTICS §13.3) ----

# "none": no session can carry tags (a user; a role whose trust policy allows no sts:TagSession);
# "open": a caller may tag the session (the trust policy allows sts:TagSession);
# "unknown": the trust policy is known only after apply or cannot be read
_session_tags(_, "user") := "none"

_session_tags(addr, "role") := "unknown" if _trust_status(addr, "role") != "ok"

_session_tags(addr, "role") := "open" if {
	_trust_status(addr, "role") == "ok"
	_allows_tag_session(_trust_document(addr))
}

_session_tags(addr, "role") := "none" if {
	_trust_status(addr, "role") == "ok"
	not _allows_tag_session(_trust_document(addr))
}

# "ok" | "unknown" (known only after apply) | "malformed" | null (a user has no trust policy)
_trust_status(_, "user") := null

_trust_status(addr, "role") := "unknown" if _attr_unknown(addr, "assume_role_policy")

_trust_status(addr, "role") := "ok" if {
	not _attr_unknown(addr, "assume_role_policy")
	_trust_document(addr)
}

_trust_status(addr, "role") := "malformed" if {
	not _attr_unknown(addr, "assume_role_policy")
	not _trust_document(addr)
}

_trust_document(addr) := d if {
	text := _known_string(addr, "assume_role_policy")
	json.is_valid(text)
	d := json.unmarshal(text)
	is_object(d)
	every st in policydoc.statements(d) {
		is_object(st)
	}
}

# an Allow statement that can grant sts:TagSession (its conditions, and Deny statements, are not
# read: a caller that satisfies them tags the session, so ignoring them keeps the keys open = sound)
_allows_tag_session(doc) if {
	some st in policydoc.statements(doc)
	st.Effect == "Allow"
	some a in policydoc.as_list(object.get(st, "Action", []))
	is_string(a)
	match.action_matches(a, "sts:tagsession")
}

_allows_tag_session(doc) if {
	some st in policydoc.statements(doc)
	st.Effect == "Allow"
	not_action := st.NotAction
	not _lists_tag_session(not_action)
}

_lists_tag_session(not_action) if {
	some a in policydoc.as_list(not_action)
	is_string(a)
	match.action_matches(a, "sts:tagsession")
}

# The aws:PrincipalTag/* keys the principal fixes in the analysis (every other one is open): all of
# them (absent unless the principal has the tag) when its tags are known and no session can carry
# tags; otherwise only the known tags no session can override (none when sessions can be tagged).
_principal_fixed_keys(p) := ["aws:principaltag/*"] if _all_tags_fixed(p)

_principal_fixed_keys(p) := [] if not _all_tags_fixed(p)

_all_tags_fixed(p) if {
	p.tags_known
	p.session_tags == "none"
}

# the aws:PrincipalTag/* context of the principal: its tags when a session cannot override them
_principal_tag_context(p) := {k: v |
	some tk, v in p.tags
	not tk in p.tags_unknown_keys
	k := concat("", ["aws:PrincipalTag/", tk])
} if {
	p.session_tags == "none"
}

_principal_tag_context(p) := {} if p.session_tags != "none"

# METADATA
# description: |
#   How the analysis sees one principal (the gate's rules, for `iam2rego access` on a plan): the ARN
#   it is evaluated under, the aws:PrincipalTag/* keys it fixes, the tags its requests carry.
principal_view(p) := {
	"request_arn": _eval_arn(p),
	"fixed_tags": _fixed_keys(p),
	"tag_context": _principal_tag_context(p),
}

_principal_edges(p) := _edges[p] if principals[p].type == "role"

_principal_edges(p) := object.get(_edges, p, set()) | {e |
	some g in object.get(_user_groups, p, set())
	some e in _edges[g]
	e.slot == "identity"
} if {
	principals[p].type == "user"
}

_principal_edges(p) := set() if {
	principals[p].type == "role"
	not _edges[p]
}

_entry_for(target) := {"name": target.id, "document": _doc_of(target.id), "source": target.id} if {
	target.kind == "doc"
	readable(target.id)
}

_entry_for(target) := {"name": target.arn, "document": _managed_document(target.arn), "source": target.arn} if {
	target.kind == "managed"
}

_managed_document(arn) := data.iam2rego.gate.managed.policies[arn].document

# unreadable(target): why the target's policy cannot be used (undefined when it can)
_unreadable(target) := documents[target.id].problem if {
	target.kind == "doc"
	not readable(target.id)
}

_unreadable(target) := target.why if target.kind in {"unresolved", "unknown_managed"}

_policy_set(p) := {
	# sort: a set's iteration order is the engine's (OPA: value order; Wasm: hash order), and the first
	# reason of a decision names the statement a finding points at
	"identity": [e | some edge in sort(_principal_edges(p)); edge.slot == "identity"; e := _set_entry(edge)],
	"boundary": _boundary_entries(p),
	"session": null,
	"scp": scp_levels(p).certain,
	"rcp": rcp_levels(p).certain,
	"resource_policy": null,
	# SCP/RCP levels that may apply (organization.rego): the analysis answers with and without them
	"maybe": {
		"scp": scp_levels(p).maybe, "rcp": rcp_levels(p).maybe,
		"why": array.concat(scp_levels(p).why, rcp_levels(p).why),
	},
}

# the permissions boundary entry; null when there is none
_boundary_entries(p) := e if {
	some edge in _principal_edges(p)
	edge.slot == "boundary"
	e := _set_entry(edge)
} else := null

# A policy of the set that cannot be read (unresolved, unknown until apply, malformed, an AWS managed
# policy not shipped) stays in the set with no document: the generic evaluator then refuses every
# request of the principal (unreadable_policy), so its answers are unverifiable instead of being
# decided without that policy (without its boundary, its Deny statements or its grants).
_set_entry(edge) := _entry_for(edge.target) if not _unreadable(edge.target)

_set_entry(edge) := {"name": n, "document": null, "source": n} if {
	_unreadable(edge.target)
	n := _unreadable_name(edge)
}

_unreadable_name(edge) := edge.target.id if edge.target.kind == "doc"

_unreadable_name(edge) := edge.target.arn if edge.target.kind == "unknown_managed"

_unreadable_name(edge) := concat("", ["`", object.get(edge.target, "attr", edge.slot), "` of ", edge.via]) if {
	edge.target.kind == "unresolved"
}

# ---- table resource-based policies (by table ARN) ----

table_rbp[arn] := id if {
	some id, d in documents
	d.kind == "table_rbp"
	arn := _rbp_table_arn(id)
}

_rbp_table_arn(addr) := _known_string(addr, "resource_arn")

_rbp_table_arn(addr) := _table_arn(r.address) if {
	not _known_string(addr, "resource_arn")
	r := resolve(addr, "resource_arn")
	r.kind == "resource"
	_live[r.address].type == "aws_dynamodb_table"
}
