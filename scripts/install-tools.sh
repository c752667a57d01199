#!/usr/bin/env bash
# Install the pinned policy toolchain (OPA, conftest, Regal) into tools/bin with `go install`.
# Re-running is cheap: a binary already at the pinned version is kept.
set -euo pipefail

OPA_VERSION="${OPA_VERSION:-v1.22.3}"
CONFTEST_VERSION="${CONFTEST_VERSION:-v0.71.1}"
REGAL_VERSION="${REGAL_VERSION:-v0.35.1}"

root="$(cd "$(dirname "$0")/.." && pwd)"
bin="$root/tools/bin"
mkdir -p "$bin" "$root/tools/stamps"

if ! command -v go >/dev/null 2>&1; then
	echo "install-tools: 'go' is not on PATH; install Go 1.22+ to build OPA, conftest and Regal" >&2
	exit 2
fi

# Build caches live in tools/ so CI and later runs reuse them.
export GOPATH="${GOPATH:-$root/tools/gopath}"
export GOCACHE="${GOCACHE:-$root/tools/gocache}"
export GOFLAGS="${GOFLAGS:--trimpath}"
export CGO_ENABLED=0 # static binaries: the same opa goes into the scratch Docker image

install() { # name module version
	local name="$1" module="$2" version="$3" stamp="$root/tools/stamps/$1"
	if [[ -x "$bin/$name" && -f "$stamp" && "$(cat "$stamp")" == "$module@$version" ]]; then
		echo "install-tools: $name $version already installed"
		return
	fi
	echo "install-tools: building $name $version (go install $module@$version) ..."
	local start=$SECONDS
	GOBIN="$bin" go install "$module@$version"
	echo "$module@$version" >"$stamp"
	echo "install-tools: $name $version built in $((SECONDS - start))s"
}

install opa github.com/open-policy-agent/opa "$OPA_VERSION"
install conftest github.com/open-policy-agent/conftest "$CONFTEST_VERSION"
# Regal is served by the module proxy under its original lower-case path.
install regal github.com/styrainc/regal "$REGAL_VERSION"

"$bin/opa" version | head -1
"$bin/conftest" --version | head -1
"$bin/regal" version | head -1 || true
