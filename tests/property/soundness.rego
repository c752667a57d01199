# Test-only batch module for tests/property/test_analysis_soundness.py: for every question of
# data.soundness_questions, the analysis answer and, for each concrete context, the ordinary
# evaluator's decision (data.iam2rego.generic) and the residual condition's value.
package iam2rego_test.soundness

import data.iam2rego.analysis
import data.iam2rego.decide
import data.iam2rego.generic
import data.iam2rego.request

results := [r | some q in data.soundness_questions; r := result(q)]

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

allowed_in(q, _, ctx, o) := generic.run_operation(q.policies, object.union(q, {"context": ctx}), o).allowed if q.operation

allowed_in(q, cands, ctx, o) := decide.decide(generic.hits_of(cands, generic.held(cands, r, o))).allowed if {
	not q.operation
	r := request.normalize(object.union(q, {"context": ctx}))
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
