"""Benchmark: `iam2rego access` on a generated account snapshot (the get-account-authorization-details format).

The snapshot: 2,000 roles, 100 managed policies, 300 tables (prod/staging/dev of 60 services in two
Regions), every column of the matrix (ARCHITECTURE §4 table operations + single backup actions). Roles are
built the way IaC modules build them: each attaches 1-4 managed policies (a tenth of them about DynamoDB:
backup admin, read-only, per-environment access, export, MFA-guarded deletion, admin, NotAction power
user), 60 % carry an inline policy (some about SQS/S3, most about their own service's tables, by ARN or
by prefix, some behind conditions), 15 % a permissions boundary. Policy documents are URL-encoded JSON,
as the API returns them.

Runs the command as a user does (`python -m iam2rego access --engine opa SNAPSHOT --tables-file ...`) in
a child process and prints wall time, peak memory of the command and of its OPA processes, the cells,
the questions decided after grouping, and the load average. Goal: < 60 s and < 2 GB.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ACCOUNT = "123456789012"
ENVS = ("prod", "staging", "dev")
SERVICES = [f"svc{i:02d}" for i in range(60)]
REGIONS = ("us-east-1", "us-east-1", "us-east-1", "us-east-1", "eu-west-1")


def enc(doc: dict) -> str:
    return urllib.parse.quote(json.dumps(doc, separators=(",", ":")), safe="")


def table_arn(region: str, name: str) -> str:
    return f"arn:aws:dynamodb:{region}:{ACCOUNT}:table/{name}"


def generate(rng: random.Random, roles: int, managed: int, tables: int) -> tuple[dict, list[str]]:
    table_list = []
    for i in range(tables):
        env = ENVS[i % 3]
        svc = SERVICES[(i // 3) % len(SERVICES)]
        region = REGIONS[i % len(REGIONS)]
        table_list.append((region, f"{env}-{svc}-{i // 180}", env, svc))
    backup_actions = [
        "dynamodb:CreateBackup",
        "dynamodb:DescribeBackup",
        "dynamodb:ListBackups",
        "dynamodb:DeleteBackup",
        "dynamodb:DescribeContinuousBackups",
        "dynamodb:UpdateContinuousBackups",
    ]
    dataplane = [
        "dynamodb:BatchWriteItem",
        "dynamodb:DeleteItem",
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:Query",
        "dynamodb:Scan",
        "dynamodb:UpdateItem",
    ]
    any_table = f"arn:aws:dynamodb:*:{ACCOUNT}:table/"
    dynamo_managed = [
        ("BackupAdmin", [{"Effect": "Allow", "Action": backup_actions, "Resource": "*"}]),
        (
            "ReadOnlyDynamo",
            [
                {
                    "Effect": "Allow",
                    "Action": [
                        "dynamodb:Describe*",
                        "dynamodb:List*",
                        "dynamodb:GetItem",
                        "dynamodb:Query",
                        "dynamodb:Scan",
                    ],
                    "Resource": "*",
                }
            ],
        ),
        ("DevFullAccess", [{"Effect": "Allow", "Action": "dynamodb:*", "Resource": [any_table + "dev-*"]}]),
        (
            "StagingRestore",
            [
                {
                    "Effect": "Allow",
                    "Action": ["dynamodb:Restore*", *dataplane],
                    "Resource": [any_table + "staging-*"],
                }
            ],
        ),
        (
            "ExportInUsEast1",
            [
                {
                    "Effect": "Allow",
                    "Action": "dynamodb:ExportTableToPointInTime",
                    "Resource": "*",
                    "Condition": {"StringEquals": {"aws:RequestedRegion": "us-east-1"}},
                }
            ],
        ),
        (
            "DeleteWithMfa",
            [
                {"Effect": "Allow", "Action": "dynamodb:DeleteBackup", "Resource": "*"},
                {
                    "Effect": "Deny",
                    "Action": "dynamodb:DeleteBackup",
                    "Resource": "*",
                    "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
                },
            ],
        ),
        ("PowerUser", [{"Effect": "Allow", "NotAction": ["iam:*", "organizations:*"], "Resource": "*"}]),
        ("AdministratorAccess", [{"Effect": "Allow", "Action": "*", "Resource": "*"}]),
        ("DynamoFullAccess", [{"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"}]),
        (
            "ProdBackupsOnly",
            [
                {
                    "Effect": "Allow",
                    "Action": ["dynamodb:CreateBackup", "dynamodb:DescribeBackup"],
                    "Resource": [any_table + "prod-*", any_table + "prod-*/backup/*"],
                }
            ],
        ),
    ]
    services = ["s3", "sqs", "sns", "lambda", "logs", "ec2", "kinesis", "events", "ssm", "secretsmanager"]
    other_managed = []
    for k in range(managed - len(dynamo_managed)):
        svc = services[k % len(services)]
        stmts = [
            {
                "Effect": "Allow",
                "Action": [f"{svc}:Get*", f"{svc}:List*", f"{svc}:Describe*"],
                "Resource": "*",
            },
            {"Effect": "Allow", "Action": f"{svc}:*", "Resource": f"arn:aws:{svc}:*:{ACCOUNT}:team{k}-*"},
        ]
        other_managed.append((f"Team{k:02d}{svc.capitalize()}", stmts))
    boundaries = [
        (
            "BoundaryNoProdDeletion",
            [
                {"Effect": "Allow", "Action": "*", "Resource": "*"},
                {
                    "Effect": "Deny",
                    "Action": "dynamodb:DeleteBackup",
                    "Resource": any_table + "prod-*/backup/*",
                },
            ],
        ),
        (
            "BoundaryStandard",
            [{"Effect": "Allow", "NotAction": ["iam:*", "dynamodb:DeleteBackup"], "Resource": "*"}],
        ),
    ]
    policies = []
    all_managed = (
        dynamo_managed + other_managed[: managed - len(dynamo_managed) - len(boundaries)] + boundaries
    )
    for name, stmts in all_managed:
        arn = f"arn:aws:iam::{ACCOUNT}:policy/{name}"
        policies.append(
            {
                "PolicyName": name,
                "PolicyId": "ANPA" + name.upper()[:16],
                "Arn": arn,
                "Path": "/",
                "DefaultVersionId": "v1",
                "AttachmentCount": 1,
                "PermissionsBoundaryUsageCount": 0,
                "IsAttachable": True,
                "CreateDate": "2024-01-01T00:00:00Z",
                "UpdateDate": "2024-01-01T00:00:00Z",
                "PolicyVersionList": [
                    {
                        "Document": enc({"Version": "2012-10-17", "Statement": stmts}),
                        "VersionId": "v1",
                        "IsDefaultVersion": True,
                        "CreateDate": "2024-01-01T00:00:00Z",
                    }
                ],
            }
        )
    attachable = [p["Arn"] for p in policies if "Boundary" not in p["PolicyName"]]
    weights = [3 if i < len(dynamo_managed) else 1 for i in range(len(attachable))]
    weights[7] = 0.2  # AdministratorAccess is rare
    templates = {
        "read": ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan", "dynamodb:DescribeTable"],
        "write": dataplane,
        "backup": ["dynamodb:CreateBackup", "dynamodb:DescribeBackup", "dynamodb:ListBackups"],
        "restore": ["dynamodb:RestoreTableFromBackup", "dynamodb:RestoreTableToPointInTime", *dataplane],
        "full": ["dynamodb:*"],
    }
    role_list = []
    for r in range(roles):
        env = ENVS[r % 3]
        svc = SERVICES[r % len(SERVICES)]
        name = f"{env}-{svc}-role-{r}"
        attached = rng.choices(attachable, weights=weights, k=rng.randint(1, 4))
        inline = []
        if rng.random() < 0.6:
            if rng.random() < 0.35:
                doc = {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Action": ["sqs:SendMessage", "sqs:ReceiveMessage"],
                            "Resource": f"arn:aws:sqs:us-east-1:{ACCOUNT}:{name}-queue",
                        },
                        {
                            "Effect": "Allow",
                            "Action": "s3:GetObject",
                            "Resource": f"arn:aws:s3:::{name}-bucket/*",
                        },
                    ],
                }
            else:
                mine = [t for t in table_list if t[2] == env and t[3] == svc]
                kind = rng.choice(list(templates))
                if mine and rng.random() < 0.5:
                    res = [table_arn(t[0], t[1]) for t in mine]
                    res += [a + "/backup/*" for a in res] if kind in ("backup", "restore", "full") else []
                    res += [a + "-restored" for a in res if "/backup/" not in a] if kind == "restore" else []
                else:
                    res = [any_table + f"{env}-{svc}-*"]
                stmt = {"Effect": "Allow", "Action": templates[kind], "Resource": res}
                if rng.random() < 0.2:
                    stmt["Condition"] = {"Bool": {"aws:SecureTransport": "true"}}
                doc = {"Version": "2012-10-17", "Statement": [stmt]}
            inline.append({"PolicyName": f"{name}-inline", "PolicyDocument": enc(doc)})
        role = {
            "Path": "/",
            "RoleName": name,
            "RoleId": f"AROA{r:016d}",
            "Arn": f"arn:aws:iam::{ACCOUNT}:role/{name}",
            "CreateDate": "2024-01-01T00:00:00Z",
            "AssumeRolePolicyDocument": enc(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "lambda.amazonaws.com"},
                            "Action": "sts:AssumeRole",
                        }
                    ],
                }
            ),
            "InstanceProfileList": [],
            "RolePolicyList": inline,
            "AttachedManagedPolicies": [
                {"PolicyName": a.split("/")[-1], "PolicyArn": a} for a in dict.fromkeys(attached)
            ],
            "Tags": [{"Key": "team", "Value": svc}],
            "RoleLastUsed": {},
        }
        if rng.random() < 0.15:
            b = rng.choice(boundaries)[0]
            role["PermissionsBoundary"] = {
                "PermissionsBoundaryType": "Policy",
                "PermissionsBoundaryArn": f"arn:aws:iam::{ACCOUNT}:policy/{b}",
            }
        role_list.append(role)
    gaad = {
        "UserDetailList": [],
        "GroupDetailList": [],
        "RoleDetailList": role_list,
        "Policies": policies,
        "IsTruncated": False,
    }
    return gaad, [table_arn(t[0], t[1]) for t in table_list]


RUNNER = """
import resource, runpy, sys
sys.argv = ["iam2rego"] + sys.argv[1:]
try:
    runpy.run_module("iam2rego", run_name="__main__")
except SystemExit as exc:
    code = exc.code
else:
    code = 0
me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(f"PEAK-RSS-KB {me} {kids}", file=sys.stderr)
sys.exit(code)
"""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--roles", type=int, default=2000)
    ap.add_argument("--managed", type=int, default=100)
    ap.add_argument("--tables", type=int, default=300)
    ap.add_argument("--seed", type=int, default=15)
    ap.add_argument("--keep", help="write the snapshot here and keep it")
    args = ap.parse_args()
    gaad, tables = generate(random.Random(args.seed), args.roles, args.managed, args.tables)
    with tempfile.TemporaryDirectory(prefix="iam2rego-bench-access-") as tmp:
        out = Path(args.keep or tmp)
        out.mkdir(parents=True, exist_ok=True)
        snap = out / "gaad.json"
        snap.write_text(json.dumps(gaad), encoding="utf-8")
        (out / "tables.txt").write_text("\n".join(tables) + "\n", encoding="utf-8")
        cmd = [
            sys.executable,
            "-c",
            RUNNER,
            "access",
            "--engine",
            "opa",
            "--no-progress",
            str(snap),
            "--tables-file",
            str(out / "tables.txt"),
        ]
        start = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        wall = time.perf_counter() - start
    load = os.getloadavg()
    if proc.returncode != 0:
        print(proc.stdout, proc.stderr, sep="\n")
        return 1
    peak = next(line.split()[1:] for line in proc.stderr.splitlines() if line.startswith("PEAK-RSS-KB"))
    first = proc.stdout.splitlines()[0]
    print(
        f"\nsnapshot: {args.roles} roles, {args.managed} managed policies, {args.tables} tables "
        f"({snap.stat().st_size / 1e6 if args.keep else len(json.dumps(gaad)) / 1e6:.1f} MB GAAD JSON)"
    )
    print(f"{'measure':<44} {'value':>14}")
    print("-" * 60)
    print(f"{'wall time (read, group, decide, summarise)':<44} {wall:>12.1f} s")
    print(f"{'peak memory, iam2rego (Python)':<44} {int(peak[0]) / 1024:>11.0f} MB")
    print(f"{'peak memory, largest opa process':<44} {int(peak[1]) / 1024:>11.0f} MB")
    print(f"{'load average (1 min) / CPUs':<44} {load[0]:>10.1f} / {os.cpu_count()}")
    print(f"\n{first}\n{proc.stdout.splitlines()[1]}")
    print("\ngoal: under 60 s and 2 GB on 2 cores with the opa engine")
    return 0


if __name__ == "__main__":
    sys.exit(main())
