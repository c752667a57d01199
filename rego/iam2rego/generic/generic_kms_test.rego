package iam2rego.generic_kms_test

# SEMANTICS §13.2 through the generic evaluator: a KMS key policy bound to checks on its key
# (key_policies), account delegation, direct grants, grants as policies, cross-account keys, the
# root user, and restore operations whose backup key is a customer managed key.

import data.iam2rego.analysis
import data.iam2rego.generic

a := "123456789012"

other := "210987654321"

key := sprintf("arn:aws:kms:us-east-1:%s:key/1234abcd-12ab-34cd-56ef-1234567890ab", [a])

foreign_key := sprintf("arn:aws:kms:us-east-1:%s:key/0000abcd-12ab-34cd-56ef-1234567890ab", [other])

role_arn := sprintf("arn:aws:iam::%s:role/restore", [a])

role := {"arn": role_arn, "account": a, "type": "AssumedRole"}

root := {"arn": sprintf("arn:aws:iam::%s:root", [a]), "type": "Root"}

doc(statements) := {"Version": "2012-10-17", "Statement": statements}

p(name, statements) := {"name": name, "document": doc(statements), "source": name}

kms_all := {"Effect": "Allow", "Action": "kms:*", "Resource": "*"}

to(principal, st) := object.union(st, {"Principal": {"AWS": principal}})

delegating := p("kp", [to(sprintf("arn:aws:iam::%s:root", [a]), kms_all)])

delegating_bare := p("kp", [to(a, kms_all)])

naming_role := p("kp", [to(role_arn, kms_all)])

naming_other := p("kp", [to(sprintf("arn:aws:iam::%s:role/admin", [a]), kms_all)])

denying := p("kp", [
	to(sprintf("arn:aws:iam::%s:root", [a]), kms_all),
	to(a, {"Effect": "Deny", "Action": "kms:Decrypt", "Resource": "*"}),
])

iam_kms := p("id", [kms_all])

set(identity, kp) := {"identity": identity, "key_policies": {key: kp}}

req(action, resource, principal) := {
	"action": action, "resource": resource, "principal": principal,
	"context": {"kms:ViaService": "dynamodb.us-east-1.amazonaws.com", "kms:CallerAccount": a},
}

dec(s, action, principal) := generic.decide_request(s, req(action, key, principal), {})

outcome(d) := [d.decision, d.reason]

test_iam_alone_without_delegation_is_denied if {
	outcome(dec(set([iam_kms], naming_other), "kms:Decrypt", role)) == ["implicit_deny", "key_policy_no_allow"]
}

test_iam_with_delegation_allows if {
	outcome(dec(set([iam_kms], delegating), "kms:Decrypt", role)) == ["allow", "allow"]
	outcome(dec(set([iam_kms], delegating_bare), "kms:Decrypt", role)) == ["allow", "allow"]
}

test_delegation_without_iam_is_denied if {
	outcome(dec(set([], delegating), "kms:Decrypt", role)) == ["implicit_deny", "no_allow"]
}

test_key_policy_naming_the_role_allows_without_iam if {
	d := dec(set([], naming_role), "kms:Decrypt", role)
	outcome(d) == ["allow", "allow"]
	d.reasons[0].policy == "kp"
}

test_key_policy_deny_wins if {
	outcome(dec(set([iam_kms], denying), "kms:Decrypt", role)) == ["explicit_deny", "explicit_deny"]
	outcome(dec(set([iam_kms], denying), "kms:Encrypt", role)) == ["allow", "allow"]
}

# a grant is an Allow naming its grantee, bound with the key policy
test_grant_allows_its_operations_only if {
	grant := p("grant", [to(role_arn, {"Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": "*"})])
	s := set([], [naming_other, grant])
	outcome(dec(s, "kms:Decrypt", role)) == ["allow", "allow"]
	outcome(dec(s, "kms:Encrypt", role)) == ["implicit_deny", "no_allow"]
}

# kms:ViaService / kms:CallerAccount in the key policy (AWS's example for DynamoDB)
test_via_service_condition if {
	st := to("*", object.union(kms_all, {"Condition": {
		"StringEquals": {"kms:CallerAccount": a},
		"StringLike": {"kms:ViaService": "dynamodb.*.amazonaws.com"},
	}}))
	s := set([], p("kp", [st]))
	outcome(dec(s, "kms:Decrypt", role)) == ["allow", "allow"]
	r := {"action": "kms:Decrypt", "resource": key, "principal": role, "context": {"kms:CallerAccount": a}}
	outcome(generic.decide_request(s, r, {})) == ["implicit_deny", "no_allow"]
}

test_root_needs_the_key_policy if {
	outcome(dec(set([], naming_other), "kms:Decrypt", root)) == ["implicit_deny", "key_policy_no_allow"]
	outcome(dec(set([], delegating), "kms:Decrypt", root)) == ["allow", "allow"]
}

# a key the map does not hold, and requests on other resources, keep IAM alone
test_other_resources_unaffected if {
	s := set([iam_kms], naming_other)
	r := req("kms:Decrypt", foreign_key, role)
	outcome(generic.decide_request(s, object.union(r, {"resource": "*"}), {})) == ["allow", "allow"]
}

# across accounts the key policy must allow the principal or its account, and IAM too
test_cross_account_key if {
	kp := p("kp", [to(sprintf("arn:aws:iam::%s:root", [a]), kms_all)])
	s := {"identity": [iam_kms], "key_policies": {foreign_key: kp}}
	outcome(generic.decide_request(s, req("kms:Decrypt", foreign_key, role), {})) == ["allow", "allow"]
	s2 := {"identity": [], "key_policies": {foreign_key: kp}}
	outcome(generic.decide_request(s2, req("kms:Decrypt", foreign_key, role), {})) == ["implicit_deny", "no_allow"]
	s3 := {"identity": [iam_kms], "key_policies": {foreign_key: naming_other}}
	d := generic.decide_request(s3, req("kms:Decrypt", foreign_key, role), {})
	outcome(d) == ["implicit_deny", "key_policy_no_allow"]
}

# an unreadable (unknown) key policy refuses every check on its key
test_unknown_key_policy_refuses if {
	s := set([iam_kms], {"name": "kms", "document": null, "source": "key policy of the key"})
	d := dec(s, "kms:Decrypt", role)
	d.reason == "unreadable_policy"
	d.policy_errors[0].source == "key policy of the key"
}

restore := {
	"operation": "restore_table_from_backup",
	"backup": sprintf("arn:aws:dynamodb:us-east-1:%s:table/t/backup/01700000000000-0a1b2c3d", [a]),
	"target_table": sprintf("arn:aws:dynamodb:us-east-1:%s:table/t-restored", [a]),
	"backup_kms_key": key,
	"principal": role,
}

ddb_all := {"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"}

test_restore_operation_asks_the_key_policy if {
	v := generic.run_operation({"caller": set([p("id", [ddb_all, kms_all])], naming_other)}, restore, {})
	v.decision == "implicit_deny"
	{c.action | some c in v.failing} == {
		"kms:Encrypt", "kms:Decrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:GenerateDataKey",
		"kms:GenerateDataKeyWithoutPlaintext", "kms:DescribeKey", "kms:CreateGrant",
	}
	ok := generic.run_operation({"caller": set([p("id", [ddb_all, kms_all])], delegating)}, restore, {})
	ok.allowed
}

test_analysis_sees_the_key_policy if {
	psets := {"caller": set([p("id", [ddb_all, kms_all])], naming_other)}
	analysis.analyze_operation(psets, restore, {}).answer == "denied"
	analysis.analyze_operation({"caller": set([p("id", [ddb_all, kms_all])], delegating)}, restore, {}).answer == "allowed"
	unknown := {"caller": set([p("id", [ddb_all, kms_all])], {"name": "k", "document": null, "source": "k"})}
	analysis.analyze_operation(unknown, restore, {}).answer == "unverifiable"
}
