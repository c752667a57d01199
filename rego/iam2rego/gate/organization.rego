# iam2rego gate - the organisation around the plan's account: where each SCP and RCP applies
# (SEMANTICS §13.1, ARCHITECTURE §8). The OU tree comes from the plan (aws_organizations_organization,
# _organizational_unit, _account: `parent_id`, by known id or by reference) and from the guardrail
# file's `organization:` block (the account's path from the root, the management account, SCPs and
# RCPs attached outside the plan). A policy applies only where its target provably contains the
# account; what the plan cannot tell is `unknown`, and the analysis then answers for both worlds
# (evaluate.rego): an answer the unknown can change is unverifiable, naming the attachment.
package iam2rego.gate

default _org_cfg := {}

_org_cfg := o if {
	o := _cfg.organization
	is_object(o)
}

_full_aws_access := {
	"name": "FullAWSAccess",
	"document": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]},
	"source": "FullAWSAccess (AWS managed SCP)",
}

_rcp_full_aws_access := {
	"name": "RCPFullAWSAccess",
	"document": {"Version": "2012-10-17", "Statement": [{
		"Effect": "Allow", "Principal": "*", "Action": "*",
		"Resource": "*",
	}]},
	"source": "RCPFullAWSAccess (AWS managed RCP)",
}

_org_types := {"aws_organizations_organization", "aws_organizations_organizational_unit", "aws_organizations_account"}

# ---- nodes: a known id (r-..., ou-..., an account id) or, for a plan resource whose id is unknown,
# its address. The organisation resource stands for its root.

_org_node_of(addr) := r if {
	_live[addr].type == "aws_organizations_organization"
	r := after(addr).roots[0].id
	is_string(r)
} else := id if {
	_live[addr].type != "aws_organizations_organization"
	id := _known_string(addr, "id")
	id != ""
} else := addr if _live[addr].type in _org_types

# the node `attr` of `addr` names: a known id, or the organisation resource a reference names
_org_ref_node(addr, attr) := n if {
	n := _known_string(addr, attr)
	n != ""
} else := _org_node_of(t) if {
	t := _resolve_ref(addr, attr)
	_live[t].type in _org_types
}

_is_root_node(n) if startswith(n, "r-")

_is_root_node(n) if _live[n].type == "aws_organizations_organization"

# parent edges of the plan: OU and account -> parent node
_org_plan_parent[n] := p if {
	some t in {"aws_organizations_organizational_unit", "aws_organizations_account"}
	some addr in _live_of_type(t)
	n := _org_node_of(addr)
	p := _org_ref_node(addr, "parent_id")
}

_org_up(n) := object.get(_org_plan_parent, n, null) if n != null

_org_up(null) := null

# the account's ancestors in the plan, its parent first (AWS nests OUs at most five deep under the root)
_org_plan_chain := [n | some n in raw; n != null] if {
	a1 := _org_up(_account_id)
	a2 := _org_up(a1)
	a3 := _org_up(a2)
	a4 := _org_up(a3)
	a5 := _org_up(a4)
	a6 := _org_up(a5)
	a7 := _org_up(a6)
	raw := [a1, a2, a3, a4, a5, a6, a7]
}

default _org_block_path := []

_org_block_path := p if {
	p := _org_cfg.path
	is_array(p)
}

_org_path_source := "plan" if {
	count(_org_plan_chain) > 0
	not _org_plan_top_in_block
}

_org_path_source := "plan and guardrails" if _org_plan_top_in_block

_org_path_source := "guardrails" if {
	count(_org_plan_chain) == 0
	count(_org_block_path) > 0
}

_org_plan_top_in_block if {
	top := _org_plan_chain[count(_org_plan_chain) - 1]
	top in _org_block_path
}

# path: root first, the account's parent last (possibly without its top when the plan does not show it)
_org_path := array.reverse(_org_plan_chain) if {
	count(_org_plan_chain) > 0
	not _org_plan_top_in_block
} else := array.concat(array.slice(_org_block_path, 0, i), array.reverse(_org_plan_chain)) if {
	_org_plan_top_in_block
	top := _org_plan_chain[count(_org_plan_chain) - 1]
	some i, n in _org_block_path
	n == top
} else := _org_block_path

_org_path_nodes := {n | some n in _org_path}

_org_path_complete if _is_root_node(_org_path[0])

_org_root := _org_path[0] if _org_path_complete

_org_root := r if {
	not _org_path_complete
	roots := {_org_node_of(a) | some a in _live_of_type("aws_organizations_organization")}
	count(roots) == 1
	some r in roots
	startswith(r, "r-")
}

# ---- the management account: SCPs and RCPs do not affect it ----

_org_management := m if {
	m := _org_cfg.management_account
	_twelve_digits(m)
} else := m if {
	ms := {m |
		some a in _live_of_type("aws_organizations_organization")
		m := _known_string(a, "master_account_id")
		_twelve_digits(m)
	}
	count(ms) == 1
	some m in ms
} else := _account_id if {
	# the account that creates the organisation becomes its management account
	some a in _live_of_type("aws_organizations_organization")
	"create" in _live[a].change.actions
}

_org_is_management := "unknown" if not _org_management

_org_is_management if _org_management == _account_id

_org_is_management := false if {
	_org_management
	_org_management != _account_id
}

# ---- does a target (node) contain the account: true, false or "unknown" ----

_org_contains(t) if _org_in(t)

_org_contains(t) := false if {
	not _org_in(t)
	_org_out(t)
}

_org_contains(t) := "unknown" if {
	not _org_in(t)
	not _org_out(t)
}

_org_in(t) if t == _account_id

_org_in(t) if t in _org_path_nodes

# an organisation has one root: the plan manages the policies of the organisation its account is in
_org_in(t) if {
	_is_root_node(t)
	not _org_root
}

_org_in(t) if {
	_is_root_node(t)
	t == _org_root
}

_org_out(t) if {
	_twelve_digits(t)
	t != _account_id
}

_org_out(t) if {
	_is_root_node(t)
	_org_root
	t != _org_root
}

_org_out(t) if {
	_org_path_complete
	not t in _org_path_nodes
	t != _account_id
}

_org_contains_why(_, true) := "its target holds the account"

_org_contains_why(t, false) := concat("", ["its target ", t, " does not hold account ", _account_id])

_org_contains_why(t, "unknown") := concat("", [
	"the plan does not show whether ", t, " holds account ", _account_id,
	" (give the account's OU path as organization.path in the guardrails file)",
])

# ---- attachments: the plan's and the guardrail file's ----

_org_kind_of(id) := documents[id].kind if documents[id].kind in {"scp", "rcp"}

_org_plan_attachments contains a if {
	some addr in _live_of_type("aws_organizations_policy_attachment")
	id := _scp_attachment_target(addr)
	kind := _org_kind_of(id)
	a := _org_attachment(addr, id, kind, _attachment_target(addr), _org_entry(id))
}

# An attachment of a policy the plan does not hold (a literal id, or a reference it cannot follow):
# its type and content are unknown. Where it may apply it only MAY apply, as a level of its own with
# no document: the answers it could change are unverifiable. FullAWSAccess (p-FullAWSAccess) is the
# default of every level; a TAG_POLICY or other non-authorization policy of the plan is no attachment here.
_org_plan_attachments contains a if {
	some addr in _live_of_type("aws_organizations_policy_attachment")
	not _scp_attachment_target(addr)
	name := _org_external_name(addr)
	name != "p-FullAWSAccess"
	t := _attachment_target(addr)
	c := _org_external_applies(t)
	a := {
		"policy": name, "address": addr, "kind": "scp", "target": t, "applies": c, "external": true,
		"why": _org_external_why(name, t, c),
		"entry": {"name": name, "document": null, "source": addr},
	}
}

_org_external_name(addr) := _known_string(addr, "policy_id")

_org_external_name(addr) := "(a policy_id known only after apply)" if not _known_string(addr, "policy_id")

_org_external_applies(null) := "unknown"

_org_external_applies(t) := false if {
	t != null
	_org_contains(t) == false
}

_org_external_applies(t) := "unknown" if {
	t != null
	_org_contains(t) != false
}

_org_external_why(_, t, false) := _org_contains_why(t, false)

_org_external_why(name, _, "unknown") := concat("", [
	"policy ", name,
	" is not in this plan: its type and content are unknown",
])

_scp_attachment_target(addr) := id if {
	pid := _known_string(addr, "policy_id")
	some id in _live_of_type("aws_organizations_policy")
	_known_string(id, "id") == pid
} else := _resolve_ref(addr, "policy_id")

_org_entry(id) := _entry_for({"kind": "doc", "id": id}) if readable(id)

_org_entry(id) := {"name": id, "document": null, "source": id} if not readable(id)

_attachment_target(addr) := _org_ref_node(addr, "target_id")

_attachment_target(addr) := null if not _org_ref_node(addr, "target_id")

_org_attachment(addr, id, kind, null, e) := {
	"policy": id, "address": addr, "kind": kind, "target": null, "applies": "unknown",
	"why": "`target_id` is known only after apply and does not refer to an organisation resource of this plan",
	"entry": e,
}

_org_attachment(addr, id, kind, t, e) := {
	"policy": id, "address": addr, "kind": kind, "target": t, "applies": c,
	"why": _org_contains_why(t, c), "entry": e,
} if {
	t != null
	c := _org_contains(t)
}

# organization.scps / .rcps: {target: [entry, ...]}; iam2rego gate has put each file's document inline
_org_block_kinds := {"scps": "scp", "rcps": "rcp"}

_org_block_attachments contains a if {
	some key, kind in _org_block_kinds
	some t, entries in object.get(_org_cfg, key, {})
	some i, raw in entries
	e := _org_block_entry(raw, concat("", ["organization.", key, ".", t, "[", format_int(i, 10), "]"]))
	c := _org_contains(t)
	a := {
		"policy": e.name, "address": null, "kind": kind, "target": t, "applies": c,
		"why": _org_contains_why(t, c), "entry": e,
	}
}

# an entry: {"name", "document" (object or JSON text), "source"?}, or `describe-policy` output
_org_block_entry(raw, where) := {
	"name": object.get(raw, "name", where),
	"document": raw.document,
	"source": object.get(raw, "source", where),
} if {
	is_object(raw)
	"document" in object.keys(raw)
}

_org_block_entry(raw, where) := {
	"name": object.get(object.get(raw.Policy, "PolicySummary", {}), "Name", where),
	"document": raw.Policy.Content,
	"source": object.get(raw, "source", where),
} if {
	is_object(raw)
	is_string(raw.Policy.Content)
}

_org_attachments := _org_plan_attachments | _org_block_attachments

# ---- levels: one per node of the path (root first) and the account itself ----

_org_levels := array.concat(_org_path, [_account_id])

_org_detached := {t | some t in object.get(_org_cfg, "without_full_aws_access", [])}

_org_default(kind, t) := [] if {
	kind == "scp"
	t in _org_detached
}

_org_default("scp", t) := [_full_aws_access] if not t in _org_detached

_org_default("rcp", _) := [_rcp_full_aws_access]

_org_level(kind, t) := array.concat(_org_default(kind, t), [a.entry |
	some a in _org_sorted_attachments
	a.kind == kind
	a.target == t
	not a.external
])

_org_sorted_attachments := sort([a | some a in _org_attachments])

_org_has(kind) if {
	some a in _org_attachments
	a.kind == kind
	a.applies != false
}

# the levels that provably apply to the account, and those that may (targets of unknown membership)
_org_certain(kind) := [x | some t in _org_levels; x := _org_level(kind, t)] if _org_has(kind)

_org_certain(kind) := [] if not _org_has(kind)

# (the head bound in the body: regopy 1.5.2 yields [] for a head naming an argument the body does not)
_org_maybe(kind) := [x | some t in targets; x := _org_level(kind, t)] if {
	targets := sort({a.target |
		some a in _org_attachments
		a.kind == kind
		a.applies == "unknown"
		a.target != null
		not a.external
	})
}

# an attachment whose target is unknown, or whose policy the plan does not hold: its own level
_org_maybe_untargeted(kind) := [[a.entry] |
	some a in _org_sorted_attachments
	a.kind == kind
	a.applies == "unknown"
	_org_alone(a)
]

_org_alone(a) if a.target == null

_org_alone(a) if a.external

_org_all_maybe(kind) := array.concat(_org_maybe(kind), _org_maybe_untargeted(kind))

_is_service_linked(addr) if startswith(_path_of(addr), "/aws-service-role/")

_org_none := {"certain": [], "maybe": [], "why": []}

# the account's SCP and RCP levels (SEMANTICS §5.2), computed once: {"certain": levels that provably
# apply, "maybe": levels that may (unknown membership or management account), "why": [words]}
_org_sets := {"scp": _org_none, "rcp": _org_none} if _org_is_management == true

_org_sets := {
	"scp": {"certain": _org_certain("scp"), "maybe": _org_all_maybe("scp"), "why": _org_why("scp")},
	"rcp": _org_rcp_set,
} if {
	_org_is_management == false
}

_org_sets := {
	"scp": {
		"certain": [], "maybe": array.concat(_org_certain("scp"), _org_all_maybe("scp")),
		"why": _org_management_why("scp"),
	},
	"rcp": _org_rcp_set,
} if {
	_org_is_management == "unknown"
}

# Whether DynamoDB enforces RCPs is open (SEMANTICS Q7), so every RCP that would apply is only a
# "maybe": an answer it changes is unverifiable.
_org_rcp_set := {
	"certain": [], "maybe": array.concat(_org_certain("rcp"), _org_all_maybe("rcp")),
	"why": array.concat(_org_rcp_why, _org_management_why_rcp),
}

_org_management_why_rcp := _org_management_why("rcp") if _org_is_management == "unknown"

_org_management_why_rcp := _org_why("rcp") if _org_is_management != "unknown"

# METADATA
# scope: rule
# description: |
#   The SCP levels of principal p: {"certain", "maybe", "why"}. The management account and
#   service-linked roles are outside SCPs (SEMANTICS §13.1).
scp_levels(p) := _org_none if _is_service_linked(p)

scp_levels(p) := _org_sets.scp if not _is_service_linked(p)

# METADATA
# scope: rule
# description: The RCP levels of the tables principal p is asked about; service-linked roles have none.
rcp_levels(p) := _org_none if _is_service_linked(p)

rcp_levels(p) := _org_sets.rcp if not _is_service_linked(p)

_org_rcp_why := [concat("", [
	"whether DynamoDB enforces RCPs is not settled (SEMANTICS Q7): RCP ", a.policy, " applies to account ",
	_account_id, _org_via(a),
]) |
	some a in _org_sorted_attachments
	a.kind == "rcp"
	a.applies == true
]

_org_why(kind) := [concat("", [_org_kind_word[kind], " ", a.policy, _org_via(a), ": ", a.why]) |
	some a in _org_sorted_attachments
	a.kind == kind
	a.applies == "unknown"
]

_org_management_why(kind) := array.concat(
	[concat("", [
		"the plan does not say whether account ", _account_id,
		" is the organisation's management account, which ", _org_kind_word[kind],
		"s do not affect (set organization.management_account in the guardrails file)",
	])],
	_org_why(kind),
) if {
	_org_has(kind)
}

_org_management_why(kind) := [] if not _org_has(kind)

_org_kind_word := {"scp": "SCP", "rcp": "RCP"}

_org_via(a) := concat("", [" attached by ", a.address]) if a.address != null

_org_via(a) := concat("", [" attached to ", a.target, " in the guardrails file"]) if a.address == null

# ---- the model part (ARCHITECTURE §8) ----

# METADATA
# description: The organisation around the plan's account and where each SCP/RCP applies.
organization := {
	"known": _org_known,
	"account": _org_account_or_null,
	"management_account": _org_management_or_null,
	"accounts": _org_accounts,
	"attachments": [object.remove(a, ["entry", "external"]) | some a in _org_sorted_attachments],
}

default _org_known := false

_org_known if _org_path_complete

default _org_account_or_null := null

_org_account_or_null := _account_id if _account_id

default _org_management_or_null := null

_org_management_or_null := _org_management if _org_management

_org_accounts := {_account_id: {"path": _org_path, "source": _org_path_source}} if _org_path_source

_org_accounts := {} if not _org_path_source

# ---- the organization block, checked beyond its schema ----

_config_problems contains concat("", [
	"iam2rego_gate.organization.path[0]: ", _quoted(p0),
	" is not a root id (r-...)",
]) if {
	p0 := _org_block_path[0]
	not startswith(p0, "r-")
}

_config_problems contains why if {
	some key, _ in _org_block_kinds
	some t, entries in object.get(_org_cfg, key, {})
	some i, raw in entries
	where := concat("", ["iam2rego_gate.organization.", key, ".", t, "[", format_int(i, 10), "]"])
	not _org_block_entry(raw, where)
	why := concat("", [where, ": ", _org_entry_problem(raw)])
}

_config_problems contains concat("", [
	"iam2rego_gate.organization.", key, ": ", _quoted(t),
	" is not a root, OU or account id",
]) if {
	some key, _ in _org_block_kinds
	some t, _ in object.get(_org_cfg, key, {})
	not regex.match(`^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|[0-9]{12})$`, t)
}

# describe-policy output whose type does not match the key it is listed under
_config_problems contains concat("", [
	"iam2rego_gate.organization.", key, ".", t, "[", format_int(i, 10), "]: a ",
	raw.Policy.PolicySummary.Type, " listed under `", key, "`",
]) if {
	some key, kind in _org_block_kinds
	some t, entries in object.get(_org_cfg, key, {})
	some i, raw in entries
	is_string(raw.Policy.PolicySummary.Type)
	raw.Policy.PolicySummary.Type != {"scp": "SERVICE_CONTROL_POLICY", "rcp": "RESOURCE_CONTROL_POLICY"}[kind]
}

# the plan places the account under an OU the block's path does not name: one of them is wrong
_config_problems contains concat("", [
	"iam2rego_gate.organization.path: the plan places account ", _account_id, " under ", top,
	", which the path does not name",
]) if {
	count(_org_block_path) > 0
	count(_org_plan_chain) > 0
	top := _org_plan_chain[count(_org_plan_chain) - 1]
	not top in _org_block_path
}

_org_entry_problem(raw) := concat(" ", [
	"a file name: plain conftest cannot read files;",
	"put the policy inline ({name, document}) or run `iam2rego gate`",
]) if {
	is_string(raw)
}

_org_entry_problem(raw) := "needs `document` (the policy) or `Policy.Content` (describe-policy output)" if {
	not is_string(raw)
}
