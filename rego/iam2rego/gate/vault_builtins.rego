# iam2rego gate - built-ins of the AWS Backup plane and of public resource policies (SEMANTICS §14)
#   IAM2REGO-VAULT-UNLOCKED (warn): a vault receiving recovery points of production tables has no Vault
#     Lock, or only a compliance lock still in its grace time (removable until its lock date).
#   IAM2REGO-VAULT-POLICY-OPEN (deny): a vault's access policy lets a principal the guardrail file does
#     not list (`vault_deleters`: ARN globs) delete recovery points or shorten their retention, asked of the
#     vault policy alone for every principal of the plan and for anyone else in the account.
#   IAM2REGO-PUBLIC-RESOURCE-POLICY (deny): a table or vault policy allows a backup, restore, export or
#     data action to a principal of another account outside the organisation, under some context (the
#     analysis decides; the outsider's own identity side allows everything).
package iam2rego.gate

import data.iam2rego.analysis
import data.iam2rego.catalog

_production_globs := object.get(_cfg, "production", ["prod*", "*-prod", "*-prod-*", "*production*"])

_production_table(t) if _glob_any(_production_globs, t.name)

# ---- IAM2REGO-VAULT-UNLOCKED ----

_production_vaults[arn] contains t.name if {
	some addr, t in tables
	_production_table(t)
	some arn in object.get(table_vaults, addr, set())
}

_builtin_hits contains f if {
	some f in ((_unlocked_hits | _open_policy_hits) | _public_hits)
}

_unlocked_hits contains f if {
	some arn, names in _production_vaults
	v := vaults[arn]
	v.lock in {"none", "compliance_grace"}
	f := _vault_finding("IAM2REGO-VAULT-UNLOCKED", v, concat("", [
		"vault ", v.name, " receives recovery points of production table(s) ", concat(", ", sort(names)),
		_unlocked_text(v.lock),
	]))
}

_unlocked_text("none") := " and has no Vault Lock: whoever may delete recovery points there can (SEMANTICS §14.4)"

_unlocked_text("compliance_grace") := concat("", [
	" and its compliance Vault Lock is still in its grace time (or not said to be past it in the ",
	"guardrail file's vaults: block): until its lock date anyone allowed ",
	"backup:DeleteBackupVaultLockConfiguration can remove it",
])

_vault_finding(code, v, detail) := {
	"code": code, "guardrail": code, "principal": null, "resource": v.arn,
	"decision": null, "statement": null, "address": v.address, "vault": v.arn,
	"detail": detail, "severity": _vault_builtin_severity(code),
}

_vault_builtin_severity(code) := s if {
	s := _cfg.builtin[code].severity
	s in {"deny", "warn", "off"}
} else := "warn" if {
	code == "IAM2REGO-VAULT-UNLOCKED"
} else := "deny"

# ---- IAM2REGO-VAULT-POLICY-OPEN ----

_vault_deleters := object.get(_cfg, "vault_deleters", [])

_deleting_ops := ["backup:DeleteRecoveryPoint", "backup:UpdateRecoveryPointLifecycle"]

# who the vault policy alone is asked about: the plan's principals, and anyone else in the account
_vault_probe_principals[arn] := {"arn": arn, "account": _account_id, "type": _principal_kind(p)} if {
	some p in principals
	arn := p.arn
	is_string(arn)
}

_vault_probe_principals[_any_other] := {"arn": _any_other, "account": _account_id, "type": "AssumedRole"}

_any_other := concat("", ["arn:aws:iam::", _account_id, ":role/iam2rego-any-other-principal"])

_open_policy_hits contains f if {
	some arn, v in vaults
	v.policy != null
	some parn, principal in _vault_probe_principals
	not _glob_any(_vault_deleters, parn)
	some action in _deleting_ops
	a := _vault_policy_answer(v, principal, action)
	a.answer in {"allowed", "conditional"}
	f := object.union(
		_vault_finding("IAM2REGO-VAULT-POLICY-OPEN", v, concat("", [
			"the access policy of vault ", v.name, " ", _can_words(a), " ", action, " to ", parn,
			", which the guardrail file's vault_deleters does not list",
		])),
		{"statement": _first_reason(_primary_check(a).best.reasons), "answer": a.answer},
	)
}

_can_words(a) := "allows" if a.answer == "allowed"

_can_words(a) := concat("", ["can allow (", a.words, ")"]) if a.answer == "conditional"

_vault_policy_answer(v, principal, action) := analysis.analyze_request(
	{"identity": [], "resource_policies": {v.arn: v.policy}},
	{
		"action": action, "resource": _sample_recovery_point(v.arn), "vault": v.arn,
		"principal": principal,
		"context": {
			"aws:PrincipalArn": principal.arn, "aws:PrincipalAccount": _account_id,
			"aws:RequestedRegion": v.region,
		},
	},
	[],
	_eval_opts,
)

# ---- IAM2REGO-PUBLIC-RESOURCE-POLICY ----

_outsider_account := "999999999999"

_outsider := {
	"arn": concat("", ["arn:aws:iam::", _outsider_account, ":role/iam2rego-outsider"]),
	"account": _outsider_account, "type": "AssumedRole",
}

# fixed for the outsider: who it is, and that it is in no organisation of ours (absent org keys) and
# calls for itself (no source account or service); every other key is open
_outsider_context := {
	"aws:PrincipalArn": _outsider.arn, "aws:PrincipalAccount": _outsider_account,
	"aws:PrincipalType": "AssumedRole",
}

_outsider_fixed := [
	"aws:PrincipalOrgID", "aws:PrincipalOrgPaths", "aws:SourceAccount", "aws:SourceOrgID",
	"aws:SourceOrgPaths", "aws:SourceArn", "aws:SourceOwner", "aws:PrincipalIsAWSService",
	"aws:PrincipalServiceName", "aws:ResourceOrgID", "aws:ResourceOrgPaths", "aws:ResourceAccount",
]

_outsider_identity := [{
	"name": "the outsider's own policies (anything)",
	"document": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]},
	"source": "outsider",
}]

# the actions a table policy can grant (ListBackups and other actions without a resource type are
# never decided by the table's policy)
_table_public_actions := [a |
	some a in array.concat(
		[x | some x in catalog.backup_actions],
		array.concat(
			catalog.restore_dataplane_actions,
			["dynamodb:ExportTableToPointInTime", "dynamodb:RestoreTableToPointInTime"],
		),
	)
	not lower(a) in catalog.no_resource_actions
]

_vault_public_actions := [
	"backup:CopyIntoBackupVault", "backup:DeleteRecoveryPoint",
	"backup:StartRestoreJob", "backup:StartCopyJob",
]

_public_resources contains [arn, entry, "table", _table_public_actions, null] if {
	some arn, entry in _readable_rbps
}

_public_resources contains [arn, v.policy, "vault", _vault_public_actions, v] if {
	some arn, v in vaults
	v.policy != null
}

_public_hits contains f if {
	some [arn, entry, kind, actions, _] in _public_resources
	some action in actions
	a := _public_answer(arn, entry, kind, action)
	a.answer in {"allowed", "conditional"}
	f := {
		"code": "IAM2REGO-PUBLIC-RESOURCE-POLICY", "guardrail": "IAM2REGO-PUBLIC-RESOURCE-POLICY",
		"principal": null, "resource": arn, "decision": null, "answer": a.answer,
		"statement": _first_reason([r | some r in _primary_check(a).best.reasons; r.policy == entry.name]),
		"detail": concat("", [
			"the ", kind, " policy of ", arn, " ", _can_words(a), " ", action,
			" to a principal of another account outside the organisation",
		]),
		"severity": _vault_builtin_severity("IAM2REGO-PUBLIC-RESOURCE-POLICY"),
	}
}

_public_answer(arn, entry, kind, action) := analysis.analyze_request(
	{"identity": _outsider_identity, "resource_policies": {arn: entry}},
	{
		"action": action, "resource": _public_probe_resource(arn, kind, action), "vault": arn,
		"principal": _outsider, "context": _outsider_context,
	},
	_outsider_fixed,
	_eval_opts,
)

_public_probe_resource(arn, "vault", action) := _sample_recovery_point(arn) if action != "backup:CopyIntoBackupVault"

_public_probe_resource(arn, "vault", "backup:CopyIntoBackupVault") := arn

_public_probe_resource(arn, "table", action) := _backup_arn({"arn": arn}) if {
	lower(action) in _backup_resource_actions
}

_public_probe_resource(arn, "table", action) := arn if not lower(action) in _backup_resource_actions
