"""The canary of every gate engine call (issue 25 item 1): a small plan whose findings are known,
evaluated in the SAME engine call as the plan under review, and checked before any other answer is
read. An engine that is broken or lies - a fake ``opa`` printing a constant, well-formed
``{"deny": [], "warn": []}``, a module cache that was swapped - fails it: EngineError, exit 2.

Design:

- The canary is a second INPUT of the same batch (``engine.evaluate(pack, entrypoint, [plan, canary]
  in random order, data)``), never merged into the plan: its principals cannot be confused with the
  plan's, and the plan's report is computed exactly as without it.
- Its names carry a random nonce (``iam2rego_canary_<16 hex>``), new for each call, so a recorded or
  constant answer cannot name them; the order of the two inputs is random too.
- Its account is the guardrail file's ``account_id``, else the one most ARNs of the plan name
  (:func:`plan_account`), so account rules treat it like the plan.
- What it must find is known for ANY guardrail file, because the findings it checks do not depend on
  guardrails and only their severity (never their presence) is configurable, except ``builtin:
  {IAM2REGO-BACKUP-ROLE: {severity: off}}``, which the check honours:
  * role ``..._a`` is the role of an ``aws_backup_selection`` of table ``..._t`` and has no policy:
    IAM2REGO-BACKUP-ROLE (the analysis answers ``denied``: the generic evaluator ran);
  * role ``..._c`` has an inline policy known only after apply: IAM2REGO-UNVERIFIABLE;
  * role ``..._d`` has a policy the Python front end rejects (a Resource ARN of three parts) and only
    the data document ``iam2rego_cli.frontend`` says so: IAM2REGO-UNVERIFIABLE (the engine read the data).
  A finding counts in ``deny`` or ``warn`` (severities and exceptions move findings between them).

Under plain conftest there is no caller to add a canary: only ``iam2rego gate`` can enforce it
(rego/iam2rego/gate/README.md, "Threat model").
"""

from __future__ import annotations

import json
import re
import secrets
from collections import Counter

from ..errors import EngineError

PREFIX = "iam2rego_canary_"
DEFAULT_ACCOUNT = "210987654321"
REGION = "us-east-1"
BACKUP_ROLE = "IAM2REGO-BACKUP-ROLE"
UNVERIFIABLE = "IAM2REGO-UNVERIFIABLE"
CONFIG_INVALID = "IAM2REGO-CONFIG-INVALID"

_TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "backup.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
)
# rejected by the Python front end only (an ARN of three parts); the pack's own checks accept it
_FRONTEND_ONLY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "dynamodb:DescribeBackup", "Resource": "arn:aws:dynamodb"}
        ],
    }
)


_ACCOUNT_IN_ARN = re.compile(r'"arn:aws[a-z-]*:[a-z0-9-]*:[a-z0-9-]*:([0-9]{12}):')


def plan_account(plan: object) -> str | None:
    """The account most ARNs of the plan name (the canary then lives where the plan's roles live, so a
    guardrail file's account rules see one account); None when no ARN names one."""
    counts = Counter(_ACCOUNT_IN_ARN.findall(json.dumps(plan)))
    return counts.most_common(1)[0][0] if counts else None


def _named_roles(gate_cfg: dict) -> list[str]:
    guardrails = gate_cfg.get("guardrails") if isinstance(gate_cfg, dict) else None
    if not isinstance(guardrails, list):
        return []
    return [
        g["role"] for g in guardrails if isinstance(g, dict) and isinstance(g.get("role"), str) and g["role"]
    ]


def _denies(answer: object, code: str) -> bool:
    findings = answer.get("deny") if isinstance(answer, dict) else None
    return isinstance(findings, list) and any(isinstance(f, dict) and f.get("code") == code for f in findings)


def _change(addr: str, rtype: str, after: dict, unknown: dict | None = None) -> dict:
    return {
        "address": addr,
        "mode": "managed",
        "type": rtype,
        "name": addr.split(".", 1)[1],
        "provider_name": "registry.terraform.io/hashicorp/aws",
        "change": {"actions": ["create"], "before": None, "after": after, "after_unknown": unknown or {}},
    }


class Canary:
    """One canary: the plan to evaluate beside the real one, and the check of its answer."""

    def __init__(self, account: str | None = None, nonce: str | None = None, gate_cfg: dict | None = None):
        self.nonce = nonce or secrets.token_hex(8)
        self.account = account if isinstance(account, str) and account else DEFAULT_ACCOUNT
        n = PREFIX + self.nonce
        self.roles = {k: f"aws_iam_role.{n}_{k}" for k in ("a", "c", "d")}
        self.frontend_doc = f"aws_iam_role_policy.{n}_d"
        # roles the guardrail file names (`role:` of the AWS Backup operations) must exist in any
        # plan, else the file is IAM2REGO-CONFIG-INVALID and nothing is evaluated: the canary has them
        self.named = sorted(set(_named_roles(gate_cfg or {})))
        for i, _ in enumerate(self.named):
            self.roles[f"r{i}"] = f"aws_iam_role.{n}_r{i}"

    def _role(self, key: str) -> dict:
        name = f"{PREFIX}{self.nonce}-{key}".replace("_", "-")
        if key.startswith("r") and key[1:].isdigit():
            name = self.named[int(key[1:])]
        after = {
            "name": name,
            "arn": f"arn:aws:iam::{self.account}:role/{name}",
            "path": "/",
            "assume_role_policy": _TRUST,
            "permissions_boundary": None,
            "tags": None,
        }
        return _change(self.roles[key], "aws_iam_role", after)

    def plan(self) -> dict:
        n = PREFIX + self.nonce
        table = f"{n}-t".replace("_", "-")
        table_arn = f"arn:aws:dynamodb:{REGION}:{self.account}:table/{table}"
        changes = [
            self._role("a"),
            self._role("c"),
            self._role("d"),
            *(self._role(f"r{i}") for i in range(len(self.named))),
            _change(f"aws_dynamodb_table.{n}_t", "aws_dynamodb_table", {"name": table, "arn": table_arn}),
            _change(
                f"aws_backup_selection.{n}_s",
                "aws_backup_selection",
                {
                    "name": f"{n}-s",
                    "iam_role_arn": self._role("a")["change"]["after"]["arn"],
                    "resources": [table_arn],
                },
            ),
            _change(
                f"aws_iam_role_policy.{n}_c",
                "aws_iam_role_policy",
                {"name": "c", "role": self._role("c")["change"]["after"]["name"]},
                {"policy": True},
            ),
            _change(
                self.frontend_doc,
                "aws_iam_role_policy",
                {"name": "d", "role": self._role("d")["change"]["after"]["name"], "policy": _FRONTEND_ONLY},
            ),
        ]
        provider = {"aws": {"name": "aws", "full_name": "registry.terraform.io/hashicorp/aws",
                            "expressions": {"region": {"constant_value": REGION}}}}  # fmt: skip
        return {
            "format_version": "1.2",
            "resource_changes": changes,
            "planned_values": {},
            "configuration": {"provider_config": provider, "root_module": {"resources": []}},
        }

    def frontend(self) -> dict[str, dict]:
        """The front-end verdict the canary needs in ``iam2rego_cli.frontend`` (its own key)."""
        return {
            self.frontend_doc: {
                "codes": ["V-RESOURCE"],
                "problem": f"IAM would reject the policy ({self.nonce}: the canary's front-end verdict)",
            }
        }

    def expected(self, gate_cfg: dict) -> list[tuple[str, str, str | None]]:
        """(code, principal address, a text the finding must contain) the answer must hold."""
        out: list[tuple[str, str, str | None]] = [
            (UNVERIFIABLE, self.roles["c"], None),
            (UNVERIFIABLE, self.roles["d"], self.nonce),
        ]
        builtin = gate_cfg.get("builtin") if isinstance(gate_cfg, dict) else None
        setting = builtin.get(BACKUP_ROLE) if isinstance(builtin, dict) else None
        if not (isinstance(setting, dict) and setting.get("severity") == "off"):
            out.append((BACKUP_ROLE, self.roles["a"], None))
        return out

    def check(self, engine: str, answer: object, gate_cfg: dict, plan_answer: object = None) -> None:
        """Raise EngineError unless ``answer`` (the pack's report for the canary) holds every expected
        finding; called before the plan's answer is read. One exception: a guardrail file the pack
        finds invalid (IAM2REGO-CONFIG-INVALID: nothing else is evaluated, in the canary too) passes
        when the plan's answer denies with the same code, since the gate then fails anyway."""
        if _denies(answer, CONFIG_INVALID) and _denies(plan_answer, CONFIG_INVALID):
            return
        found: set[tuple[str, str]] = set()
        texts: dict[tuple[str, str], list[str]] = {}
        if isinstance(answer, dict):
            for key in ("deny", "warn"):
                for f in answer.get(key) or []:
                    if not isinstance(f, dict):
                        continue
                    principal = f.get("principal")
                    addr = principal.get("address") if isinstance(principal, dict) else None
                    if isinstance(f.get("code"), str) and isinstance(addr, str):
                        found.add((f["code"], addr))
                        texts.setdefault((f["code"], addr), []).append(str(f.get("msg", "")))
        missing = [
            f"{code} for {addr}"
            for code, addr, text in self.expected(gate_cfg)
            if (code, addr) not in found or (text and not any(text in t for t in texts[(code, addr)]))
        ]
        if missing:
            raise EngineError(
                engine,
                "the engine failed the canary: a plan whose findings are known, evaluated in the same call, "
                f"came back without {', '.join(missing)}. Its answers cannot be trusted (a broken or fake "
                "opa, a damaged module cache, or a gate pack that does not match this iam2rego); nothing "
                "was gated. Run iam2rego and opa from their installation (gate README, Threat model).",
            )
