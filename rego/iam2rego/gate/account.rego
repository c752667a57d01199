# iam2rego gate - which AWS account the plan creates its resources in
# Never a silent default: the account comes from the plan (ARNs it knows, the aws_caller_identity
# data source, the provider's allowed_account_ids / assume_role) or from `account_id` in the
# configuration (`iam2rego gate --account-id`). No account, several accounts, or an `account_id`
# that disagrees with the plan is a plan-level finding (IAM2REGO-ACCOUNT-AMBIGUOUS): the gate then
# evaluates nothing else, so it cannot pass.
package iam2rego.gate

import data.iam2rego.policydoc

_account_arn_pattern := `^arn:[a-z-]+:[a-z0-9-]+:[^:]*:([0-9]{12}):`

# account_evidence contains {"account", "source"}: every place the plan names its own account
_account_evidence contains {"account": a, "source": concat("", ["arn of ", addr])} if {
	some addr, rc in _live
	a := _arn_account(rc.change.after.arn)
}

# the aws_caller_identity data source, read while planning (prior_state) or known in the plan
_account_evidence contains {"account": a, "source": r.address} if {
	[path, r] := walk(object.get(input, "prior_state", {}))
	path[count(path) - 2] == "resources"
	r.mode == "data"
	r.type == "aws_caller_identity"
	a := r.values.account_id
	_twelve_digits(a)
}

_account_evidence contains {"account": a, "source": addr} if {
	some addr, rc in _pending_data
	rc.type == "aws_caller_identity"
	a := rc.change.after.account_id
	_twelve_digits(a)
}

# provider settings: a single allowed account, or the account of the role Terraform assumes
_account_evidence contains {"account": a, "source": concat("", ["provider ", key, " allowed_account_ids"])} if {
	some key, p in object.get(object.get(input, "configuration", {}), "provider_config", {})
	[a] := p.expressions.allowed_account_ids.constant_value
	_twelve_digits(a)
}

_account_evidence contains {"account": a, "source": concat("", ["provider ", key, " assume_role"])} if {
	some key, p in object.get(object.get(input, "configuration", {}), "provider_config", {})
	some ar in policydoc.as_list(p.expressions.assume_role)
	a := _arn_account(ar.role_arn.constant_value)
}

_arn_account(arn) := m[1] if {
	is_string(arn)
	m := regex.find_all_string_submatch_n(_account_arn_pattern, arn, 1)[0]
}

_plan_accounts := {e.account | some e in _account_evidence}

# providers that restrict the account to a list: the account must be in every such list
_account_allow_lists contains [key, l] if {
	some key, p in object.get(object.get(input, "configuration", {}), "provider_config", {})
	l := p.expressions.allowed_account_ids.constant_value
	is_array(l)
	count(l) > 0
}

_configured_account := _cfg.account_id

# account_id: the account of resources created by the plan (undefined when it cannot be told)
_account_id := _configured_account if {
	_twelve_digits(_configured_account)
	count(_account_problems) == 0
}

_account_id := a if {
	not "account_id" in object.keys(_cfg)
	[a] := [x | some x in _plan_accounts]
	count(_account_problems) == 0
}

# the account matters as soon as the plan has a principal, a table or a managed policy whose ARN
# the gate builds or probes
_account_needed if {
	some t in {"aws_iam_role", "aws_iam_user", "aws_iam_policy", "aws_dynamodb_table"}
	count(_live_of_type(t)) > 0
}

_account_problems contains why if {
	_twelve_digits(_configured_account)
	some e in _account_evidence
	e.account != _configured_account
	why := concat("", [
		"`account_id` ", _configured_account, " disagrees with the plan: ",
		e.source, " says ", e.account,
	])
}

_account_problems contains why if {
	not "account_id" in object.keys(_cfg)
	count(_plan_accounts) > 1
	why := concat("", [
		"the plan names several accounts (", _evidence_text, "); ",
		"set `account_id` (iam2rego gate --account-id) to the account the plan deploys to",
	])
}

_account_problems contains why if {
	not "account_id" in object.keys(_cfg)
	count(_plan_accounts) == 0
	_account_needed
	why := concat("", [
		"the plan does not say which account it deploys to (no known ARN, no aws_caller_identity data source, ",
		"no single provider allowed_account_ids); set `account_id` (iam2rego gate --account-id)",
	])
}

_account_problems contains why if {
	some [key, l] in _account_allow_lists
	not _chosen_account in l
	why := concat("", ["account ", _chosen_account, " is not in the allowed_account_ids of provider ", key])
}

_chosen_account := _configured_account if _twelve_digits(_configured_account)

_chosen_account := a if {
	not "account_id" in object.keys(_cfg)
	[a] := [x | some x in _plan_accounts]
}

_evidence_text := concat(", ", sort([concat(" says ", [e.source, e.account]) | some e in _account_evidence]))

# METADATA
# description: The account decision, for `iam2rego gate` (which exits 2 on a problem).
# scope: document
_account_info := object.union(_account_facts, {"account_id": _account_id})

_account_info := object.union(_account_facts, {"account_id": null}) if not _account_id

_account_facts := {"evidence": sort([e | some e in _account_evidence]), "problems": sort(_account_problems)}
