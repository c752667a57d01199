"""The matrix's columns: operations of ARCHITECTURE §4 and single backup actions, and their inputs.

Resources an operation does not name are fixed as the gate's guardrails fix them
(rego/iam2rego/gate/guardrails.rego): a backup of table T is ``<T ARN>/backup/01700000000000-0a1b2c3d``,
a restore writes ``<T>-restored``; exports and imports are ``<T ARN>/export|import/<same id>``.
"""

from __future__ import annotations

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
ALL_OPERATIONS = TABLE_OPERATIONS + BUCKET_OPERATIONS + BACKUP_ROLE_OPERATIONS

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
) -> list[Column]:
    """Columns in a stable order: operations first (ARCHITECTURE §4 order), then actions as given."""
    if operations is None:
        ops = list(TABLE_OPERATIONS)
        ops += ["export_table_to_point_in_time"] if export_bucket else []
        ops += ["import_table"] if import_bucket else []
        ops += list(BACKUP_ROLE_OPERATIONS) if backup_role else []
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


def column_input(
    column: Column,
    table: Table,
    *,
    export_bucket: str | None = None,
    import_bucket: str | None = None,
    backup_role: str | None = None,
) -> dict:
    """The operation parameters (ARCHITECTURE §4) or the request (action, resource) for one table."""
    if column.kind == "action":
        lc = column.id.lower()
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
    else:
        out["table"] = table.arn
    return out
