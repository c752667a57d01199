#!/usr/bin/env bash
# Regenerate tests/terraform/<case>/plan.json from the .tf files with Terraform 1.11.4 and the
# hashicorp/aws 5.100.0 provider from a filesystem mirror (offline; fake credentials).
# The provider block is tests/terraform/provider.tf.in, or the case's own provider.tf. STS calls go to
# scripts/fake_sts.py on 127.0.0.1:18777, which answers GetCallerIdentity with the case's account
# (tests/terraform/<case>/caller-account, default 123456789012): plans carry a real account offline.
# Usage: scripts/gen-fixtures.sh [case...]     (`make fixtures`)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
fixtures="$root/tests/terraform"
mirror="${TF_PLUGIN_MIRROR:-/opt/tf-plugins}"
command -v terraform >/dev/null || { echo "gen-fixtures: terraform not on PATH" >&2; exit 2; }
[ -d "$mirror" ] || { echo "gen-fixtures: provider mirror $mirror not found" >&2; exit 2; }

# One run at a time on a machine: the fake STS endpoint has one fixed port (it is in the plans).
exec 9>"${TMPDIR:-/tmp}/iam2rego-gen-fixtures.lock"
flock 9

work="$(mktemp -d)"
sts_pid=""
cleanup() { [ -n "$sts_pid" ] && kill "$sts_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
sts_port=18777
start_sts() {  # start_sts ACCOUNT: (re)start the fake STS endpoint for one case
  [ -n "$sts_pid" ] && { kill "$sts_pid" 2>/dev/null; wait "$sts_pid" 2>/dev/null || true; }
  python3 "$root/scripts/fake_sts.py" "$sts_port" "$1" &
  sts_pid=$!
  for _ in $(seq 50); do
    python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', $sts_port), 0.2)" 2>/dev/null && return 0
    kill -0 "$sts_pid" 2>/dev/null || { echo "gen-fixtures: fake STS did not start (port $sts_port busy?)" >&2; exit 2; }
    sleep 0.1
  done
  echo "gen-fixtures: fake STS did not answer on port $sts_port" >&2; exit 2
}
cat >"$work/terraformrc" <<RC
provider_installation {
  filesystem_mirror {
    path    = "$mirror"
    include = ["registry.terraform.io/hashicorp/*"]
  }
  direct {
    exclude = ["registry.terraform.io/*/*"]
  }
}
RC
export TF_CLI_CONFIG_FILE="$work/terraformrc" TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1

cases=("$@")
if [ ${#cases[@]} -eq 0 ]; then
  for d in "$fixtures"/*/; do [ -f "$d/main.tf" ] && cases+=("$(basename "$d")"); done
fi

for case in "${cases[@]}"; do
  src="$fixtures/$case"
  dst="$work/$case"
  cp -r "$src" "$dst"
  rm -f "$dst/plan.json"
  [ -f "$src/provider.tf" ] || cp "$fixtures/provider.tf.in" "$dst/provider.tf"
  account=123456789012
  [ -f "$src/caller-account" ] && account="$(tr -d '[:space:]' <"$src/caller-account")"
  start_sts "$account"
  state_args=()
  if [ -f "$src/prior.tfstate" ]; then
    cp "$src/prior.tfstate" "$dst/terraform.tfstate"
    state_args=(-refresh=false)
  fi
  (
    cd "$dst"
    terraform init -input=false -no-color >/dev/null
    terraform plan -input=false -no-color -lock=false "${state_args[@]}" -out=plan.bin >/dev/null
    terraform show -json plan.bin | python3 -c 'import json,sys; d=json.load(sys.stdin); d.pop("timestamp", None); json.dump(d, sys.stdout, indent=1, sort_keys=True); print()' >"$src/plan.json"
  )
  echo "gen-fixtures: wrote tests/terraform/$case/plan.json"
done
