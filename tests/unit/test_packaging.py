"""pyproject.toml ships every Python package under compiler/ and the Rego library (rego/)."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _setuptools() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]


def test_every_python_package_is_listed_for_the_wheel() -> None:
    on_disk = {
        ".".join(("iam2rego", *p.parent.relative_to(ROOT / "compiler").parts))
        for p in (ROOT / "compiler").rglob("__init__.py")
        if "__pycache__" not in p.parts
    }
    assert on_disk | {"iam2rego.rego"} == set(_setuptools()["packages"])


def test_rego_library_is_package_data_not_a_checkout_path() -> None:
    cfg = _setuptools()
    assert cfg["package-dir"]["iam2rego.rego"] == "rego"
    assert (ROOT / "rego" / "__init__.py").is_file()
    patterns = cfg["package-data"]["iam2rego.rego"]
    assert "iam2rego/**/*.rego" in patterns


def test_no_module_reads_data_relative_to_the_checkout() -> None:
    offenders = []
    for path in (ROOT / "compiler").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if '/ "rego"' in text or "parents[2]" in text or "parent.parent.parent" in text:
            offenders.append(path.relative_to(ROOT).as_posix())
    assert offenders == []
