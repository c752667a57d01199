# Structural validation of raw policy documents for the generic evaluator.
#   A subset of SEMANTICS §4.2 that can be checked in Rego: V-JSON (text that is not JSON, or a
#   document that is neither text nor an object), V-TOP, V-STMT, V-EFFECT, V-ACTION, V-RESOURCE,
#   V-PRINCIPAL, V-COND and V-VAR. Each error is {"policy", "source", "code", "statement_index"}.
#   V-DUP, V-SID, V-SIZE and V-CHARS are left to the Python front end.
package iam2rego.generic

import data.iam2rego.catalog
import data.iam2rego.conditions
import data.iam2rego.match
import data.iam2rego.policydoc

# METADATA
# description: Every policy error of a PolicySetDoc, in a stable order.
set_errors(psd) := [e |
	some entry in _set_entries(psd)
	some e in policy_errors(entry[0], entry[1])
]

_set_entries(psd) := array.concat(
	array.concat(
		[[p, "identity"] | some p in object.get(psd, "identity", [])],
		[[optional(psd, n), "identity"] | some n in ["boundary", "session"]; optional(psd, n)],
	),
	array.concat(
		array.concat(
			[[p, "identity"] | some level in object.get(psd, "scp", []); some p in level],
			[[p, "rcp"] | some level in object.get(psd, "rcp", []); some p in level],
		),
		array.concat(
			[[optional(psd, "resource_policy"), "rbp"] | optional(psd, "resource_policy")],
			[[p, "rbp"] | some p in key_set(psd)],
		),
	),
)

_err(p, code, i) := {
	"policy": object.get(p, "name", ""),
	"source": object.get(p, "source", object.get(p, "name", "")),
	"code": code,
	"statement_index": i,
}

policy_errors(p, _) := [_err(p, "V-JSON", null)] if not _document(p)

policy_errors(p, kind) := _doc_errors(p, _document(p), kind)

_doc_errors(p, d, _) := [_err(p, "V-TOP", null)] if not is_object(d)

_doc_errors(p, d, _) := [_err(p, "V-TOP", null)] if {
	is_object(d)
	not _top_ok(d)
}

_doc_errors(p, d, kind) := [e |
	stmts := policydoc.statements(d)
	some i in numbers.range(0, count(stmts) - 1)
	st := stmts[i]
	some e in _stmt_errors(p, st, i, _vars_enabled(d), kind)
] if {
	is_object(d)
	_top_ok(d)
}

_top_ok(d) if {
	object.get(d, "Version", "2012-10-17") in {"2008-10-17", "2012-10-17"}
	policydoc.statements(d)
	every k, _ in d {
		k in catalog.policy_top_members
	}
}

_stmt_errors(p, st, i, _, _) := [_err(p, "V-STMT", i)] if not is_object(st)

_stmt_errors(p, st, i, vars, kind) := [x |
	some code in _stmt_codes(st, vars, kind)
	x := _err(p, code, i)
] if {
	is_object(st)
}

_stmt_codes(st, vars, kind) := sort({code |
	some code in ["V-STMT", "V-EFFECT", "V-ACTION", "V-RESOURCE", "V-PRINCIPAL", "V-COND", "V-VAR"]
	_bad(code, st, vars, kind)
})

_bad("V-STMT", st, _, _) if {
	some k, _ in st
	not k in catalog.statement_members
}

_bad("V-EFFECT", st, _, _) if not st.Effect in {"Allow", "Deny"}

_bad("V-ACTION", st, _, _) if not _exactly_one(st, "Action", "NotAction")

_bad("V-ACTION", st, _, _) if {
	some name in ["Action", "NotAction"]
	vals := st[name]
	not _valid_list(vals, "action")
}

_bad("V-RESOURCE", st, _, _) if not _exactly_one(st, "Resource", "NotResource")

_bad("V-RESOURCE", st, _, _) if {
	some name in ["Resource", "NotResource"]
	vals := st[name]
	not _valid_list(vals, "string")
}

_bad("V-PRINCIPAL", st, _, "identity") if _has_principal(st)

_bad("V-PRINCIPAL", st, _, "rbp") if not _has_principal(st)

_bad("V-COND", st, _, _) if not is_object(object.get(st, "Condition", {}))

_bad("V-COND", st, _, _) if {
	some op_name, _block in object.get(st, "Condition", {})
	not _cond_block_ok(op_name, _block)
}

_bad("V-VAR", st, true, _) if {
	some name in ["Resource", "NotResource"]
	some p in policydoc.as_list(st[name])
	not match.pattern_tokens(p, true, "segment")
}

_exactly_one(st, a, b) if count([1 | some k in [a, b]; st[k]]) == 1

_valid_list(v, kind) if {
	is_array(v)
	count(v) > 0
	every x in v {
		_valid_value(x, kind)
	}
}

_valid_list(v, kind) if {
	not is_array(v)
	_valid_value(v, kind)
}

_valid_value(x, "string") if is_string(x)

_valid_value(x, "action") if _valid_action(x)

_valid_action("*")

_valid_action(a) if regex.match(`^[A-Za-z0-9.-]+:[^:]+$`, a)

_cond_block_ok(op_name, _block) if {
	is_object(_block)
	c := _cond_object(op_name, "k", [], false)
	_known_base(c.op, op_name)
	every _, vals in _block {
		_scalars(vals)
	}
}

_known_base("Null", "Null")

_known_base(op, _) if op in conditions.positive_ops

_known_base(op, _) if op in conditions.negated_ops

_scalars(vals) if {
	is_array(vals)
	every v in vals {
		not is_object(v)
		not is_array(v)
		v != null
	}
}

_scalars(vals) if {
	not is_array(vals)
	not is_object(vals)
	vals != null
}
