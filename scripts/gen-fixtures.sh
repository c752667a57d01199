#!/usr/bin/env bash
# Regenerate tests/terraform/<case>/plan.json from the .tf files with Terraform 1.11.4 and the
# hashicorp/aws 5.100.0 provider from a filesystem mirror (offline; fake credentials).
# Usage: scripts/gen-fixtures.sh [case...]     (`make fixtures`)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
fixtures="$root/tests/terraform"
mirror="${TF_PLUGIN_MIRROR:-/opt/tf-plugins}"
command -v terraform >/dev/null || { echo "gen-fixtures: terraform not on PATH" >&2; exit 2; }
[ -d "$mirror" ] || { echo "gen-fixtures: provider mirror $mirror not found" >&2; exit 2; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
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
  cp "$fixtures/provider.tf.in" "$dst/provider.tf"
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
