package iam2rego.decide_test

import data.iam2rego.decide

allow(p) := {"policy": p, "sid": null, "statement_index": 0, "effect": "Allow", "source": p}

deny(p) := {"policy": p, "sid": "D", "statement_index": 1, "effect": "Deny", "source": p}

user := {"arn": "arn:aws:iam::123456789012:user/alice", "account": "123456789012", "type": "IAMUser"}

base := {
	"identity": [], "boundary": null, "session": null, "scp": [], "rcp": [],
	"resource_policy": null, "principal": user, "rbp_grants_directly": false,
}

h(extra) := object.union(base, extra)

test_identity_allow if {
	decide.decide(h({"identity": [allow("e1")]})) == {"allowed": true, "decision": "allow", "reason": "allow", "reasons": [allow("e1")]}
}

test_nothing_matches_is_no_allow if {
	decide.decide(base) == {"allowed": false, "decision": "implicit_deny", "reason": "no_allow", "reasons": []}
}

test_deny_anywhere_wins if {
	every hits in [
		h({"identity": [allow("e1"), deny("e1")]}),
		h({"identity": [allow("e1")], "boundary": [allow("b"), deny("b")]}),
		h({"identity": [allow("e1")], "session": [deny("s")]}),
		h({"identity": [allow("e1")], "scp": [[allow("scp")], [deny("scp2")]]}),
		h({"identity": [allow("e1")], "rcp": [[deny("rcp")]]}),
		h({"identity": [allow("e1")], "resource_policy": [deny("rbp")]}),
	] {
		decide.decide(hits).decision == "explicit_deny"
		decide.decide(hits).reason == "explicit_deny"
		count(decide.decide(hits).reasons) == 1
	}
}

test_scp_level_without_allow if {
	d := decide.decide(h({"identity": [allow("e1")], "scp": [[allow("root")], []]}))
	d.reason == "scp_no_allow"
	d.decision == "implicit_deny"
}

test_rcp_level_without_allow if {
	decide.decide(h({"identity": [allow("e1")], "rcp": [[]]})).reason == "rcp_no_allow"
}

test_boundary_intersection if {
	decide.decide(h({"identity": [allow("e1")], "boundary": []})).reason == "boundary_no_allow"
	decide.decide(h({"identity": [allow("e1")], "boundary": [allow("b")]})).decision == "allow"
	decide.decide(h({"identity": [], "boundary": [allow("b")]})).reason == "no_allow"
}

test_session_intersection if {
	decide.decide(h({"identity": [allow("e1")], "session": []})).reason == "session_no_allow"
	decide.decide(h({"identity": [allow("e1")], "boundary": [], "session": []})).reason == "boundary_no_allow"
}

test_rbp_union if {
	d := decide.decide(h({"resource_policy": [allow("rbp")]}))
	d.decision == "allow"
	d.reasons == [allow("rbp")]
	decide.decide(h({"identity": [allow("e1")], "resource_policy": []})).reasons == [allow("e1")]
}

test_rbp_granting_directly_skips_boundary_and_session if {
	decide.decide(h({"resource_policy": [allow("rbp")], "boundary": [], "rbp_grants_directly": true})).decision == "allow"
	decide.decide(h({"resource_policy": [allow("rbp")], "session": [], "rbp_grants_directly": true})).decision == "allow"
	decide.decide(h({"resource_policy": [allow("rbp")], "boundary": []})).reason == "boundary_no_allow"
}

test_root_skips_identity_steps_but_not_guardrails if {
	root := {"arn": "arn:aws:iam::123456789012:root", "account": "123456789012", "type": "Root"}
	decide.decide(h({"principal": root})).decision == "allow"
	decide.decide(h({"principal": root, "identity": [deny("e1")], "boundary": []})).decision == "allow"
	decide.decide(h({"principal": root, "scp": [[]]})).reason == "scp_no_allow"
	decide.decide(h({"principal": root, "scp": [[deny("scp")]]})).decision == "explicit_deny"
}

# SEMANTICS §5.2a: across accounts the identity side AND the resource policy must allow, and no
# resource policy grants directly.
test_cross_account_needs_both_sides if {
	x := {"cross_account": true}
	decide.decide(h(object.union(x, {"identity": [allow("e1")]}))).reason == "resource_policy_no_allow"
	decide.decide(h(object.union(x, {"identity": [allow("e1")], "resource_policy": []}))).reason == "resource_policy_no_allow"
	decide.decide(h(object.union(x, {"resource_policy": [allow("rbp")]}))).reason == "no_allow"
	decide.decide(h(object.union(x, {"identity": [allow("e1")], "resource_policy": [allow("rbp")]}))).decision == "allow"
	direct := {"identity": [allow("e1")], "resource_policy": [allow("rbp")], "rbp_grants_directly": true, "session": []}
	decide.decide(h(object.union(x, direct))).reason == "session_no_allow"
	decide.decide(h(direct)).decision == "allow"
	root := {"arn": "arn:aws:iam::210987654321:root", "account": "210987654321", "type": "Root"}
	decide.decide(h(object.union(x, {"principal": root, "resource_policy": [allow("rbp")]}))).decision == "allow"
	decide.decide(h(object.union(x, {"principal": root}))).reason == "resource_policy_no_allow"
}

test_identity_only_decides_like_decide if {
	root := {"arn": "arn:aws:iam::123456789012:root", "account": "123456789012", "type": "Root"}
	other := {"arn": "arn:aws:iam::999999999999:user/m", "account": "999999999999", "type": "IAMUser"}
	every principal in [user, root, other, {}, "not an object", {"type": "ROOT"}] {
		every xacct in [true, false, null] {
			every reasons in [[], [allow("a")], [deny("d")], [allow("a"), deny("d")], [allow("a"), allow("b")]] {
				hits := h({"identity": reasons, "principal": principal, "cross_account": xacct})
				decide.identity_only(hits) == decide.decide(hits)
			}
		}
	}
}

test_identity_only_covers_every_answer if {
	answers := {d.reason |
		some principal in [user, {"type": "Root"}]
		some xacct in [true, false]
		some reasons in [[], [allow("a")], [deny("d")]]
		d := decide.identity_only(h({"identity": reasons, "principal": principal, "cross_account": xacct}))
	}
	answers == {"allow", "explicit_deny", "no_allow", "resource_policy_no_allow"}
}
