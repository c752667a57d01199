# The residual formula read from the structure of SEMANTICS §5.2
# Clauses (all must hold) of conjunctions (one must hold) of literals {"i": local atom, "v": bool}:
# no applicable Deny (one clause per conditional Deny: one of its atoms false), some grant
# (identity or resource policy Allow), an Allow at every SCP and RCP level, and in the boundary and
# session policy (or a resource policy Allow naming the principal itself). classify.rego only uses
# it after checking it against the enumeration on every assignment.
package iam2rego.analysis

import data.iam2rego.generic

structural(p, masks) := simplify(array.concat(deny_clauses(c, masks, root), allow_clauses(c, masks, root))) if {
	c := p.cands
	root := lower(object.get(c.principal, "type", "")) == "root"
}

in_masks(x, masks) if x.id in object.keys(masks)

lits(m, v) := [x | some i in positions(31); bit(m, i); x := {"i": i, "v": v}]

personal(c) := array.concat(c.identity, array.concat(generic.listed(c.boundary), generic.listed(c.session)))

guardrails(c) := array.concat(
	array.concat([x | some level in c.scp; some x in level], [x | some level in c.rcp; some x in level]),
	generic.listed(c.resource_policy),
)

deny_relevant(c, true) := guardrails(c)

deny_relevant(c, false) := array.concat(personal(c), guardrails(c))

deny_clauses(c, masks, root) := [{"any": [[l] | some l in lits(masks[x.id], false)]} |
	some x in deny_relevant(c, root)
	x.reason.effect == "Deny"
	in_masks(x, masks)
]

allow_conjs(xs, masks) := [lits(masks[x.id], true) | some x in xs; x.reason.effect == "Allow"; in_masks(x, masks)]

# Resource policy Allows naming the principal itself (never across accounts).
direct_allows(c) := [x | some x in generic.listed(c.resource_policy); x.direct; not c.cross_account]

allow_clauses(c, masks, root) := array.concat(
	array.concat(grant_clause(c, masks, root), [x | some level in c.scp; x := {"any": allow_conjs(level, masks)}]),
	array.concat(
		[x | some level in c.rcp; x := {"any": allow_conjs(level, masks)}],
		array.concat(personal_clause(c, "boundary", masks, root), personal_clause(c, "session", masks, root)),
	),
)

# Within one account an identity or resource policy Allow; across accounts (decide.rego) both an
# identity Allow (not for the root user) and a resource policy Allow.
grant_clause(c, _, true) := [] if not c.cross_account

grant_clause(c, masks, false) := [{"any": allow_conjs(grants, masks)}] if {
	not c.cross_account
	grants := array.concat(c.identity, generic.listed(c.resource_policy))
}

grant_clause(c, masks, root) := array.concat(identity_clause(c, masks, root), [rbp_clause]) if {
	c.cross_account
	rbp_clause := {"any": allow_conjs(generic.listed(c.resource_policy), masks)}
}

identity_clause(_, _, true) := []

identity_clause(c, masks, false) := [{"any": allow_conjs(c.identity, masks)}]

personal_clause(_, _, _, true) := []

personal_clause(c, name, _, false) := [] if c[name] == null

personal_clause(c, name, masks, false) := [{"any": allow_conjs(array.concat(c[name], direct_allows(c)), masks)}] if {
	c[name] != null
}

# --- simplification: contradictory conjunctions dropped, true clauses dropped, absorption ----------

simplify(clauses) := [cl |
	some cl in {{"any": conjs} |
		some clause in clauses
		conjs := absorbed({conj | some raw in clause.any; conj := sorted({l | some l in raw}); consistent(conj)})
		not has_empty(conjs)
	}
]

consistent(conj) if {
	every l in conj {
		not {"i": l.i, "v": flip(l.v)} in conj
	}
}

has_empty(conjs) if {
	some c in conjs
	count(c) == 0
}

flip(true) := false

flip(false) := true

# Conjunctions of a clause without those that contain another one (x or (x and y) = x).
absorbed(conjs) := sorted({c |
	some c in conjs
	not strictly_contains_other(c, conjs)
})

strictly_contains_other(c, conjs) if {
	some o in conjs
	o != c
	every l in o {
		l in c
	}
}
