# iam2rego gate - the one place that calls the analysis (rego/iam2rego/analysis)
# Guardrails ask the open question: over every request context the plan does not fix, is the
# principal allowed (in all), denied (in none) or conditional (allowed in some, with the condition)?
package iam2rego.gate

import data.iam2rego.analysis
import data.iam2rego.catalog

_eval_opts := object.union(catalog.option_defaults, {"mode": object.get(_cfg, "mode", catalog.option_defaults.mode)})

# Context keys the plan fixes besides the probe's context (principal ARN, account, type, user name,
# Region, a guardrail's pinned keys): the principal's tags, per principal (principals.rego
# _principal_fixed_keys): every aws:PrincipalTag/* key (a tag the plan does not set is absent) only
# when the tags are known and no session can carry tags; otherwise the known tags a session cannot
# override are fixed through the context and every other aws:PrincipalTag/* key is open
# (SEMANTICS §13.3). Everything else (aws:SourceIp, aws:MultiFactorAuthPresent, aws:ResourceTag/*,
# aws:CurrentTime, ...) is open; so are aws:PrincipalArn and aws:username when the name is unknown.
_fixed_keys(p) := _principal_fixed_keys(p)

# Not named `decide`/`operate`: regopy 1.5.2 resolves the generic library's `import data.iam2rego.decide`
# to a rule of that name in another package (here iam2rego.gate) and reports a cycle.

# probe_answer(pset, raw_request, fixed) -> analysis answer (docs/ANALYSIS.md); with SCP/RCP levels of
# unknown scope (policy_sets maybe) answered with and without them (organization.rego)
_probe_answer(pset, raw, fixed) := analysis.analyze_request(_sure(pset), raw, fixed, _eval_opts) if not _has_maybe(pset)

_probe_answer(pset, raw, fixed) := _bracket(
	analysis.analyze_request(_sure(pset), raw, fixed, _eval_opts),
	analysis.analyze_request(_with_maybe(pset), raw, fixed, _eval_opts),
	pset.maybe.why,
) if {
	_has_maybe(pset)
}

# probe_op_answer({"caller": pset, "role"?: pset}, op) -> analysis answer of the operation
_probe_op_answer(psets, op) := analysis.analyze_operation(_sure_all(psets), op, _eval_opts) if {
	not _any_maybe(psets)
}

_probe_op_answer(psets, op) := _bracket(
	analysis.analyze_operation(_sure_all(psets), op, _eval_opts),
	analysis.analyze_operation({who: _with_maybe(s) | some who, s in psets}, op, _eval_opts),
	[w | some s in psets; some w in object.get(object.get(s, "maybe", {}), "why", [])],
) if {
	_any_maybe(psets)
}

# SCP/RCP levels that may apply (organization.rego: a target of unknown membership, an account that
# may be the management account, RCPs on DynamoDB): the analysis answers without them (`lo`) and
# with them (`hi`). Levels only restrict, so every world in between answers between the two: when
# both agree, that is the answer; otherwise it is unverifiable, naming what could not be told.
_has_maybe(pset) if count(pset.maybe.scp) + count(pset.maybe.rcp) > 0

_any_maybe(psets) if {
	some s in psets
	_has_maybe(s)
}

_sure(pset) := object.remove(pset, ["maybe"])

_sure_all(psets) := {who: _sure(s) | some who, s in psets}

_with_maybe(pset) := object.union(_sure(pset), {
	"scp": array.concat(object.get(pset, "scp", []), object.get(object.get(pset, "maybe", {}), "scp", [])),
	"rcp": array.concat(object.get(pset, "rcp", []), object.get(object.get(pset, "maybe", {}), "rcp", [])),
})

_bracket(lo, hi, _) := lo if _same_answer(lo, hi)

_bracket(lo, hi, why) := object.union(hi, {
	"answer": "unverifiable", "exact": true, "condition": null, "failing": [], "policy_errors": [],
	"note": note, "words": concat("", ["unverifiable: ", note]),
}) if {
	not _same_answer(lo, hi)
	note := concat("", [
		"the answer depends on organisation policies that may or may not apply (",
		lo.answer, " without them, ", hi.answer, " with them): ", concat("; ", sort({w | some w in why})),
	])
}

_same_answer(lo, hi) if {
	lo.answer == hi.answer
	lo.answer in {"allowed", "denied", "unverifiable"}
}

# what is denied without them stays denied with more levels (even unreadable ones)
_same_answer(lo, _) if lo.answer == "denied"

_same_answer(lo, hi) if {
	lo.answer == "conditional"
	hi.answer == "conditional"
	lo.condition == hi.condition
}
