package iam2rego.generic_vault_test

# SEMANTICS §14 through the generic evaluator: vault access policies bound to their vault (and the
# recovery points a request says it holds), cross-account vault actions, Vault Lock.

import data.iam2rego.analysis
import data.iam2rego.generic

a := "123456789012"

other := "210987654321"

vault := sprintf("arn:aws:backup:us-east-1:%s:backup-vault:prod", [a])

dev_vault := sprintf("arn:aws:backup:us-east-1:%s:backup-vault:dev", [a])

rp := sprintf("arn:aws:backup:us-east-1:%s:recovery-point:1a2b3c4d-0000-4000-8000-000000000001", [a])

janitor := {"arn": sprintf("arn:aws:iam::%s:role/janitor", [a])}

keeper := {"arn": sprintf("arn:aws:iam::%s:role/keeper", [a])}

root := {"arn": sprintf("arn:aws:iam::%s:root", [a])}

stranger := {"arn": sprintf("arn:aws:iam::%s:role/copier", [other])}

doc(statements) := {"Version": "2012-10-17", "Statement": statements}

p(name, statements) := {"name": name, "document": doc(statements), "source": name}

backup_all := {"Effect": "Allow", "Action": "backup:*", "Resource": "*"}

# the usual vault policy: nobody but the keeper role deletes recovery points [AWSB-VAULT-POLICY]
deny_delete_but_keeper := {
	"Sid": "OnlyKeeperDeletes",
	"Effect": "Deny",
	"Principal": "*",
	"Action": ["backup:DeleteRecoveryPoint", "backup:UpdateRecoveryPointLifecycle"],
	"Resource": "*",
	"Condition": {"ArnNotEquals": {"aws:PrincipalArn": keeper.arn}},
}

psd(locks) := {
	"identity": [p("ops", [backup_all])],
	"resource_policies": {vault: p("vault-policy", [deny_delete_but_keeper])},
	"vault_locks": locks,
}

# the principal's ARN is in the request context, as the gate fixes it
req(action, resource, principal, v) := {
	"action": action, "resource": resource, "context": {"aws:PrincipalArn": principal.arn},
	"principal": principal, "vault": v,
}

dec(set, action, principal, v) := generic.decide_request(set, req(action, rp, principal, v), {})

outcome(d) := [d.decision, d.reason]

test_vault_policy_denies_deletion_to_all_but_the_listed_role if {
	outcome(dec(psd({}), "backup:DeleteRecoveryPoint", janitor, vault)) == ["explicit_deny", "explicit_deny"]
	outcome(dec(psd({}), "backup:UpdateRecoveryPointLifecycle", janitor, vault)) == ["explicit_deny", "explicit_deny"]
	outcome(dec(psd({}), "backup:DeleteRecoveryPoint", keeper, vault)) == ["allow", "allow"]
	d := dec(psd({}), "backup:DeleteRecoveryPoint", janitor, vault)
	d.reasons[0].sid == "OnlyKeeperDeletes"
}

test_vault_policy_applies_only_to_its_own_vault if {
	# the same recovery point ARN said to be in another vault, or in no vault the request names
	outcome(dec(psd({}), "backup:DeleteRecoveryPoint", janitor, dev_vault)) == ["allow", "allow"]
	outcome(dec(psd({}), "backup:DeleteRecoveryPoint", janitor, null)) == ["allow", "allow"]

	# requests on the vault itself see its policy
	d := generic.decide_request(psd({}), req("backup:DeleteRecoveryPoint", vault, janitor, null), {})
	d.decision == "explicit_deny"
}

test_cross_account_vault_actions_other_than_copy_into_are_refused if {
	# a vault policy that allows everyone everything still lets no other account delete
	open := {
		"identity": [p("theirs", [backup_all])],
		"resource_policies": {vault: p("vault-policy", [{
			"Effect": "Allow", "Principal": "*", "Action": [
				"backup:DeleteRecoveryPoint",
				"backup:CopyIntoBackupVault",
			],
			"Resource": "*",
		}])},
	}
	outcome(dec(open, "backup:DeleteRecoveryPoint", stranger, vault)) == ["implicit_deny", "resource_policy_no_allow"]
	copy := generic.decide_request(open, req("backup:CopyIntoBackupVault", vault, stranger, null), {})
	outcome(copy) == ["allow", "allow"]
}

test_compliance_lock_past_its_grace_time_denies_everyone if {
	locked := {vault: "compliance_locked"}
	denied := ["explicit_deny", "vault_lock_compliance"]
	[outcome(dec(psd(locked), "backup:DeleteRecoveryPoint", who, vault)) | some who in [janitor, keeper, root]] == [
		denied,
		denied,
		denied,
	]
	d := generic.decide_request(
		psd(locked),
		req("backup:DeleteBackupVaultLockConfiguration", vault, keeper, null), {},
	)
	outcome(d) == ["explicit_deny", "vault_lock_compliance"]

	# a lock in its grace time or in governance mode denies no single request by itself
	outcome(dec(psd({vault: "compliance_grace"}), "backup:DeleteRecoveryPoint", keeper, vault)) == ["allow", "allow"]
}

op(name, who, lock) := {
	"operation": name, "recovery_point": rp, "vault": vault,
	"principal": who, "vault_lock": lock, "context": {"aws:PrincipalArn": who.arn},
}

run(set, o) := generic.run_operation({"caller": set}, o, {})

test_governance_lock_needs_its_removal_too if {
	no_unlock := {
		"identity": [p("ops", [
			backup_all,
			{"Effect": "Deny", "Action": "backup:DeleteBackupVaultLockConfiguration", "Resource": "*"},
		])],
		"resource_policies": {vault: p("vault-policy", [deny_delete_but_keeper])},
	}
	v := run(no_unlock, op("delete_recovery_point", keeper, "governance"))
	[v.decision, v.reason] == ["explicit_deny", "vault_lock_governance"]
	[c.kind | some c in v.failing] == ["vault_lock"]

	# allowed to remove the lock and to delete: the keeper can delete, the janitor still cannot
	run(psd({}), op("delete_recovery_point", keeper, "governance")).allowed
	run(psd({}), op("delete_recovery_point", keeper, "compliance_grace")).allowed
	not run(psd({}), op("delete_recovery_point", janitor, "governance")).allowed
	count(run(psd({}), op("delete_recovery_point", keeper, "none")).checks) == 1
}

test_compliance_lock_makes_every_deletion_denied_in_the_analysis if {
	o := object.union(op("delete_recovery_point", keeper, "compliance_locked"), {"fixed": ["aws:PrincipalArn"]})
	a := analysis.analyze_operation({"caller": psd({vault: "compliance_locked"})}, o, {})
	a.answer == "denied"
	free := analysis.analyze_operation({"caller": psd({})}, o, {})
	free.answer == "allowed"
}

test_an_unbound_table_policy_never_applies_to_a_vault if {
	# the "resource_policy" of earlier versions is a table's: a Deny in it does not reach recovery points
	unbound := {
		"identity": [p("ops", [backup_all])],
		"resource_policy": p("table-policy", [object.union(deny_delete_but_keeper, {"Condition": {}})]),
	}
	outcome(dec(unbound, "backup:DeleteRecoveryPoint", janitor, vault)) == ["allow", "allow"]
}
