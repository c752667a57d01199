"""The wasm engine's disk cache, authenticated (issue 25 item 1): wasmtime documents that a serialized
module (``.cwasm``) is native code run without validation, so it must come from a trusted source;
a cached ``.wasm`` is validated but decides like the policy it was built from. The cache directory
(``$IAM2REGO_CACHE_DIR``, default ``~/.cache/iam2rego``) is often restored by CI from a cache a pull
request could have written, so nothing read from it is trusted by its name.

Every cache file is ``MAGIC + HMAC-SHA256(key, file name + NUL + content) + content``. The file name
is the cache key (sha256 of the cache format, the OPA version, the entrypoint and the modules), so a
valid file renamed to another key fails too. The 32-byte key lives OUTSIDE the cache:
``$XDG_CONFIG_HOME/iam2rego/cache.key`` (default ``~/.config/iam2rego/cache.key``), created on first
use with mode 0600; a key file that is not ours or readable by others is not used. A file that fails
the check is reported on stderr and rebuilt, never run. Without a usable key there is no disk cache
(each process builds again; the answers are the same).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
import stat
import sys
from pathlib import Path

MAGIC = b"iam2rego-cache-hmac-sha256\n"
KEY_BYTES = 32


def key_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "iam2rego" / "cache.key"


def _usable(st: os.stat_result) -> bool:
    owner_ok = not hasattr(os, "getuid") or st.st_uid == os.getuid()
    return stat.S_ISREG(st.st_mode) and owner_ok and not st.st_mode & 0o077 and st.st_size == KEY_BYTES


def cache_key() -> bytes | None:
    """The cache's HMAC key, created on first use (None: no usable key, so no disk cache)."""
    path = key_path()
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(fd, "rb") as f:
            return f.read() if _usable(os.fstat(f.fileno())) else None
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        tmp = path.with_name(f".cache.key.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(secrets.token_bytes(KEY_BYTES))
        try:
            os.link(tmp, path)  # atomic: the first process's key wins, nobody reads a half-written one
        finally:
            os.unlink(tmp)
    except FileExistsError:
        pass
    except OSError:
        return None
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(fd, "rb") as f:
            return f.read() if _usable(os.fstat(f.fileno())) else None
    return None


def _mac(key: bytes, name: str, content: bytes) -> bytes:
    return hmac.new(key, name.encode("utf-8") + b"\0" + content, hashlib.sha256).digest()


def cache_read(path: Path) -> bytes | None:
    """The content of an authentic cache file, or None (absent, no key, or rejected: rebuild)."""
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    key = cache_key()
    if key is None:
        return None
    head = len(MAGIC) + hashlib.sha256().digest_size
    content = raw[head:]
    if raw.startswith(MAGIC) and hmac.compare_digest(raw[len(MAGIC) : head], _mac(key, path.name, content)):
        return content
    print(
        f"iam2rego: warning: the cached Wasm module {path} fails its authentication check (it was not "
        "written by iam2rego with this machine's cache key); ignored and rebuilt",
        file=sys.stderr,
    )
    return None


def cache_write(path: Path, content: bytes) -> None:
    """Write ``content`` authenticated, atomically (a temporary sibling and a rename); no key: nothing."""
    key = cache_key()
    if key is None:
        return
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(MAGIC + _mac(key, path.name, content) + content)
    os.replace(tmp, path)
