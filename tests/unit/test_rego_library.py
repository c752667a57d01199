"""The hand-written Rego library (rego/iam2rego/...): `opa test` on rego/, and the same library on the
embedded engine (regopy) for representative decisions, compared with OPA so that an engine
difference shows up as a failing case id."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
REGO = ROOT / "rego"
LIBRARY = (
    "request",
    "match",
    "ip",
    "dates",
    "conditions",
    "decide",
    "operations",
    "generic",
    "catalog",
    "policydoc",
    "vault",
)

ACCT = "123456789012"
USER = {"arn": f"arn:aws:iam::{ACCT}:user/alice", "account": ACCT, "type": "IAMUser"}
B1 = f"arn:aws:dynamodb:us-east-1:{ACCT}:table/Music/backup/01489173575360-b308cd7d"
STREAM = f"arn:aws:dynamodb:us-east-1:{ACCT}:table/Music/stream/2021-12-10T00:00:00.000"
KEY = f"arn:aws:kms:us-east-1:{ACCT}:key/k1"


def table(name: str, region: str = "us-east-1") -> str:
    return f"arn:aws:dynamodb:{region}:{ACCT}:table/{name}"


def stmt(effect: str, action: Any, resource: Any, condition: dict[str, Any] | None = None) -> dict[str, Any]:
    st: dict[str, Any] = {"Effect": effect, "Action": action, "Resource": resource}
    if condition is not None:
        st["Condition"] = condition
    return st


def policy_set(*statements: dict[str, Any], version: str = "2012-10-17") -> dict[str, Any]:
    document = {"Version": version, "Statement": list(statements)}
    return {"identity": [{"name": "p", "document": document, "source": "p.json"}]}


DDB_ALL = stmt("Allow", "dynamodb:*", "*")


def request_case(
    case_id: str, psd: dict[str, Any], action: str, resource: str, ctx: dict[str, Any], expected: str
) -> dict[str, Any]:
    raw = {"action": action, "resource": resource, "context": ctx, "principal": USER}
    return {"id": case_id, "psd": psd, "req": raw, "expected": expected}


# Representative decisions: every operator family, variables, wildcards, NotAction/NotResource,
# no-resource actions, malformed JSON, dates with "Z" (where regopy's own time parser differs).
REQUEST_CASES = [
    request_case(
        "seed-1",
        policy_set(stmt("Allow", "dynamodb:CreateBackup", table("Movies"))),
        "dynamodb:CreateBackup",
        table("Movies"),
        {},
        "allow",
    ),
    request_case(
        "seed-5",
        policy_set(stmt("Allow", "dynamodb:RestoreTableFromBackup", table("Movies"))),
        "dynamodb:RestoreTableFromBackup",
        table("Movies/backup/01489602797149-73d8d5bc"),
        {},
        "implicit_deny",
    ),
    request_case(
        "seed-16",
        policy_set(stmt("Allow", "dynamodb:ListBackups", table("Movies"))),
        "dynamodb:ListBackups",
        table("Movies"),
        {},
        "implicit_deny",
    ),
    request_case(
        "seed-27",
        policy_set(stmt("Allow", "dynamodb:*", B1), stmt("Deny", "dynamodb:DeleteBackup", B1)),
        "dynamodb:DeleteBackup",
        B1,
        {},
        "explicit_deny",
    ),
    request_case(
        "seed-38",
        {"identity": [{"name": "e8", "document": '{"Statement": []}}', "source": "e8.json"}]},
        "dynamodb:StartAwsBackupJob",
        table("Books"),
        {},
        "implicit_deny",
    ),
    request_case(
        "T-CASE",
        policy_set(stmt("Allow", "DynamoDB:createBACKUP", table("Movies"))),
        "dynamodb:CreateBackup",
        table("Movies"),
        {},
        "allow",
    ),
    request_case(
        "T-TABLESTAR-stream",
        policy_set(stmt("Allow", "dynamodb:*", "arn:aws:dynamodb:*:*:table/*")),
        "dynamodb:DescribeStream",
        STREAM,
        {},
        "allow",
    ),
    request_case(
        "inner-star-stream",
        policy_set(stmt("Allow", "dynamodb:*", table("Music/stream/2021-12-10T*.000"))),
        "dynamodb:DescribeStream",
        STREAM,
        {},
        "implicit_deny",
    ),
    request_case(
        "T-NOTRES",
        policy_set({"Effect": "Allow", "Action": "dynamodb:*", "NotResource": table("Secret*")}),
        "dynamodb:ListBackups",
        "*",
        {},
        "allow",
    ),
    request_case(
        "T-NOTACTION-DENY",
        policy_set(
            stmt("Allow", "*", "*"), {"Effect": "Deny", "NotAction": "dynamodb:List*", "Resource": "*"}
        ),
        "s3:GetObject",
        "arn:aws:s3:::b/k",
        {},
        "explicit_deny",
    ),
    request_case(
        "T-VAR",
        policy_set(stmt("Allow", "dynamodb:CreateBackup", table("${aws:username}"))),
        "dynamodb:CreateBackup",
        table("alice"),
        {"aws:username": "alice"},
        "allow",
    ),
    request_case(
        "T-VAR-2008",
        policy_set(stmt("Allow", "dynamodb:CreateBackup", table("${aws:username}")), version="2008-10-17"),
        "dynamodb:CreateBackup",
        table("alice"),
        {"aws:username": "alice"},
        "implicit_deny",
    ),
    request_case(
        "T-VAR-DEFAULT",
        policy_set(stmt("Allow", "dynamodb:CreateBackup", table("team-${aws:PrincipalTag/team, 'shared'}"))),
        "dynamodb:CreateBackup",
        table("team-shared"),
        {},
        "allow",
    ),
    request_case(
        "T-VAR-ESC",
        policy_set(stmt("Allow", "dynamodb:CreateBackup", table("Music${*}"))),
        "dynamodb:CreateBackup",
        table("MusicCollection"),
        {},
        "implicit_deny",
    ),
    request_case(
        "T-REGION-NOR",
        policy_set(
            DDB_ALL,
            stmt("Deny", "*", "*", {"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}}),
        ),
        "dynamodb:CreateBackup",
        table("Music"),
        {"aws:RequestedRegion": "us-west-2"},
        "explicit_deny",
    ),
    request_case(
        "T-MFA-DENY",
        policy_set(
            DDB_ALL,
            stmt(
                "Deny", "dynamodb:DeleteBackup", "*", {"BoolIfExists": {"aws:MultiFactorAuthPresent": False}}
            ),
        ),
        "dynamodb:DeleteBackup",
        B1,
        {},
        "explicit_deny",
    ),
    request_case(
        "T-FORALL",
        policy_set(stmt("Allow", "dynamodb:*", "*", {"ForAllValues:StringEquals": {"aws:TagKeys": ["env"]}})),
        "dynamodb:TagResource",
        table("Music"),
        {"aws:TagKeys": ["env", "owner"]},
        "implicit_deny",
    ),
    request_case(
        "T-FORANY",
        policy_set(stmt("Allow", "dynamodb:*", "*", {"ForAnyValue:StringEquals": {"aws:TagKeys": ["env"]}})),
        "dynamodb:TagResource",
        table("Music"),
        {"aws:TagKeys": ["env", "owner"]},
        "allow",
    ),
    request_case(
        "date-z",
        policy_set(
            stmt("Allow", "dynamodb:*", "*", {"DateLessThan": {"aws:CurrentTime": "2025-01-01T00:00:00Z"}})
        ),
        "dynamodb:CreateBackup",
        table("Music"),
        {"aws:CurrentTime": "2024-06-01T12:00:00Z"},
        "allow",
    ),
    request_case(
        "date-offset",
        policy_set(
            stmt("Allow", "dynamodb:*", "*", {"DateEquals": {"aws:CurrentTime": "2024-06-01T14:00:00+02:00"}})
        ),
        "dynamodb:CreateBackup",
        table("Music"),
        {"aws:CurrentTime": "2024-06-01T12:00:00Z"},
        "allow",
    ),
    request_case(
        "ipv4",
        policy_set(stmt("Allow", "dynamodb:*", "*", {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}})),
        "dynamodb:CreateBackup",
        table("Music"),
        {"aws:SourceIp": "203.0.113.10"},
        "allow",
    ),
    request_case(
        "ipv6",
        policy_set(stmt("Allow", "dynamodb:*", "*", {"IpAddress": {"aws:SourceIp": "2001:db8::/32"}})),
        "dynamodb:CreateBackup",
        table("Music"),
        {"aws:SourceIp": "2001:db9::1"},
        "implicit_deny",
    ),
    request_case(
        "numeric",
        policy_set(stmt("Allow", "dynamodb:*", "*", {"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}})),
        "dynamodb:CreateBackup",
        table("Music"),
        {"aws:MultiFactorAuthAge": 300},
        "allow",
    ),
    request_case(
        "arnlike",
        policy_set(
            stmt("Allow", "dynamodb:*", "*", {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:user/*"}})
        ),
        "dynamodb:CreateBackup",
        table("Music"),
        {"aws:PrincipalArn": USER["arn"]},
        "allow",
    ),
    request_case(
        "null",
        policy_set(stmt("Allow", "dynamodb:*", "*", {"Null": {"aws:TokenIssueTime": "true"}})),
        "dynamodb:CreateBackup",
        table("Music"),
        {"aws:TokenIssueTime": ""},
        "allow",
    ),
    request_case(
        "binary",
        policy_set(stmt("Allow", "dynamodb:*", "*", {"BinaryEquals": {"k:bin": "aGVsbG8="}})),
        "dynamodb:CreateBackup",
        table("Music"),
        {"k:bin": "aGVsbG8="},
        "allow",
    ),
]

RESTORE = {
    "operation": "restore_table_from_backup",
    "backup": B1,
    "target_table": table("MusicRestored"),
    "context": {"aws:SourceIp": "203.0.113.10"},
    "principal": USER,
}
IP_DENY = stmt("Deny", "dynamodb:*", "*", {"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}})
OPERATION_CASES = [
    {
        "id": "T-IP-RESTORE",
        "policies": {"caller": policy_set(DDB_ALL, IP_DENY)},
        "op": RESTORE,
        "opts": {},
        "expected": "explicit_deny",
    },
    {
        "id": "T-KMS",
        "policies": {"caller": policy_set(DDB_ALL)},
        "op": {**RESTORE, "target_kms_key": KEY},
        "opts": {},
        "expected": "implicit_deny",
    },
    {
        "id": "restore-allowed",
        "policies": {"caller": policy_set(DDB_ALL)},
        "op": RESTORE,
        "opts": {"mode": "sar-strict"},
        "expected": "allow",
    },
]

QUERY = (
    "x := {"
    '"requests": [data.iam2rego.generic.decide_request(c.psd, c.req, {}) | some c in input.requests], '
    '"operations": [data.iam2rego.generic.run_operation(c.policies, c.op, c.opts) | some c in input.operations], '
    '"dates": [data.iam2rego.dates.parse_ns(d) | some d in input.dates], '
    '"cidrs": [data.iam2rego.ip.cidr_contains(c[0], c[1]) | some c in input.cidrs]'
    "}"
)

DATES = [
    "2024-06-01T12:00:00Z",
    "2024-06-01T12:00:00.5+02:00",
    "2024-06-01",
    "1717243200",
    "2000-02-29T00:00Z",
]
CIDRS = [["10.0.0.0/8", "10.1.2.3"], ["10.0.0.0/8", "11.0.0.1"], ["fe80::/10", "febf::1"], ["::1", "::1"]]

INPUT = {
    "requests": [{"psd": c["psd"], "req": c["req"]} for c in REQUEST_CASES],
    "operations": [{"policies": c["policies"], "op": c["op"], "opts": c["opts"]} for c in OPERATION_CASES],
    "dates": DATES,
    "cidrs": CIDRS,
}


def library_modules() -> dict[str, Path]:
    files = sorted(p for pkg in LIBRARY for p in (REGO / "iam2rego" / pkg).glob("*.rego"))
    return {str(p.relative_to(REGO)): p for p in files if not p.name.endswith("_test.rego")}


def run_opa(opa_bin: str) -> dict[str, Any]:
    args = [opa_bin, "eval", "--format", "json", "--stdin-input"]
    for path in library_modules().values():
        args += ["-d", str(path)]
    proc = subprocess.run([*args, QUERY], input=json.dumps(INPUT), capture_output=True, text=True, check=True)
    return json.loads(proc.stdout)["result"][0]["bindings"]["x"]


def run_regopy() -> dict[str, Any]:
    regopy = pytest.importorskip("regopy")
    interp = regopy.Interpreter()
    for name, path in library_modules().items():
        interp.add_module(name, path.read_text())
    interp.set_input_term(json.dumps(INPUT))
    out = interp.query(QUERY)
    assert out.ok(), str(out)
    return json.loads(str(out))["bindings"]["x"]


@pytest.fixture(scope="module")
def opa_result(opa_bin: str) -> dict[str, Any]:
    return run_opa(opa_bin)


@pytest.fixture(scope="module")
def regopy_result() -> dict[str, Any]:
    return run_regopy()


@pytest.mark.opa
def test_opa_test_passes_on_the_rego_tree(opa_bin: str) -> None:
    proc = subprocess.run([opa_bin, "test", str(REGO), "--format", "json"], capture_output=True, text=True)
    results = json.loads(proc.stdout)
    failed = [f"{r['package']}.{r['name']}" for r in results if r.get("fail") or r.get("error")]
    assert failed == []
    assert proc.returncode == 0, proc.stderr
    assert len(results) >= 80


@pytest.mark.opa
def test_opa_decisions_match_the_expected_table(opa_result: dict[str, Any]) -> None:
    got = {c["id"]: d["decision"] for c, d in zip(REQUEST_CASES, opa_result["requests"], strict=True)}
    assert got == {c["id"]: c["expected"] for c in REQUEST_CASES}
    ops = {c["id"]: v["decision"] for c, v in zip(OPERATION_CASES, opa_result["operations"], strict=True)}
    assert ops == {c["id"]: c["expected"] for c in OPERATION_CASES}


@pytest.mark.opa
@pytest.mark.parametrize("part", ["requests", "operations", "dates", "cidrs"])
def test_regopy_agrees_with_opa(opa_result: dict[str, Any], regopy_result: dict[str, Any], part: str) -> None:
    embedded = regopy_result[part]
    ids = {
        "requests": [c["id"] for c in REQUEST_CASES],
        "operations": [c["id"] for c in OPERATION_CASES],
        "dates": DATES,
        "cidrs": [" ".join(c) for c in CIDRS],
    }[part]
    differing = [i for i, a, b in zip(ids, opa_result[part], embedded, strict=True) if a != b]
    assert differing == []


def test_regopy_decisions_match_the_expected_table(regopy_result: dict[str, Any]) -> None:
    result = regopy_result
    got = {c["id"]: d["decision"] for c, d in zip(REQUEST_CASES, result["requests"], strict=True)}
    assert got == {c["id"]: c["expected"] for c in REQUEST_CASES}
    assert result["dates"][0] == 1717243200 * 10**9
    assert result["cidrs"] == [True, False, True, True]


def _not_json(case: dict[str, Any]) -> bool:
    docs = [p.get("document") for ps in case["psd"].values() if isinstance(ps, list) for p in ps]
    try:
        for d in docs:
            if isinstance(d, str):
                json.loads(d)
    except ValueError:
        return True
    return False


@pytest.mark.opa
def test_wasm_agrees_with_opa_on_the_whole_library_probe(opa_result: dict[str, Any]) -> None:
    """The wasm engine (OPA's Wasm runtime + this project's host) on generic decisions, operations,
    dates and CIDRs: every value equal to opa's, reasons and check lists in order. A request whose
    policy document is not JSON is refused (the Wasm runtime's JSON parser is lenient), never
    answered differently."""
    from iam2rego.engines import EngineError, get_engine

    modules = {name: path.read_text() for name, path in library_modules().items()}
    modules["lib_probe/probe.rego"] = "package lib_probe\n\n" + QUERY + "\n"
    wasm = get_engine("wasm")
    bad = [i for i, c in enumerate(INPUT["requests"]) if _not_json(c)]
    assert bad, "the probe has a request with a malformed policy document"
    for i in bad:
        with pytest.raises(EngineError, match="not JSON"):
            wasm.evaluate(modules, "data.lib_probe.x", [{**INPUT, "requests": [INPUT["requests"][i]]}])
    keep = [i for i in range(len(INPUT["requests"])) if i not in bad]
    [out] = wasm.evaluate(
        modules, "data.lib_probe.x", [{**INPUT, "requests": [INPUT["requests"][i] for i in keep]}]
    )
    assert isinstance(out, dict)
    assert out["requests"] == [opa_result["requests"][i] for i in keep]
    for part in ("operations", "dates", "cidrs"):
        assert out[part] == opa_result[part], part
