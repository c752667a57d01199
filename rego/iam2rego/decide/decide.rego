# METADATA
# title: Decision for one check (SEMANTICS §5.2)
# description: |
#   hits = {"identity", "boundary", "session", "scp", "rcp", "resource_policy", "principal",
#   "rbp_grants_directly"}: for each policy set the reasons of the statements that apply (null =
#   set not configured; [] = configured, nothing applies; scp/rcp one list per level, [] = not
#   modelled). A principal of type Root skips the identity, boundary and session steps (their
#   statements do not apply to the root user); SCP and RCP levels still apply.
#   "cross_account" (default false) = the principal's account differs from the resource's
#   (request.cross_account): then the identity side (identity ∩ boundary ∩ session ∩ SCPs) AND
#   the resource policy must both allow (SEMANTICS §5.2a); a resource without a resource policy
#   (null) is never reachable, and no resource policy grants directly.
package iam2rego.decide

# METADATA
# description: The decision object of ARCHITECTURE §3.
decide(hits) := verdict(facts(hits))

# Everything the steps of §5.2 read, computed once per decision (OPA does not memoise function
# calls, and this runs for every request and every check of an operation).
facts(hits) := f if {
	root := lower(object.get(hits, ["principal", "type"], "")) == "root"
	scp := levels(hits, "scp")
	rcp := levels(hits, "rcp")
	rbp := configured(object.get(hits, "resource_policy", null))
	personal := personal_sets(hits, root)
	sets := array.concat(array.concat(personal, scp), array.concat(rcp, rbp))
	rbp_allows := [r | some s in rbp; some r in s; r.effect == "Allow"]
	identity := identity_allows(hits, root)
	xacct := object.get(hits, "cross_account", false) == true
	grants := array.concat(identity, rbp_allows)
	f := {
		"root": root,
		"denies": [r | some s in sets; some r in s; r.effect == "Deny"],
		"grants": grants,
		"cross_account": xacct,
		"identity_gap": identity_gap(xacct, root, identity, grants),
		"rbp_gap": rbp_gap(xacct, rbp_allows),
		"scp_gap": level_gap(scp),
		"rcp_gap": level_gap(rcp),
		"boundary_gap": personal_gap(hits, "boundary", root, grants, direct(hits, xacct, rbp_allows)),
		"session_gap": personal_gap(hits, "session", root, grants, direct(hits, xacct, rbp_allows)),
	}
}

# The identity-or-RBP step: within one account either may allow (union); across accounts the
# identity side must allow by itself (the resource policy is checked by rbp_gap).
default identity_gap(_, _, _, _) := false

identity_gap(false, false, _, grants) if count(grants) == 0

identity_gap(true, false, identity, _) if count(identity) == 0

# Across accounts the resource policy must allow too (SEMANTICS §5.2a).
default rbp_gap(_, _) := false

rbp_gap(true, rbp_allows) if count(rbp_allows) == 0

verdict(f) := {"allowed": false, "decision": "explicit_deny", "reason": "explicit_deny", "reasons": f.denies} if {
	count(f.denies) > 0
}

verdict(f) := implicit(reason) if {
	count(f.denies) == 0
	reason := first_gap(f)
}

verdict(f) := {"allowed": true, "decision": "allow", "reason": "allow", "reasons": f.grants} if {
	count(f.denies) == 0
	not first_gap(f)
}

# The resource policy's reasons as a list of sets: none when it is not configured (null).
configured(null) := []

configured(s) := [s] if s != null

implicit(reason) := {"allowed": false, "decision": "implicit_deny", "reason": reason, "reasons": []}

# Lists of reasons that take part, by step. A Root principal skips identity, boundary and session.
personal_sets(_, true) := []

personal_sets(hits, false) := [s |
	some name in ["identity", "boundary", "session"]
	s := object.get(hits, name, null)
	s != null
]

levels(hits, name) := object.get(hits, name, []) if object.get(hits, name, []) != null

levels(hits, name) := [] if object.get(hits, name, []) == null

has_allow(set) if {
	some r in set
	r.effect == "Allow"
}

identity_allows(hits, false) := [r | some r in object.get(hits, "identity", []); r.effect == "Allow"]

identity_allows(_, true) := []

# A level of SCPs or RCPs in which no Allow applies.
default level_gap(_) := false

level_gap(levels) if {
	some level in levels
	not has_allow(level)
}

# The first step of §5.2 (after the deny step) that stops the request, as a reason code.
first_gap(f) := "scp_no_allow" if f.scp_gap

first_gap(f) := "rcp_no_allow" if {
	not f.scp_gap
	f.rcp_gap
}

first_gap(f) := "no_allow" if {
	not guardrail_gap(f)
	f.identity_gap
}

first_gap(f) := "boundary_no_allow" if {
	not guardrail_gap(f)
	not f.identity_gap
	f.boundary_gap
}

first_gap(f) := "session_no_allow" if {
	not guardrail_gap(f)
	not f.identity_gap
	not f.boundary_gap
	f.session_gap
}

first_gap(f) := "resource_policy_no_allow" if {
	not guardrail_gap(f)
	not f.identity_gap
	not f.boundary_gap
	not f.session_gap
	f.rbp_gap
}

guardrail_gap(f) if f.scp_gap

guardrail_gap(f) if f.rcp_gap

# Boundary/session step: configured, no Allow applies, not granted directly by an RBP (an RBP Allow
# that names the principal itself), and the identity-or-RBP step has passed.
default personal_gap(_, _, _, _, _) := false

personal_gap(hits, name, false, grants, false) if {
	count(grants) > 0
	set := object.get(hits, name, null)
	set != null
	not has_allow(set)
}

# Whether an RBP Allow grants directly (never across accounts, SEMANTICS §5.2a).
default direct(_, _, _) := false

direct(hits, false, rbp_allows) if {
	object.get(hits, "rbp_grants_directly", false) == true
	count(rbp_allows) > 0
}
