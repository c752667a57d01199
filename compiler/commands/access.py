"""``iam2rego access``: who can touch which backups — the matrix principal × table × operation.

Inputs: Terraform plans, get-account-authorization-details snapshots, policy files (``NAME=F[,F]``).
Outputs: text summary on stdout (or ``--format``), and any of ``--html/--json/--csv/--markdown FILE``.
``--diff BEFORE AFTER`` (or ``--diff PLAN``: prior state vs planned values) lists changed cells only.
"""

from __future__ import annotations

import argparse
import sys

from .. import deadline
from ..access.columns import ALL_OPERATIONS, ColumnError
from ..access.inputs import InputError
from ..access.render import DIFF_RENDERERS, RENDERERS
from ..access.report import diff
from ..access.run import Options, Progress, _engine, plan_sides, report_for
from .options import add_engine_options, bad_timeout

HELP = "who can touch which backups: the access matrix principal x table x operation, and its delta"

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
FORMATS = ("text", "json", "csv", "markdown", "html")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "inputs",
        nargs="+",
        metavar="INPUT",
        help="plan JSON, get-account-authorization-details JSON, policy file or NAME=FILE[,FILE...]; "
        "with --diff: BEFORE AFTER (inputs or JSON reports), or one plan",
    )
    p.add_argument(
        "--diff", action="store_true", help="list only the cells that changed between BEFORE and AFTER"
    )
    p.add_argument(
        "--fail-on-gain", action="store_true", help="with --diff: exit 1 when any cell gained access"
    )
    p.add_argument(
        "--scp",
        action="append",
        default=[],
        metavar="FILE",
        help="SCP (describe-policy output or policy file); all given form one organisation level",
    )
    p.add_argument(
        "--resource-policy",
        action="append",
        default=[],
        metavar="ARN=FILE",
        help="a table's resource policy (aws dynamodb get-resource-policy output), or a backup vault's "
        "access policy (aws backup get-backup-vault-access-policy output; the vault of --backup-vault)",
    )
    p.add_argument(
        "--kms-key",
        action="append",
        default=[],
        metavar="KEY_ARN=FILE",
        help="key policy of a KMS key a plan's table uses but the plan does not manage "
        "(aws kms get-key-policy output or the policy JSON)",
    )
    p.add_argument("--table", action="append", default=[], metavar="ARN", help="a table to ask about")
    p.add_argument("--tables-file", metavar="FILE", help="table ARNs, one a line")
    p.add_argument(
        "--principal",
        action="append",
        default=[],
        metavar="GLOB",
        help="only principals whose id, name or ARN matches (role/ops, ops*, arn:...)",
    )
    p.add_argument(
        "--operation",
        action="append",
        default=None,
        metavar="OP",
        choices=ALL_OPERATIONS,
        help="ask this operation (default: every table operation)",
    )
    p.add_argument(
        "--action",
        action="append",
        default=None,
        metavar="ACTION",
        help="ask this single action (default: DeleteBackup, RestoreTableFromBackup, "
        "ExportTableToPointInTime, StartAwsBackupJob)",
    )
    p.add_argument(
        "--production",
        action="append",
        default=None,
        metavar="GLOB",
        help="production table names (default prod*, *-prod, *-prod-*, *production*, or tag env=prod)",
    )
    p.add_argument("--export-bucket", help="S3 bucket of the export operation (adds the export column)")
    p.add_argument("--import-bucket", help="S3 bucket of the import operation (adds the import column)")
    p.add_argument("--backup-role", help="role AWS Backup assumes (name or ARN; adds the AWS Backup columns)")
    p.add_argument(
        "--backup-vault",
        metavar="NAME",
        help="the AWS Backup vault holding the tables' recovery points (adds the recovery-point and vault "
        "columns, SEMANTICS §14)",
    )
    p.add_argument(
        "--vault-lock",
        action="append",
        default=[],
        metavar="VAULT_ARN=MODE",
        help="the vault's Vault Lock: governance, compliance_grace or compliance_locked (past its grace time)",
    )
    p.add_argument(
        "--copy-vault", metavar="ARN", help="destination vault of the copy column (with --backup-role)"
    )
    p.add_argument("--account-id", help="account of plan resources and policy-file principals")
    p.add_argument("--region", help="Region of plan resources when the provider sets none")
    p.add_argument(
        "--organization",
        metavar="GUARDRAILS",
        help="a guardrails file whose `organization:` block places the plan's account (SCP/RCP scope)",
    )
    p.add_argument("--format", choices=FORMATS, default="text", help="format on stdout (default text)")
    for fmt in ("html", "json", "csv", "markdown"):
        p.add_argument(f"--{fmt}", metavar="FILE", help=f"also write the {fmt} report to FILE")
    add_engine_options(p)
    p.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="progress on stderr (default: when stderr is a terminal)",
    )


def _organization(path: str | None) -> dict | None:
    """The `organization:` block of a guardrails file, its SCP/RCP files read inline (exit 2 on a problem)."""
    if not path:
        return None
    from ..terraform.gate import gate_config

    data, diags = gate_config(path)
    if data is None:
        raise InputError("; ".join(f"{d.path}:{d.span.line}:{d.span.column}: {d.message}" for d in diags))
    return data["iam2rego_gate"].get("organization")


def _options(args: argparse.Namespace) -> Options:
    return Options(
        scp=args.scp,
        resource_policies=args.resource_policy,
        kms_keys=args.kms_key,
        tables=args.table,
        tables_file=args.tables_file,
        principals=args.principal,
        operations=args.operation,
        actions=args.action,
        production=args.production,
        export_bucket=args.export_bucket,
        import_bucket=args.import_bucket,
        backup_role=args.backup_role,
        backup_vault=args.backup_vault,
        copy_vault=args.copy_vault,
        vault_locks=args.vault_lock,
        account_id=args.account_id,
        region=args.region,
        organization=_organization(args.organization),
        engine=args.engine,
        engine_opts={"opa_path": args.opa_path, "opa_image": args.opa_image, "timeout": args.timeout},
    )


def run(args: argparse.Namespace) -> int:
    from ..outputs import OutputRefused, check_targets, write_files

    if bad_timeout("access", args):
        return EXIT_USAGE
    report_files = [(f"--{fmt}", getattr(args, fmt)) for fmt in ("html", "json", "csv", "markdown")]
    try:  # before any work: a target that is not a report file, or two reports on one file
        check_targets([(f"--format {args.format}", None), *[(w, p) for w, p in report_files if p]])
    except OutputRefused as exc:
        print(f"iam2rego access: {exc}", file=sys.stderr)
        return EXIT_USAGE
    progress = Progress(sys.stderr.isatty() if args.progress is None else args.progress)
    try:
        opts = _options(args)
        engine = _engine(opts)
        if args.diff:
            if len(args.inputs) == 1:
                before_plan, after_plan = plan_sides(args.inputs[0])
                # the prior state of a created resource is "nothing": a plan that only creates
                # (a new stack) has a prior world without tables or principals, and every grant is new
                before = report_for(
                    args.inputs, opts, engine, progress, plan_value=before_plan, allow_empty=True
                )
                after = report_for(args.inputs, opts, engine, progress, plan_value=after_plan)
                before["inputs"] = [f"{args.inputs[0]} (prior state)"]
                after["inputs"] = [f"{args.inputs[0]} (planned values)"]
            elif len(args.inputs) == 2:
                before = report_for([args.inputs[0]], opts, engine, progress)
                after = report_for([args.inputs[1]], opts, engine, progress)
            else:
                raise InputError("--diff takes BEFORE AFTER, or one plan")
            doc = diff(before, after)
            renderers = DIFF_RENDERERS
        else:
            files = any(getattr(args, fmt) for fmt in ("html", "json", "csv", "markdown"))
            doc = report_for(args.inputs, opts, engine, progress, with_cells=files or args.format != "text")
            renderers = RENDERERS
    except (InputError, ColumnError) as exc:
        print(f"iam2rego access: {exc}", file=sys.stderr)
        return EXIT_USAGE
    # engine errors (EngineError) propagate: cli.main prints them and exits 2, before any file is written
    outputs = {
        getattr(args, fmt): renderers[fmt](doc)
        for fmt in ("html", "json", "csv", "markdown")
        if getattr(args, fmt)
    }
    try:
        deadline.commit()  # past --timeout: nothing is written; else the writing is not cut short
        write_files(outputs)
    except OSError as exc:
        print(f"iam2rego access: cannot write the report: {exc}", file=sys.stderr)
        return EXIT_USAGE
    sys.stdout.write(renderers[args.format](doc))
    if args.diff and args.fail_on_gain and doc["gains"]:
        return EXIT_FINDINGS
    return EXIT_OK
