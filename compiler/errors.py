"""Every exception iam2rego raises, under one root, and the exit code each one means.

``cli.main`` catches :class:`Iam2RegoError` once and exits with ``exc.exit_code``; nothing else needs to
recognise an error by its module or its text. Bad input is not an exception: the front end returns
diagnostics (:mod:`iam2rego.diagnostics`); :class:`IamError` carries them when a caller must stop.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # diagnostics imports this module; the type is only needed for annotations
    from .diagnostics import Diagnostic


class ExitCode(enum.IntEnum):
    """The process exit codes (docs/ARCHITECTURE.md §7)."""

    OK = 0
    FINDINGS = 1  # findings at/above --fail-on, failed scenarios, gate denials
    USAGE = 2  # usage, IO, invalid input or engine error
    INTERRUPTED = 130


class Iam2RegoError(Exception):
    """The root of every iam2rego exception. ``str(exc)`` is one plain paragraph for the user."""

    exit_code: ExitCode = ExitCode.USAGE


class UsageError(Iam2RegoError):
    """A command line or input the command cannot use (bad flag combination, unreadable request file)."""


class IamError(Iam2RegoError):
    """A fatal problem explained by diagnostics (an invalid policy or scenario suite)."""

    def __init__(self, diagnostics: Sequence[Diagnostic]):
        self.diagnostics = tuple(diagnostics)
        super().__init__("; ".join(f"{d.path}:{d.span.location()}: {d.message}" for d in self.diagnostics))


class EngineError(Iam2RegoError):
    """An engine could not evaluate: unreachable daemon, missing binary, OPA error, timeout, crash.

    The message is one plain paragraph meant for the user; the CLI prints it and exits 2.
    """

    def __init__(self, engine: str, message: str):
        self.engine = engine
        self.message = message
        super().__init__(f"{engine} engine: {message}")


class LibraryMissing(Iam2RegoError, RuntimeError):
    """The runtime Rego library (rego/iam2rego) is not next to the package sources."""


class MalformedVariable(Iam2RegoError, ValueError):
    """``${`` without a valid body in a 2012-10-17 pattern: the entry matches nothing (§4.5)."""


class SelectionError(UsageError, ValueError):
    """A ``-k`` selection expression that does not parse."""


class ScenarioError(Iam2RegoError):
    """A scenario suite collected by the pytest plugin failed to compile, evaluate or report its case."""


class SchemaUnsupported(Iam2RegoError):
    """The scenario schema uses a keyword the fast schema compiler does not implement (it falls back)."""
