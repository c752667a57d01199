# METADATA
# title: Decision for one check (SEMANTICS §5.2)
# description: |
#   hits = {"identity", "boundary", "session", "scp", "rcp", "resource_policy", "principal",
#   "rbp_grants_directly"}: for each policy set the reasons of the statements that apply (null =
#   set not configured; [] = configured, nothing applies; scp/rcp one list per level, [] = not
#   modelled). A principal of type Root skips the identity, boundary and session steps (their
#   statements do not apply to the root user); SCP and RCP levels still apply.
package iam2rego.decide

# METADATA
# description: The decision object of ARCHITECTURE §3.
decide(hits) := result if {
	denies := deny_reasons(hits)
	result := outcome(hits, denies)
}

outcome(_, denies) := {"allowed": false, "decision": "explicit_deny", "reason": "explicit_deny", "reasons": denies} if {
	count(denies) > 0
}

outcome(hits, denies) := implicit(reason) if {
	count(denies) == 0
	reason := first_gap(hits)
}

outcome(hits, denies) := {"allowed": true, "decision": "allow", "reason": "allow", "reasons": grants(hits)} if {
	count(denies) == 0
	not first_gap(hits)
}

implicit(reason) := {"allowed": false, "decision": "implicit_deny", "reason": reason, "reasons": []}

is_root(hits) if lower(object.get(hits, ["principal", "type"], "")) == "root"

# Lists of reasons that take part, by step.
personal_sets(hits) := [] if is_root(hits)

personal_sets(hits) := [s |
	some name in ["identity", "boundary", "session"]
	s := object.get(hits, name, null)
	s != null
] if {
	not is_root(hits)
}

all_sets(hits) := array.concat(
	array.concat(personal_sets(hits), levels(hits, "scp")),
	array.concat(levels(hits, "rcp"), rbp_sets(hits)),
)

levels(hits, name) := object.get(hits, name, []) if object.get(hits, name, []) != null

levels(hits, name) := [] if object.get(hits, name, []) == null

rbp_sets(hits) := [hits.resource_policy] if object.get(hits, "resource_policy", null) != null

rbp_sets(hits) := [] if object.get(hits, "resource_policy", null) == null

deny_reasons(hits) := [r | some s in all_sets(hits); some r in s; r.effect == "Deny"]

allows(set) := [r | some r in set; r.effect == "Allow"]

has_allow(set) if {
	some r in set
	r.effect == "Allow"
}

identity_allows(hits) := allows(object.get(hits, "identity", [])) if not is_root(hits)

identity_allows(hits) := [] if is_root(hits)

rbp_allows(hits) := allows(hits.resource_policy) if object.get(hits, "resource_policy", null) != null

rbp_allows(hits) := [] if object.get(hits, "resource_policy", null) == null

grants(hits) := array.concat(identity_allows(hits), rbp_allows(hits))

direct(hits) if {
	object.get(hits, "rbp_grants_directly", false) == true
	count(rbp_allows(hits)) > 0
}

# The first step of §5.2 (after the deny step) that stops the request, as a reason code.
first_gap(hits) := "scp_no_allow" if {
	some level in levels(hits, "scp")
	not has_allow(level)
}

first_gap(hits) := "rcp_no_allow" if {
	not scp_gap(hits)
	some level in levels(hits, "rcp")
	not has_allow(level)
}

first_gap(hits) := "no_allow" if {
	not guardrail_gap(hits)
	not is_root(hits)
	count(grants(hits)) == 0
}

first_gap(hits) := "boundary_no_allow" if {
	not guardrail_gap(hits)
	personal_gap(hits, "boundary")
}

first_gap(hits) := "session_no_allow" if {
	not guardrail_gap(hits)
	not personal_gap(hits, "boundary")
	personal_gap(hits, "session")
}

scp_gap(hits) if {
	some level in levels(hits, "scp")
	not has_allow(level)
}

rcp_gap(hits) if {
	some level in levels(hits, "rcp")
	not has_allow(level)
}

guardrail_gap(hits) if scp_gap(hits)

guardrail_gap(hits) if rcp_gap(hits)

# Boundary/session step: configured, no Allow applies, not granted directly by an RBP, and the
# identity-or-RBP step has passed.
personal_gap(hits, name) if {
	not is_root(hits)
	count(grants(hits)) > 0
	set := object.get(hits, name, null)
	set != null
	not has_allow(set)
	not direct(hits)
}
