"""Code generation: ``ir.Principals`` -> one compiled Rego module (ARCHITECTURE §1, §5).

Public names: :class:`CompileOptions`, :class:`CompiledModule`, :func:`compile_principals`,
:func:`library_files`. Escaping lives in :mod:`.quote`, whitespace in :mod:`.writer`, one emitter
method per IR node in :mod:`.emit`, IAM wildcard translation in :mod:`.patterns`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from .. import ir
from ..catalog.facts import OPTION_DEFAULTS
from ..resources import LibraryMissing, rego_root
from .emit import Emitter
from .quote import identifier
from .writer import Json, json_document

MODES = ("docs", "sar-strict")
GLOB_MODES = ("segment", "naive")


@dataclass(frozen=True, slots=True)
class CompileOptions:
    package: str
    # defaults: compiler/catalog/facts.json (shared with the Rego library; a test compares them)
    mode: str = OPTION_DEFAULTS["mode"]
    resource_glob: str = OPTION_DEFAULTS["resource_glob"]
    awsbackup_restore_dataplane: bool = OPTION_DEFAULTS["awsbackup_restore_dataplane"]
    kms_set: tuple[str, ...] | None = OPTION_DEFAULTS["kms_set"]
    service_ip: str | None = OPTION_DEFAULTS["service_ip"]
    svc_calledvia: bool = OPTION_DEFAULTS["svc_calledvia"]

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, not {self.mode!r}")
        if self.resource_glob not in GLOB_MODES:
            raise ValueError(
                f"resource_glob must be one of {', '.join(GLOB_MODES)}, not {self.resource_glob!r}"
            )

    def rego_options(self) -> dict[str, Json]:
        """The ``opts`` object of ``operations.checks`` (ARCHITECTURE §4)."""
        return {
            "mode": self.mode,
            "awsbackup_restore_dataplane": self.awsbackup_restore_dataplane,
            "kms_set": sorted(self.kms_set) if self.kms_set is not None else None,
            "service_ip": self.service_ip,
            "svc_calledvia": self.svc_calledvia,
            "resource_glob": self.resource_glob,
        }


@dataclass(frozen=True, slots=True)
class CompiledModule:
    package: str  # full Rego package, e.g. iam2rego.policies.e1
    # relative path -> text: the Rego module and its data document (``<package dir>/data.json``,
    # OPA's directory layout: it is ``data.<package>``; holds ``statements``, ARCHITECTURE §5)
    files: dict[str, str] = field(default_factory=dict)

    @property
    def entrypoint(self) -> str:
        return f"data.{self.package}.decision"


def package_name(name: str) -> str:
    """``iam2rego.policies.<name>`` with every dotted component made a valid snake_case identifier."""
    parts = [identifier(p) for p in name.split(".") if p.strip()] or ["policy"]
    return "iam2rego.policies." + ".".join(parts)


def compile_principals(
    principals: ir.Principals,
    options: CompileOptions,
    *,
    expand_action: Callable[[str], Sequence[str]] | None = None,
) -> CompiledModule:
    """Compile the caller's (and the AWS Backup role's) policy sets into one module.

    ``expand_action`` maps an action wildcard to the catalog actions it matches; the default uses
    the bundled catalog (``iam2rego.catalog``).
    """
    package = package_name(options.package)
    emitter = Emitter(
        package, options.rego_options(), expand_action or _catalog_expander(), options.resource_glob
    )
    text, data = emitter.module(principals)
    folder = "/".join(package.split("."))
    last = package.rsplit(".", 1)[-1]
    return CompiledModule(
        package, {f"{folder}/{last}.rego": text, f"{folder}/data.json": json_document(data)}
    )


def _catalog_expander() -> Callable[[str], Sequence[str]]:
    from ..catalog import load_catalog  # the catalog is large: load on first compile

    cat = load_catalog()
    # Real policy sets repeat the same few wildcards (dynamodb:*Backup*, s3:Get*) many times.
    return functools.lru_cache(maxsize=4096)(lambda pattern: tuple(cat.actions_matching(pattern)))


def library_files() -> dict[str, str]:
    """The runtime library: ``rego/iam2rego/**/*.rego`` minus tests, the conftest gate pack and the
    access matrix (``iam2rego access``), which builds on the gate pack and is evaluated with it."""
    root = rego_root()
    out: dict[str, str] = {}
    for path in sorted((root / "iam2rego").rglob("*.rego")):
        rel = path.relative_to(root).as_posix()
        if rel.endswith("_test.rego") or rel.startswith(("iam2rego/gate/", "iam2rego/access/")):
            continue
        out[rel] = path.read_text(encoding="utf-8")
    return out


__all__ = [
    "CompileOptions",
    "CompiledModule",
    "LibraryMissing",
    "compile_principals",
    "library_files",
    "package_name",
]
