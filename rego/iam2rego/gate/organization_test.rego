package iam2rego.gate_test

import data.iam2rego.gate

# organization.rego: where each SCP/RCP applies (SEMANTICS §13.1)

org_deletes := json.marshal({"Version": "2012-10-17", "Statement": [{
	"Sid": "Delete", "Effect": "Allow", "Action": "dynamodb:DeleteBackup",
	"Resource": "*",
}]})

org_deny_deletes := json.marshal({"Version": "2012-10-17", "Statement": [{
	"Sid": "NoDelete", "Effect": "Deny", "Action": "dynamodb:DeleteBackup",
	"Resource": "*",
}]})

org_scp(name, type) := change(
	concat("", ["aws_organizations_policy.", name]), "aws_organizations_policy", name, ["create"],
	{"id": concat("", ["p-", name]), "type": type, "content": org_deny_deletes}, {},
)

org_attach(name, target) := change(
	concat("", ["aws_organizations_policy_attachment.", name]), "aws_organizations_policy_attachment", name,
	["create"], {"policy_id": concat("", ["p-", name]), "target_id": target}, {},
)

org_ou(name, id, parent) := change(
	concat("", ["aws_organizations_organizational_unit.", name]), "aws_organizations_organizational_unit", name,
	["no-op"], {"id": id, "parent_id": parent}, {},
)

org_account(id, parent) := change(
	"aws_organizations_account.a", "aws_organizations_account", "a", ["no-op"],
	{"id": id, "parent_id": parent}, {},
)

org_forbid_delete := {"id": "no-delete", "kind": "forbid", "action": "dynamodb:DeleteBackup"}

org_member := {"management_account": "999999999999"}

org_cfg(org) := {"organization": org, "guardrails": [org_forbid_delete]}

org_guardrail_answers(deny) := {f.answer | some f in deny; f.code == "IAM2REGO-GUARDRAIL"}

org_base := [role, table, inline(org_deletes)]

test_an_scp_on_another_account_does_not_apply if {
	p := plan(array.concat(org_base, [org_scp("x", "SERVICE_CONTROL_POLICY"), org_attach("x", "111122223333")]))
	[a] := gate.organization.attachments with input as p with data.iam2rego_gate as org_cfg(org_member)
	a.applies == false
	a.target == "111122223333"
	org_guardrail_answers(gate.deny) == {"allowed"} with input as p with data.iam2rego_gate as org_cfg(org_member)
}

test_an_scp_on_the_account_applies_in_a_member_account if {
	p := plan(array.concat(org_base, [org_scp("x", "SERVICE_CONTROL_POLICY"), org_attach("x", "123456789012")]))
	count(gate.deny) == 0 with input as p with data.iam2rego_gate as org_cfg(org_member)
	[level] := gate.policy_sets["aws_iam_role.r"].scp with input as p with data.iam2rego_gate as org_cfg(org_member)
	[e.name | some e in level] == ["FullAWSAccess", "aws_organizations_policy.x"]
}

test_the_management_account_is_outside_scps if {
	p := plan(array.concat(org_base, [org_scp("x", "SERVICE_CONTROL_POLICY"), org_attach("x", "123456789012")]))
	c := org_cfg({"management_account": "123456789012"})
	gate.policy_sets["aws_iam_role.r"].scp == [] with input as p with data.iam2rego_gate as c
	org_guardrail_answers(gate.deny) == {"allowed"} with input as p with data.iam2rego_gate as c
}

test_an_unknown_management_account_makes_what_the_scp_decides_unverifiable if {
	p := plan(array.concat(org_base, [org_scp("x", "SERVICE_CONTROL_POLICY"), org_attach("x", "123456789012")]))
	c := {"guardrails": [org_forbid_delete]}
	[f] := [f | some f in gate.deny; f.code == "IAM2REGO-GUARDRAIL"] with input as p with data.iam2rego_gate as c
	f.answer == "unverifiable"
	contains(f.detail, "is the organisation's management account")
	contains(f.detail, "allowed without them, denied with them")
}

test_an_scp_the_answer_does_not_depend_on_changes_nothing if {
	# the SCP denies DeleteBackup; a guardrail on CreateBackup gets the same answer in both worlds
	p := plan(array.concat(org_base, [org_scp("x", "SERVICE_CONTROL_POLICY"), org_attach("x", "123456789012")]))
	g := {"id": "no-create", "kind": "forbid", "action": "dynamodb:CreateBackup"}
	count(gate.deny) == 0 with input as p with data.iam2rego_gate as {"guardrails": [g]}
}

test_service_linked_roles_are_outside_scps if {
	slr := change(
		"aws_iam_role.r", "aws_iam_role", "r", ["create"],
		{"name": "r", "path": "/aws-service-role/dynamodb.amazonaws.com/"}, {"arn": true},
	)
	p := plan([slr, table, inline(org_deletes), org_scp("x", "SERVICE_CONTROL_POLICY"), org_attach("x", "123456789012")])
	ps := gate.policy_sets["aws_iam_role.r"] with input as p with data.iam2rego_gate as org_cfg(org_member)
	ps.scp == []
	ps.maybe == {"scp": [], "rcp": [], "why": []}
}

test_an_ou_the_plan_puts_the_account_in_applies if {
	p := plan(array.concat(org_base, [
		org_ou("team", "ou-ab12-22222222", "ou-ab12-11111111"), org_account("123456789012", "ou-ab12-22222222"),
		org_scp("x", "SERVICE_CONTROL_POLICY"), org_attach("x", "ou-ab12-11111111"),
	]))
	[a] := gate.organization.attachments with input as p with data.iam2rego_gate as org_cfg(org_member)
	a.applies == true
	gate.organization.accounts["123456789012"].path == ["ou-ab12-11111111", "ou-ab12-22222222"] with input as p
		with data.iam2rego_gate as org_cfg(org_member)
	levels := gate.policy_sets["aws_iam_role.r"].scp with input as p with data.iam2rego_gate as org_cfg(org_member)
	count(levels) == 3 # two OUs and the org_account
	[e.name | some e in levels[0]] == ["FullAWSAccess", "aws_organizations_policy.x"]
}

test_an_ou_of_unknown_membership_is_unverifiable_naming_the_attachment if {
	p := plan(array.concat(org_base, [
		org_account("123456789012", "ou-ab12-22222222"),
		org_scp("x", "SERVICE_CONTROL_POLICY"), org_attach("x", "ou-ab12-99999999"),
	]))
	[a] := gate.organization.attachments with input as p with data.iam2rego_gate as org_cfg(org_member)
	a.applies == "unknown"
	[f] := [f | some f in gate.deny; f.code == "IAM2REGO-GUARDRAIL"] with input as p
		with data.iam2rego_gate as org_cfg(org_member)
	f.answer == "unverifiable"
	contains(f.detail, "attached by aws_organizations_policy_attachment.x")
	contains(f.detail, "ou-ab12-99999999")
}

test_a_complete_path_rules_out_other_ous if {
	org := object.union(org_member, {"path": ["r-ab12", "ou-ab12-22222222"]})
	p := plan(array.concat(org_base, [org_scp("x", "SERVICE_CONTROL_POLICY"), org_attach("x", "ou-ab12-99999999")]))
	[a] := gate.organization.attachments with input as p with data.iam2rego_gate as org_cfg(org)
	a.applies == false
	gate.organization.known with input as p with data.iam2rego_gate as org_cfg(org)
	org_guardrail_answers(gate.deny) == {"allowed"} with input as p with data.iam2rego_gate as org_cfg(org)
}

test_the_root_applies_and_another_root_does_not if {
	org := object.union(org_member, {"path": ["r-ab12", "ou-ab12-22222222"]})
	p := plan(array.concat(org_base, [
		org_scp("x", "SERVICE_CONTROL_POLICY"), org_attach("x", "r-ab12"),
		org_scp("y", "SERVICE_CONTROL_POLICY"), org_attach("y", "r-zz99"),
	]))
	{[a.target, a.applies] | some a in gate.organization.attachments} == {["r-ab12", true], ["r-zz99", false]} with input as p
		with data.iam2rego_gate as org_cfg(org)
}

test_block_policies_inline_and_describe_policy_output if {
	described := {"Policy": {"PolicySummary": {"Name": "deny-deletes", "Type": "SERVICE_CONTROL_POLICY"}, "Content": org_deny_deletes}}
	org := object.union(org_member, {
		"path": ["r-ab12", "ou-ab12-22222222"],
		"scps": {"ou-ab12-22222222": [described], "r-ab12": [{"name": "also", "document": json.unmarshal(org_deny_deletes)}]},
	})
	count(gate.deny) == 0 with input as plan(org_base) with data.iam2rego_gate as org_cfg(org)
	names := {a.policy | some a in gate.organization.attachments} with input as plan(org_base) with data.iam2rego_gate as org_cfg(org)
	names == {"deny-deletes", "also"}
}

test_a_file_name_in_the_block_is_a_config_problem_under_conftest if {
	org := object.union(org_member, {"scps": {"r-ab12": ["org/deny.json"]}})
	probs := gate._config_problems with input as plan(org_base) with data.iam2rego_gate as org_cfg(org)
	some why in probs
	startswith(why, "iam2rego_gate.organization.scps.r-ab12[0]: a file name")
}

test_a_describe_policy_of_the_wrong_type_is_a_config_problem if {
	rcp := {"Policy": {"PolicySummary": {"Type": "RESOURCE_CONTROL_POLICY"}, "Content": org_deny_deletes}}
	org := object.union(org_member, {"scps": {"r-ab12": [rcp]}})
	probs := gate._config_problems with input as plan(org_base) with data.iam2rego_gate as org_cfg(org)
	some why in probs
	why == "iam2rego_gate.organization.scps.r-ab12[0]: a RESOURCE_CONTROL_POLICY listed under `scps`"
}

test_detached_full_aws_access_leaves_a_level_without_allow if {
	org := object.union(org_member, {
		"path": ["r-ab12"], "without_full_aws_access": ["123456789012"],
		"scps": {"r-ab12": [{"name": "deny", "document": org_deny_deletes}]},
	})
	g := {"id": "no-create", "kind": "forbid", "action": "dynamodb:CreateBackup"}
	levels := gate.policy_sets["aws_iam_role.r"].scp with input as plan(org_base) with data.iam2rego_gate as org_cfg(org)
	levels[1] == []
	count(gate.deny) == 0 with input as plan(org_base) with data.iam2rego_gate as {"organization": org, "guardrails": [g]}
}

test_rcps_are_read_and_only_maybe_apply if {
	rcp_doc := json.marshal({"Version": "2012-10-17", "Statement": [{
		"Effect": "Deny", "Principal": "*", "Action": "dynamodb:DeleteBackup",
		"Resource": "*",
	}]})
	r := change(
		"aws_organizations_policy.r", "aws_organizations_policy", "r", ["create"],
		{"id": "p-r", "type": "RESOURCE_CONTROL_POLICY", "content": rcp_doc}, {},
	)
	p := plan(array.concat(org_base, [r, org_attach("r", "123456789012")]))
	gate.documents["aws_organizations_policy.r"].kind == "rcp" with input as p
	gate.documents["aws_organizations_policy.r"].status == "ok" with input as p
	ps := gate.policy_sets["aws_iam_role.r"] with input as p with data.iam2rego_gate as org_cfg(org_member)
	ps.rcp == []
	count(ps.maybe.rcp) == 1
	[f] := [f | some f in gate.deny; f.code == "IAM2REGO-GUARDRAIL"] with input as p
		with data.iam2rego_gate as org_cfg(org_member)
	f.answer == "unverifiable"
	contains(f.detail, "SEMANTICS Q7")
}

test_scp_scope_all_is_no_longer_accepted if {
	probs := gate._config_problems with input as plan(org_base) with data.iam2rego_gate as {"scp_scope": "all"}
	startswith(probs[_], "iam2rego_gate.scp_scope: ")
	count(gate._config_problems) == 0 with input as plan(org_base) with data.iam2rego_gate as {"scp_scope": "attached"}
}

test_an_untargeted_attachment_is_its_own_maybe_level if {
	a := change(
		"aws_organizations_policy_attachment.x", "aws_organizations_policy_attachment", "x",
		["create"], {"policy_id": "p-x"}, {"target_id": true},
	)
	p := plan(array.concat(org_base, [org_scp("x", "SERVICE_CONTROL_POLICY"), a]))
	[att] := gate.organization.attachments with input as p with data.iam2rego_gate as org_cfg(org_member)
	att.applies == "unknown"
	att.target == null
	[[e]] := gate.policy_sets["aws_iam_role.r"].maybe.scp with input as p with data.iam2rego_gate as org_cfg(org_member)
	e.name == "aws_organizations_policy.x"
}

test_an_scp_the_plan_does_not_hold_only_may_apply if {
	ext := change(
		"aws_organizations_policy_attachment.e", "aws_organizations_policy_attachment", "e", ["create"],
		{"policy_id": "p-elsewhere1", "target_id": "123456789012"}, {},
	)
	p := plan(array.concat(org_base, [ext]))
	[a] := gate.organization.attachments with input as p with data.iam2rego_gate as org_cfg(org_member)
	a.applies == "unknown"
	contains(a.why, "p-elsewhere1 is not in this plan")
	[f] := [f | some f in gate.deny; f.code == "IAM2REGO-GUARDRAIL"] with input as p
		with data.iam2rego_gate as org_cfg(org_member)
	f.answer == "unverifiable"
	contains(f.detail, "attached by aws_organizations_policy_attachment.e")
}

test_full_aws_access_by_id_and_other_accounts_change_nothing if {
	fa := change(
		"aws_organizations_policy_attachment.f", "aws_organizations_policy_attachment", "f", ["create"],
		{"policy_id": "p-FullAWSAccess", "target_id": "123456789012"}, {},
	)
	other := change(
		"aws_organizations_policy_attachment.o", "aws_organizations_policy_attachment", "o", ["create"],
		{"policy_id": "p-elsewhere1", "target_id": "111122223333"}, {},
	)
	p := plan(array.concat(org_base, [fa, other]))
	[a] := gate.organization.attachments with input as p with data.iam2rego_gate as org_cfg(org_member)
	a.applies == false
	org_guardrail_answers(gate.deny) == {"allowed"} with input as p with data.iam2rego_gate as org_cfg(org_member)
}

test_what_is_denied_without_them_stays_denied if {
	# identity denies DeleteBackup; an SCP of unknown content may apply: still denied, not unverifiable
	ext := change(
		"aws_organizations_policy_attachment.e", "aws_organizations_policy_attachment", "e", ["create"],
		{"policy_id": "p-elsewhere1", "target_id": "123456789012"}, {},
	)
	p := plan([role, table, inline(org_deny_deletes), ext])
	count(gate.deny) == 0 with input as p with data.iam2rego_gate as org_cfg(org_member)
}

test_a_block_path_the_plan_contradicts_is_a_config_problem if {
	org := object.union(org_member, {"path": ["r-ab12", "ou-ab12-33333333"]})
	p := plan(array.concat(org_base, [org_account("123456789012", "ou-ab12-22222222")]))
	probs := gate._config_problems with input as p with data.iam2rego_gate as org_cfg(org)
	probs == {concat("", [
		"iam2rego_gate.organization.path: the plan places account 123456789012 under ou-ab12-22222222, ",
		"which the path does not name",
	])}
}
