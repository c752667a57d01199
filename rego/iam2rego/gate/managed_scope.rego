# iam2rego gate - the actions a guardrail may name: those of the services the gate models
package iam2rego.gate

# The AWS managed policy table keeps, of each policy, the Action entries that can match an action of
# the action catalog's services (managed.dataset.services; SEMANTICS §13.5). That is exact for every
# request the gate builds from operations, and for a guardrail's `action`/`actions` only while they
# name one of those services: any other (`ec2:RunInstances`) could be granted by a statement the
# table left out, so it is a configuration problem, never answered "denied".
_modelled_services := {s | some s in data.iam2rego.gate.managed.dataset.services}

_guardrail_problem_pairs contains [i, why] if {
	some i, g in _user_guardrails
	some a in _named_actions(g)
	not lower(split(a, ":")[0]) in _modelled_services
	why := concat("", [
		"action ", json.marshal(a), ": the gate decides only actions of ",
		concat(", ", sort(_modelled_services)),
		" (the services its AWS managed policy table keeps, SEMANTICS §13.5)",
	])
}

_named_actions(g) := {a |
	some a in array.concat([object.get(g, "action", null)], _as_array(object.get(g, "actions", [])))
	is_string(a)
}

_as_array(x) := x if is_array(x)

_as_array(x) := [] if not is_array(x)
