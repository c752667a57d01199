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

# A machine-level cache outside the work tree: a fresh clone (CI runs in one) reuses the module
# downloads, the Go build cache and the finished binaries of the same pinned versions. On a new
# machine the cache is empty and everything is built from source.
cache="${IAM2REGO_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/iam2rego/tools}"
mkdir -p "$cache/bin"
export GOPATH="${GOPATH:-$cache/gopath}"
export GOCACHE="${GOCACHE:-$cache/gocache}"

# cached NAME WANT: copy a binary built earlier from exactly WANT (module@version + flags) into tools/bin.
cached() {
	local key
	key="$(printf '%s' "$2" | sha256sum | cut -c1-16)"
	if [[ -x "$cache/bin/$1-$key" ]]; then
		cp "$cache/bin/$1-$key" "$bin/$1.tmp" && mv "$bin/$1.tmp" "$bin/$1"
		echo "$2" >"$root/tools/stamps/$1"
		echo "install-tools: $1 taken from the build cache ($cache/bin/$1-$key)"
		return 0
	fi
	return 1
}

# remember NAME WANT: keep a copy of the freshly built binary for the next clone on this machine.
remember() {
	local key
	key="$(printf '%s' "$2" | sha256sum | cut -c1-16)"
	cp "$bin/$1" "$cache/bin/$1-$key.tmp" && mv "$cache/bin/$1-$key.tmp" "$cache/bin/$1-$key"
}
export GOFLAGS="${GOFLAGS:--trimpath}"
export CGO_ENABLED=0 # static binaries: the same opa goes into the scratch Docker image

install() { # name module version [ldflags]
	local name="$1" module="$2" version="$3" ldflags="${4:-}" stamp="$root/tools/stamps/$1"
	local want="$module@$version${ldflags:+ $ldflags}"
	if [[ -x "$bin/$name" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
		echo "install-tools: $name $version already installed"
		return
	fi
	cached "$name" "$want" && return
	echo "install-tools: building $name $version (go install $module@$version) ..."
	local start=$SECONDS
	GOBIN="$bin" go install ${ldflags:+-ldflags "$ldflags"} "$module@$version"
	echo "$want" >"$stamp"
	remember "$name" "$want"
	echo "install-tools: $name $version built in $((SECONDS - start))s"
}

# Regal is served by the module proxy under its original path github.com/styrainc/regal, but the
# proxy answers 403 for that module's version list (`@v/list`), which `go install module@version`
# reads to look up deprecation notices. So Regal is built from a throw-away module that requires
# the pinned version (`go get module@version` needs only that version's files), with the version
# stamped through -ldflags as Regal's own release build does.
install_regal() { # version
	local version="$1" module="github.com/styrainc/regal" stamp="$root/tools/stamps/regal"
	if [[ -x "$bin/regal" && -f "$stamp" && "$(cat "$stamp")" == "$module@$version" ]]; then
		echo "install-tools: regal $version already installed"
		return
	fi
	cached regal "$module@$version" && return
	echo "install-tools: building regal $version (pinned build module requiring $module@$version) ..."
	local start=$SECONDS build="$root/tools/build/regal"
	rm -rf "$build"
	mkdir -p "$build"
	printf 'module iam2rego.local/regalbuild\n\ngo 1.24\n' >"$build/go.mod"
	printf '//go:build tools\n\npackage tools\n\nimport _ "%s"\n' "$module" >"$build/tools.go"
	(
		cd "$build"
		go get "$module@$version"
		GOBIN="$bin" go install -ldflags "-X $module/pkg/version.Version=$version" "$module"
	)
	echo "$module@$version" >"$stamp"
	remember regal "$module@$version"
	echo "install-tools: regal $version built in $((SECONDS - start))s"
}

total_start=$SECONDS
install opa github.com/open-policy-agent/opa "$OPA_VERSION"
# conftest reports "dev" unless its release ldflags stamp the version (as its Dockerfile does).
install conftest github.com/open-policy-agent/conftest "$CONFTEST_VERSION" \
	"-X github.com/open-policy-agent/conftest/internal/version.Version=${CONFTEST_VERSION#v}"
install_regal "$REGAL_VERSION"
echo "install-tools: toolchain ready in $((SECONDS - total_start))s"

"$bin/opa" version | sed -n 1p # sed reads everything: no SIGPIPE under pipefail
"$bin/conftest" --version | sed -n 1p # sed reads everything: no SIGPIPE under pipefail
"$bin/regal" version | sed -n 1p # sed reads everything: no SIGPIPE under pipefail
