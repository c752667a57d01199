"""The engine registry: every scenario runs on every engine (docs/ARCHITECTURE.md §6).

``get_engine(name, **opts)`` builds one engine; ``auto`` picks docker, then opa, then embedded, and
says which one it picked on stderr. Options: ``opa_image``, ``opa_path``, ``timeout`` (seconds).
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from .base import CONTAINER_LABEL, BaseEngine, Engine, EngineError
from .docker import DockerEngine
from .embedded import EmbeddedEngine
from .opa import OpaEngine
from .wasm import WasmEngine

ENGINES: dict[str, Callable[..., Engine]] = {
    "docker": DockerEngine,
    "opa": OpaEngine,
    "embedded": EmbeddedEngine,
    "wasm": WasmEngine,
}
AUTO_ORDER = ("docker", "opa", "embedded")  # wasm is chosen by name only (it needs opa to build)
ENGINE_CHOICES = ("auto", *ENGINES)

__all__ = [
    "AUTO_ORDER",
    "CONTAINER_LABEL",
    "ENGINES",
    "ENGINE_CHOICES",
    "BaseEngine",
    "Engine",
    "EngineError",
    "get_engine",
]


def get_engine(name: str = "auto", *, quiet: bool = False, **opts: object) -> Engine:
    """Build the named engine. ``auto`` returns the first available one of docker, opa, embedded."""
    if name == "auto":
        reasons = []
        for candidate in AUTO_ORDER:
            engine = ENGINES[candidate](**opts)
            problem = engine.unavailable_reason()
            if problem is None:
                if not quiet:
                    print(f"iam2rego: using the {candidate} engine", file=sys.stderr)
                return engine
            reasons.append(f"{candidate}: {problem}")
        raise EngineError("auto", "no engine is available: " + " | ".join(reasons))
    if name not in ENGINES:
        raise EngineError(name, f"unknown engine {name!r}; choose one of {', '.join(ENGINE_CHOICES)}")
    return ENGINES[name](**opts)
