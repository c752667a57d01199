package iam2rego.gate_test

import data.iam2rego.gate

# kms.rego: the table -> key link, key policies, grants, keys outside the plan (SEMANTICS §13.2)
# (plan() of gate_test sets the provider Region eu-west-1: keys created by the plan are named there)

acct := "123456789012"

ext_key := "arn:aws:kms:us-east-1:123456789012:key/8e1f3c2a-0b4d-4e5f-9a6b-7c8d9e0f1a2b"

cfg := {"iam2rego_gate": {"account_id": acct}}

sse_table(addr, sse, unknown) := change(
	addr, "aws_dynamodb_table", split(addr, ".")[1], ["create"], {
		"name": split(addr, ".")[1],
		"server_side_encryption": sse,
	},
	object.union({"arn": true}, unknown),
)

conf(addr, expressions) := {"address": addr, "mode": "managed", "type": split(addr, ".")[0], "name": split(addr, ".")[1], "expressions": expressions}

kplan(changes, resources) := object.union(plan(changes), {"configuration": {"root_module": {"resources": resources}}})

key(name, after, unknown) := change(concat(".", ["aws_kms_key", name]), "aws_kms_key", name, ["create"], after, unknown)

ref_sse(target) := {"server_side_encryption": [{
	"enabled": {"constant_value": true},
	"kms_key_arn": {"references": [concat("", [target, ".arn"]), target]},
}]}

delegating := json.marshal({"Version": "2012-10-17", "Statement": [{
	"Sid": "Enable IAM User Permissions", "Effect": "Allow",
	"Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "kms:*", "Resource": "*",
}]})

test_aws_owned_and_managed_keys if {
	owned := sse_table("aws_dynamodb_table.a", null, {"server_side_encryption": true})
	off := sse_table("aws_dynamodb_table.b", [{"enabled": false}], {})
	managed := sse_table("aws_dynamodb_table.c", [{"enabled": true}], {"server_side_encryption": [{"kms_key_arn": true}]})
	alias := sse_table("aws_dynamodb_table.d", [{"enabled": true, "kms_key_arn": "arn:aws:kms:us-east-1:123456789012:alias/aws/dynamodb"}], {})
	p := kplan([owned, off, managed, alias], [conf("aws_dynamodb_table.c", {"server_side_encryption": [{"enabled": {"constant_value": true}}]})])
	kinds := {a: t.kms.kind | some a, t in gate.tables} with input as p with data.iam2rego_gate as cfg.iam2rego_gate
	kinds == {
		"aws_dynamodb_table.a": "aws_owned", "aws_dynamodb_table.b": "aws_owned",
		"aws_dynamodb_table.c": "aws_managed", "aws_dynamodb_table.d": "aws_managed",
	}
	count(gate.kms_keys) == 0 with input as p with data.iam2rego_gate as cfg.iam2rego_gate
}

test_a_reference_links_the_plan_key_and_its_default_policy if {
	t := sse_table("aws_dynamodb_table.t", [{"enabled": true}], {"server_side_encryption": [{"kms_key_arn": true}]})
	k := key("k", {}, {"arn": true, "key_id": true, "policy": true})
	p := kplan([t, k], [conf("aws_dynamodb_table.t", ref_sse("aws_kms_key.k")), conf("aws_kms_key.k", {})])
	arn := "arn:aws:kms:eu-west-1:123456789012:key/aws_kms_key.k"
	tb := gate.tables["aws_dynamodb_table.t"] with input as p with data.iam2rego_gate as cfg.iam2rego_gate
	tb.kms == {"kind": "customer", "arn": arn, "key": "aws_kms_key.k", "known": true}
	entry := gate.kms_keys[arn] with input as p with data.iam2rego_gate as cfg.iam2rego_gate
	[entry.known, entry.policy, entry.source] == [true, "aws_kms_key.k", "plan"]
	doc := gate.key_documents["aws_kms_key.k"].document with input as p with data.iam2rego_gate as cfg.iam2rego_gate
	doc.Statement[0].Principal.AWS == "arn:aws:iam::123456789012:root"
	gate.kms_params("restore_table_from_backup", tb) == {"backup_kms_key": arn}
	gate.kms_params("create_backup", tb) == {}
}

test_a_configured_policy_known_only_after_apply_is_unknown if {
	t := sse_table("aws_dynamodb_table.t", [{"enabled": true}], {"server_side_encryption": [{"kms_key_arn": true}]})
	k := key("k", {}, {"arn": true, "policy": true})
	p := kplan([t, k], [
		conf("aws_dynamodb_table.t", ref_sse("aws_kms_key.k")),
		conf("aws_kms_key.k", {"policy": {"references": ["data.aws_iam_policy_document.k"]}}),
	])
	entry := gate.kms_keys["arn:aws:kms:eu-west-1:123456789012:key/aws_kms_key.k"] with input as p
		with data.iam2rego_gate as cfg.iam2rego_gate
	entry.known == false
	contains(entry.problem, "known only after apply")
	[e] := gate.bound_key_policies[entry.arn] with input as p with data.iam2rego_gate as cfg.iam2rego_gate
	e.document == null
}

test_two_key_policy_resources_on_one_key_are_unknown if {
	t := sse_table("aws_dynamodb_table.t", [{"enabled": true}], {"server_side_encryption": [{"kms_key_arn": true}]})
	k := key("k", {}, {"arn": true, "policy": true, "key_id": true})
	kp1 := change("aws_kms_key_policy.a", "aws_kms_key_policy", "a", ["create"], {"policy": delegating}, {"key_id": true})
	kp2 := change("aws_kms_key_policy.b", "aws_kms_key_policy", "b", ["create"], {"policy": delegating}, {"key_id": true})
	target := {"key_id": {"references": ["aws_kms_key.k.id", "aws_kms_key.k"]}}
	p := kplan([t, k, kp1, kp2], [
		conf("aws_dynamodb_table.t", ref_sse("aws_kms_key.k")), conf("aws_kms_key.k", {}),
		conf("aws_kms_key_policy.a", target), conf("aws_kms_key_policy.b", target),
	])
	entry := gate.kms_keys["arn:aws:kms:eu-west-1:123456789012:key/aws_kms_key.k"] with input as p
		with data.iam2rego_gate as cfg.iam2rego_gate
	entry.known == false
	contains(entry.problem, "several aws_kms_key_policy")
}

test_an_unresolved_grant_makes_keys_unknown if {
	t := sse_table("aws_dynamodb_table.t", [{"enabled": true}], {"server_side_encryption": [{"kms_key_arn": true}]})
	k := key("k", {"policy": delegating}, {"arn": true, "key_id": true})
	g := change("aws_kms_grant.g", "aws_kms_grant", "g", ["create"], {"operations": ["Decrypt"]}, {"grantee_principal": true, "key_id": true})
	p := kplan([t, k, g], [
		conf("aws_dynamodb_table.t", ref_sse("aws_kms_key.k")), conf("aws_kms_key.k", {"policy": {"references": ["local.p"]}}),
		conf("aws_kms_grant.g", {"key_id": {"references": ["aws_kms_key.k.key_id", "aws_kms_key.k"]}, "grantee_principal": {"references": ["var.who"]}}),
	])
	entry := gate.kms_keys["arn:aws:kms:eu-west-1:123456789012:key/aws_kms_key.k"] with input as p
		with data.iam2rego_gate as cfg.iam2rego_gate
	entry.known == false
	contains(entry.problem, "aws_kms_grant.g")
}

test_a_key_outside_the_plan_and_kms_keys if {
	t := sse_table("aws_dynamodb_table.t", [{"enabled": true, "kms_key_arn": ext_key}], {})
	p := kplan([t], [])
	none := gate.kms_keys[ext_key] with input as p with data.iam2rego_gate as cfg.iam2rego_gate
	[none.known, none.source] == [false, "none"]
	inline := {"account_id": acct, "kms_keys": {ext_key: {"policy": json.unmarshal(delegating)}}}
	given := gate.kms_keys[ext_key] with input as p with data.iam2rego_gate as inline
	[given.known, given.source] == [true, "guardrails"]
	[e] := gate.bound_key_policies[ext_key] with input as p with data.iam2rego_gate as inline
	e.document.Statement[0].Sid == "Enable IAM User Permissions"
	as_file := {"account_id": acct, "kms_keys": {ext_key: "keys/ext.json"}}
	file := gate.kms_keys[ext_key] with input as p with data.iam2rego_gate as as_file
	file.known == false
	contains(file.problem, "only `iam2rego gate` reads files")
}

test_an_unresolvable_key_reference_is_unknown_and_bound if {
	t := sse_table("aws_dynamodb_table.t", [{"enabled": true}], {"server_side_encryption": [{"kms_key_arn": true}]})
	p := kplan([t], [conf("aws_dynamodb_table.t", {"server_side_encryption": [{
		"enabled": {"constant_value": true},
		"kms_key_arn": {"references": ["var.key_arn"]},
	}]})])
	tb := gate.tables["aws_dynamodb_table.t"] with input as p with data.iam2rego_gate as cfg.iam2rego_gate
	[tb.kms.kind, tb.kms.known] == ["customer", false]
	arn := gate.table_key_arn(tb) with data.iam2rego_gate as cfg.iam2rego_gate
	[e] := gate.bound_key_policies[arn] with input as p with data.iam2rego_gate as cfg.iam2rego_gate
	e.document == null
	contains(e.source, "var.key_arn")
}
