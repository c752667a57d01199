"""The public front door: everything the CLI, the harness and the Terraform wrapper call.

See docs/ARCHITECTURE.md §1. Implementations live in their phase modules; this module only re-exports.
"""

from __future__ import annotations

from .checks import check_policy
from .codegen import CompiledModule, CompileOptions, compile_principals, library_files
from .diagnostics import Diagnostic, IamError, Severity, Span
from .ir import Policy, PolicyKind, PolicySet, Principals
from .validate import load_policy, parse_policy

__all__ = [
    "CompileOptions",
    "CompiledModule",
    "Diagnostic",
    "IamError",
    "Policy",
    "PolicyKind",
    "PolicySet",
    "Principals",
    "Severity",
    "Span",
    "check_policy",
    "compile_principals",
    "library_files",
    "load_policy",
    "parse_policy",
]
