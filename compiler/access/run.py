"""Building a report from the command's inputs: read, select, decide (no argument parsing here)."""

from __future__ import annotations

import datetime
import fnmatch
import json
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..ir import is_vault_arn
from ..terraform.kms_keys import key_policy_text
from ..terraform.pack import pack_files
from .analysis import OPTIONS, analysis_for
from .columns import make_columns, vault_arn
from .inputs import (
    InputError,
    backup_service_roles,
    before_plan,
    kind_of,
    plan_inventory,
    read_gaad,
    read_json,
    read_policy_principal,
    read_resource_policy,
    read_scps,
    read_tables_file,
)
from .matrix import Matrix, decide_cells
from .model import Principal, Table, table_from_arn
from .report import SCHEMA, build, mark_production

VAULT_LOCKS = ("governance", "compliance_grace", "compliance_locked")  # SEMANTICS §14.4


@dataclass
class Options:
    scp: list[str] = field(default_factory=list)
    resource_policies: list[str] = field(default_factory=list)  # ARN=FILE
    kms_keys: list[str] = field(default_factory=list)  # KEY_ARN=FILE (key policies, SEMANTICS §13.2)
    tables: list[str] = field(default_factory=list)
    tables_file: str | None = None
    principals: list[str] = field(default_factory=list)  # globs
    operations: list[str] | None = None
    actions: list[str] | None = None
    production: list[str] | None = None
    export_bucket: str | None = None
    import_bucket: str | None = None
    backup_role: str | None = None
    backup_vault: str | None = None  # vault NAME holding the tables' recovery points (SEMANTICS §14)
    copy_vault: str | None = None  # destination vault ARN of start_copy_job
    vault_locks: list[str] = field(default_factory=list)  # VAULT_ARN=MODE
    account_id: str | None = None
    region: str | None = None
    organization: dict | None = None  # the guardrail file's `organization:` block, documents inline
    engine: str = "auto"
    engine_opts: dict = field(default_factory=dict)
    progress: bool = False


class Progress:
    """One line on stderr, rewritten in place (a terminal only)."""

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.start = time.monotonic()
        self.last = 0.0

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if done < total and now - self.last < 0.2:
            return
        self.last = now
        what = {"group": "grouping principals", "decide": "deciding questions"}.get(stage, stage)
        sys.stderr.write(f"\r\033[Kiam2rego access: {what} {done}/{total} ({now - self.start:.1f} s)")
        if done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()

    def note(self, text: str) -> None:
        if self.enabled:
            sys.stderr.write(f"\r\033[Kiam2rego access: {text} ({time.monotonic() - self.start:.1f} s)\n")


def _engine(opts: Options):
    from ..engines import get_engine

    return get_engine(opts.engine, quiet=True, **{k: v for k, v in opts.engine_opts.items() if v is not None})


def load_world(
    inputs: list[str], opts: Options, engine, plan_value: dict | None = None
) -> tuple[list[Principal], list[Table], list[str]]:
    """Principals and tables of the inputs (plans, GAAD pages, policy files)."""
    principals: list[Principal] = []
    tables: list[Table] = []
    notes: list[str] = []
    gaad_pages: list[tuple[str, dict]] = []
    account = opts.account_id or "123456789012"
    for spec in inputs:
        path = spec.split("=", 1)[1].split(",")[0] if "=" in spec else spec
        if "=" in spec:
            principals.append(read_policy_principal(spec, account))
            continue
        value, _ = read_json(path) if plan_value is None else (plan_value, "")
        kind = kind_of(value)
        if kind == "gaad":
            assert isinstance(value, dict)
            gaad_pages.append((path, value))
        elif kind == "plan":
            assert isinstance(value, dict)
            data = {
                "iam2rego_gate": {
                    k: v
                    for k, v in (
                        ("account_id", opts.account_id),
                        ("region", opts.region),
                        ("organization", opts.organization),
                    )
                    if v
                }
            }
            if opts.kms_keys:
                data["iam2rego_gate"]["kms_keys"] = _kms_keys(opts.kms_keys)
            [inv] = engine.evaluate(pack_files(access=True), "data.iam2rego.access.inventory", [value], data)
            if not isinstance(inv, dict):
                raise InputError(f"{path}: the plan could not be read (no inventory)")
            ps, ts, problems = plan_inventory(inv, path)
            if inv.get("problems"):
                raise InputError(f"{path}: {'; '.join(inv['problems'])}")
            principals += ps
            tables += ts
            notes += problems
        elif kind == "policy":
            principals.append(read_policy_principal(spec, account))
        else:
            raise InputError(
                f"{path}:1:1: not a Terraform plan, a get-account-authorization-details output or a policy document"
            )
    if gaad_pages:
        principals += read_gaad(gaad_pages)
        if opts.backup_role is None:
            found = backup_service_roles(gaad_pages)
            if found:
                notes.append(
                    f"roles AWS Backup may assume: {', '.join(found)} (use --backup-role to ask the AWS Backup operations)"
                )
    if opts.scp:
        level = read_scps(opts.scp)
        for p in principals:
            p.scp = [*p.scp, level] if p.scp else [level]
    for arn in opts.tables:
        t = table_from_arn(arn, "--table")
        if t is None:
            raise InputError(f"--table {arn!r}: not a DynamoDB table ARN")
        tables.append(t)
    if opts.tables_file:
        tables += read_tables_file(opts.tables_file)
    vault_specs = [s for s in opts.resource_policies if is_vault_arn(s.partition("=")[0])]
    for spec in opts.resource_policies:
        if spec in vault_specs:
            continue
        arn, sep, file = spec.partition("=")
        if not sep or table_from_arn(arn, "") is None:
            raise InputError(f"--resource-policy {spec!r}: expected TABLE_ARN=FILE or VAULT_ARN=FILE")
        doc = read_resource_policy(arn, file)
        match = [t for t in tables if t.arn == arn]
        if not match:
            t = table_from_arn(arn, file)
            assert t is not None
            tables.append(t)
            match = [t]
        for t in match:
            t.resource_policy = doc
    seen: dict[str, Table] = {}
    for t in tables:
        if t.arn in seen:
            if t.resource_policy and not seen[t.arn].resource_policy:
                seen[t.arn].resource_policy = t.resource_policy
            continue
        seen[t.arn] = t
    tables = list(seen.values())
    if opts.backup_vault:
        if not re.fullmatch(r"[A-Za-z0-9_.-]{2,50}", opts.backup_vault):
            raise InputError(f"--backup-vault {opts.backup_vault!r}: not a backup vault name")
        for t in tables:
            t.vault = vault_arn(t, opts.backup_vault)
    for spec in vault_specs:
        arn, _, file = spec.partition("=")
        doc = read_resource_policy(arn, file)
        held = [t for t in tables if t.vault == arn]
        if not held:
            raise InputError(
                f"--resource-policy {spec!r}: no table's recovery points are in that vault "
                "(give --backup-vault NAME and the tables of its account and Region)"
            )
        for t in held:
            t.vault_policy = doc
    for spec in opts.vault_locks:
        arn, sep, lock = spec.partition("=")
        if sep and is_vault_arn(arn) and lock not in VAULT_LOCKS:
            lock = read_vault_lock(lock)
            if lock == "none":
                continue
        if not sep or not is_vault_arn(arn) or lock not in VAULT_LOCKS:
            raise InputError(
                f"--vault-lock {spec!r}: expected VAULT_ARN={'|'.join(VAULT_LOCKS)} or VAULT_ARN=FILE "
                "(aws backup describe-backup-vault output)"
            )
        held = [t for t in tables if t.vault == arn]
        if not held:
            raise InputError(f"--vault-lock {spec!r}: no table's recovery points are in that vault")
        for t in held:
            t.vault_lock = lock
    ids: set[str] = set()
    for p in principals:
        if p.id in ids:
            raise InputError(f"{p.source}: principal {p.id} is given twice")
        ids.add(p.id)
    return principals, tables, notes


def read_vault_lock(path: str, now: datetime.datetime | None = None) -> str:
    """The lock of `aws backup describe-backup-vault` output (SEMANTICS §14.4): `Locked` false = none;
    a `LockDate` in the past = compliance past its grace time, in the future = in its grace time; locked
    without a lock date = governance."""
    value, _ = read_json(path)
    if not isinstance(value, dict) or "BackupVaultName" not in value:
        raise InputError(f"{path}: expected aws backup describe-backup-vault output")
    if not value.get("Locked"):
        return "none"
    date = value.get("LockDate")
    if date is None:
        return "governance"
    try:
        when = (
            datetime.datetime.fromtimestamp(float(date), datetime.UTC)
            if isinstance(date, int | float)
            else datetime.datetime.fromisoformat(str(date))
        )
    except (ValueError, OverflowError):
        raise InputError(f"{path}: LockDate {date!r} is not a date") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.UTC)
    now = now or datetime.datetime.now(datetime.UTC)
    return "compliance_locked" if when <= now else "compliance_grace"


def select_principals(principals: list[Principal], globs: list[str]) -> list[Principal]:
    if not globs:
        return principals
    return [
        p for p in principals if any(fnmatch.fnmatchcase(x, g) for g in globs for x in (p.id, p.name, p.arn))
    ]


def decide(
    principals: list[Principal],
    tables: list[Table],
    opts: Options,
    engine,
    inputs: list[str],
    progress: Progress,
    with_cells: bool = True,
) -> tuple[Matrix, dict]:
    role = None
    role_arn = None
    if opts.backup_role:
        role = next(
            (p for p in principals if opts.backup_role in (p.id, p.name, p.arn) and p.type == "role"), None
        )
        if role is None:
            raise InputError(
                f"--backup-role {opts.backup_role!r}: no role of the inputs has that name or ARN"
            )
        role_arn = role.arn
    columns = make_columns(
        opts.operations,
        opts.actions,
        export_bucket=opts.export_bucket,
        import_bucket=opts.import_bucket,
        backup_role=role_arn,
        backup_vault=opts.backup_vault,
        copy_vault=opts.copy_vault,
    )
    mark_production(tables, opts.production)
    modules = pack_files(access=True)

    def column_checks(per_table: list[list[dict]]) -> list[list[list[dict]]]:
        progress.note(f"expanding {len(columns)} column(s) for {len(per_table)} table(s)")
        if not per_table:
            return []
        out = engine.evaluate(
            modules,
            "data.iam2rego.access.column_checks",
            [{"items": items, "options": OPTIONS} for items in per_table],
        )
        return [list(x) for x in out]

    params = {
        "export_bucket": opts.export_bucket,
        "import_bucket": opts.import_bucket,
        "backup_role": role_arn,
        "backup_vault": opts.backup_vault,
        "copy_vault": opts.copy_vault,
    }
    matrix = decide_cells(
        principals,
        tables,
        columns,
        analysis_for(engine, modules),
        column_checks,
        params=params,
        backup_role=role,
        progress=progress,
    )
    return matrix, build(matrix, inputs, with_cells)


def report_for(
    inputs: list[str],
    opts: Options,
    engine,
    progress: Progress,
    plan_value: dict | None = None,
    with_cells: bool = True,
    allow_empty: bool = False,
) -> dict:
    """A report document for some inputs; a previous JSON report is read back as is.

    ``allow_empty``: the world may hold no table or no principal (the prior state of a plan that
    creates them: "nothing"); the report then has no cells, which the delta reads as denied.
    """
    if len(inputs) == 1 and "=" not in inputs[0] and plan_value is None:
        value, _ = read_json(inputs[0])
        if isinstance(value, dict) and value.get("schema") == SCHEMA:
            return value
    principals, tables, notes = load_world(inputs, opts, engine, plan_value)
    for n in notes:
        print(f"iam2rego access: note: {n}", file=sys.stderr)
    principals = select_principals(principals, opts.principals)
    if not tables and not allow_empty:
        raise InputError(
            "no tables: give a plan with tables, --table ARN, --tables-file or --resource-policy"
        )
    if not principals and not allow_empty:
        raise InputError("no principals (check --principal)")
    if not tables or not principals:
        principals, tables = [], []  # nothing to ask: no cells
    _, doc = decide(principals, tables, opts, engine, inputs, progress, with_cells)
    return doc


def plan_sides(path: str) -> tuple[dict, dict]:
    value, _ = read_json(path)
    if kind_of(value) != "plan":
        raise InputError(
            f"{path}:1:1: --diff with one input needs a Terraform plan (its prior state vs its planned values)"
        )
    assert isinstance(value, dict)
    return before_plan(value), value


def dumps(doc: dict) -> str:
    return json.dumps(doc, sort_keys=True)


def _kms_keys(specs: list[str]) -> dict:
    """``--kms-key KEY_ARN=FILE`` as the gate's ``kms_keys`` data (the policy inline)."""
    out = {}
    for spec in specs:
        arn, sep, file = spec.partition("=")
        if not sep or not arn.startswith("arn:") or ":key/" not in arn or not file:
            raise InputError(f"--kms-key {spec!r}: expected KEY_ARN=FILE")
        text, why = key_policy_text(Path(file))
        if text is None:
            raise InputError(f"--kms-key {spec!r}: {why}")
        out[arn] = {"policy": text, "source": f"{file} (--kms-key)"}
    return out
