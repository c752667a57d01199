"""The ``opa`` engine: a local OPA binary, one ``opa eval`` process per evaluate call."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

from .. import procs
from .base import (
    BATCH_INPUT_KEY,
    BATCH_MODULE_PATH,
    BATCH_QUERY,
    BaseEngine,
    EngineError,
    batch_module,
    batch_results,
    parse_eval_output,
)

MIN_VERSION = (1, 0, 0)  # OPA 1.x syntax (`if`, `contains`) is the default only from 1.0
_VERSION = re.compile(r"^Version:\s*v?(\d+)\.(\d+)\.(\d+)", re.MULTILINE)
_version_cache: dict[str, tuple[int, int, int] | str] = {}


# Go's garbage collector for a one-shot `opa eval`: off until the heap reaches the soft limit.
# Loading and compiling a large module allocates a heap that stays alive until the process exits;
# with the default GOGC=100 Go traces it over and over (20,000 statements: 6.9 -> 4.5 s CPU,
# bench/bench_scale.py). The limit keeps memory bounded: past it Go collects as usual.
BATCH_GO_ENV = {"GOGC": "off", "GOMEMLIMIT": "2GiB"}


def batch_env(base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a one-shot OPA process: ``BATCH_GO_ENV`` unless the caller's environment
    sets GOGC or GOMEMLIMIT itself."""
    env = dict(os.environ if base is None else base)
    if "GOGC" not in env and "GOMEMLIMIT" not in env:
        env.update(BATCH_GO_ENV)
    return env


def installation_tools_bin() -> Path | None:
    """``tools/bin`` of iam2rego's OWN source tree, when this package runs from one (a checkout of
    iam2rego or an editable install: ``<root>/compiler/engines/opa.py`` beside a ``<root>/pyproject.toml``
    that names iam2rego). An installed package (``site-packages/iam2rego``) has none. Never an
    ancestor directory further up, never the current directory: a package installed into a pull
    request's checkout (``<checkout>/.venv/lib/.../site-packages``) must not run ``<checkout>/tools/bin/opa``
    or ``<checkout>/.venv/tools/bin/opa`` (issue 25; gate README "Threat model")."""
    package = Path(__file__).resolve().parents[1]
    root = package.parent
    if package.name != "compiler":
        return None
    try:
        project = (root / "pyproject.toml").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    if not re.search(r'^name = "iam2rego"$', project, re.MULTILINE):
        return None
    return root / "tools" / "bin"


def which(name: str) -> str | None:
    """``shutil.which`` over the ABSOLUTE entries of PATH only. A relative entry (``.``, an empty one,
    ``tools/bin``) names a directory of the current directory, which in CI is the checkout under
    review; it is skipped, as Go's os/exec refuses such results (ErrDot, Go 1.19)."""
    entries = os.environ.get("PATH", os.defpath).split(os.pathsep)
    absolute = [e for e in entries if e and os.path.isabs(e)]
    return shutil.which(name, path=os.pathsep.join(absolute)) if absolute else None


def find_opa(explicit: str | None = None) -> str | None:
    """``--opa-path`` (a bare name is looked up like PATH below), then ``tools/bin/opa`` of iam2rego's
    own source tree (:func:`installation_tools_bin`), then the absolute PATH entries (:func:`which`).
    Executables come from the installation and the caller's PATH only, never from the scanned checkout."""
    if explicit:
        return explicit if os.sep in explicit or (os.altsep and os.altsep in explicit) else which(explicit)
    tools = installation_tools_bin()
    local = tools / "opa" if tools is not None else None
    if local is not None and local.is_file() and os.access(local, os.X_OK):
        return str(local)
    return which("opa")


def opa_version(path: str) -> tuple[int, int, int] | str:
    """The binary's version, or a string saying why it could not be read."""
    if path in _version_cache:
        return _version_cache[path]
    try:
        proc = procs.run([path, "version"], 30)
    except (OSError, subprocess.TimeoutExpired) as exc:
        result: tuple[int, int, int] | str = f"cannot run {path} version: {exc}"
    else:
        m = _VERSION.search(proc.stdout)
        if proc.returncode != 0 or not m:
            result = (
                f"{path} version printed no version (exit {proc.returncode}): {proc.stderr.strip()[:200]}"
            )
        else:
            result = (int(m.group(1)), int(m.group(2)), int(m.group(3)))
    _version_cache[path] = result
    return result


class OpaEngine(BaseEngine):
    name = "opa"
    reads_data_files = True  # `opa eval -d DIR` mounts DIR/a/b/data.json at data.a.b

    def __init__(self, opa_path: str | None = None, timeout: float = 300.0, **_: object):
        self.opa_path = opa_path
        self.timeout = timeout

    def _binary(self) -> str | None:
        return find_opa(self.opa_path)

    def unavailable_reason(self) -> str | None:
        path = self._binary()
        if path is None:
            return "no opa binary found (use --opa-path, run scripts/install-tools.sh for tools/bin/opa, or put opa on PATH)"
        version = opa_version(path)
        if isinstance(version, str):
            return (
                f"{version}. Point --opa-path at an OPA >= 1.0 binary, run scripts/install-tools.sh for "
                "tools/bin/opa, or use --engine docker / --engine embedded."
            )
        if version < MIN_VERSION:
            shown = ".".join(map(str, version))
            return f"{path} is OPA {shown}; iam2rego needs OPA >= 1.0 (Rego v1 syntax); install the pinned 1.22.3"
        return None

    def _evaluate(
        self, modules: dict[str, str], entrypoint: str, inputs: list[dict], data: dict | None
    ) -> list[object]:
        binary = self._binary()
        assert binary is not None
        with procs.OwnedTempDir("iam2rego-opa-") as tmp:
            args = _write_workdir(Path(tmp), modules, entrypoint, inputs, data)
            cmd = [binary, "eval", "--format", "json", *args, BATCH_QUERY]
            payload = self._run(cmd)
        return batch_results(self.name, payload, len(inputs))

    def _run(self, cmd: list[str]) -> object:
        try:
            proc = procs.run(cmd, self.timeout, batch_env())  # own process group, killed as a whole
        except subprocess.TimeoutExpired:
            raise EngineError(
                self.name, f"opa eval did not finish within {self.timeout:g} s (see --timeout)"
            ) from None
        except OSError as exc:
            raise EngineError(self.name, f"cannot start {cmd[0]}: {exc}") from None
        return parse_eval_output(self.name, proc.returncode, proc.stdout, proc.stderr)


def _write_workdir(
    root: Path, modules: dict[str, str], entrypoint: str, inputs: list[dict], data: dict | None
) -> list[str]:
    """Write modules, the batch module, data and input under ``root``; return opa eval's file flags."""
    mod_dir = root / "modules"
    for rel, text in {**modules, BATCH_MODULE_PATH: batch_module(entrypoint)}.items():
        target = mod_dir / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    (root / "input.json").write_text(json.dumps({BATCH_INPUT_KEY: inputs}), encoding="utf-8")
    args = ["-d", str(mod_dir), "--input", str(root / "input.json")]
    if data:
        (root / "data.json").write_text(json.dumps(data), encoding="utf-8")
        args += ["-d", str(root / "data.json")]
    return args
