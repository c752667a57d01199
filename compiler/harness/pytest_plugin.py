"""pytest plugin: scenario suites become test items, one per case (``pytest scenarios/``).

Collected files: ``*.yaml``/``*.yml`` with a directory named ``scenarios`` somewhere in their path and a
top-level ``cases:`` (or ``expect_compile_error:``) key. Each file is compiled and evaluated once (on
first use) on the engine chosen with ``--iam2rego-engine`` (default ``embedded`` so a laptop works
without Docker or OPA); its items then report their own case.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from .. import bounded
from ..diagnostics import render
from ..engines import ENGINE_CHOICES, get_engine
from ..errors import EngineError, IamError, ScenarioError
from .runner import CaseResult, RunResult, run_suites
from .scenario import is_suite_file, load_suite


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("iam2rego", "iam2rego scenario suites")
    group.addoption(
        "--iam2rego-engine",
        default="embedded",
        choices=ENGINE_CHOICES,
        help="engine for scenario suites collected from scenarios/ (default: embedded)",
    )
    group.addoption("--iam2rego-opa-image", default=None, help="OPA image for the docker engine")
    group.addoption("--iam2rego-opa-path", default=None, help="opa binary for the opa engine")
    group.addoption("--iam2rego-timeout", type=float, default=300.0, help="seconds per engine call")


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.Collector | None:
    if "scenarios" in file_path.parts[:-1] and is_suite_file(file_path):
        return ScenarioFile.from_parent(parent, path=file_path)
    return None


class ScenarioFile(pytest.File):
    _run: RunResult | None = None

    def collect(self):
        try:
            suite = load_suite(self.path)
        except IamError as exc:
            text = bounded.text_or_none(str(self.path), "suite", bounded.SUITE)
            raise self.CollectError("\n".join(render(d, text) for d in exc.diagnostics)) from None
        if suite.expect_compile_error:
            yield ScenarioItem.from_parent(self, name=f"compile error {suite.expect_compile_error}")
        for case in suite.cases:
            item = ScenarioItem.from_parent(self, name=case.name)
            item.extra_keyword_matches.update(case.tags)  # tags usable with pytest -k
            yield item

    def outcome(self, name: str) -> tuple[CaseResult | None, RunResult]:
        if self._run is None:
            opts = self.config.option
            engine = get_engine(
                opts.iam2rego_engine,
                quiet=True,
                opa_image=opts.iam2rego_opa_image,
                opa_path=opts.iam2rego_opa_path,
                timeout=opts.iam2rego_timeout,
            )
            self._run = run_suites([self.path], engine)
        found = [r for r in self._run.results if r.name == name]
        return (found[0] if found else None), self._run


class ScenarioItem(pytest.Item):
    def runtest(self) -> None:
        assert isinstance(self.parent, ScenarioFile)
        try:
            result, run = self.parent.outcome(self.name)
        except EngineError as exc:
            raise ScenarioError(str(exc)) from None
        if run.errors:
            raise ScenarioError("\n".join(e.message for e in run.errors))
        if result is None:
            raise ScenarioError(f"case {self.name!r} produced no result")
        if not result.passed:
            raise ScenarioError(
                "\n".join(
                    [
                        f"expected {result.expected}, got {result.actual}",
                        *result.problems,
                        *result.explanation,
                    ]
                )
            )

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, ScenarioError):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"scenario: {self.name}"
