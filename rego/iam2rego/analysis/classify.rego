# Classifying checks by enumerating the assignments of their atoms
# A check's atoms get local positions 0..k-1; assignment n (0 <= n < 2^k) makes atom i true iff bit
# i of n is set. A candidate is held under n iff all bits of its mask are set in n. decide.decide
# is monotone (more Allow statements or fewer Deny statements never turn an allow into a deny), so
# the best case (every conditional Allow held, no conditional Deny) bounds every assignment from
# above and the worst case from below: not allowed at best = denied, allowed at worst = allowed,
# without enumerating.
package iam2rego.analysis

import data.iam2rego.decide
import data.iam2rego.generic

# The whole analysis: prepare every check, number the atoms, classify each check, fold.
_analyze(policies, cs, principals, fixed, o) := _fold(results, atom_table, o) if {
	errors := {who: errs |
		some who in {c.principal | some c in cs}
		errs := generic.set_errors(object.get(policies, who, {}))
	}
	env := {"policies": policies, "principals": principals, "fixed": fixed, "errors": errors}
	prepared := [p | some c in cs; p := _prepare(env, c, o)]
	texts := {json.marshal(a) | some p in prepared; some xs in object.get(p, "atoms", {}); some a in xs}
	atom_list := [json.unmarshal(t) | some t in _sorted(texts)]
	index := {t: i | some i in _positions(count(atom_list)); t := json.marshal(atom_list[i])}
	atom_table := {id: a |
		some i in _positions(count(atom_list))
		id := sprintf("a%d", [i])
		a := _with_words(atom_list[i])
	}
	results := [x | some p in prepared; x := _with_text(_classify(p, index, o), atom_table)]
}

# A set as a sorted array that can be indexed (regopy 1.5.2 cannot index the result of sort();
# atoms are ordered by their JSON text so that a0, a1, ... are the same on every engine).
_sorted(s) := [x | some x in sort(s)]

_positions(0) := []

_positions(k) := numbers.range(0, k - 1) if k > 0

default _bit(_, _) := false

_bit(n, i) if bits.and(n, bits.lsh(1, i)) != 0

_classify(p, _, _) := object.union(p.check, {
	"answer": "unverifiable", "exact": true, "words": "unverifiable: a policy of the set cannot be read",
	"condition": null, "atoms": [], "policy_errors": p.errors,
}) if {
	count(p.errors) > 0
}

_classify(p, index, o) := object.union(p.check, _verdict_of(p, local, masks, o)) if {
	count(p.errors) == 0
	local := _sorted({g | some xs in p.atoms; some a in xs; g := index[json.marshal(a)]})
	pos := {g: i | some i in _positions(count(local)); g := local[i]}
	masks := {id: m |
		some id in object.keys(p.atoms)
		m := sum([b | some a in p.atoms[id]; b := bits.lsh(1, pos[index[json.marshal(a)]])])
	}
}

_held_under(masks, n) := {id | some id in object.keys(masks); bits.and(n, masks[id]) == masks[id]}

_decision_for(p, held) := decide.decide(generic.hits_of(p.cands, held))

_deny_ids(p) := {x.id | some x in generic.all_candidates(p.cands); x.reason.effect == "Deny"}

_best_held(p, masks) := {id | some id in object.keys(masks); _kept_in_best(id, masks[id], _deny_ids(p))}

_worst_held(p, masks) := {id | some id in object.keys(masks); _kept_in_worst(id, masks[id], _deny_ids(p))}

_kept_in_best(_, 0, _)

_kept_in_best(id, m, denies) if {
	m != 0
	not id in denies
}

_kept_in_worst(_, 0, _)

_kept_in_worst(id, m, denies) if {
	m != 0
	id in denies
}

_verdict_of(p, local, masks, o) := v if {
	best := _decision_for(p, _best_held(p, masks))
	worst := _decision_for(p, _worst_held(p, masks))
	v := object.union(
		{"best": best, "worst": worst, "atoms": [sprintf("a%d", [g]) | some g in local]},
		_enumerate(p, local, masks, best, worst, o),
	)
}

_exact_answer(a) := {"answer": a, "exact": true, "condition": null}

_enumerate(_, _, _, best, _, _) := _exact_answer("denied") if not best.allowed

_enumerate(_, _, _, best, worst, _) := _exact_answer("allowed") if {
	best.allowed
	worst.allowed
}

_enumerate(_, local, _, best, worst, o) := {
	"answer": "conditional", "exact": false, "condition": null,
	"note": sprintf("%d open conditions: more than the bound of %d; not enumerated", [count(local), _max_atoms(o)]),
} if {
	best.allowed
	not worst.allowed
	count(local) > _max_atoms(o)
}

_enumerate(p, local, masks, best, worst, o) := _by_onset(p, local, masks, onset) if {
	best.allowed
	not worst.allowed
	count(local) <= _max_atoms(o)
	onset := {n | some n in _positions(bits.lsh(1, count(local))); _decision_for(p, _held_under(masks, n)).allowed}
}

_by_onset(_, _, _, onset) := _exact_answer("denied") if count(onset) == 0

_by_onset(_, local, _, onset) := _exact_answer("allowed") if count(onset) == bits.lsh(1, count(local))

_by_onset(p, local, masks, onset) := {
	"answer": "conditional",
	"exact": true,
	"condition": _global_formula(f, local),
} if {
	count(onset) > 0
	count(onset) < bits.lsh(1, count(local))
	f := _residual_formula(p, local, masks, onset)
}

# --- the residual formula ----------------------------------------------------------------------------

# The §5.2 structure read from the candidates, when it agrees with the enumeration on every
# assignment; otherwise the disjunction of the allowing assignments (always exact).
_residual_formula(p, local, masks, onset) := f if {
	f := _structural(p, masks)
	_agrees(f, count(local), onset)
} else := [{"any": [conj |
	some n in onset
	conj := [x | some i in _positions(count(local)); x := {"i": i, "v": _bit(n, i)}]
]}]

_agrees(f, k, onset) if {
	every n in _positions(bits.lsh(1, k)) {
		_formula_at(f, n) == _is_member(n, onset)
	}
}

# (A helper: opa fmt 1.22 rewrites `a == (x in s)` to `(a == x) in s`.)
default _is_member(_, _) := false

_is_member(x, s) if x in s

default _formula_at(_, _) := false

_formula_at(f, n) if {
	every clause in f {
		some conj in clause.any
		every lit in conj {
			_bit(n, lit.i) == lit.v
		}
	}
}

# (Comprehension heads only use variables bound in their body: regopy 1.5.2 yields [] when a head
# names a function argument that the body does not mention.)
_global_formula(f, local) := {"all": [x |
	some clause in f
	x := {"any": _global_conjs(clause, local)}
]}

_global_conjs(clause, local) := [x |
	some conj in clause.any
	x := {"all": [y | some l in conj; y := {"atom": sprintf("a%d", [local[l.i]]), "value": l.v}]}
]

# --- folding the checks of a request or operation ---------------------------------------------------

_fold(results, atoms, o) := object.union(top, {
	"atoms": atoms, "checks": results,
	"failing": [r | some r in results; r.answer != "allowed"],
}) if {
	top := _with_text(_overall(results, o), atoms)
}

_with_text(t, atoms) := object.union(t, {"words": _words(t, atoms)})

_overall(results, _) := {
	"answer": "unverifiable", "exact": true, "condition": null,
	"policy_errors": [e | some r in results; some e in object.get(r, "policy_errors", [])],
} if {
	_has_answer(results, "unverifiable")
}

_overall(results, _) := _exact_answer("denied") if {
	not _has_answer(results, "unverifiable")
	_has_answer(results, "denied")
}

_overall(results, _) := _exact_answer("allowed") if {
	every r in results {
		r.answer == "allowed"
	}
}

_overall(results, o) := _joint(results, o) if {
	not _has_answer(results, "unverifiable")
	not _has_answer(results, "denied")
	_has_answer(results, "conditional")
}

_has_answer(results, a) if {
	some r in results
	r.answer == a
}

# Several conditional checks: their residuals together (AND); denied when no assignment of their
# atoms satisfies them all (the checks need contradicting conditions).
_joint(results, _) := {
	"answer": "conditional", "exact": false, "condition": null,
	"note": "a check has more open conditions than the bound; not enumerated",
} if {
	_inexact_conditional(results)
}

_joint(results, o) := _satisfiable_or_denied({"all": clauses}, o) if {
	not _inexact_conditional(results)
	clauses := [cl | some cl in {cl | some r in results; r.answer == "conditional"; some cl in r.condition.all}]
}

_satisfiable_or_denied(f, o) := {"answer": "conditional", "exact": false, "condition": f, "note": note} if {
	ids := _formula_atoms(f)
	count(ids) > _max_atoms(o)
	text := "%d open conditions: more than the bound of %d; joint satisfiability not checked"
	note := sprintf(text, [count(ids), _max_atoms(o)])
}

_satisfiable_or_denied(f, o) := v if {
	ids := _formula_atoms(f)
	count(ids) <= _max_atoms(o)
	local := {id: i | some i in _positions(count(ids)); id := ids[i]}
	lf := [x | some cl in f.all; x := {"any": [y | some conj in cl.any; y := _local_conj(conj, local)]}]
	v := _sat_answer(lf, count(ids), f)
}

_local_conj(conj, local) := [z | some l in conj.all; z := {"i": local[l.atom], "v": l.value}]

# (Functions that return a value never bind `some` to several solutions: regopy 1.5.2 reports a
# conflict even when every solution gives the same value; boolean helpers are used instead.)
_sat_answer(lf, k, f) := {"answer": "conditional", "exact": true, "condition": f} if _satisfiable(lf, k)

_sat_answer(lf, k, _) := object.union(_exact_answer("denied"), {"note": note}) if {
	not _satisfiable(lf, k)
	note := "the checks need conditions that exclude each other"
}

_satisfiable(lf, k) if {
	some n in _positions(bits.lsh(1, k))
	_formula_at(lf, n)
}

_inexact_conditional(results) if {
	some r in results
	r.answer == "conditional"
	r.exact == false
}

_formula_atoms(f) := _sorted({l.atom | some cl in f.all; some conj in cl.any; some l in conj.all})
