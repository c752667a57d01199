#!/usr/bin/env bash
# Peers for bench/bench_peers.py (issue 14): @cloud-copilot/iam-simulate (npm) into tools/peers,
# parliament (PyPI) into the current Python environment. Idempotent; shared by every bench and test
# that compares against iam-simulate (one project-local install).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p tools/peers
if [[ ! -d tools/peers/node_modules/@cloud-copilot/iam-simulate ]]; then
	npm install --prefix tools/peers --no-audit --no-fund --silent @cloud-copilot/iam-simulate
fi
python3 -c 'import parliament' 2>/dev/null || python3 -m pip install --quiet parliament
echo "peers: iam-simulate in tools/peers/node_modules, parliament $(python3 -c 'import parliament; print(parliament.__version__)')"
