"""Where the package's data lives: the Rego library, read with :mod:`importlib.resources`.

The repository's ``rego/`` directory is installed as the package ``iam2rego.rego`` (pyproject maps
it, like ``compiler/`` -> ``iam2rego``), so the same code finds it in an editable install (the
checkout's ``rego/``), in a wheel (``site-packages/iam2rego/rego``) and under ``pipx``; never by a
path relative to the checkout. The other data files (grammar, catalog, schemas) sit inside their
own packages and are read the same way.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from .errors import LibraryMissing

__all__ = ["REGO_PACKAGE", "LibraryMissing", "rego_root"]

REGO_PACKAGE = "iam2rego.rego"


def rego_root() -> Path:
    """The directory holding ``iam2rego/<pkg>/*.rego`` (the repository's ``rego/``)."""
    try:
        root = resources.files(REGO_PACKAGE)
    except ModuleNotFoundError as exc:
        raise LibraryMissing(
            f"the iam2rego Rego library ({REGO_PACKAGE}) is not installed: reinstall iam2rego ({exc})"
        ) from exc
    # pip and pipx install wheels unpacked, so the resource root is a real directory.
    path = Path(str(root))
    if not isinstance(root, Path) or not (path / "iam2rego").is_dir():
        raise LibraryMissing(
            f"the iam2rego Rego library was not found at {path}/iam2rego; reinstall iam2rego"
        )
    return path
