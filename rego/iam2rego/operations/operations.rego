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
default_opts := object.remove(catalog.option_defaults, ["resource_glob"])

dataplane := catalog.restore_dataplane_actions

kms_actions := [
	"kms:Encrypt", "kms:Decrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:GenerateDataKey",
	"kms:GenerateDataKeyWithoutPlaintext", "kms:DescribeKey", "kms:CreateGrant",
]

logs_actions := [
	"logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogGroups",
	"logs:DescribeLogStreams", "logs:PutLogEvents", "logs:PutRetentionPolicy",
]

network_keys := {"aws:sourceip", "aws:sourcevpc", "aws:sourcevpce", "aws:vpcsourceip"}

# METADATA
# description: The checks of one operation; [] for an unknown operation. Duplicate ids dropped.
checks(op, opts) := [c |
	some i in numbers.range(0, count(built) - 1)
	c := built[i]
	not seen_before(built, i)
] if {
	o := object.union(default_opts, object.filter(opts, [k | some k in object.keys(opts); opts[k] != null]))
	built := [x | some s in specs(op, o); x := build(op, o, s)]
}

seen_before(cs, i) if {
	some j in numbers.range(0, i - 1)
	j < i
	cs[j].id == cs[i].id
}

# A spec is [who, action, resource, kind, context-kind].
build(op, o, s) := {
	"id": concat(" ", [s[0], lower(s[1]), res]),
	"principal": s[0],
	"action": s[1],
	"resource": res,
	"context": with_region(context_for(op, o, s), check_region(op, res)),
	"kind": s[3],
} if {
	res := request.resource_for(lower(s[1]), s[2])
}

# --- regions and accounts -------------------------------------------------------------------------

arn_field(arn, i) := split(arn, ":")[i] if {
	startswith(arn, "arn:")
	count(split(arn, ":")) >= 6
}

region_of(arn) := r if {
	r := arn_field(arn, 3)
	r != ""
}

default op_region(_) := ""

# The Region of the call: the target's for PITR (cross-Region restore), else the first regional
# ARN among the operation's DynamoDB parameters.
op_region(op) := region_of(op.target_table) if op.operation == "restore_table_to_point_in_time"

op_region(op) := r if {
	op.operation != "restore_table_to_point_in_time"
	regions := [x |
		some p in ["table", "backup", "source_table", "target_table", "export", "import", "recovery_point"]
		x := region_of(object.get(op, p, ""))
	]
	r := regions[0]
}

default check_region(_, _) := ""

check_region(op, _) := op_region(op) if op.operation == "restore_table_to_point_in_time"

check_region(op, res) := region_of(res) if op.operation != "restore_table_to_point_in_time"

check_region(op, res) := op_region(op) if {
	op.operation != "restore_table_to_point_in_time"
	not region_of(res)
}

with_region(ctx, _) := ctx if "aws:requestedregion" in object.keys(ctx)

with_region(ctx, region) := object.union(ctx, {"aws:requestedregion": region}) if {
	not "aws:requestedregion" in object.keys(ctx)
	region != ""
}

with_region(ctx, "") := ctx if not "aws:requestedregion" in object.keys(ctx)

default caller_account(_) := ""

caller_account(op) := op.principal.account

caller_account(op) := arn_field(op.principal.arn, 4) if not op.principal.account

default role_account(_) := ""

role_account(op) := arn_field(op.role, 4)

# --- contexts -------------------------------------------------------------------------------------

caller_ctx(op) := request.normalize_context(object.get(op, "context", {}))

role_ctx(op) := request.normalize_context(object.get(op, "role_context", {}))

base_ctx(op, "caller") := caller_ctx(op)

base_ctx(op, "role") := role_ctx(op)

context_for(op, _, s) := base_ctx(op, s[0]) if s[4] == "plain"

context_for(op, o, s) := svc_ctx(base_ctx(op, s[0]), o) if s[4] == "svc"

context_for(op, _, s) := object.union(base_ctx(op, s[0]), {"iam:passedtoservice": "backup.amazonaws.com"}) if {
	s[4] == "passrole"
}

context_for(op, _, s) := object.union(base_ctx(op, s[0]), kms_keys(op, s)) if s[4] == "kms"

kms_keys(op, s) := object.union(
	{"kms:viaservice": concat("", ["dynamodb.", op_region(op), ".amazonaws.com"]), "kms:calleraccount": account},
	grant_key(s[1]),
) if {
	account := principal_account(op, s[0])
}

principal_account(op, "caller") := caller_account(op)

principal_account(op, "role") := role_account(op)

grant_key("kms:CreateGrant") := {"kms:grantisforawsresource": "true"}

grant_key(a) := {} if a != "kms:CreateGrant"

# §3.2: the caller's context as seen by a service-made sub-request.
svc_ctx(ctx, o) := object.union(
	object.union(object.remove(ctx, network_keys), {"aws:viaawsservice": "true"}),
	object.union(service_ip_keys(o), calledvia_keys(o)),
)

service_ip_keys(o) := {"aws:sourceip": o.service_ip} if is_string(o.service_ip)

service_ip_keys(o) := {} if not is_string(o.service_ip)

calledvia_keys(o) := {
	"aws:calledvia": ["dynamodb.amazonaws.com"],
	"aws:calledviafirst": "dynamodb.amazonaws.com",
	"aws:calledvialast": "dynamodb.amazonaws.com",
} if {
	o.svc_calledvia == true
}

calledvia_keys(o) := {} if o.svc_calledvia != true

# --- check lists per operation (§3.3) -------------------------------------------------------------

one(who, action, resource) := [[who, action, resource, "primary", "plain"]]

default specs(_, _) := []

specs(op, _) := one("caller", "dynamodb:CreateBackup", op.table) if op.operation == "create_backup"

specs(op, _) := one("caller", "dynamodb:DescribeBackup", op.backup) if op.operation == "describe_backup"

specs(op, _) := one("caller", "dynamodb:DeleteBackup", op.backup) if op.operation == "delete_backup"

specs(op, _) := one("caller", "dynamodb:ListBackups", "*") if op.operation == "list_backups"

specs(op, _) := one("caller", "dynamodb:UpdateContinuousBackups", op.table) if {
	op.operation == "update_continuous_backups"
}

specs(op, _) := one("caller", "dynamodb:DescribeContinuousBackups", op.table) if {
	op.operation == "describe_continuous_backups"
}

specs(op, _) := one("caller", "dynamodb:DescribeExport", op.export) if op.operation == "describe_export"

specs(op, _) := one("caller", "dynamodb:DescribeImport", op.import) if op.operation == "describe_import"

# ListExports/ListImports: the table when the call names one (optional resource type, §1.1),
# turned into "*" by request.resource_for when the catalog says the action has no resource type.
specs(op, _) := one("caller", "dynamodb:ListExports", object.get(op, "table", "*")) if op.operation == "list_exports"

specs(op, _) := one("caller", "dynamodb:ListImports", object.get(op, "table", "*")) if op.operation == "list_imports"

specs(op, o) := array.concat(
	restore_specs("caller", "dynamodb:RestoreTableFromBackup", op.backup, op.target_table, o),
	array.concat(kms_specs(op, "caller", "backup_kms_key", o), kms_specs(op, "caller", "target_kms_key", o)),
) if {
	op.operation == "restore_table_from_backup"
}

specs(op, o) := array.concat(
	restore_specs("caller", "dynamodb:RestoreTableToPointInTime", op.source_table, op.target_table, o),
	array.concat(kms_specs(op, "caller", "source_kms_key", o), kms_specs(op, "caller", "target_kms_key", o)),
) if {
	op.operation == "restore_table_to_point_in_time"
}

specs(op, o) := array.concat(
	array.concat(one("caller", "dynamodb:ExportTableToPointInTime", op.table), [
	x |
		some a in ["s3:AbortMultipartUpload", "s3:PutObject", "s3:PutObjectAcl"]
		x := ["caller", a, export_object(op), "dependent", "plain"]
	]),
	kms_specs(op, "caller", "kms_key", o),
) if {
	op.operation == "export_table_to_point_in_time"
}

specs(op, o) := array.concat(
	array.concat(one("caller", "dynamodb:ImportTable", op.table), import_dependents(op)),
	kms_specs(op, "caller", "kms_key", o),
) if {
	op.operation == "import_table"
}

specs(op, _) := [
	["caller", "backup:StartBackupJob", op.vault, "primary", "plain"],
	["caller", "iam:PassRole", op.role, "dependent", "passrole"],
	["role", "dynamodb:StartAwsBackupJob", op.table, "primary", "plain"],
	["role", "dynamodb:ListTagsOfResource", op.table, "dependent", "plain"],
] if {
	op.operation == "aws_backup_start_backup_job"
}

specs(op, o) := array.concat(
	array.concat(
		[
			["caller", "backup:StartRestoreJob", op.recovery_point, "primary", "plain"],
			["caller", "iam:PassRole", op.role, "dependent", "passrole"],
		],
		role_restore_specs(op, o),
	),
	kms_specs(op, "role", "kms_key", o),
) if {
	op.operation == "aws_backup_start_restore_job"
}

# regopy 1.5.2 (embedded engine) yields [] for a comprehension whose head names a function argument
# that its body does not mention, so heads here are bound in the body (`x := [...]`); pinned by
# tests/e2e/test_engines_regopy.py.
# RestoreTableFromBackup / RestoreTableToPointInTime row: primary on the source; sar-strict also on
# the target; the seven data-plane writes on the target as [svc] checks.
restore_specs(who, action, source, target, o) := array.concat(
	array.concat(one(who, action, source), strict_spec(who, action, target, o)),
	[x | some a in dataplane; x := [who, a, target, "svc", "svc"]],
)

strict_spec(who, action, target, o) := [[who, action, target, "sar-strict", "plain"]] if o.mode == "sar-strict"

strict_spec(_, _, _, o) := [] if o.mode != "sar-strict"

dynamodb_backup_re := `^arn:[^:]+:dynamodb:[^:]*:[^:]*:table/[^/]+/backup/[^/]+$`

# A non-advanced DynamoDB backup restored through AWS Backup: the role does the RTFB row.
role_restore_specs(op, o) := restore_specs(
	"role", "dynamodb:RestoreTableFromBackup",
	op.recovery_point, op.target_table, o,
) if {
	regex.match(dynamodb_backup_re, op.recovery_point)
}

role_restore_specs(op, o) := array.concat(
	one("role", "dynamodb:RestoreTableFromAwsBackup", op.target_table),
	role_dataplane(op, o),
) if {
	not regex.match(dynamodb_backup_re, op.recovery_point)
}

role_dataplane(op, o) := [x |
	some a in array.concat(dataplane, ["dynamodb:DescribeTable"])
	x := ["role", a, op.target_table, "dependent", "plain"]
] if {
	o.awsbackup_restore_dataplane == true
}

role_dataplane(_, o) := [] if o.awsbackup_restore_dataplane != true

# §3.4: the KMS checks on one customer managed key parameter (absent parameter = no checks).
# (The key is looked up outside the comprehension: the embedded engine mis-handles a function
# argument used as a key inside a comprehension.)
kms_specs(op, who, param, o) := [x |
	some a in kms_actions
	kms_selected(a, o.kms_set)
	x := [who, a, key, "kms", "kms"]
] if {
	key := op[param]
	is_string(key)
}

kms_specs(op, _, param, _) := [] if not string_param(op, param)

string_param(op, param) if is_string(op[param])

kms_selected(_, null)

kms_selected(a, set) if {
	some s in set
	kms_name(s) == kms_name(a)
}

kms_name(a) := lower(trim_prefix(lower(a), "kms:"))

# --- S3 and CloudWatch Logs resources -------------------------------------------------------------

clean_prefix(op) := trim(object.get(op, "s3_prefix", ""), "/")

key_prefix(op) := "" if clean_prefix(op) == ""

key_prefix(op) := concat("", [clean_prefix(op), "/"]) if clean_prefix(op) != ""

export_object(op) := concat("", [bucket_arn, "/", prefix, "AWSDynamoDB/", export_id, "/manifest-summary.json"]) if {
	prefix := key_prefix(op)
	bucket_arn := concat("", ["arn:aws:s3:::", op.s3_bucket])
	export_id := object.get(op, "export_id", "00000000000000-00000000")
}

import_key(op) := op.s3_key

import_key(op) := k if {
	not op.s3_key
	k := key_under(object.get(op, "s3_prefix", ""))
}

key_under("") := "data"

key_under(p) := concat("", [p, "data"]) if endswith(p, "/")

key_under(p) := p if {
	p != ""
	not endswith(p, "/")
}

import_dependents(op) := array.concat(
	[
		["caller", "s3:GetObject", concat("", ["arn:aws:s3:::", op.s3_bucket, "/", import_key(op)]), "dependent", "plain"],
		["caller", "s3:ListBucket", concat("", ["arn:aws:s3:::", op.s3_bucket]), "dependent", "plain"],
	],
	[x | some a in logs_actions; x := ["caller", a, log_group(op), "dependent", "plain"]],
)

log_group(op) := concat("", ["arn:aws:logs:", region, ":", account, ":log-group:/aws-dynamodb/imports:*"]) if {
	region := region_of(op.table)
	account := arn_field(op.table, 4)
}

# --- verdict --------------------------------------------------------------------------------------

# METADATA
# description: |
#   Fold decided checks (each check merged with its decision object). worst = explicit_deny >
#   implicit_deny > allow; an operation without checks is not allowed.
verdict(results) := {
	"allowed": worst == "allow",
	"decision": worst,
	"checks": results,
	"failing": [r | some r in results; r.decision != "allow"],
} if {
	worst := worst_of(results)
}

worst_of(results) := "explicit_deny" if {
	some r in results
	r.decision == "explicit_deny"
}

worst_of(results) := "implicit_deny" if {
	not any_decision(results, "explicit_deny")
	some r in results
	r.decision != "allow"
}

worst_of(results) := "implicit_deny" if count(results) == 0

worst_of(results) := "allow" if {
	count(results) > 0
	every r in results {
		r.decision == "allow"
	}
}

any_decision(results, d) if {
	some r in results
	r.decision == d
}
