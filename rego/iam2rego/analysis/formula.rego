# The residual formula read from the structure of SEMANTICS §5.2
# Clauses (all must hold) of conjunctions (one must hold) of literals {"i": local atom, "v": bool}:
# no applicable Deny (one clause per conditional Deny: one of its atoms false), some grant
# (identity or resource policy Allow), an Allow at every SCP and RCP level, and in the boundary and
# session policy (or a resource policy Allow naming the principal itself). classify.rego only uses
# it after checking it against the enumeration on every assignment.
package iam2rego.analysis

import data.iam2rego.generic

_structural(p, masks) := _simplify(array.concat(_deny_clauses(c, masks, root), _allow_clauses(c, masks, root))) if {
	c := p.cands
	root := lower(object.get(c.principal, "type", "")) == "root"
}

_in_masks(x, masks) if x.id in object.keys(masks)

_lits(m, v) := [x | some i in _positions(31); _bit(m, i); x := {"i": i, "v": v}]

_personal(c) := array.concat(c.identity, array.concat(generic.listed(c.boundary), generic.listed(c.session)))

_guardrails(c) := array.concat(
	array.concat([x | some level in c.scp; some x in level], [x | some level in c.rcp; some x in level]),
	generic.listed(c.resource_policy),
)

_deny_relevant(c, true) := _guardrails(c)

_deny_relevant(c, false) := array.concat(_personal(c), _guardrails(c))

_deny_clauses(c, masks, root) := [{"any": [[l] | some l in _lits(masks[x.id], false)]} |
	some x in _deny_relevant(c, root)
	x.reason.effect == "Deny"
	_in_masks(x, masks)
]

_allow_conjs(xs, masks) := [_lits(masks[x.id], true) | some x in xs; x.reason.effect == "Allow"; _in_masks(x, masks)]

# Resource policy Allows naming the principal itself (never across accounts).
_direct_allows(c) := [x | some x in generic.listed(c.resource_policy); x.direct; not c.cross_account]

_allow_clauses(c, masks, root) := array.concat(
	array.concat(_grant_clause(c, masks, root), [x | some level in c.scp; x := {"any": _allow_conjs(level, masks)}]),
	array.concat(
		[x | some level in c.rcp; x := {"any": _allow_conjs(level, masks)}],
		array.concat(_personal_clause(c, "boundary", masks, root), _personal_clause(c, "session", masks, root)),
	),
)

# Within one account an identity or resource policy Allow; across accounts (decide.rego) both an
# identity Allow (not for the root user) and a resource policy Allow.
_grant_clause(c, _, true) := [] if not c.cross_account

_grant_clause(c, masks, false) := [{"any": _allow_conjs(grants, masks)}] if {
	not c.cross_account
	grants := array.concat(c.identity, generic.listed(c.resource_policy))
}

_grant_clause(c, masks, root) := array.concat(_identity_clause(c, masks, root), [rbp_clause]) if {
	c.cross_account
	rbp_clause := {"any": _allow_conjs(generic.listed(c.resource_policy), masks)}
}

_identity_clause(_, _, true) := []

_identity_clause(c, masks, false) := [{"any": _allow_conjs(c.identity, masks)}]

_personal_clause(_, _, _, true) := []

_personal_clause(c, name, _, false) := [] if c[name] == null

_personal_clause(c, name, masks, false) := [{"any": _allow_conjs(array.concat(c[name], _direct_allows(c)), masks)}] if {
	c[name] != null
}

# --- simplification: contradictory conjunctions dropped, true clauses dropped, absorption ----------

_simplify(clauses) := [cl |
	some cl in {{"any": conjs} |
		some clause in clauses
		conjs := _absorbed({conj | some raw in clause.any; conj := _sorted({l | some l in raw}); _consistent(conj)})
		not _has_empty(conjs)
	}
]

_consistent(conj) if {
	every l in conj {
		not {"i": l.i, "v": _flip(l.v)} in conj
	}
}

_has_empty(conjs) if {
	some c in conjs
	count(c) == 0
}

_flip(true) := false

_flip(false) := true

# Conjunctions of a clause without those that contain another one (x or (x and y) = x).
_absorbed(conjs) := _sorted({c |
	some c in conjs
	not _strictly_contains_other(c, conjs)
})

_strictly_contains_other(c, conjs) if {
	some o in conjs
	o != c
	every l in o {
		l in c
	}
}
