"""A long-running ``opa run --server`` reused for a run (issue 14, fast start): the runtime library
is parsed and compiled ONCE, when the server starts; every evaluation after that is an HTTP request.

The server listens on 127.0.0.1 only, on a free port chosen at start; it runs in its own process
group, dies with this process (``PR_SET_PDEATHSIG`` on Linux) and is killed on :meth:`close`, at
interpreter exit and when a signal unwinds the caller (the CLI turns SIGTERM into an exception, so
``with OpaServer(...)`` blocks always close it). Answers are checked before they are used: a status
other than 200, a body that is not one JSON object without duplicate keys, or an object with
members other than ``result`` is an :class:`EngineError`, never a decision.

Cost model (OPA compiles every loaded module again on each policy update): modules loaded at start
cost nothing per request; modules sent with :meth:`ServerEngine.evaluate` are PUT, evaluated and
deleted again, one compile each. So a run that asks the library about many policy sets
(``data.iam2rego.generic``, the policies in the input) pays the library once, while compiled
modules are better evaluated together in one ``opa eval`` (the ``opa`` engine).
"""

from __future__ import annotations

import atexit
import contextlib
import http.client
import json
import socket
import subprocess
import time
import urllib.parse
from pathlib import Path
from typing import Any

from .. import faithful, procs
from .base import BaseEngine, EngineError, format_opa_errors
from .opa import find_opa

START_TIMEOUT_S = 60.0


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class OpaServer:
    """``opa run --server`` on 127.0.0.1:<free port> with ``files`` (path -> text: ``.rego`` modules
    and ``<dir>/data.json`` documents) loaded at start. Use as a context manager."""

    def __init__(self, files: dict[str, str], *, opa_path: str | None = None, timeout: float = 300.0):
        binary = find_opa(opa_path)
        if binary is None:
            raise EngineError(
                "opa-server", "no opa binary found (use --opa-path or run scripts/install-tools.sh)"
            )
        self.timeout = timeout
        self._dir = procs.OwnedTempDir("iam2rego-server-")
        root = Path(self._dir.name) / "load"
        for rel, text in files.items():
            target = root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        self.loaded = dict(files)
        self.port = 0
        self.proc: subprocess.Popen[bytes] | None = None
        for _ in range(3):  # another process may take the port between choosing and binding it
            self.port = _free_port()
            cmd = [binary, "run", "--server", "--addr", f"127.0.0.1:{self.port}", "--log-level", "error",
                   "--disable-telemetry", str(root)]  # fmt: skip
            self.proc = subprocess.Popen(
                cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                start_new_session=True, preexec_fn=procs.die_with_parent(),
            )  # fmt: skip
            atexit.register(self.close)
            if self._wait_ready():
                return
            self.close()
        raise EngineError("opa-server", f"opa run --server did not start: {self._stderr()}")

    def _stderr(self) -> str:
        if self.proc is None or self.proc.stderr is None or self.proc.poll() is None:
            return "no answer on /health"
        return (
            self.proc.stderr.read().decode("utf-8", "replace").strip()[:800] or f"exit {self.proc.returncode}"
        )

    def _wait_ready(self) -> bool:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc is None or self.proc.poll() is not None:
                return False
            with contextlib.suppress(OSError, http.client.HTTPException):
                status, _ = self._http("GET", "/health", None, timeout=2.0)
                if status == 200:
                    return True
            time.sleep(0.02)
        return False

    def _http(self, method: str, path: str, body: bytes | None, *, timeout: float) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            headers = {"Content-Type": "application/json"} if body is not None else {}
            conn.request(method, path, body=body, headers=headers)
            resp = conn.getresponse()
            return resp.status, resp.read()
        finally:
            conn.close()

    def request(self, method: str, path: str, body: bytes | None = None) -> Any:
        """One REST call; the decoded JSON body (None for an empty one). Any failure: EngineError."""
        if self.proc is None or self.proc.poll() is not None:
            raise EngineError("opa-server", f"the OPA server is not running ({self._stderr()})")
        try:
            status, raw = self._http(method, path, body, timeout=self.timeout)
        except (OSError, http.client.HTTPException) as exc:
            raise EngineError(
                "opa-server", f"{method} {path}: no answer from the OPA server ({exc})"
            ) from None
        try:
            payload = faithful.strict_loads(raw) if raw.strip() else None
        except ValueError as exc:
            raise EngineError("opa-server", f"{method} {path}: the answer is not JSON ({exc})") from None
        if status not in (200, 204):
            detail = format_opa_errors(payload) if isinstance(payload, dict) else None
            if detail is None:
                detail = (
                    str(payload.get("message"))
                    if isinstance(payload, dict)
                    else raw[:300].decode("utf-8", "replace")
                )
            raise EngineError("opa-server", f"{method} {path}: HTTP {status}: {detail}")
        return payload

    def query(self, entrypoint: str, inp: object) -> object:
        """The value of ``data.<path>`` for one input (None = undefined)."""
        path = "/v1/data/" + "/".join(urllib.parse.quote(p, safe="") for p in entrypoint.split(".")[1:])
        payload = self.request("POST", path, json.dumps({"input": inp}).encode())
        if not isinstance(payload, dict) or set(payload) - {"result"}:
            raise EngineError("opa-server", f"unexpected answer shape for {entrypoint}: {str(payload)[:200]}")
        return payload.get("result")

    def close(self) -> None:
        if self.proc is not None:
            procs.kill_group(self.proc)  # type: ignore[arg-type]
            if self.proc.stderr is not None:
                self.proc.stderr.close()
            self.proc = None
        self._dir.cleanup()
        atexit.unregister(self.close)

    def __enter__(self) -> OpaServer:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


class ServerEngine(BaseEngine):
    """The engine contract on a running :class:`OpaServer`: modules the server loaded at start are
    not sent again; any others (and data documents) are PUT for the call and removed after it, so
    the server holds the same modules before and after every call. One POST per input."""

    name = "opa-server"
    reads_data_files = True

    def __init__(self, server: OpaServer):
        self.server = server

    def unavailable_reason(self) -> str | None:
        running = self.server.proc is not None and self.server.proc.poll() is None
        return None if running else "the OPA server is not running"

    def _evaluate(
        self, modules: dict[str, str], entrypoint: str, inputs: list[dict], data: dict | None
    ) -> list[object]:
        extra = {p: t for p, t in modules.items() if self.server.loaded.get(p) != t}
        if any(p in self.server.loaded for p in extra):
            raise EngineError(
                self.name, "a module replaces one the server loaded at start; start a new server"
            )
        rego = {p: t for p, t in extra.items() if p.endswith(".rego")}
        # data documents: each <dir>/data.json at <dir>, each member of `data` at its key
        docs = [(p.rsplit("/", 1)[0] if "/" in p else "", t) for p, t in extra.items() if p not in rego]
        docs += [(key, json.dumps(value)) for key, value in (data or {}).items()]
        put: list[str] = []
        wrote: list[str] = []
        try:
            for where, text in docs:
                if not where:
                    raise EngineError(self.name, "a data document at the root of the module set")
                self.server.request("PUT", _url("data", where), text.encode())
                wrote.append(where)
            for path, text in sorted(rego.items()):
                self.server.request("PUT", _url("policies", path), text.encode())
                put.append(path)
            return [self.server.query(entrypoint, item) for item in inputs]
        finally:
            for path in reversed(put):
                with contextlib.suppress(EngineError):
                    self.server.request("DELETE", _url("policies", path))
            for where in wrote:
                with contextlib.suppress(EngineError):
                    self.server.request("DELETE", _url("data", where))


def _url(kind: str, path: str) -> str:
    """``/v1/policies/<id>`` (the module path, one segment) or ``/v1/data/<a>/<b>`` (a data path)."""
    if kind == "policies":
        return "/v1/policies/" + urllib.parse.quote(path, safe="")
    return "/v1/data/" + "/".join(urllib.parse.quote(p, safe="") for p in path.split("/"))
