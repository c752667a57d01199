"""The ``embedded`` engine: regopy (rego-cpp) in-process.

The modules are compiled once into a regopy bundle; every input is then evaluated against the same
bundle in this process (no process per case). regopy 1.5.2 cannot replace the whole input with
``with input as`` (the query fails), so the OPA engines' batch module is not used here.

Before evaluating we list the builtins the modules call that regopy lacks (e.g. ``net.cidr_contains``)
and refuse plainly: regopy would otherwise make those calls undefined and report wrong decisions.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
from collections.abc import Iterator

from .base import EngineError, check_entrypoint, check_module_paths

# Names that are keywords or syntax, not calls, when followed by "(".
_NOT_CALLS = {"set", "if", "else", "not", "some", "every", "in", "with", "as", "contains", "package", "import", "default"}
_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"|`[^`]*`')
_COMMENT = re.compile(r"#[^\n]*")
_CALL = re.compile(r"(?<![\w.\]])([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\s*\(")
_RULE_HEAD = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\s*(?:\(|:=|=|\[|contains\b|if\b|\{)", re.MULTILINE)
_IMPORT = re.compile(r"^import\s+(data|input|future|rego)((?:\.[A-Za-z_][A-Za-z0-9_]*)*)(?:\s+as\s+(\w+))?", re.MULTILINE)
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


class EmbeddedEngine:
    name = "embedded"

    def __init__(self, **_: object):
        pass

    def unavailable_reason(self) -> str | None:
        try:
            import regopy  # noqa: F401
        except ImportError:
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

    def evaluate(
        self, modules: dict[str, str], entrypoint: str, inputs: list[dict], data: dict | None = None
    ) -> list[object]:
        check_entrypoint(self.name, entrypoint)
        check_module_paths(self.name, modules)
        problem = self.unavailable_reason()
        if problem:
            raise EngineError(self.name, problem)
        missing = self.unsupported(modules)
        if missing:
            raise EngineError(
                self.name,
                "the modules use features regopy does not support, so its decisions would be wrong: "
                + "; ".join(missing)
                + ". Use --engine opa or --engine docker.",
            )
        if not inputs:
            return []
        return self._run(modules, entrypoint, inputs, data)

    def _run(self, modules: dict[str, str], entrypoint: str, inputs: list[dict], data: dict | None) -> list[object]:
        import regopy

        interp = regopy.Interpreter()
        target = entrypoint.removeprefix("data.").replace(".", "/")
        try:
            with _quiet_stdout():
                for path, text in sorted(modules.items()):
                    interp.add_module(path, text)
                if data:
                    interp.add_data(data)
                bundle = interp.build(None, [target])
        except regopy.RegoError as exc:
            raise EngineError(self.name, f"regopy rejected the modules: {_rego_error_text(exc, modules)}") from None
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
                    "regopy 1.5.2 defect: sprintf(\"%s\", ...) of strings taken from a set renders them quoted and the "
                    "result is not valid JSON. Use --engine opa or --engine docker.",
                ) from None
            if not out.ok():
                # Reading regopy's error text can crash the process (rego-cpp 1.5.2), so do not.
                raise EngineError(
                    self.name,
                    f"regopy failed to evaluate {entrypoint} for input #{index} (e.g. a conflict between "
                    "complete rule values); run the same suite with --engine opa to see OPA's message",
                )
            results.append(out.results[0].expressions[0] if out.results and out.results[0].expressions else None)
        return results
