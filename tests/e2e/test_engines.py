"""Every engine on small hand-written modules: order, undefined, data, errors, timeouts."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from iam2rego.engines import ENGINES, EngineError, get_engine
from iam2rego.engines.embedded import called_builtins

OPA_IMAGE = os.environ.get("IAM2REGO_OPA_IMAGE", "iam2rego/opa:local")
MODULE = {
    "t/t.rego": ('package t\n\ndecision := {"allowed": input.x > data.limit, "x": input.x} if input.x\n')
}
SLOW = {
    "slow/slow.rego": "package slow\n\nv := count([x | some x in numbers.range(1, 100000000); x % 7 == 0])\n"
}

ENGINE_PARAMS = [
    pytest.param("embedded", id="embedded"),
    pytest.param("opa", id="opa", marks=pytest.mark.opa),
    pytest.param("docker", id="docker", marks=pytest.mark.docker),
    pytest.param("wasm", id="wasm", marks=pytest.mark.opa),  # opa build -t wasm, then wasmtime in-process
]


def engine(name: str, **opts: object):
    if name == "docker":
        opts.setdefault("opa_image", OPA_IMAGE)
    return get_engine(name, **opts)


@pytest.mark.parametrize("name", ENGINE_PARAMS)
def test_results_keep_input_order_and_undefined_is_none(name: str) -> None:
    inputs = [{"x": 1}, {"x": 5}, {"y": 1}, {"x": 3}]
    out = engine(name).evaluate(MODULE, "data.t.decision", inputs, data={"limit": 2})
    assert out == [{"allowed": False, "x": 1}, {"allowed": True, "x": 5}, None, {"allowed": True, "x": 3}]


@pytest.mark.parametrize("name", ENGINE_PARAMS)
def test_a_data_json_in_the_module_set_is_the_data_of_its_folder(name: str) -> None:
    """Compiled modules ship their statements payload as ``<package dir>/data.json`` (OPA's
    directory layout): every engine reads it at ``data.<dir>``, beside the ``data`` argument."""
    modules = {
        "d/e/e.rego": "package d.e\n\nv := [data.d.e.rows[input.i], data.limit]\n",
        "d/e/data.json": '{"rows": ["zero", "one"]}\n',
    }
    out = engine(name).evaluate(modules, "data.d.e.v", [{"i": 1}, {"i": 0}, {"i": 2}], data={"limit": 7})
    assert out == [["one", 7], ["zero", 7], None]


@pytest.mark.parametrize("name", ENGINE_PARAMS)
def test_a_data_json_that_conflicts_with_the_data_argument_is_an_engine_error(name: str) -> None:
    modules = {"d/d.rego": "package d\n\nv := data.d.x\n", "d/data.json": '{"x": 1}\n'}
    with pytest.raises(EngineError):
        engine(name).evaluate(modules, "data.d.v", [{}], data={"d": {"x": 2}})


def test_only_data_json_files_join_a_module_set() -> None:
    with pytest.raises(EngineError, match="invalid module path"):
        get_engine("embedded").evaluate({"d/other.json": "{}"}, "data.d.v", [{}])


@pytest.mark.parametrize("name", ENGINE_PARAMS)
def test_no_inputs_means_no_results(name: str) -> None:
    assert engine(name).evaluate(MODULE, "data.t.decision", [], data={"limit": 2}) == []


@pytest.mark.parametrize("name", ENGINE_PARAMS)
def test_syntax_error_is_an_engine_error_naming_the_module_line(name: str) -> None:
    bad = {"b/b.rego": "package b\n\nx := := 1\n"}
    with pytest.raises(EngineError) as exc:
        engine(name).evaluate(bad, "data.b.x", [{}])
    assert "b/b.rego:3" in exc.value.message


@pytest.mark.parametrize("name", ENGINE_PARAMS)
def test_invalid_entrypoint_is_rejected(name: str) -> None:
    with pytest.raises(EngineError):
        engine(name).evaluate(MODULE, "data.t.decision; true", [{}])


@pytest.mark.parametrize("name", ENGINE_PARAMS)
def test_ten_thousand_inputs_in_one_call(name: str) -> None:
    inputs = [{"x": i} for i in range(10_000)]
    out = engine(name).evaluate(MODULE, "data.t.decision", inputs, data={"limit": 4999})
    assert sum(1 for o in out if o["allowed"]) == 5000 and out[-1]["x"] == 9999


def test_embedded_refuses_builtins_regopy_lacks() -> None:
    mod = {"n/n.rego": 'package n\n\nimport data.t\n\nok := net.cidr_contains("10.0.0.0/8", input.ip)\n'}
    with pytest.raises(EngineError) as exc:
        engine("embedded").evaluate(mod, "data.n.ok", [{"ip": "10.1.2.3"}])
    assert "net.cidr_contains" in exc.value.message


def test_embedded_refuses_whole_input_replacement() -> None:
    mod = {
        "w/w.rego": 'package w\n\nv := x if {\n\tx := data.t.decision with input as {"x": 1}\n}\n',
        **MODULE,
    }
    with pytest.raises(EngineError) as exc:
        engine("embedded").evaluate(mod, "data.w.v", [{}], data={"limit": 0})
    assert "with input as" in exc.value.message


def test_called_builtins_ignores_local_rules_imports_strings_and_comments() -> None:
    mods = {
        "a.rego": (
            "package a\n\nimport data.iam2rego.ip\n\n# regex.foo(x) in a comment\n"
            'f(x) := y if {\n\ty := ip.cidr_contains("a", "time.now_ns()")\n\tcount(x) > 0\n}\n\n'
            'g := f([1])\n\nh := regex.match("a", "b")\n\ne := set()\n'
        )
    }
    assert sorted(called_builtins(mods)) == ["count", "regex.match"]


@pytest.mark.opa
def test_opa_timeout_is_reported(opa_bin: str) -> None:
    with pytest.raises(EngineError) as exc:
        engine("opa", opa_path=opa_bin, timeout=0.5).evaluate(SLOW, "data.slow.v", [{}])
    assert "did not finish within 0.5 s" in exc.value.message


def test_opa_missing_binary_is_unavailable(tmp_path: Path) -> None:
    reason = engine("opa", opa_path=str(tmp_path / "no-opa")).unavailable_reason()
    assert reason is not None and "no-opa" in reason


def test_opa_too_old_is_unavailable(tmp_path: Path) -> None:
    fake = tmp_path / "opa"
    fake.write_text("#!/bin/sh\necho 'Version: 0.60.0'\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    reason = engine("opa", opa_path=str(fake)).unavailable_reason()
    assert reason is not None and "0.60.0" in reason and ">= 1.0" in reason


@pytest.mark.docker
def test_docker_missing_image_says_how_to_get_it() -> None:
    with pytest.raises(EngineError) as exc:
        engine("docker", opa_image="iam2rego/does-not-exist:0").evaluate(MODULE, "data.t.decision", [{}])
    assert "docker pull" in exc.value.message and "docker-setup.sh" in exc.value.message


@pytest.mark.docker
def test_docker_timeout_is_reported() -> None:
    with pytest.raises(EngineError) as exc:
        engine("docker", timeout=1).evaluate(SLOW, "data.slow.v", [{}])
    assert "did not finish within 1 s" in exc.value.message


def test_unknown_engine_name_is_an_error() -> None:
    with pytest.raises(EngineError):
        get_engine("podman")


def test_registry_names() -> None:
    assert list(ENGINES) == ["docker", "opa", "embedded", "wasm"]


def test_one_shot_opa_runs_with_go_gc_off_up_to_a_soft_memory_limit_unless_the_user_chose() -> None:
    from iam2rego.engines.opa import batch_env

    assert batch_env({"PATH": "/bin"}) == {"PATH": "/bin", "GOGC": "off", "GOMEMLIMIT": "2GiB"}
    assert batch_env({"GOGC": "50"}) == {"GOGC": "50"}
    assert batch_env({"GOMEMLIMIT": "1GiB"}) == {"GOMEMLIMIT": "1GiB"}
