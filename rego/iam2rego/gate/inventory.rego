# iam2rego gate - policy inventory
# Every policy document in the plan with its Terraform address and whether it can be read:
# `ok` (parsed), `unknown` (known only after apply) or `malformed` (not a JSON object).
package iam2rego.gate

import data.iam2rego.generic
import data.iam2rego.policydoc

# policy-bearing attributes per resource type, with the kind of policy they hold
policy_attrs := {
	"aws_iam_policy": {"attr": "policy", "kind": "managed"},
	"aws_iam_role_policy": {"attr": "policy", "kind": "inline"},
	"aws_iam_user_policy": {"attr": "policy", "kind": "inline"},
	"aws_iam_group_policy": {"attr": "policy", "kind": "inline"},
	"aws_organizations_policy": {"attr": "content", "kind": "scp"},
	"aws_dynamodb_resource_policy": {"attr": "policy", "kind": "table_rbp"},
	"aws_backup_vault_policy": {"attr": "policy", "kind": "vault_rbp"},
}

# documents[id] = {"id", "address", "kind", "status", "document"?, "problem"?}
documents[addr] := doc if {
	some t, spec in policy_attrs
	some addr in _live_of_type(t)
	_kind_applies(addr, spec.kind)
	kind := _doc_kind(addr, spec.kind)
	doc := _frontend_checked(_read_document(addr, addr, kind, after(addr)[spec.attr], _unknown_flag(addr, spec.attr)))
}

documents[addr] := doc if {
	some t, spec in policy_attrs
	some addr in _live_of_type(t)
	_kind_applies(addr, spec.kind)
	object.get(after(addr), spec.attr, null) == null # absent or null (false is a wrong type, below)
	doc := _read_document(addr, addr, _doc_kind(addr, spec.kind), null, _unknown_flag(addr, spec.attr))
}

# inline_policy blocks of aws_iam_role
documents[id] := doc if {
	some addr in _live_of_type("aws_iam_role")
	some i, block in _inline_blocks(addr)
	id := concat("", [addr, ".inline_policy[", format_int(i, 10), "]"])
	text := object.get(block, "policy", null)
	doc := _frontend_checked(_read_document(id, addr, "inline", text, _inline_unknown(addr, i)))
}

_kind_applies(addr, "scp") if after(addr).type in {"SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY"}

_kind_applies(addr, "scp") if {
	not after(addr).type
	_attr_unknown(addr, "type")
}

_kind_applies(_, kind) if kind != "scp"

# an aws_organizations_policy of type RESOURCE_CONTROL_POLICY is an RCP (organization.rego)
_doc_kind(addr, "scp") := "rcp" if after(addr).type == "RESOURCE_CONTROL_POLICY"

_doc_kind(addr, kind) := kind if not _is_rcp_resource(addr, kind)

_is_rcp_resource(addr, "scp") if after(addr).type == "RESOURCE_CONTROL_POLICY"

_inline_unknown(addr, i) if {
	_unknown_of(addr).inline_policy[i].policy == true
} else := false

_inline_blocks(addr) := blocks if {
	blocks := after(addr).inline_policy
	is_array(blocks)
} else := []

# an aws_iam_role whose inline_policy blocks are configured but unknown as a whole
_inline_unknown_roles contains addr if {
	some addr in _live_of_type("aws_iam_role")
	_attr_unknown(addr, "inline_policy")
	_config_of(addr).expressions.inline_policy
}

_read_document(id, addr, kind, _, true) := {
	"id": id, "address": addr, "kind": kind, "status": "unknown",
	"problem": concat("", ["the policy is known only after apply", _unknown_cause(addr)]),
}

_read_document(id, addr, kind, text, false) := {
	"id": id, "address": addr, "kind": kind, "status": "ok",
	"document": d,
} if {
	d := _object_document(text)
	count(_document_codes(addr, text, d, kind)) == 0
}

# A JSON object that IAM would still reject (no Statement, a bad Effect, ...) is as unreadable as
# text that is not JSON: evaluating it would silently drop its statements, so it fails closed.
_read_document(id, addr, kind, text, false) := {
	"id": id, "address": addr, "kind": kind, "status": "malformed",
	"problem": concat("", ["the policy is not a valid IAM policy document (", concat(", ", codes), ")"]),
} if {
	d := _object_document(text)
	codes := _document_codes(addr, text, d, kind)
	count(codes) > 0
}

_read_document(id, addr, kind, text, false) := {
	"id": id, "address": addr, "kind": kind, "status": "malformed",
	"problem": "the policy text is not a JSON object",
} if {
	is_string(text)
	not _valid_object_text(text)
}

# a policy attribute that is not a string (a JSON object, number, array or boolean in the plan: the
# provider always writes a string) is never evaluated and never skipped: UNVERIFIABLE at its address
_read_document(id, addr, kind, text, false) := {
	"id": id, "address": addr, "kind": kind, "status": "malformed",
	"problem": concat("", ["the policy attribute is a JSON ", type_name(text), ", not a string"]),
} if {
	not is_string(text)
	text != null
}

_read_document(id, addr, kind, null, false) := {
	"id": id, "address": addr, "kind": kind, "status": "malformed",
	"problem": "the policy is missing",
}

_object_document(text) := d if {
	is_string(text)
	json.is_valid(text)
	d := json.unmarshal(text)
	is_object(d)
}

_document_codes(addr, text, d, kind) := sort(_generic_codes(addr, d, kind) | _front_end_codes(text, d, kind))

_generic_codes(addr, d, kind) := {e.code |
	some e in generic.policy_errors({"name": addr, "document": d}, _validation_kind(kind))
}

# rules the generic evaluator leaves to the Python front end, checked here on the policy text
# Under `iam2rego gate` the Python front end has judged every policy string (cli.frontend, a superset
# of these rules) and the text rules are skipped: regopy 1.5.2 keeps input strings JSON-escaped
# internally, so scanning their characters there would see keys that are not.
_front_end_codes(_, d, kind) := _sid_codes(d, kind) if _cli_checked

_front_end_codes(text, d, kind) := (_dup_codes(text, d) | _sid_codes(d, kind)) | _chars_codes(text, kind) if {
	not _cli_checked
}

_cli_checked if is_object(_cli.frontend)

_dup_codes(text, d) := {"V-DUP" | _has_duplicate_keys(text, d)}

_sid_codes(d, kind) := {"V-SID" | _sid_problem(d, kind)}

_chars_codes(text, kind) := {"V-CHARS" | _chars_problem(text, kind)}

# V-SID: a Sid that is not a string, one with characters other than A-Z a-z 0-9 (IAM kinds), or the
# same Sid twice in one policy (SEMANTICS §4.2; the same rule as the Python front end)
_sid_problem(d, _) if {
	some st in policydoc.statements(d)
	"Sid" in object.keys(st)
	not is_string(st.Sid)
}

_sid_problem(d, kind) if {
	not kind in {"table_rbp", "vault_rbp", "key_policy"}
	some st in policydoc.statements(d)
	is_string(st.Sid)
	not regex.match(`^[A-Za-z0-9]*$`, st.Sid)
}

_sid_problem(d, _) if {
	sids := [st.Sid | some st in policydoc.statements(d); is_string(st.Sid); st.Sid != ""]
	count(sids) != count({s | some s in sids})
}

# V-CHARS: IAM identity policies accept only TAB, LF, CR and U+0020-U+00FF (escapes are fine)
_chars_problem(text, kind) if {
	kind in {"managed", "inline"}
	regex.match(`[^\t\n\r\x{20}-\x{FF}]`, text)
}

# has_duplicate_keys(text, d): some object of the JSON text repeats a key. json.unmarshal keeps only
# the last of equal keys (so a second "Effect" or "Statement" would silently win); IAM rejects the
# document (SEMANTICS §4.2, V-DUP). In valid JSON every `"` outside a string opens one, so a
# left-to-right scan of string tokens is exact; a string followed by `:` is a key. The text has
# more keys than the decoded objects exactly when two keys of one object collapsed.
_has_duplicate_keys(text, d) if count(_key_tokens(text)) != _decoded_key_count(d)

_key_tokens(text) := [m |
	some m in regex.find_all_string_submatch_n(`"(?:[^"\\]|\\[\s\S])*"([ \t\r\n]*:)?`, text, -1)
	m[1] != ""
]

_decoded_key_count(d) := sum([count(v) |
	walk(d, [_, v])
	is_object(v)
])

# frontend_checked(doc): a document `iam2rego gate` found IAM would reject (Python front end, the same
# as `iam2rego check`; data.iam2rego_cli.frontend) is malformed whatever the pack's own checks say
_frontend_checked(doc) := object.union(object.remove(doc, ["document"]), rejected) if {
	doc.status in {"ok", "malformed"}
	rejected := {"status": "malformed", "problem": _cli.frontend[doc.id].problem}
}

_frontend_checked(doc) := doc if not _cli.frontend[doc.id]

_frontend_checked(doc) := doc if doc.status == "unknown"

_validation_kind(kind) := "rbp" if kind in {"table_rbp", "vault_rbp", "key_policy"}

_validation_kind("rcp") := "rcp"

_validation_kind(kind) := "identity" if not kind in {"table_rbp", "vault_rbp", "key_policy", "rcp"}

_valid_object_text(text) if {
	json.is_valid(text)
	is_object(json.unmarshal(text))
}

# name the unknown aws_iam_policy_document data sources a policy is rendered from
_unknown_cause(addr) := concat("", [" (rendered from ", concat(", ", sorted), ")"]) if {
	srcs := {d |
		some r in _references_all(addr)
		startswith(r, "data.aws_iam_policy_document.")
		parts := split(r, ".")
		count(parts) >= 3
		base := concat(".", array.slice(parts, 0, 3))
		d := concat("", [_module_prefix(_live[addr]), base])
	}
	count(srcs) > 0
	sorted := sort(srcs)
} else := ""

# aws_iam_policy_document data sources: known ones live in prior_state, pending ones in resource_changes
_policy_document_sources[addr] := "known" if {
	[path, r] := walk(object.get(input, "prior_state", {}))
	path[count(path) - 2] == "resources"
	r.mode == "data"
	r.type == "aws_iam_policy_document"
	addr := r.address
}

_policy_document_sources[addr] := "unknown" if {
	some addr, rc in _pending_data
	rc.type == "aws_iam_policy_document"
}

readable(id) if documents[id].status == "ok"

_unknown_flag(addr, attr) if _attr_unknown(addr, attr)

_unknown_flag(addr, attr) := false if not _attr_unknown(addr, attr)

_doc_of(id) := documents[id].document

# ARN of a customer managed policy created in this plan
_policy_arn_of(addr) := _iam_arn(addr, "policy")

_policy_arns := {a: _policy_arn_of(a) | some a in _live_of_type("aws_iam_policy")}

_managed_in_plan := {arn: group |
	some arn in _policy_arns
	group := {a | _policy_arns[a] == arn}
}

_is_aws_managed_arn(arn) if regex.match(`^arn:aws[a-z-]*:iam::aws:policy/`, arn)
