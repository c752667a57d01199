# METADATA
# title: Composite operations (SEMANTICS §3.2–§3.4, ARCHITECTURE §4)
# description: |
#   checks(op, opts) expands one backup/restore operation into the (principal, action, resource,
#   context) checks that must all be allowed; verdict(results) folds the decided checks.
#   Resources that the call does not name exactly are fixed as follows (documented choices):
#   - export: s3:AbortMultipartUpload/PutObject/PutObjectAcl on the object
#     arn:aws:s3:::<bucket>/<prefix>/AWSDynamoDB/<export_id>/manifest-summary.json (DynamoDB writes
#     every export file under <prefix>/AWSDynamoDB/<export id>/; export_id defaults to
#     00000000000000-00000000; no prefix = the key starts at AWSDynamoDB/).
#   - import: s3:GetObject on arn:aws:s3:::<bucket>/<s3_key> (s3_key defaults to <prefix> when the
#     prefix does not end in "/", else <prefix>data), s3:ListBucket on arn:aws:s3:::<bucket>, the six
#     logs actions on arn:aws:logs:<region>:<account>:log-group:/aws-dynamodb/imports:* (the log
#     group DynamoDB import writes to; Region and account of the table).
#   - role checks use op.role_context (default {}) as the role's context.
package iam2rego.operations

import data.iam2rego.catalog
import data.iam2rego.request

# Both shared with the Python side: generated from compiler/catalog/facts.json (catalog/facts.rego).
_default_opts := object.remove(catalog.option_defaults, ["resource_glob"])

_dataplane := catalog.restore_dataplane_actions

_kms_actions := [
	"kms:Encrypt", "kms:Decrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:GenerateDataKey",
	"kms:GenerateDataKeyWithoutPlaintext", "kms:DescribeKey", "kms:CreateGrant",
]

_logs_actions := [
	"logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogGroups",
	"logs:DescribeLogStreams", "logs:PutLogEvents", "logs:PutRetentionPolicy",
]

network_keys := {"aws:sourceip", "aws:sourcevpc", "aws:sourcevpce", "aws:vpcsourceip"}

# METADATA
# description: The checks of one operation; [] for an unknown operation. Duplicate ids dropped.
checks(op, opts) := [c |
	some i in numbers.range(0, count(built) - 1)
	c := built[i]
	not _seen_before(built, i)
] if {
	o := object.union(_default_opts, object.filter(opts, [k | some k in object.keys(opts); opts[k] != null]))
	built := [x | some s in _specs(op, o); x := _build(op, o, s)]
}

_seen_before(cs, i) if {
	some j in numbers.range(0, i - 1)
	j < i
	cs[j].id == cs[i].id
}

# A spec is [who, action, resource, kind, context-kind].
_build(op, o, s) := object.union(_vault_of(op, res), {
	"id": concat(" ", [s[0], lower(s[1]), res]),
	"principal": s[0],
	"action": s[1],
	"resource": res,
	"context": _with_region(_context_for(op, o, s), _check_region(op, res)),
	"kind": s[3],
}) if {
	res := request.resource_for(lower(s[1]), s[2])
}

# A check on a recovery point carries the vault that holds it (its access policy applies, SEMANTICS
# §14.3): the operation's `vault`; StartCopyJob's CopyIntoBackupVault is on the destination vault.
_vault_of(op, res) := {"vault": op.vault} if {
	regex.match(request.recovery_point_arn_re, res)
	is_string(op.vault)
} else := {}

# --- regions and accounts -------------------------------------------------------------------------

_arn_field(arn, i) := split(arn, ":")[i] if {
	startswith(arn, "arn:")
	count(split(arn, ":")) >= 6
}

_region_of(arn) := r if {
	r := _arn_field(arn, 3)
	r != ""
}

default _op_region(_) := ""

# The Region of the call: the target's for PITR (cross-Region restore), else the first regional
# ARN among the operation's DynamoDB parameters.
_op_region(op) := _region_of(op.target_table) if op.operation == "restore_table_to_point_in_time"

_op_region(op) := r if {
	op.operation != "restore_table_to_point_in_time"
	regions := [x |
		some p in ["table", "backup", "source_table", "target_table", "export", "import", "recovery_point"]
		x := _region_of(object.get(op, p, ""))
	]
	r := regions[0]
}

default _check_region(_, _) := ""

_check_region(op, _) := _op_region(op) if op.operation == "restore_table_to_point_in_time"

_check_region(op, res) := _region_of(res) if op.operation != "restore_table_to_point_in_time"

_check_region(op, res) := _op_region(op) if {
	op.operation != "restore_table_to_point_in_time"
	not _region_of(res)
}

_with_region(ctx, _) := ctx if "aws:requestedregion" in object.keys(ctx)

_with_region(ctx, region) := object.union(ctx, {"aws:requestedregion": region}) if {
	not "aws:requestedregion" in object.keys(ctx)
	region != ""
}

_with_region(ctx, "") := ctx if not "aws:requestedregion" in object.keys(ctx)

default _caller_account(_) := ""

_caller_account(op) := op.principal.account

_caller_account(op) := _arn_field(op.principal.arn, 4) if not op.principal.account

default role_account(_) := ""

role_account(op) := _arn_field(op.role, 4)

# --- contexts -------------------------------------------------------------------------------------

_caller_ctx(op) := request.normalize_context(object.get(op, "context", {}))

_role_ctx(op) := request.normalize_context(object.get(op, "role_context", {}))

_base_ctx(op, "caller") := _caller_ctx(op)

_base_ctx(op, "role") := _role_ctx(op)

_context_for(op, _, s) := _base_ctx(op, s[0]) if s[4] == "plain"

_context_for(op, o, s) := _svc_ctx(_base_ctx(op, s[0]), o) if s[4] == "svc"

_context_for(op, _, s) := object.union(_base_ctx(op, s[0]), {"iam:passedtoservice": "backup.amazonaws.com"}) if {
	s[4] == "passrole"
}

_context_for(op, _, s) := object.union(_base_ctx(op, s[0]), _kms_keys(op, s)) if s[4] == "kms"

_kms_keys(op, s) := object.union(
	{"kms:viaservice": concat("", ["dynamodb.", _op_region(op), ".amazonaws.com"]), "kms:calleraccount": account},
	_grant_key(s[1]),
) if {
	account := _principal_account(op, s[0])
}

_principal_account(op, "caller") := _caller_account(op)

_principal_account(op, "role") := role_account(op)

_grant_key("kms:CreateGrant") := {"kms:grantisforawsresource": "true"}

_grant_key(a) := {} if a != "kms:CreateGrant"

# §3.2: the caller's context as seen by a service-made sub-request.
_svc_ctx(ctx, o) := object.union(
	object.union(object.remove(ctx, network_keys), {"aws:viaawsservice": "true"}),
	object.union(_service_ip_keys(o), _calledvia_keys(o)),
)

_service_ip_keys(o) := {"aws:sourceip": o.service_ip} if is_string(o.service_ip)

_service_ip_keys(o) := {} if not is_string(o.service_ip)

_calledvia_keys(o) := {
	"aws:calledvia": ["dynamodb.amazonaws.com"],
	"aws:calledviafirst": "dynamodb.amazonaws.com",
	"aws:calledvialast": "dynamodb.amazonaws.com",
} if {
	o.svc_calledvia == true
}

_calledvia_keys(o) := {} if o.svc_calledvia != true

# --- check lists per operation (§3.3) -------------------------------------------------------------

# the AWS Backup vault operations (SEMANTICS §14): [the action, the parameter it is on]
_vault_ops := {
	"delete_recovery_point": ["backup:DeleteRecoveryPoint", "recovery_point"],
	"update_recovery_point_lifecycle": ["backup:UpdateRecoveryPointLifecycle", "recovery_point"],
	"delete_backup_vault": ["backup:DeleteBackupVault", "vault"],
	"put_backup_vault_access_policy": ["backup:PutBackupVaultAccessPolicy", "vault"],
	"delete_backup_vault_access_policy": ["backup:DeleteBackupVaultAccessPolicy", "vault"],
	"put_backup_vault_lock_configuration": ["backup:PutBackupVaultLockConfiguration", "vault"],
	"delete_backup_vault_lock_configuration": ["backup:DeleteBackupVaultLockConfiguration", "vault"],
}

_one(who, action, resource) := [[who, action, resource, "primary", "plain"]]

default _specs(_, _) := []

_specs(op, _) := _one("caller", "dynamodb:CreateBackup", op.table) if op.operation == "create_backup"

_specs(op, _) := _one("caller", "dynamodb:DescribeBackup", op.backup) if op.operation == "describe_backup"

_specs(op, _) := _one("caller", "dynamodb:DeleteBackup", op.backup) if op.operation == "delete_backup"

_specs(op, _) := _one("caller", "dynamodb:ListBackups", "*") if op.operation == "list_backups"

_specs(op, _) := _one("caller", "dynamodb:UpdateContinuousBackups", op.table) if {
	op.operation == "update_continuous_backups"
}

_specs(op, _) := _one("caller", "dynamodb:DescribeContinuousBackups", op.table) if {
	op.operation == "describe_continuous_backups"
}

_specs(op, _) := _one("caller", "dynamodb:DescribeExport", op.export) if op.operation == "describe_export"

_specs(op, _) := _one("caller", "dynamodb:DescribeImport", op.import) if op.operation == "describe_import"

# ListExports/ListImports: the table when the call names one (optional resource type, §1.1),
# turned into "*" by request.resource_for when the catalog says the action has no resource type.
_specs(op, _) := _one("caller", "dynamodb:ListExports", object.get(op, "table", "*")) if op.operation == "list_exports"

_specs(op, _) := _one("caller", "dynamodb:ListImports", object.get(op, "table", "*")) if op.operation == "list_imports"

_specs(op, o) := array.concat(
	_restore_specs("caller", "dynamodb:RestoreTableFromBackup", op.backup, op.target_table, o),
	array.concat(_kms_specs(op, "caller", "backup_kms_key", o), _kms_specs(op, "caller", "target_kms_key", o)),
) if {
	op.operation == "restore_table_from_backup"
}

_specs(op, o) := array.concat(
	_restore_specs("caller", "dynamodb:RestoreTableToPointInTime", op.source_table, op.target_table, o),
	array.concat(_kms_specs(op, "caller", "source_kms_key", o), _kms_specs(op, "caller", "target_kms_key", o)),
) if {
	op.operation == "restore_table_to_point_in_time"
}

_specs(op, o) := array.concat(
	array.concat(_one("caller", "dynamodb:ExportTableToPointInTime", op.table), [
	x |
		some a in ["s3:AbortMultipartUpload", "s3:PutObject", "s3:PutObjectAcl"]
		x := ["caller", a, _export_object(op), "dependent", "plain"]
	]),
	_kms_specs(op, "caller", "kms_key", o),
) if {
	op.operation == "export_table_to_point_in_time"
}

_specs(op, o) := array.concat(
	array.concat(_one("caller", "dynamodb:ImportTable", op.table), _import_dependents(op)),
	_kms_specs(op, "caller", "kms_key", o),
) if {
	op.operation == "import_table"
}

_specs(op, _) := [
	["caller", "backup:StartBackupJob", op.vault, "primary", "plain"],
	["caller", "iam:PassRole", op.role, "dependent", "passrole"],
	["role", "dynamodb:StartAwsBackupJob", op.table, "primary", "plain"],
	["role", "dynamodb:ListTagsOfResource", op.table, "dependent", "plain"],
] if {
	op.operation == "aws_backup_start_backup_job"
}

_specs(op, o) := array.concat(
	array.concat(
		[
			["caller", "backup:StartRestoreJob", op.recovery_point, "primary", "plain"],
			["caller", "iam:PassRole", op.role, "dependent", "passrole"],
		],
		_role_restore_specs(op, o),
	),
	_kms_specs(op, "role", "kms_key", o),
) if {
	op.operation == "aws_backup_start_restore_job"
}

# --- AWS Backup vaults and recovery points (SEMANTICS §14) -----------------------------------------

_specs(op, _) := array.concat(_one("caller", spec[0], op[spec[1]]), _lock_removal(op, spec[0])) if {
	spec := _vault_ops[op.operation]
}

_specs(op, _) := [
	["caller", "backup:StartCopyJob", op.recovery_point, "primary", "plain"],
	["caller", "iam:PassRole", op.role, "dependent", "passrole"],
	["role", "backup:CopyIntoBackupVault", op.destination_vault, "dependent", "plain"],
] if {
	op.operation == "start_copy_job"
}

# §14.4: while a governance lock (or a compliance lock in its grace time) is on the vault, what it
# blocks needs the lock removed first: DeleteBackupVaultLockConfiguration on the vault, by the same
# caller. A compliance lock past its grace time is a Deny in the vault's policy set instead.
_lock_removal(op, action) := [[
	"caller", "backup:DeleteBackupVaultLockConfiguration",
	op.vault, "vault_lock", "plain",
]] if {
	object.get(op, "vault_lock", "none") in {"governance", "compliance_grace"}
	action in catalog.vault_lock_blocked_actions
} else := []

# regopy 1.5.2 (embedded engine) yields [] for a comprehension whose head names a function argument
# that its body does not mention, so heads here are bound in the body (`x := [...]`); pinned by
# tests/e2e/test_engines_regopy.py.
# RestoreTableFromBackup / RestoreTableToPointInTime row: primary on the source; sar-strict also on
# the target; the seven data-plane writes on the target as [svc] checks.
_restore_specs(who, action, source, target, o) := array.concat(
	array.concat(_one(who, action, source), _strict_spec(who, action, target, o)),
	[x | some a in _dataplane; x := [who, a, target, "svc", "svc"]],
)

_strict_spec(who, action, target, o) := [[who, action, target, "sar-strict", "plain"]] if o.mode == "sar-strict"

_strict_spec(_, _, _, o) := [] if o.mode != "sar-strict"

_dynamodb_backup_re := `^arn:[^:]+:dynamodb:[^:]*:[^:]*:table/[^/]+/backup/[^/]+$`

# A non-advanced DynamoDB backup restored through AWS Backup: the role does the RTFB row.
_role_restore_specs(op, o) := _restore_specs(
	"role", "dynamodb:RestoreTableFromBackup",
	op.recovery_point, op.target_table, o,
) if {
	regex.match(_dynamodb_backup_re, op.recovery_point)
}

_role_restore_specs(op, o) := array.concat(
	_one("role", "dynamodb:RestoreTableFromAwsBackup", op.target_table),
	_role_dataplane(op, o),
) if {
	not regex.match(_dynamodb_backup_re, op.recovery_point)
}

_role_dataplane(op, o) := [x |
	some a in array.concat(_dataplane, ["dynamodb:DescribeTable"])
	x := ["role", a, op.target_table, "dependent", "plain"]
] if {
	o.awsbackup_restore_dataplane == true
}

_role_dataplane(_, o) := [] if o.awsbackup_restore_dataplane != true

# §3.4: the KMS checks on one customer managed key parameter (absent parameter = no checks).
# (The key is looked up outside the comprehension: the embedded engine mis-handles a function
# argument used as a key inside a comprehension.)
_kms_specs(op, who, param, o) := [x |
	some a in _kms_actions
	_kms_selected(a, o.kms_set)
	x := [who, a, key, "kms", "kms"]
] if {
	key := op[param]
	is_string(key)
}

_kms_specs(op, _, param, _) := [] if not _string_param(op, param)

_string_param(op, param) if is_string(op[param])

_kms_selected(_, null)

_kms_selected(a, set) if {
	some s in set
	_kms_name(s) == _kms_name(a)
}

_kms_name(a) := lower(trim_prefix(lower(a), "kms:"))

# --- S3 and CloudWatch Logs resources -------------------------------------------------------------

_clean_prefix(op) := trim(object.get(op, "s3_prefix", ""), "/")

_key_prefix(op) := "" if _clean_prefix(op) == ""

_key_prefix(op) := concat("", [_clean_prefix(op), "/"]) if _clean_prefix(op) != ""

_export_object(op) := concat("", [bucket_arn, "/", prefix, "AWSDynamoDB/", export_id, "/manifest-summary.json"]) if {
	prefix := _key_prefix(op)
	bucket_arn := concat("", ["arn:aws:s3:::", op.s3_bucket])
	export_id := object.get(op, "export_id", "00000000000000-00000000")
}

_import_key(op) := op.s3_key

_import_key(op) := k if {
	not op.s3_key
	k := _key_under(object.get(op, "s3_prefix", ""))
}

_key_under("") := "data"

_key_under(p) := concat("", [p, "data"]) if endswith(p, "/")

_key_under(p) := p if {
	p != ""
	not endswith(p, "/")
}

_import_dependents(op) := array.concat(
	[
		["caller", "s3:GetObject", concat("", ["arn:aws:s3:::", op.s3_bucket, "/", _import_key(op)]), "dependent", "plain"],
		["caller", "s3:ListBucket", concat("", ["arn:aws:s3:::", op.s3_bucket]), "dependent", "plain"],
	],
	[x | some a in _logs_actions; x := ["caller", a, _log_group(op), "dependent", "plain"]],
)

_log_group(op) := concat("", ["arn:aws:logs:", region, ":", account, ":log-group:/aws-dynamodb/imports:*"]) if {
	region := _region_of(op.table)
	account := _arn_field(op.table, 4)
}

# --- verdict --------------------------------------------------------------------------------------

# METADATA
# description: |
#   Fold decided checks (each check merged with its decision object). worst = explicit_deny >
#   implicit_deny > allow; an operation without checks is not allowed.
verdict(results) := object.union(_lock_reason(failing), {
	"allowed": worst == "allow",
	"decision": worst,
	"checks": results,
	"failing": failing,
}) if {
	worst := _worst_of(results)
	failing := [r | some r in results; r.decision != "allow"]
}

# Why a vault operation failed when a Vault Lock decided it (SEMANTICS §14.4).
_lock_reason(failing) := {"reason": "vault_lock_compliance"} if {
	some r in failing
	r.reason == "vault_lock_compliance"
} else := {"reason": "vault_lock_governance"} if {
	some r in failing
	r.kind == "vault_lock"
} else := {}

_worst_of(results) := "explicit_deny" if {
	some r in results
	r.decision == "explicit_deny"
}

_worst_of(results) := "implicit_deny" if {
	not _any_decision(results, "explicit_deny")
	some r in results
	r.decision != "allow"
}

_worst_of(results) := "implicit_deny" if count(results) == 0

_worst_of(results) := "allow" if {
	count(results) > 0
	every r in results {
		r.decision == "allow"
	}
}

_any_decision(results, d) if {
	some r in results
	r.decision == d
}
