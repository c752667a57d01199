# Test-only batch module for tests/property/test_analysis_soundness.py: for every question of
# data.soundness_questions, the analysis answer and, for each concrete context, the ordinary
# evaluator's decision (data.iam2rego.generic) and the residual condition's value.
package iam2rego_test.soundness

import data.iam2rego.analysis
import data.iam2rego.decide
import data.iam2rego.gate
import data.iam2rego.generic
import data.iam2rego.operations
import data.iam2rego.request

results := [r | some q in data.soundness_questions; r := result_of(q)]

result_of(q) := result(q) if not q.maybe_scp

# SCP levels that may apply: the gate's answer (evaluate.rego `_bracket` of the answers without and
# with them) and the concrete decisions in the world where they apply ("hi_rows")
result_of(q) := object.union(lo_res, {
	"answer": b.answer, "exact": object.get(b, "exact", true), "words": b.words,
	"lo": lo_res.answer, "hi": hi_res.answer, "hi_rows": hi_res.rows,
	"atoms": count(object.get(b, "atoms", [])),
}) if {
	q.maybe_scp
	lo_res := result(q)
	hq := with_maybe(q)
	hi_res := result(hq)
	b := gate._bracket(answer_for(q), answer_for(hq), ["maybe"])
}

with_maybe(q) := object.union(q, {"policies": object.union(q.policies, {"caller": object.union(q.policies.caller, {
	"scp": array.concat(object.get(q.policies.caller, "scp", []), q.maybe_scp),
})})})

result(q) := {
	"answer": a.answer, "exact": a.exact, "atoms": count(a.atoms), "words": a.words, "rows": rows,
	"errors": count(generic.set_errors(q.policies.caller)),
} if {
	a := answer_for(q)
	o := object.union(generic.default_options, q.options)
	cands := request_candidates(q, o)
	rows := [[allowed_in(q, cands, full, o), residual_in(a, full)] |
		some ctx in q.contexts
		full := object.union(q.context, ctx)
	]
}

# A single request: generic.decide_request's own steps (candidates, held, hits_of, decide) with
# the context-independent candidates computed once per question instead of once per context.
request_candidates(q, o) := generic.candidates(q.policies.caller, request.normalize(q), o) if not q.operation

request_candidates(q, _) := null if q.operation

answer_for(q) := analysis.analyze_operation(q.policies, q, q.options) if q.operation

answer_for(q) := analysis.analyze_request(q.policies.caller, q, q.fixed, q.options) if not q.operation

# An operation: generic.run_operation's steps (operations.checks, then each check decided on its
# principal's set) without validating the policy sets again for every check and context
# (validated once per question: "errors").
default allowed_in(_, _, _, _) := false

allowed_in(q, _, ctx, o) if {
	q.operation
	cs := operations.checks(object.union(q, {"context": ctx}), o)
	count(cs) > 0
	every c in cs {
		check_allowed(q, c, o)
	}
}

check_allowed(q, c, o) if {
	psd := object.get(q.policies, c.principal, {})
	raw := {"action": c.action, "resource": c.resource, "context": c.context, "principal": generic.principal_for(q, c.principal)}
	r := request.normalize(raw)
	cands := generic.candidates(psd, r, o)
	decide.decide(generic.hits_of(cands, generic.held(cands, r, o))).allowed
}

allowed_in(q, cands, ctx, o) if {
	not q.operation
	r := request.normalize(object.union(q, {"context": ctx}))
	decide.decide(generic.hits_of(cands, generic.held(cands, r, o))).allowed
}

default residual_in(_, _) := null

residual_in(a, ctx) if {
	a.condition != null
	analysis.residual_holds(a.condition, a.atoms, {"caller": ctx})
}

residual_in(a, ctx) := false if {
	a.condition != null
	not analysis.residual_holds(a.condition, a.atoms, {"caller": ctx})
}
