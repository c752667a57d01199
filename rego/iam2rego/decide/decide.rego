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
#   "key_policy"/"key_account" (default null): a KMS key policy bound to a check on its key
#   (SEMANTICS §13.2): key_policy = its statements that apply as a resource policy's, key_account =
#   its Allows naming the principal's own account. Then identity Allows count only when key_account
#   holds an Allow (the key policy delegates to the account); otherwise a key_policy Allow is needed,
#   for the root user too (reason key_policy_no_allow).
package iam2rego.decide

# METADATA
# description: The decision object of ARCHITECTURE §3.
decide(hits) := _verdict(facts(hits))

# Everything the steps of §5.2 read, computed once per decision (OPA does not memoise function
# calls, and this runs for every request and every check of an operation).
facts(hits) := f if {
	root := _principal_type(hits) == "root"
	scp := _levels(hits, "scp")
	rcp := _levels(hits, "rcp")
	key := object.get(hits, "key_policy", null)
	rbp := array.concat(_configured(object.get(hits, "resource_policy", null)), _configured(key))
	personal := _personal_sets(hits, root)
	sets := array.concat(array.concat(personal, scp), array.concat(rcp, rbp))
	rbp_allows := [r | some s in rbp; some r in s; r.effect == "Allow"]
	xacct := object.get(hits, "cross_account", false) == true
	delegated := _delegated(hits)
	identity_raw := _identity_allows(hits, root)
	identity := _iam_counts(identity_raw, key, delegated, xacct)
	grants := array.concat(identity, rbp_allows)
	f := {
		"root": root,
		"denies": [r | some s in sets; some r in s; r.effect == "Deny"],
		"grants": grants,
		"cross_account": xacct,
		"identity_gap": _identity_gap(xacct, root, identity_raw, grants),
		"rbp_gap": _rbp_gap(xacct, rbp_allows),
		"key_gap": _key_gap(key, xacct, root, rbp_allows, delegated, identity_raw),
		"delegation": _delegation_reasons(hits, delegated, identity),
		"scp_gap": _level_gap(scp),
		"rcp_gap": _level_gap(rcp),
		"boundary_gap": _personal_gap(hits, "boundary", root, grants, _direct(hits, xacct, rbp_allows)),
		"session_gap": _personal_gap(hits, "session", root, grants, _direct(hits, xacct, rbp_allows)),
	}
}

_principal_type(hits) := lower(object.get(hits, ["principal", "type"], ""))

# --- KMS key policies (SEMANTICS §3.4, §13.2): "key_policy" (null = no key policy bound) is the
# resource policy of a check on a KMS key; "key_account" its Allow statements that name the
# principal's own account. Unlike any other resource policy, without a key policy Allow (naming the
# principal, or delegating to its account) IAM policies never allow, even in the same account.
default _delegated(_) := false

_delegated(hits) if {
	some r in object.get(hits, "key_account", [])
	r.effect == "Allow"
}

# The key policy statements that let the identity Allows count (shown with the allowing reasons).
default _delegation_reasons(_, _, _) := []

_delegation_reasons(hits, true, identity) := [r | some r in hits.key_account; r.effect == "Allow"] if {
	count(identity) > 0
}

# The identity Allows that count: all of them without a key policy, across accounts (the key
# policy's own Allow is then required as well, rbp_gap), or when the key policy delegates.
_iam_counts(identity, null, _, _) := identity

_iam_counts(identity, key, _, true) := identity if key != null

_iam_counts(identity, key, true, false) := identity if key != null

_iam_counts(_, key, false, false) := [] if key != null

# The key policy neither allows the principal nor delegates to its account, although IAM (or the
# root user's full access) would allow: the reason is the key policy (key_policy_no_allow).
default _key_gap(_, _, _, _, _, _) := false

_key_gap(key, false, root, rbp_allows, false, identity_raw) if {
	key != null
	count(rbp_allows) == 0
	_iam_would(root, identity_raw)
}

_key_gap(key, true, _, rbp_allows, _, _) if {
	key != null
	count(rbp_allows) == 0
}

_iam_would(true, _)

_iam_would(false, identity_raw) if count(identity_raw) > 0

# METADATA
# description: |
#   decide(hits) when the identity policies are the only policy set (boundary, session and
#   resource_policy null, no SCP or RCP level, no RBP granting directly), without the facts:
#   compiled modules whose principal has only identity policies call this (issue 14). The same
#   answer as decide (decide_test compares them).
identity_only(hits) := _identity_verdict(
	_principal_type(hits) == "root",
	hits.identity,
	object.get(hits, "cross_account", false) == true,
)

# A Root principal skips the identity step; across accounts no resource policy allows.
_identity_verdict(true, _, true) := _implicit("resource_policy_no_allow")

_identity_verdict(true, _, false) := _allowed([])

# One body evaluated per call (`else`), in the order of §5.2's steps.
_identity_verdict(false, reasons, xacct) := _explicit(denies) if {
	denies := [r | some r in reasons; r.effect == "Deny"]
	count(denies) > 0
} else := _implicit("no_allow") if {
	not _has_allow(reasons)
} else := _implicit("resource_policy_no_allow") if {
	xacct == true
} else := _allowed([r | some r in reasons; r.effect == "Allow"])

_explicit(denies) := {"allowed": false, "decision": "explicit_deny", "reason": _deny_reason(denies), "reasons": denies}

# A compliance-mode Vault Lock denies for everyone, the root user included (SEMANTICS §14.4).
_deny_reason(denies) := "vault_lock_compliance" if {
	some d in denies
	object.get(d, "vault_lock", "") == "compliance"
} else := "explicit_deny"

_allowed(grants) := {"allowed": true, "decision": "allow", "reason": "allow", "reasons": grants}

# The identity-or-RBP step: within one account either may allow (union); across accounts the
# identity side must allow by itself (the resource policy is checked by rbp_gap). The root user
# needs no identity Allow, but a key policy must still allow it (key_gap).
default _identity_gap(_, _, _, _) := false

_identity_gap(false, false, _, grants) if count(grants) == 0

_identity_gap(true, false, identity, _) if count(identity) == 0

# Across accounts the resource policy must allow too (SEMANTICS §5.2a).
default _rbp_gap(_, _) := false

_rbp_gap(true, rbp_allows) if count(rbp_allows) == 0

_verdict(f) := _explicit(f.denies) if count(f.denies) > 0

_verdict(f) := _implicit(reason) if {
	count(f.denies) == 0
	reason := _first_gap(f)
}

_verdict(f) := {
	"allowed": true, "decision": "allow", "reason": "allow",
	"reasons": array.concat(f.grants, f.delegation),
} if {
	count(f.denies) == 0
	not _first_gap(f)
}

# The resource policy's reasons as a list of sets: none when it is not configured (null).
_configured(null) := []

_configured(s) := [s] if s != null

_implicit(reason) := {"allowed": false, "decision": "implicit_deny", "reason": reason, "reasons": []}

# Lists of reasons that take part, by step. A Root principal skips identity, boundary and session.
_personal_sets(_, true) := []

_personal_sets(hits, false) := [s |
	some name in ["identity", "boundary", "session"]
	s := object.get(hits, name, null)
	s != null
]

_levels(hits, name) := object.get(hits, name, []) if object.get(hits, name, []) != null

_levels(hits, name) := [] if object.get(hits, name, []) == null

_has_allow(set) if {
	some r in set
	r.effect == "Allow"
}

_identity_allows(hits, false) := [r | some r in object.get(hits, "identity", []); r.effect == "Allow"]

_identity_allows(_, true) := []

# A level of SCPs or RCPs in which no Allow applies.
default _level_gap(_) := false

_level_gap(_levels) if {
	some level in _levels
	not _has_allow(level)
}

# The first step of §5.2 (after the deny step) that stops the request, as a reason code.
_first_gap(f) := "scp_no_allow" if f.scp_gap

_first_gap(f) := "rcp_no_allow" if {
	not f.scp_gap
	f.rcp_gap
}

_first_gap(f) := "key_policy_no_allow" if {
	not _guardrail_gap(f)
	f.key_gap
}

_first_gap(f) := "no_allow" if {
	not _guardrail_gap(f)
	not f.key_gap
	f.identity_gap
}

_first_gap(f) := "boundary_no_allow" if {
	not _guardrail_gap(f)
	not f.key_gap
	not f.identity_gap
	f.boundary_gap
}

_first_gap(f) := "session_no_allow" if {
	not _guardrail_gap(f)
	not f.key_gap
	not f.identity_gap
	not f.boundary_gap
	f.session_gap
}

_first_gap(f) := "resource_policy_no_allow" if {
	not _guardrail_gap(f)
	not f.key_gap
	not f.identity_gap
	not f.boundary_gap
	not f.session_gap
	f.rbp_gap
}

_guardrail_gap(f) if f.scp_gap

_guardrail_gap(f) if f.rcp_gap

# Boundary/session step: configured, no Allow applies, not granted directly by an RBP (an RBP Allow
# that names the principal itself), and the identity-or-RBP step has passed.
default _personal_gap(_, _, _, _, _) := false

_personal_gap(hits, name, false, grants, false) if {
	count(grants) > 0
	set := object.get(hits, name, null)
	set != null
	not _has_allow(set)
}

# Whether an RBP Allow grants directly (never across accounts, SEMANTICS §5.2a).
default _direct(_, _, _) := false

_direct(hits, false, rbp_allows) if {
	object.get(hits, "rbp_grants_directly", false) == true
	count(rbp_allows) > 0
}
