"""The ``embedded`` engine: regopy (rego-cpp) in-process.

The modules are compiled once into a regopy bundle; every input is then evaluated against the same
bundle in this process (no process per case). regopy 1.5.2 cannot replace the whole input with
``with input as`` (the query fails), so the OPA engines' batch module is not used here.

Before evaluating we list the builtins the modules call that regopy lacks (e.g. ``net.cidr_contains``)
and refuse plainly: regopy would otherwise make those calls undefined and report wrong decisions.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import re
import sys
import time
from collections.abc import Iterator
from typing import Any

from .. import faithful, procs
from . import regopy_limits
from .base import BaseEngine, EngineError


class _StrictJson:
    """Stands in for the ``json`` module inside regopy.output: duplicate keys are an error."""

    loads = staticmethod(faithful.strict_loads)
    dumps = staticmethod(json.dumps)


# Names that are keywords or syntax, not calls, when followed by "(".
_NOT_CALLS = {
    "set",
    "if",
    "else",
    "not",
    "some",
    "every",
    "in",
    "with",
    "as",
    "contains",
    "package",
    "import",
    "default",
}
_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"|`[^`]*`')
_COMMENT = re.compile(r"#[^\n]*")
_CALL = re.compile(r"(?<![\w.\]])([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\s*\(")
_RULE_HEAD = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\s*(?:\(|:=|=|\[|contains\b|if\b|\{)", re.MULTILINE)
_IMPORT = re.compile(
    r"^import\s+(data|input|future|rego)((?:\.[A-Za-z_][A-Za-z0-9_]*)*)(?:\s+as\s+(\w+))?", re.MULTILINE
)
_WITH_WHOLE_INPUT = re.compile(r"\bwith\s+input\s+as\b")
_REGO_ERROR = re.compile(r"\(error \d+:([^|\n]*)\|(\d+)\|\d+\s*\n\s*\(errormsg \d+:([^\n]*?)\)\s*\n")


def _strip(text: str) -> str:
    return _COMMENT.sub("", _STRING.sub('""', text))


def _aliases(text: str) -> set[str]:
    out = set()
    for m in _IMPORT.finditer(text):
        root, path, alias = m.group(1), m.group(2), m.group(3)
        if alias:
            out.add(alias)
        elif path:
            out.add(path.rsplit(".", 1)[-1])
        elif root in ("data", "input"):
            out.add(root)
    return out


def called_builtins(modules: dict[str, str]) -> dict[str, str]:
    """Names called as functions that are neither rules of the modules nor refs into data/imports.

    Returns name -> first module path that calls it. These must be builtins of the engine.
    """
    stripped = {path: _strip(text) for path, text in modules.items()}
    local = {m.group(1) for text in stripped.values() for m in _RULE_HEAD.finditer(text)}
    calls: dict[str, str] = {}
    for path, text in sorted(stripped.items()):
        aliases = _aliases(text) | {"data", "input"}
        body = _IMPORT.sub("", text)
        for m in _CALL.finditer(body):
            name = m.group(1)
            head = name.split(".", 1)[0]
            if name in _NOT_CALLS or head in aliases or ("." not in name and name in local):
                continue
            calls.setdefault(name, path)
    return calls


@contextlib.contextmanager
def _quiet_stdout() -> Iterator[None]:
    """rego-cpp prints compile errors on fd 1; keep them out of our reports (we re-raise them)."""
    sys.stdout.flush()
    try:
        saved = os.dup(1)
    except OSError:  # no fd 1 (embedded use): nothing to protect
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)


def _rego_error_text(exc: BaseException, modules: dict[str, str]) -> str:
    """regopy's error s-expression -> 'path:line:col: message; ...'."""
    raw = str(exc.args[0]) if exc.args else str(exc)
    parts = []
    for m in _REGO_ERROR.finditer(raw):
        path, offset, message = m.group(1), int(m.group(2)), m.group(3).strip()
        text = modules.get(path)
        if text is not None:
            prefix = text.encode("utf-8")[:offset].decode("utf-8", "replace")
            line = prefix.count("\n") + 1
            col = len(prefix) - (prefix.rfind("\n") + 1) + 1
            parts.append(f"{path}:{line}:{col}: {message}")
        else:
            parts.append(f"{path}: {message}")
    return "; ".join(parts) if parts else raw.strip()[:800]


# rego-cpp 1.5.2 can loop (and grow without bound) while compiling some modules; a watchdog child
# process keeps that from hanging or exhausting the caller. Limits: --timeout, and this much memory.
DEFAULT_TIMEOUT_S = 300.0
DEFAULT_MAX_RSS_BYTES = 6 * 1024**3


def _child(conn: Any, engine: EmbeddedEngine, args: tuple[Any, ...], die_with_parent: Any = None) -> None:
    if die_with_parent is not None:  # made in the parent (procs.die_with_parent): a SIGKILL of it ends us
        die_with_parent()
    try:
        conn.send(("ok", engine._run_here(*args)))
    except EngineError as exc:
        conn.send(("error", exc.message))
    except BaseException as exc:  # report anything else instead of dying silently
        conn.send(("error", f"regopy failed: {exc.__class__.__name__}: {str(exc)[:300]}"))
    finally:
        conn.close()


def _rss_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm", encoding="ascii") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


class EmbeddedEngine(BaseEngine):
    name = "embedded"

    def __init__(
        self, timeout: float = DEFAULT_TIMEOUT_S, max_rss_bytes: int = DEFAULT_MAX_RSS_BYTES, **_: object
    ):
        self.timeout = float(timeout)
        self.max_rss_bytes = int(max_rss_bytes)

    def unavailable_reason(self) -> str | None:
        # Never import regopy in this process: rego-cpp aborts the whole process when its allocator
        # cannot start (e.g. under `ulimit -v`); it is imported only in the watchdog child.
        import importlib.util

        if importlib.util.find_spec("regopy") is None:
            return "regopy is not installed (pip install regopy)"
        return None

    def unsupported(self, modules: dict[str, str]) -> list[str]:
        """Problems that would make regopy answer wrongly: missing builtins, whole-input `with`."""
        import regopy

        interp = regopy.Interpreter()
        problems = [
            f"builtin {name} (called in {path})"
            for name, path in sorted(called_builtins(modules).items())
            if not interp.is_builtin(name)
        ]
        problems += [
            f"`with input as ...` (in {path}; regopy cannot replace the whole input)"
            for path, text in sorted(modules.items())
            if _WITH_WHOLE_INPUT.search(_strip(text))
        ]
        return problems

    def refuse(self, modules: dict[str, str]) -> str | None:
        """Modules regopy would misread (escaped literals, \\x{..} escapes); checked without importing regopy.
        Missing builtins are checked in the watchdog child (``_run_here``)."""
        why = faithful.refusal(modules, [])
        return f"refused: {why}. Use --engine opa or --engine docker." if why else None

    def _evaluate(
        self, modules: dict[str, str], entrypoint: str, inputs: list[dict], data: dict | None
    ) -> list[object]:
        why = faithful.refusal({}, inputs, data) or regopy_limits.refusal(modules, inputs, data)
        if why:
            raise EngineError(self.name, f"refused: {why}. Use --engine opa or --engine docker.")
        return self._run(modules, entrypoint, inputs, data)

    def _run(
        self, modules: dict[str, str], entrypoint: str, inputs: list[dict], data: dict | None
    ) -> list[object]:
        """Evaluate in a forked child under a time and memory watchdog; the child is always reaped."""
        if not hasattr(os, "fork"):  # no fork (not Linux/macOS): evaluate here, unguarded
            return self._run_here(modules, entrypoint, inputs, data)
        ctx = multiprocessing.get_context("fork")
        parent, child_end = ctx.Pipe(duplex=False)
        proc = ctx.Process(
            target=_child,
            args=(child_end, self, (modules, entrypoint, inputs, data), procs.die_with_parent()),
            daemon=True,
        )
        proc.start()
        if proc.pid is not None:
            procs.track(proc.pid)  # killed by the --timeout backstop too (iam2rego.deadline)
        child_end.close()
        deadline = time.monotonic() + self.timeout
        try:
            while not parent.poll(0.2):
                if not proc.is_alive():
                    raise EngineError(
                        self.name,
                        f"regopy crashed (exit code {proc.exitcode}) while evaluating {entrypoint}; a rego-cpp "
                        "defect, or its allocator could not start under a memory limit (ulimit -v). Use "
                        "--engine opa or --engine docker for these modules.",
                    )
                if time.monotonic() > deadline:
                    raise EngineError(
                        self.name,
                        f"regopy did not finish {entrypoint} within {self.timeout:g} s (see --timeout); rego-cpp "
                        "1.5.2 can loop while compiling some modules. Use --engine opa or --engine docker.",
                    )
                rss = _rss_bytes(proc.pid) if proc.pid is not None else 0
                if rss > self.max_rss_bytes:
                    raise EngineError(
                        self.name,
                        f"regopy used more than {self.max_rss_bytes // 1024**2} MiB while evaluating {entrypoint} "
                        f"({rss // 1024**2} MiB) and was stopped; a rego-cpp defect. Use --engine opa or "
                        "--engine docker for these modules.",
                    )
            try:
                status, payload = parent.recv()
            except EOFError:
                proc.join(5)
                raise EngineError(
                    self.name,
                    f"regopy exited without an answer for {entrypoint} (exit code {proc.exitcode}); a rego-cpp "
                    "crash, or its allocator could not start under a memory limit (ulimit -v). Use --engine "
                    "opa or --engine docker.",
                ) from None
        finally:
            if proc.is_alive():
                proc.kill()
            proc.join(5)
            if proc.pid is not None:
                procs.untrack(proc.pid)
            parent.close()
        if status == "error":
            raise EngineError(self.name, payload)
        return payload

    def _run_here(
        self, modules: dict[str, str], entrypoint: str, inputs: list[dict], data: dict | None
    ) -> list[object]:
        import regopy
        import regopy.output

        missing = self.unsupported(modules)
        if missing:
            raise EngineError(
                self.name,
                "the modules use features regopy does not support, so its decisions would be wrong: "
                + "; ".join(missing)
                + ". Use --engine opa or --engine docker.",
            )
        # regopy parses its own output with json.loads: make that reject duplicate keys (this runs
        # in the watchdog child, so the patch does not leak into the caller).
        regopy.output.json = _StrictJson  # type: ignore[attr-defined,unused-ignore]  # stubs differ by regopy version
        interp = regopy.Interpreter()
        modules = {**modules, faithful.SHAPE_PATH: faithful.shape_module(entrypoint)}
        target = f"{faithful.SHAPE_PACKAGE}/answer"
        try:
            with _quiet_stdout():
                for path, text in sorted(modules.items()):
                    interp.add_module(path, text)
                if data:
                    interp.add_data(data)
                bundle = interp.build(None, [target])
        except regopy.RegoError as exc:
            raise EngineError(
                self.name, f"regopy rejected the modules: {_rego_error_text(exc, modules)}"
            ) from None
        if not bundle.ok():
            raise EngineError(self.name, f"regopy could not compile the modules for {entrypoint}")
        results: list[object] = []
        for index, item in enumerate(inputs):
            interp.set_input(regopy.Input(item))
            try:
                out = interp.query_bundle_entrypoint(bundle, target)
            except (ValueError, regopy.RegoError) as exc:  # json.JSONDecodeError is a ValueError
                raise EngineError(
                    self.name,
                    f"regopy produced malformed output for {entrypoint} (input #{index}: {str(exc)[:120]}); a known "
                    'regopy 1.5.2 defect: sprintf("%s", ...) of strings taken from a set renders them quoted and the '
                    "result is not valid JSON. Use --engine opa or --engine docker.",
                ) from None
            if not out.ok():
                # Reading regopy's error text can crash the process (rego-cpp 1.5.2), so do not.
                raise EngineError(
                    self.name,
                    f"regopy failed to evaluate {entrypoint} for input #{index} (e.g. a conflict between "
                    "complete rule values); run the same suite with --engine opa to see OPA's message",
                )
            answer = out.results[0].expressions[0] if out.results and out.results[0].expressions else None
            if answer is None:
                results.append(None)
                continue
            value, problem = faithful.unpack_answer(answer)
            if problem:
                raise EngineError(
                    self.name,
                    f"regopy's answer for {entrypoint} (input #{index}) cannot be trusted: {problem}. "
                    "Use --engine opa or --engine docker.",
                )
            results.append(value)
        return results
