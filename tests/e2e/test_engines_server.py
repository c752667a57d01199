"""The reusable OPA server (engines/server.py): the library compiled once per run, evaluations over
REST on 127.0.0.1, the server's modules unchanged by every call, answers checked, the process gone
after close."""

from __future__ import annotations

import os
import subprocess

import pytest
from iam2rego import api
from iam2rego.codegen import library_files
from iam2rego.engines import EngineError
from iam2rego.engines.server import OpaServer, ServerEngine

pytestmark = pytest.mark.opa

MODULE = {
    "t/t.rego": 'package t\n\ndecision := {"allowed": input.x > data.limit, "rows": data.t.rows} if input.x\n',
    "t/data.json": '{"rows": ["r"]}\n',
}
POLICY = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "dynamodb:*Backup", "Resource": "*"}]}'
REQUESTS = [
    {"action": "dynamodb:CreateBackup", "resource": "arn:aws:dynamodb:us-east-1:123456789012:table/t"},
    {"action": "dynamodb:DeleteTable", "resource": "arn:aws:dynamodb:us-east-1:123456789012:table/t"},
]


@pytest.fixture(scope="module")
def server(opa_bin: str):  # type: ignore[no-untyped-def]
    with OpaServer(library_files(), opa_path=opa_bin) as srv:
        yield srv


def test_listens_on_127_0_0_1_only(server: OpaServer) -> None:
    assert server.proc is not None
    assert f"127.0.0.1:{server.port}" in server.proc.args  # type: ignore[operator]


def test_modules_and_data_sent_with_a_call_are_gone_after_it(server: OpaServer) -> None:
    engine = ServerEngine(server)
    before = sorted(p["id"] for p in server.request("GET", "/v1/policies")["result"])
    out = engine.evaluate(MODULE, "data.t.decision", [{"x": 1}, {"x": 5}, {"y": 1}], data={"limit": 2})
    assert out == [{"allowed": False, "rows": ["r"]}, {"allowed": True, "rows": ["r"]}, None]
    assert sorted(p["id"] for p in server.request("GET", "/v1/policies")["result"]) == before
    assert server.request("GET", "/v1/data/t") == {} and server.request("GET", "/v1/data/limit") == {}


def test_a_compile_error_is_an_engine_error_naming_the_module(server: OpaServer) -> None:
    with pytest.raises(EngineError, match=r"b/b\.rego"):
        ServerEngine(server).evaluate({"b/b.rego": "package b\n\nx := := 1\n"}, "data.b.x", [{}])


def test_generic_decisions_on_the_server_equal_the_compiled_module_on_opa(server: OpaServer) -> None:
    loaded = api.load_principals(
        api.PrincipalsSpec(api.PolicySetSpec(identity=(api.PolicySource(label="p.json", text=POLICY),)))
    )
    assert loaded.principals is not None
    compiled = api.decide(api.compile(loaded.principals, api.CompileOptions("s")), REQUESTS, engine="opa")
    doc = {"identity": [{"name": "p", "source": "p.json", "document": POLICY}]}
    inputs = [{**r, "policies": {"caller": doc}} for r in REQUESTS]
    generic = ServerEngine(server).evaluate({}, "data.iam2rego.generic.decision", inputs)
    assert [g["decision"] for g in generic] == [c["decision"] for c in compiled] == ["allow", "implicit_deny"]  # type: ignore[index]
    # the same answers; a compiled reason's source also names the statement's line and column
    for g, c in zip(generic, compiled, strict=True):
        assert isinstance(g, dict) and isinstance(c, dict)
        assert [{**r, "source": "p.json"} for r in c["reasons"]] == g["reasons"]
        assert {**c, "reasons": []} == {**g, "reasons": []}


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (200, b'{"result": 1, "result": 2}'),  # duplicate key: a re-shaped answer
        (200, b'{"result": 1, "extra": 2}'),
        (200, b"[1]"),
        (200, b"not json"),
        (500, b'{"code": "internal_error", "message": "boom"}'),
    ],
)
def test_garbage_answers_never_pass(
    server: OpaServer, monkeypatch: pytest.MonkeyPatch, status: int, body: bytes
) -> None:
    monkeypatch.setattr(server, "_http", lambda *a, **k: (status, body))
    with pytest.raises(EngineError):
        server.query("data.t.decision", {})


def test_the_server_process_is_gone_after_close(opa_bin: str) -> None:
    srv = OpaServer({"e/e.rego": "package e\n\nv := 1\n"}, opa_path=opa_bin)
    assert srv.proc is not None
    pid = srv.proc.pid
    assert ServerEngine(srv).evaluate({}, "data.e.v", [{}]) == [1]
    srv.close()
    assert not os.path.exists(f"/proc/{pid}") or _zombie(pid)
    with pytest.raises(EngineError):
        ServerEngine(srv).evaluate({}, "data.e.v", [{}])


def _zombie(pid: int) -> bool:
    out = subprocess.run(["ps", "-o", "stat=", "-p", str(pid)], capture_output=True, text=True, check=False)
    return out.stdout.strip().startswith("Z")
