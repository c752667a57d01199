"""Reading the access command's inputs into principals and tables.

* ``aws iam get-account-authorization-details`` output (GAAD): users (with their groups' policies),
  roles, managed policies (their default version), permissions boundaries, inline policies. Policy
  documents are URL-encoded JSON text in the API's response (RFC 3986); the AWS CLI decodes them into
  JSON objects. Both are read. Several pages (``IsTruncated``/``Marker``) may be given as several files.
* an SCP export: ``aws organizations describe-policy`` output (``{"Policy": {"PolicySummary",
  "Content"}}``), a list of them, or a JSON file of ``{"levels": [[file...], ...]}``; every principal
  of the snapshot gets one organisation level made of the default FullAWSAccess and the SCPs given.
* table resource policies: ``aws dynamodb get-resource-policy`` output (``{"Policy": "<json>",
  "RevisionId"}``), named ``--resource-policy TABLE_ARN=FILE``.
* policy files per principal, as ``eval`` takes them: ``NAME=FILE[,FILE...]`` (or a bare FILE, named
  after its stem).
* a Terraform plan (``terraform show -json``): read by the gate pack's own plan reading
  (rego/iam2rego/access) through the engine.

Every problem is an :class:`InputError` naming the file (and line:col when the JSON is broken); the
command turns it into exit 2 before writing anything.
"""

from __future__ import annotations

import json
import urllib.parse
from pathlib import Path

from .. import strictjson
from ..errors import UsageError
from .model import PolicyDoc, Principal, Table, table_from_arn

FULL_AWS_ACCESS = (
    '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}'
)


class InputError(UsageError):
    """Bad input (file, JSON, selection): exit 2 before anything is written."""


def read_json(path: str) -> tuple[object, str]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read: {exc}") from None
    try:
        return strictjson.loads(text), text  # plans, GAAD, policies: duplicate keys, NaN refused
    except strictjson.StrictJSONError as exc:
        raise InputError(f"{path}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}") from None


def kind_of(value: object) -> str:
    """What an input file is: gaad | plan | policy | unknown."""
    if isinstance(value, dict):
        if any(k in value for k in ("UserDetailList", "RoleDetailList", "GroupDetailList", "Policies")):
            return "gaad"
        if "format_version" in value and ("planned_values" in value or "resource_changes" in value):
            return "plan"
        if "Statement" in value:
            return "policy"
    return "unknown"


def _document_text(value: object, where: str) -> str:
    """A GAAD policy document: URL-encoded JSON text (the API) or an already decoded object (the CLI)."""
    if isinstance(value, str):
        text = urllib.parse.unquote(value)
        return text
    if isinstance(value, dict):
        return json.dumps(value, indent=4)
    raise InputError(f"{where}: the policy document is neither URL-encoded JSON text nor an object")


def _field(obj: object, key: str, where: str, kind: type = str):
    if not isinstance(obj, dict) or not isinstance(obj.get(key), kind):
        raise InputError(f"{where}: expected `{key}` ({kind.__name__})")
    return obj[key]


def _tags(obj: dict) -> dict[str, str]:
    return {
        str(t.get("Key")): str(t.get("Value", ""))
        for t in obj.get("Tags") or []
        if isinstance(t, dict) and "Key" in t
    }


def read_gaad(pages: list[tuple[str, dict]]) -> list[Principal]:
    """Roles and users of one account snapshot (several pages merged), in file order."""
    policies: dict[str, tuple[str, dict]] = {}
    roles: list[tuple[str, dict]] = []
    users: list[tuple[str, dict]] = []
    groups: dict[str, tuple[str, dict]] = {}
    for path, page in pages:
        for p in page.get("Policies") or []:
            policies[_field(p, "Arn", f"{path}: Policies[]")] = (path, p)
        for r in page.get("RoleDetailList") or []:
            roles.append((path, r))
        for u in page.get("UserDetailList") or []:
            users.append((path, u))
        for g in page.get("GroupDetailList") or []:
            groups[_field(g, "GroupName", f"{path}: GroupDetailList[]")] = (path, g)
    managed_cache: dict[str, PolicyDoc] = {}

    def managed(arn: str, where: str, kind: str = "identity") -> PolicyDoc:
        key = f"{kind} {arn}"
        if key in managed_cache:
            return managed_cache[key]
        if arn not in policies:
            doc = PolicyDoc(
                arn,
                f"{where}: managed policy {arn}",
                where,
                "",
                None,
                "the managed policy is not in the snapshot (run get-account-authorization-details "
                "without --filter, or include AWSManagedPolicy)",
            )
        else:
            path, pol = policies[arn]
            versions = [v for v in pol.get("PolicyVersionList") or [] if isinstance(v, dict)]
            default = [v for v in versions if v.get("IsDefaultVersion")] or [
                v for v in versions if v.get("VersionId") == pol.get("DefaultVersionId")
            ]
            origin = f"{path}: managed policy {pol.get('PolicyName', arn)}"
            if not default:
                doc = PolicyDoc(
                    arn, origin, path, "", None, "the snapshot holds no default version of this policy"
                )
            else:
                text = _document_text(default[0].get("Document"), origin)
                doc = PolicyDoc.read(arn, origin, path, text, kind)
        managed_cache[key] = doc
        return doc

    def inline(path: str, owner: str, entry: dict, list_name: str) -> PolicyDoc:
        name = _field(entry, "PolicyName", f"{path}: {owner} {list_name}[]")
        origin = f"{path}: {owner} inline policy {name}"
        return PolicyDoc.read(
            f"{owner} inline {name}", origin, path, _document_text(entry.get("PolicyDocument"), origin)
        )

    def boundary(path: str, owner: dict) -> PolicyDoc | None:
        pb = owner.get("PermissionsBoundary")
        if not isinstance(pb, dict) or not pb.get("PermissionsBoundaryArn"):
            return None
        return managed(pb["PermissionsBoundaryArn"], path, "boundary")

    def attached(path: str, owner: str, entity: dict, list_name: str) -> list[PolicyDoc]:
        """The entity's inline policies (``list_name``), then its attached managed policies."""
        docs = [inline(path, owner, e, list_name) for e in entity.get(list_name) or []]
        return docs + [
            managed(_field(m, "PolicyArn", f"{path}: {owner}"), path)
            for m in entity.get("AttachedManagedPolicies") or []
        ]

    def principal(path: str, entity: dict, kind: str) -> Principal:
        title = kind.capitalize()
        name = _field(entity, f"{title}Name", f"{path}: {title}DetailList[]")
        owner = f"{kind} {name}"
        arn = _field(entity, "Arn", f"{path}: {owner}")
        p = Principal(f"{kind}/{name}", name, kind, arn, arn.split(":")[4], f"{path}: {owner}", _tags(entity))
        p.identity = attached(path, owner, entity, f"{title}PolicyList")
        p.boundary = boundary(path, entity)
        return p

    out = [principal(path, r, "role") for path, r in roles]
    for path, u in users:
        p = principal(path, u, "user")
        for gname in u.get("GroupList") or []:
            if gname not in groups:
                p.problems.append(f"group {gname} is not in the snapshot")
                continue
            gpath, g = groups[gname]
            p.identity += attached(gpath, f"group {gname}", g, "GroupPolicyList")
        out.append(p)
    return out


def backup_service_roles(pages: list[tuple[str, dict]]) -> list[str]:
    """ARNs of roles whose trust policy lets backup.amazonaws.com assume them (AWS Backup roles)."""
    out = []
    for _, page in pages:
        for r in page.get("RoleDetailList") or []:
            trust = r.get("AssumeRolePolicyDocument")
            text = _document_text(trust, "trust policy") if trust is not None else ""
            if "backup.amazonaws.com" in text:
                out.append(str(r.get("Arn")))
    return out


def read_scps(paths: list[str]) -> list[PolicyDoc]:
    """SCP documents from describe-policy outputs (one or a list per file) or plain policy files."""
    docs = [PolicyDoc.read("FullAWSAccess", "implicit FullAWSAccess SCP", "", FULL_AWS_ACCESS, "scp")]
    for path in paths:
        value, text = read_json(path)
        items = value if isinstance(value, list) else [value]
        for k, item in enumerate(items):
            if isinstance(item, dict) and "Statement" in item:
                docs.append(
                    PolicyDoc.read(
                        Path(path).stem,
                        f"{path}: SCP",
                        path,
                        text if len(items) == 1 else json.dumps(item, indent=4),
                        "scp",
                    )
                )
                continue
            pol = item.get("Policy") if isinstance(item, dict) else None
            content = pol.get("Content") if isinstance(pol, dict) else None
            if not isinstance(content, str):
                raise InputError(
                    f'{path}: item {k}: expected describe-policy output ({{"Policy": {{"Content": ...}}}}) or a policy'
                )
            summary = (pol.get("PolicySummary") if isinstance(pol, dict) else None) or {}
            name = str(summary.get("Name") or summary.get("Id") or Path(path).stem)
            docs.append(PolicyDoc.read(name, f"{path}: SCP {name}", path, content, "scp"))
    return docs


def read_resource_policy(arn: str, path: str) -> PolicyDoc:
    value, text = read_json(path)
    if isinstance(value, dict) and isinstance(value.get("Policy"), str):
        return PolicyDoc.read(
            f"resource policy of {arn}", f"{path}: resource policy", path, value["Policy"], "resource"
        )
    if isinstance(value, dict) and "Statement" in value:
        return PolicyDoc.read(f"resource policy of {arn}", f"{path}: resource policy", path, text, "resource")
    raise InputError(f'{path}: expected `aws dynamodb get-resource-policy` output ({{"Policy": "..."}})')


def read_policy_principal(spec: str, account: str) -> Principal:
    """``NAME=FILE[,FILE...]`` or ``FILE``: one principal whose identity policies are the files."""
    name, sep, files = spec.partition("=")
    paths = files.split(",") if sep else [spec]
    if not sep:
        name = Path(spec).stem
    arn = f"arn:aws:iam::{account}:role/{name}"
    p = Principal(f"policies/{name}", name, "role", arn, account, ", ".join(paths))
    for path in paths:
        _, text = _read_text(path)
        p.identity.append(PolicyDoc.read(Path(path).stem, path, path, text))
    return p


def _read_text(path: str) -> tuple[str, str]:
    try:
        return path, Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read: {exc}") from None


def read_tables_file(path: str) -> list[Table]:
    """One table ARN a line (``#`` comments and blank lines ignored)."""
    _, text = _read_text(path)
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        arn = line.split("#", 1)[0].strip()
        if not arn:
            continue
        t = table_from_arn(arn, f"{path}:{n}")
        if t is None:
            raise InputError(f"{path}:{n}:1: not a DynamoDB table ARN: {arn!r}")
        out.append(t)
    return out


def plan_inventory(inventory: dict, plan_path: str) -> tuple[list[Principal], list[Table], list[str]]:
    """Principals and tables from the access package's ``inventory`` of a plan."""
    principals = []
    for pr in inventory.get("principals") or []:
        kind = pr["type"]
        # a name known only after apply (name_prefix, no name): the gate's stand-in ARN, the address
        # as the id, and aws:PrincipalArn / aws:username open (SEMANTICS §13.3)
        arn = pr.get("request_arn") or pr["arn"]
        name = pr["name"] if pr.get("name") is not None else pr["address"]
        p = Principal(
            f"{kind}/{name}",
            name,
            kind,
            arn,
            arn.split(":")[4],
            f"{plan_path}: {pr['address']}",
            dict(pr.get("tags") or {}),
        )
        p.name_known = pr.get("name") is not None
        if "fixed_tags" in pr:
            p.fixed_tags = list(pr["fixed_tags"])
            p.tags = {str(k): str(v) for k, v in (pr.get("tag_context") or {}).items()}
            p.tags = {k.split("/", 1)[1]: v for k, v in p.tags.items()}
        pset = pr["policy_set"]
        p.identity = [_plan_doc(e, plan_path) for e in pset.get("identity") or []]
        if pset.get("boundary"):
            p.boundary = _plan_doc(pset["boundary"], plan_path, "boundary")
        p.scp = [[_plan_doc(e, plan_path, "scp") for e in level] for level in pset.get("scp") or []]
        p.problems = list(pr.get("unverifiable") or [])
        # SCP/RCP levels that may apply (an OU the plan cannot place the account in, an account that may
        # be the management account, RCPs on DynamoDB: SEMANTICS §13.1): the gate answers with and
        # without them; the matrix does not yet, so every cell of the principal is unknown, saying why
        maybe = pset.get("maybe") or {}
        if maybe.get("scp") or maybe.get("rcp"):
            p.problems += [f"may apply: {w}" for w in maybe.get("why") or []] or [
                "organisation policies may apply"
            ]
        principals.append(p)
    tables = []
    for tb in inventory.get("tables") or []:
        t = table_from_arn(tb["arn"], f"{plan_path}: {tb['address']}")
        if t is None:
            continue
        t.tags = {str(k): str(v) for k, v in (tb.get("tags") or {}).items()}
        if tb.get("resource_policy"):
            t.resource_policy = _plan_doc(tb["resource_policy"], plan_path, "resource")
        t.problem = tb.get("problem")
        if tb.get("kms_key"):
            t.kms_key = str(tb["kms_key"])
            t.key_policy = list(tb.get("key_policy") or [])
        tables.append(t)
    return principals, tables, list(inventory.get("problems") or []) + list(inventory.get("orphans") or [])


def _plan_doc(entry: dict, plan_path: str, kind: str = "identity") -> PolicyDoc:
    doc = entry.get("document")
    text = doc if isinstance(doc, str) else json.dumps(doc, indent=4)
    source = str(entry.get("source") or entry.get("name"))
    return PolicyDoc.read(str(entry.get("name")), f"{plan_path}: {source}", plan_path, text, kind)


def before_plan(plan: dict) -> dict:
    """The plan's prior world as a plan: every resource's ``before`` values, nothing created."""
    out = dict(plan)
    changes = []
    for rc in plan.get("resource_changes") or []:
        change = rc.get("change") or {}
        if change.get("before") is None:
            continue
        before = change["before"]
        changes.append(
            {**rc, "change": {**change, "actions": ["no-op"], "after": before, "after_unknown": {}}}
        )
    out["resource_changes"] = changes
    out.pop("planned_values", None)
    return out
