"""The matrix's columns: operations of ARCHITECTURE §4 and single backup actions, and their inputs.

Resources an operation does not name are fixed as the gate's guardrails fix them
(rego/iam2rego/gate/guardrails.rego): a backup of table T is ``<T ARN>/backup/01700000000000-0a1b2c3d``,
a restore writes ``<T>-restored``; exports and imports are ``<T ARN>/export|import/<same id>``.
"""

from __future__ import annotations

import functools

from ..catalog import load_catalog
from ..errors import UsageError
from .model import Column, Table

SAMPLE_ID = "01700000000000-0a1b2c3d"

# Operations asked by default: the ones every table has (ARCHITECTURE §4). Export and import need an
# S3 bucket (--export-bucket / --import-bucket), the AWS Backup ones the role AWS Backup assumes.
TABLE_OPERATIONS = (
    "create_backup",
    "describe_backup",
    "delete_backup",
    "list_backups",
    "restore_table_from_backup",
    "restore_table_to_point_in_time",
    "update_continuous_backups",
    "describe_continuous_backups",
    "describe_export",
    "list_exports",
    "describe_import",
    "list_imports",
)
BUCKET_OPERATIONS = ("export_table_to_point_in_time", "import_table")
BACKUP_ROLE_OPERATIONS = ("aws_backup_start_backup_job", "aws_backup_start_restore_job")
# The AWS Backup plane (SEMANTICS §14): a recovery point of the table in its vault, and the vault
# itself (--backup-vault NAME: the vault holding the tables' recovery points); StartCopyJob also
# needs the destination vault (--copy-vault ARN) and the role AWS Backup assumes.
VAULT_OPERATIONS = (
    "delete_recovery_point",
    "update_recovery_point_lifecycle",
    "delete_backup_vault",
    "put_backup_vault_access_policy",
    "delete_backup_vault_access_policy",
    "put_backup_vault_lock_configuration",
    "delete_backup_vault_lock_configuration",
)
COPY_OPERATIONS = ("start_copy_job",)
ALL_OPERATIONS = (
    TABLE_OPERATIONS + BUCKET_OPERATIONS + BACKUP_ROLE_OPERATIONS + VAULT_OPERATIONS + COPY_OPERATIONS
)
SAMPLE_RECOVERY_POINT = "00000000-0000-4000-8000-000000000000"

# Single actions asked by default (one request each, no composite checks).
DEFAULT_ACTIONS = (
    "dynamodb:DeleteBackup",
    "dynamodb:RestoreTableFromBackup",
    "dynamodb:ExportTableToPointInTime",
    "dynamodb:StartAwsBackupJob",
)
# Actions whose resource is the backup ARN rather than the table ARN.
BACKUP_RESOURCE_ACTIONS = {
    "dynamodb:deletebackup",
    "dynamodb:describebackup",
    "dynamodb:restoretablefrombackup",
}
EXPORT_ACTIONS = {"dynamodb:describeexport"}
IMPORT_ACTIONS = {"dynamodb:describeimport"}

LABELS = {
    "create_backup": "create backup",
    "describe_backup": "describe backup",
    "delete_backup": "delete backup",
    "list_backups": "list backups",
    "restore_table_from_backup": "restore from backup",
    "restore_table_to_point_in_time": "restore to point in time",
    "update_continuous_backups": "update PITR",
    "describe_continuous_backups": "describe PITR",
    "describe_export": "describe export",
    "list_exports": "list exports",
    "describe_import": "describe import",
    "list_imports": "list imports",
    "export_table_to_point_in_time": "export",
    "import_table": "import",
    "aws_backup_start_backup_job": "AWS Backup job",
    "aws_backup_start_restore_job": "AWS Backup restore",
    "delete_recovery_point": "delete recovery point",
    "update_recovery_point_lifecycle": "shorten retention",
    "delete_backup_vault": "delete vault",
    "put_backup_vault_access_policy": "replace vault policy",
    "delete_backup_vault_access_policy": "delete vault policy",
    "put_backup_vault_lock_configuration": "change vault lock",
    "delete_backup_vault_lock_configuration": "remove vault lock",
    "start_copy_job": "copy recovery point",
}


# The KMS parameter the table's customer managed key fills (rego/iam2rego/gate/kms.rego
# kms_operation_param, SEMANTICS §13.2).
KMS_PARAM = {
    "restore_table_from_backup": "backup_kms_key",
    "restore_table_to_point_in_time": "source_kms_key",
    "export_table_to_point_in_time": "kms_key",
    "aws_backup_start_restore_job": "kms_key",
}


class ColumnError(UsageError):
    """An operation or action the matrix cannot ask."""


def make_columns(
    operations: list[str] | None,
    actions: list[str] | None,
    *,
    export_bucket: str | None = None,
    import_bucket: str | None = None,
    backup_role: str | None = None,
    backup_vault: str | None = None,
    copy_vault: str | None = None,
) -> list[Column]:
    """Columns in a stable order: operations first (ARCHITECTURE §4 order), then actions as given."""
    if operations is None:
        ops = list(TABLE_OPERATIONS)
        ops += ["export_table_to_point_in_time"] if export_bucket else []
        ops += ["import_table"] if import_bucket else []
        ops += list(BACKUP_ROLE_OPERATIONS) if backup_role else []
        ops += list(VAULT_OPERATIONS) if backup_vault else []
        ops += list(COPY_OPERATIONS) if backup_vault and copy_vault and backup_role else []
    else:
        ops = list(operations)
    for op in ops:
        if op not in ALL_OPERATIONS:
            raise ColumnError(f"unknown operation {op!r} (one of {', '.join(ALL_OPERATIONS)})")
        if op == "export_table_to_point_in_time" and not export_bucket:
            raise ColumnError("export_table_to_point_in_time needs --export-bucket")
        if op == "import_table" and not import_bucket:
            raise ColumnError("import_table needs --import-bucket")
        if op in BACKUP_ROLE_OPERATIONS and not backup_role:
            raise ColumnError(f"{op} needs --backup-role (the role AWS Backup assumes)")
        if op in VAULT_OPERATIONS + COPY_OPERATIONS and not backup_vault:
            raise ColumnError(f"{op} needs --backup-vault (the vault holding the tables' recovery points)")
        if op in COPY_OPERATIONS and not (copy_vault and backup_role):
            raise ColumnError(f"{op} needs --copy-vault (the destination vault ARN) and --backup-role")
    acts = list(DEFAULT_ACTIONS if actions is None else actions)
    for a in acts:
        service, _, name = a.partition(":")
        if not service or not name or any(c in a for c in "*? "):
            raise ColumnError(f"{a!r} is not an action name (service:Action, no wildcards)")
        services = load_catalog().services()
        if service.lower() not in {s.lower() for s in services}:
            # the gate's AWS managed policy table keeps only these services (SEMANTICS §13.5)
            raise ColumnError(f"{a!r}: iam2rego decides only actions of {', '.join(services)}")
    cols = [Column(op, "operation", LABELS[op]) for op in sorted(set(ops), key=ALL_OPERATIONS.index)]
    seen: set[str] = set()
    for a in acts:
        if a.lower() not in seen:
            seen.add(a.lower())
            cols.append(Column(a, "action", a))
    return cols


def backup_arn(table: Table) -> str:
    return f"{table.arn}/backup/{SAMPLE_ID}"


def target_arn(table: Table) -> str:
    return f"{table.arn}-restored"


@functools.cache  # asked once per action column, not once per table
def _backup_plane_resource(action_lc: str) -> str | None:
    """``recoveryPoint`` or ``backupVault`` for an AWS Backup action on one of them (the catalog's
    resource type), else None."""
    from ..catalog import load_catalog

    info = load_catalog().action(action_lc) if action_lc.startswith("backup:") else None
    names = {r.name for r in info.resource_types} if info else set()
    return next((n for n in ("recoveryPoint", "backupVault") if n in names), None)


def recovery_point_arn(table: Table) -> str:
    return f"arn:aws:backup:{table.region}:{table.account}:recovery-point:{SAMPLE_RECOVERY_POINT}"


def vault_arn(table: Table, name: str) -> str:
    return f"arn:aws:backup:{table.region}:{table.account}:backup-vault:{name}"


def column_input(
    column: Column,
    table: Table,
    *,
    export_bucket: str | None = None,
    import_bucket: str | None = None,
    backup_role: str | None = None,
    backup_vault: str | None = None,
    copy_vault: str | None = None,
) -> dict:
    """The operation parameters (ARCHITECTURE §4) or the request (action, resource) for one table."""
    if column.kind == "action":
        lc = column.id.lower()
        on = _backup_plane_resource(lc)
        if on and (table.vault or backup_vault):  # an AWS Backup action (SEMANTICS §14.2)
            vault = table.vault or vault_arn(table, backup_vault or "Default")
            if on == "recoveryPoint":
                return {"action": column.id, "resource": recovery_point_arn(table), "vault": vault}
            return {"action": column.id, "resource": vault}
        if lc in BACKUP_RESOURCE_ACTIONS:
            resource = backup_arn(table)
        elif lc in EXPORT_ACTIONS:
            resource = f"{table.arn}/export/{SAMPLE_ID}"
        elif lc in IMPORT_ACTIONS:
            resource = f"{table.arn}/import/{SAMPLE_ID}"
        else:
            resource = table.arn
        return {"action": column.id, "resource": resource}
    op = column.id
    out: dict = {"operation": op}
    if op in ("describe_backup", "delete_backup"):
        out["backup"] = backup_arn(table)
    elif op == "restore_table_from_backup":
        out.update(backup=backup_arn(table), target_table=target_arn(table))
    elif op == "restore_table_to_point_in_time":
        out.update(source_table=table.arn, target_table=target_arn(table))
    elif op == "describe_export":
        out["export"] = f"{table.arn}/export/{SAMPLE_ID}"
    elif op == "describe_import":
        out["import"] = f"{table.arn}/import/{SAMPLE_ID}"
    elif op == "export_table_to_point_in_time":
        out.update(table=table.arn, s3_bucket=export_bucket)
    elif op == "import_table":
        out.update(table=table.arn, s3_bucket=import_bucket)
    elif op == "aws_backup_start_backup_job":
        vault = f"arn:aws:backup:{table.region}:{table.account}:backup-vault:Default"
        out.update(table=table.arn, vault=vault, role=backup_role)
    elif op == "aws_backup_start_restore_job":
        out.update(recovery_point=backup_arn(table), target_table=target_arn(table), role=backup_role)
    elif op in VAULT_OPERATIONS + COPY_OPERATIONS:
        vault = table.vault or vault_arn(table, backup_vault or "Default")
        out["vault"] = vault
        if op in ("delete_recovery_point", "update_recovery_point_lifecycle", "start_copy_job"):
            out["recovery_point"] = recovery_point_arn(table)
        if op == "start_copy_job":
            out.update(destination_vault=copy_vault, role=backup_role)
        if table.vault_lock and op != "start_copy_job":
            out["vault_lock"] = table.vault_lock
    else:
        out["table"] = table.arn
    if table.kms_key and op in KMS_PARAM:
        out[KMS_PARAM[op]] = table.kms_key
    return out
