# METADATA
# title: Vault Lock as the evaluators see it (SEMANTICS §14.4)
# description: |
#   A compliance-mode Vault Lock past its grace time denies DeleteRecoveryPoint,
#   UpdateRecoveryPointLifecycle, DeleteBackupVault and any change of the lock to every principal,
#   the root user included. Both evaluators read it from here: the generic evaluator as one more
#   resource-side policy of the vault (lock_policy), compiled modules as the reason it adds to the
#   resource-policy hits (with_lock). locks = {<vault ARN>: "governance" | "compliance_grace" |
#   "compliance_locked"}; only "compliance_locked" denies a single request (a governance lock, or a
#   compliance lock in its grace time, is the lock-removal check of the operations).
package iam2rego.vault

import data.iam2rego.catalog
import data.iam2rego.request

_name(v) := concat("", ["Vault Lock of ", v])

_source(v) := concat("", ["vault lock (compliance mode, past its grace time) of ", v])

_sid := "VaultLockCompliance"

# METADATA
# description: The lock of vault v as a resource-side policy P (generic evaluator); null when none.
# scope: document
lock_policy("compliance_locked", v) := {
	"name": _name(v),
	"document": {"Version": "2012-10-17", "Statement": [{
		"Sid": _sid,
		"Effect": "Deny", "Principal": "*",
		"Action": catalog.vault_lock_compliance_actions, "Resource": "*",
	}]},
	"source": _source(v),
	"vault_lock": "compliance",
}

lock_policy(lock, _) := null if lock != "compliance_locked"

_denied contains lower(a) if some a in catalog.vault_lock_compliance_actions

# METADATA
# description: |
#   The resource-policy reasons of a compiled module's hits with the lock's Deny added when the
#   request r (normalised) is on a locked vault or a recovery point in one; reasons null = the
#   resource has no policy (it stays null unless the lock applies).
with_lock(reasons, locks, r) := array.concat(_listed(reasons), [_reason(v)]) if {
	v := request.resource_policy_key(r)
	object.get(locks, v, "") == "compliance_locked"
	r.action in _denied
} else := reasons

_listed(null) := []

_listed(xs) := xs if xs != null

_reason(v) := {
	"policy": _name(v), "sid": _sid, "statement_index": 0, "effect": "Deny",
	"source": _source(v), "vault_lock": "compliance",
}
