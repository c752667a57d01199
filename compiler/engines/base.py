"""What every engine shares: the protocol, the base class, the error type, and the batch query module.

An engine evaluates one Rego entrypoint for many inputs in ONE query (docs/ARCHITECTURE.md §6): the
OPA-based engines load a generated batch module that maps every input through the entrypoint with
``with input as``; the embedded engine compiles a bundle once and reuses it in-process.
"""

from __future__ import annotations

import json
import re
from abc import ABC, abstractmethod
from typing import Protocol, runtime_checkable

from .. import strictjson
from ..errors import EngineError

BATCH_PACKAGE = "iam2rego_batch"
BATCH_QUERY = f"data.{BATCH_PACKAGE}.results"
BATCH_MODULE_PATH = "_iam2rego_batch/batch.rego"
BATCH_INPUT_KEY = "iam2rego_batch_inputs"
CONTAINER_LABEL = "iam2rego.harness"  # every container we start carries this label

_ENTRYPOINT = re.compile(r"^data(\.[A-Za-z_][A-Za-z0-9_]*)+$")
_MODULE_PATH = re.compile(r"^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*\.rego$")
# A data document in a module set: ``a/b/data.json`` is ``data.a.b`` (OPA's directory layout, as
# ``opa eval -d DIR`` and bundles load it); compiled modules ship their statements payload so.
DATA_FILE = "data.json"
_DATA_PATH = re.compile(r"^([A-Za-z0-9_-]+/)*data\.json$")


@runtime_checkable
class Engine(Protocol):
    name: str

    def unavailable_reason(self) -> str | None: ...

    def evaluate(
        self, modules: dict[str, str], entrypoint: str, inputs: list[dict], data: dict | None = None
    ) -> list[object]: ...


class BaseEngine(ABC):
    """The shared ``evaluate`` preamble; an engine implements ``unavailable_reason`` and ``_evaluate``.

    ``evaluate`` checks the entrypoint and module paths, refuses when the engine is unavailable or
    ``refuse(modules)`` names a problem, answers ``[]`` for no inputs, and only then calls ``_evaluate``.
    """

    name: str
    # True: the engine loads the module set's data.json files itself (OPA reads a directory);
    # False: ``evaluate`` merges them into ``data`` first (``split_data``).
    reads_data_files = False

    @abstractmethod
    def unavailable_reason(self) -> str | None: ...

    def refuse(self, modules: dict[str, str]) -> str | None:
        """Why this engine would answer these modules wrongly (None: it can evaluate them)."""
        return None

    def evaluate(
        self, modules: dict[str, str], entrypoint: str, inputs: list[dict], data: dict | None = None
    ) -> list[object]:
        check_entrypoint(self.name, entrypoint)
        check_module_paths(self.name, modules)
        problem = self.unavailable_reason() or self.refuse(modules)  # data documents included
        if problem:
            raise EngineError(self.name, problem)
        if not self.reads_data_files:
            modules, data = split_data(self.name, modules, data)
        if not inputs:
            return []
        return self._evaluate(modules, entrypoint, inputs, data)

    @abstractmethod
    def _evaluate(
        self, modules: dict[str, str], entrypoint: str, inputs: list[dict], data: dict | None
    ) -> list[object]: ...


def check_entrypoint(engine: str, entrypoint: str) -> None:
    if not _ENTRYPOINT.match(entrypoint):
        raise EngineError(engine, f"invalid entrypoint {entrypoint!r}; expected data.<package>.<rule>")


def check_module_paths(engine: str, modules: dict[str, str]) -> None:
    for path in modules:
        if not (_MODULE_PATH.match(path) or _DATA_PATH.match(path)) or ".." in path.split("/"):
            raise EngineError(
                engine,
                f"invalid module path {path!r}; expected a relative path ending in .rego or /data.json",
            )


def split_data(engine: str, modules: dict[str, str], data: dict | None) -> tuple[dict[str, str], dict | None]:
    """(the Rego modules, ``data`` with every ``<dir>/data.json`` of the set merged in at ``<dir>``).
    Two documents giving the same key is an error, as in OPA."""
    docs = {p: t for p, t in modules.items() if _DATA_PATH.match(p)}
    if not docs:
        return modules, data
    merged: dict = json.loads(json.dumps(data)) if data else {}
    for path, text in sorted(docs.items()):
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            raise EngineError(engine, f"{path}: not valid JSON ({exc})") from None
        where = merged
        for part in path.split("/")[:-1]:
            where = where.setdefault(part, {})
            if not isinstance(where, dict):
                raise EngineError(engine, f"{path}: conflicts with another data document at {part!r}")
        if not isinstance(doc, dict) or any(key in where for key in doc):
            raise EngineError(engine, f"{path}: not an object, or conflicts with another data document")
        where.update(doc)
    return {p: t for p, t in modules.items() if p not in docs}, merged


def batch_module(entrypoint: str) -> str:
    """The generated module that evaluates ``entrypoint`` once per input, keeping order and undefined."""
    return (
        f"package {BATCH_PACKAGE}\n\n"
        f"results := [_one(i) | some i in input.{BATCH_INPUT_KEY}]\n\n"
        '_one(i) := {"value": v} if {\n'
        f"\tv := {entrypoint} with input as i\n"
        '} else := {"undefined": true}\n'
    )


def unpack_batch(engine: str, results: object, expected: int) -> list[object]:
    """Turn the batch module's ``[{"value": v} | {"undefined": true}]`` into ``[v | None]``."""
    if not isinstance(results, list) or len(results) != expected:
        got = len(results) if isinstance(results, list) else type(results).__name__
        raise EngineError(engine, f"the batch query returned {got} results for {expected} inputs")
    out: list[object] = []
    for item in results:
        if not isinstance(item, dict):
            raise EngineError(engine, f"unexpected batch result item {item!r}")
        out.append(item.get("value"))
    return out


def format_opa_errors(payload: object) -> str | None:
    """OPA's ``--format json`` error object -> 'file:row:col: code: message; ...' (None if not errors)."""
    if not isinstance(payload, dict) or "errors" not in payload:
        return None
    parts = []
    for err in payload.get("errors") or []:
        if not isinstance(err, dict):
            parts.append(str(err))
            continue
        loc = err.get("location") or {}
        where = f"{loc.get('file', '')}:{loc.get('row', '?')}:{loc.get('col', '?')}: " if loc else ""
        parts.append(f"{where}{err.get('code', 'error')}: {err.get('message', '')}".strip())
    return "; ".join(parts) if parts else "OPA reported an error without details"


def parse_eval_output(engine: str, returncode: int, stdout: str, stderr: str) -> object:
    """Decode ``opa eval --format json`` output (strict JSON: a duplicate key, NaN or a number beyond
    doubles is an EngineError, never read last-key-wins); OPA's own error message becomes an EngineError."""
    try:
        payload = strictjson.loads(stdout) if stdout.strip() else None
    except strictjson.StrictJSONError as exc:
        if not exc.syntax:
            raise EngineError(engine, f"the engine's answer is not strict JSON: {exc}") from None
        payload = None
    errors = format_opa_errors(payload)
    if errors:
        raise EngineError(engine, f"OPA rejected the modules or failed to evaluate: {errors}")
    if returncode != 0 or payload is None:
        detail = (stderr.strip() or stdout.strip())[:800] or "no output"
        raise EngineError(
            engine,
            f"opa exited with status {returncode}: {detail}. OPA failed outside Rego evaluation (a crash or a "
            "broken binary): reinstall the pinned OPA 1.22.3 (scripts/install-tools.sh) or use another --engine.",
        )
    return payload


def batch_results(engine: str, payload: object, expected: int) -> list[object]:
    """The batch query's values from ``opa eval --format json`` output (one per input, None = undefined)."""
    try:
        value = payload["result"][0]["expressions"][0]["value"]  # type: ignore[index]
    except (KeyError, IndexError, TypeError):
        raise EngineError(engine, "the batch query was undefined; the batch module did not load") from None
    return unpack_batch(engine, value, expected)
