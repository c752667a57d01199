"""The ``docker`` engine: OPA in a throw-away container, one container per evaluate call.

Design (measured in bench/bench_harness.py): create the container with ``opa eval`` as its command,
copy the modules, the batch module and the batch input in with ``put_archive`` (works with remote
daemons, unlike bind mounts), start it, wait, read stdout, and remove it in a ``finally`` — also on
timeouts, OPA errors and Ctrl-C. The network is disabled and every container carries the label
``iam2rego.harness`` so that leaks can be found (``docker ps -a --filter label=iam2rego.harness``).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import tarfile
import time

from .base import (
    BATCH_INPUT_KEY,
    BATCH_MODULE_PATH,
    BATCH_QUERY,
    CONTAINER_LABEL,
    BaseEngine,
    EngineError,
    batch_module,
    batch_results,
    parse_eval_output,
)

DEFAULT_IMAGE = "openpolicyagent/opa:1.22.3-static"
WORKDIR = "/iam2rego"


def default_image() -> str:
    return os.environ.get("IAM2REGO_OPA_IMAGE") or DEFAULT_IMAGE


def _tar(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        dirs = sorted({"/".join(p.split("/")[:i]) for p in files for i in range(1, p.count("/") + 1)})
        for d in dirs:
            info = tarfile.TarInfo(d)
            info.type, info.mode, info.mtime = tarfile.DIRTYPE, 0o755, 0
            tar.addfile(info)
        for path, blob in sorted(files.items()):
            info = tarfile.TarInfo(path)
            info.size, info.mode, info.mtime = len(blob), 0o644, 0
            tar.addfile(info, io.BytesIO(blob))
    return buf.getvalue()


class DockerEngine(BaseEngine):
    name = "docker"
    reads_data_files = True  # `opa eval -d DIR` mounts DIR/a/b/data.json at data.a.b

    def __init__(self, opa_image: str | None = None, timeout: float = 300.0, **_: object):
        self.image = opa_image or default_image()
        self.timeout = timeout
        self._client = None

    # ------------------------------------------------------------------ availability

    def _connect(self):  # -> docker.DockerClient
        if self._client is not None:
            return self._client
        try:
            import docker.errors

            import docker
        except ImportError:
            raise EngineError(
                self.name, "the docker Python SDK is not installed (pip install docker)"
            ) from None
        try:
            client = docker.from_env(timeout=30)
            client.ping()
        except Exception as exc:
            raise EngineError(
                self.name,
                f"cannot reach the Docker daemon ({exc.__class__.__name__}: {str(exc)[:200]}). Start Docker "
                "(scripts/docker-setup.sh sets it up here), check DOCKER_HOST, or use --engine opa.",
            ) from None
        self._client = client
        return client

    def _check_image(self, client) -> None:
        import docker.errors

        import docker

        try:
            client.images.get(self.image)
        except docker.errors.ImageNotFound:
            raise EngineError(
                self.name,
                f"the Docker image {self.image} is not present. Build the local image with "
                f"scripts/docker-setup.sh (iam2rego/opa:local), or run `docker pull {DEFAULT_IMAGE}` "
                "and pass --opa-image / set IAM2REGO_OPA_IMAGE.",
            ) from None
        except docker.errors.APIError as exc:
            raise EngineError(self.name, f"cannot inspect image {self.image}: {exc}") from None

    def unavailable_reason(self) -> str | None:
        try:
            self._check_image(self._connect())
        except EngineError as exc:
            return exc.message
        return None

    # ------------------------------------------------------------------ evaluation

    def _evaluate(
        self, modules: dict[str, str], entrypoint: str, inputs: list[dict], data: dict | None
    ) -> list[object]:
        client = self._connect()
        files = {f"iam2rego/modules/{rel}": text.encode() for rel, text in modules.items()}
        files[f"iam2rego/modules/{BATCH_MODULE_PATH}"] = batch_module(entrypoint).encode()
        files["iam2rego/input.json"] = json.dumps({BATCH_INPUT_KEY: inputs}).encode()
        command = ["eval", "--format", "json", "-d", f"{WORKDIR}/modules", "--input", f"{WORKDIR}/input.json"]
        if data:
            files["iam2rego/data.json"] = json.dumps(data).encode()
            command += ["-d", f"{WORKDIR}/data.json"]
        command.append(BATCH_QUERY)
        code, stdout, stderr = self._run_container(client, command, _tar(files))
        payload = parse_eval_output(self.name, code, stdout, stderr)
        return batch_results(self.name, payload, len(inputs))

    def _run_container(self, client, command: list[str], archive: bytes) -> tuple[int, str, str]:
        import docker.errors
        import requests

        import docker

        container = None
        try:
            container = client.containers.create(
                self.image,
                command=command,
                # Go's GC off until 1.5 GiB (under the container's 2g): engines/opa.BATCH_GO_ENV
                environment={"GOGC": "off", "GOMEMLIMIT": "1536MiB"},
                network_disabled=True,
                labels={CONTAINER_LABEL: "1", f"{CONTAINER_LABEL}.pid": str(os.getpid())},
                mem_limit="2g",
            )
            if not container.put_archive("/", archive):
                raise EngineError(self.name, "could not copy the modules into the container")
            container.start()
            deadline = time.monotonic() + self.timeout
            try:
                status = container.wait(timeout=max(1.0, deadline - time.monotonic()))
            except (requests.exceptions.ReadTimeout, requests.exceptions.ConnectionError):
                raise EngineError(
                    self.name,
                    f"OPA did not finish within {self.timeout:g} s (see --timeout); container removed",
                ) from None
            code = int(status.get("StatusCode", -1))
            stdout = container.logs(stdout=True, stderr=False).decode("utf-8", "replace")
            stderr = container.logs(stdout=False, stderr=True).decode("utf-8", "replace")
            if code != 0 and not stdout.strip().startswith("{"):  # no OPA JSON: the container died
                oom = ""
                with contextlib.suppress(Exception):
                    container.reload()
                    if container.attrs.get("State", {}).get("OOMKilled"):
                        oom = " (killed: out of memory)"
                raise EngineError(
                    self.name,
                    f"the OPA container died with status {code}{oom}: {(stderr or stdout).strip()[:800] or 'no output'}",
                )
            return code, stdout, stderr
        except docker.errors.ImageNotFound:
            raise EngineError(
                self.name, f"the Docker image {self.image} disappeared; rebuild or pull it"
            ) from None
        except docker.errors.APIError as exc:
            raise EngineError(self.name, f"the Docker daemon refused the container: {exc}") from None
        finally:
            if container is not None:
                _remove(container)


def _remove(container) -> None:
    """Remove the container even when we are being interrupted (a second Ctrl-C is deferred once)."""
    for _ in range(2):
        try:
            container.remove(force=True)
            return
        except KeyboardInterrupt:
            continue
        except Exception:
            return
