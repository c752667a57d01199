#!/usr/bin/env bash
# Make a Docker engine available and build the local OPA image the docker engine runs.
#
#   scripts/docker-setup.sh            # install docker.io if needed, start dockerd if needed, build image
#
# Steps (each skipped when already done):
#   1. `dockerd` missing -> `apt-get update` once, then `apt-get install -y docker.io` (Debian; needs root).
#   2. `docker info` fails -> start dockerd in the background, logging to tools/dockerd.log, and wait
#      up to DOCKERD_WAIT seconds (default 60) for the socket to answer.
#      Flags and why: this machine is a container-like sandbox and every iam2rego container runs with
#      networking disabled (`--network none`), so the daemon is started with `--bridge=none
#      --iptables=false`: no docker0 bridge, no NAT rules, nothing that needs netfilter. The storage
#      driver is overlay2 (the kernel offers overlay here; measured: dockerd 20.10 comes up in ~1 s);
#      if the daemon does not come up with it, the script retries once with `vfs`, which works on any
#      filesystem (slower, copies layers, harmless for our one-layer image).
#      A daemon that is already running (a laptop's Docker Desktop, systemd's docker.service) is used
#      as it is and never restarted.
#   3. Build `iam2rego/opa:local` (also tagged `iam2rego/opa:<version>-static`) FROM scratch with the
#      static tools/bin/opa (built with CGO_ENABLED=0 by scripts/install-tools.sh; checked with `file`
#      below) and docker/Dockerfile. No registry is reachable here, so there is no base image to pull.
#      The image carries the binary's sha256 as label io.iam2rego.opa.sha256; it is rebuilt only when
#      the binary changed. The legacy builder is used (DOCKER_BUILDKIT=0): the Debian engine has no
#      buildx plugin, and a FROM-scratch COPY needs nothing BuildKit adds.
#   4. Smoke test: `docker run --rm --network none iam2rego/opa:local version`.
#
# With registry access you can skip the local build and use the official image instead:
#   docker pull openpolicyagent/opa:1.22.3-static
#   iam2rego test --engine docker --opa-image openpolicyagent/opa:1.22.3-static ...
#   (or export IAM2REGO_OPA_IMAGE=openpolicyagent/opa:1.22.3-static for the harness and the tests)
#
# Exit status: 0 ready; 1 something failed (the message says what); 3 not root and dockerd is not
# installed or not running (the Makefile treats 3 as "no Docker on this laptop" unless CI=true).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
OPA_VERSION="${OPA_VERSION:-1.22.3}"
IMAGE="${IAM2REGO_LOCAL_IMAGE:-iam2rego/opa:local}"
IMAGE_VERSIONED="${IMAGE%%:*}:${OPA_VERSION}-static"
OPA_BIN="${OPA_BIN:-$root/tools/bin/opa}"
DOCKERD_LOG="${DOCKERD_LOG:-$root/tools/dockerd.log}"
DOCKERD_WAIT="${DOCKERD_WAIT:-60}"

say() { echo "docker-setup: $*"; }
die() {
	echo "docker-setup: error: $*" >&2
	exit "${2:-1}"
}
is_root() { [[ "$(id -u)" == 0 ]]; }

install_engine() {
	if command -v dockerd >/dev/null 2>&1 || docker info >/dev/null 2>&1; then
		return
	fi
	is_root || die "dockerd is not installed and this is not root: install Docker yourself" 3
	command -v apt-get >/dev/null 2>&1 || die "dockerd is missing and apt-get is not available"
	say "installing docker.io (apt-get) ..."
	local start=$SECONDS
	DEBIAN_FRONTEND=noninteractive apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >/dev/null
	say "docker.io installed in $((SECONDS - start))s"
}

wait_for_daemon() { # pid -> 0 when `docker info` answers, 1 when the daemon died or timed out
	local pid="$1" deadline=$((SECONDS + DOCKERD_WAIT))
	while ((SECONDS < deadline)); do
		if docker info >/dev/null 2>&1; then
			return 0
		fi
		kill -0 "$pid" 2>/dev/null || return 1
		sleep 0.5
	done
	return 1
}

start_daemon() { # storage-driver -> 0 when up
	local driver="$1"
	mkdir -p "$(dirname "$DOCKERD_LOG")"
	say "starting dockerd (storage driver $driver, log $DOCKERD_LOG) ..."
	echo "=== $(date -u +%FT%TZ) dockerd --storage-driver=$driver" >>"$DOCKERD_LOG"
	setsid dockerd --bridge=none --iptables=false --storage-driver="$driver" \
		>>"$DOCKERD_LOG" 2>&1 </dev/null &
	local pid=$!
	if wait_for_daemon "$pid"; then
		say "dockerd is up (pid $pid)"
		return 0
	fi
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	return 1
}

ensure_daemon() {
	if docker info >/dev/null 2>&1; then
		say "Docker engine already running"
		return
	fi
	is_root || die "no Docker engine answers and this is not root: start Docker yourself" 3
	command -v docker >/dev/null 2>&1 || die "the docker client is missing (install docker.io)"
	local start=$SECONDS
	start_daemon overlay2 || start_daemon vfs ||
		die "dockerd did not answer within ${DOCKERD_WAIT}s with overlay2 or vfs; last log lines:
$(tail -n 15 "$DOCKERD_LOG")"
	say "engine ready in $((SECONDS - start))s"
}

check_static() {
	[[ -x "$OPA_BIN" ]] || die "$OPA_BIN not found: run scripts/install-tools.sh (make tools) first"
	local kind
	kind="$(file -b "$OPA_BIN" 2>/dev/null || true)"
	if [[ -n "$kind" && "$kind" != *"statically linked"* ]]; then
		die "$OPA_BIN is not statically linked ($kind); rebuild it with CGO_ENABLED=0"
	fi
	if ldd "$OPA_BIN" >/dev/null 2>&1; then
		die "$OPA_BIN has dynamic dependencies (ldd lists some); rebuild it with CGO_ENABLED=0"
	fi
}

build_image() {
	check_static
	local sha current
	sha="$(sha256sum "$OPA_BIN" | cut -d' ' -f1)"
	current="$(docker image inspect --format '{{ index .Config.Labels "io.iam2rego.opa.sha256" }}' "$IMAGE" 2>/dev/null || true)"
	if [[ "$current" == "$sha" ]]; then
		say "$IMAGE is up to date (opa sha256 ${sha:0:12})"
	else
		say "building $IMAGE from $OPA_BIN (sha256 ${sha:0:12}) ..."
		local ctx start=$SECONDS rc=0 log
		ctx="$(mktemp -d)"
		cp "$root/docker/Dockerfile" "$ctx/Dockerfile"
		cp "$OPA_BIN" "$ctx/opa"
		log="$(DOCKER_BUILDKIT=0 docker build --quiet \
			--build-arg "OPA_VERSION=$OPA_VERSION" --build-arg "OPA_SHA256=$sha" \
			-t "$IMAGE" "$ctx" 2>&1)" || rc=$?
		rm -rf "$ctx"
		((rc == 0)) || die "docker build failed:
$log"
		say "built $IMAGE in $((SECONDS - start))s"
	fi
	docker tag "$IMAGE" "$IMAGE_VERSIONED"
}

smoke_test() {
	local out
	out="$(docker run --rm --network none "$IMAGE" version)" || die "docker run $IMAGE version failed"
	grep -q "^Version: $OPA_VERSION\$" <<<"$out" || die "$IMAGE answers a different version: $out"
	say "$IMAGE ($IMAGE_VERSIONED) answers: Version: $OPA_VERSION"
}

install_engine
ensure_daemon
build_image
smoke_test
