"""Writing compiled output: a directory tree or an OPA bundle, atomically.

Nothing is written until every file's content is known. A directory is written in two phases:

1. stage: every file is written to a temporary sibling directory (``.<name>.iam2rego-*``);
2. commit: a new directory is ONE rename of the staging directory; an existing one (it may hold the
   user's other files, so it is not replaced wholesale) gets each staged file renamed over its old
   version, the old versions kept as hard links, with SIGINT and SIGTERM deferred until the commit
   ends (iam2rego.procs.deferred_signals). Any error during the commit puts the old versions back.

So the output is all-old or all-new after Ctrl-C, SIGTERM, a full disk or a permission error; only
SIGKILL or a power loss during the commit's few renames can leave a mix. A bundle is written to a
temporary file in the same directory and renamed. The staging area is always removed.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile
from pathlib import Path

from .procs import deferred_signals


def umask() -> int:
    """The process umask (read by setting and restoring it)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def user_mode(target: int | str | Path, directory: bool = False) -> None:
    """Give a file made by mkstemp (0600) or mkdtemp (0700) the mode a plain ``open``/``mkdir``
    would have (0666/0777 minus the umask): reports and bundles are meant to be shared."""
    mode = (0o777 if directory else 0o666) & ~umask()
    if isinstance(target, int):
        os.fchmod(target, mode)
    else:
        os.chmod(target, mode)


def _safe_rel(rel: str) -> str:
    parts = Path(rel).parts
    if Path(rel).is_absolute() or ".." in parts or not parts:
        raise ValueError(f"refusing to write outside the output directory: {rel!r}")
    return rel


def write_tree(out_dir: str | Path, files: dict[str, str]) -> list[Path]:
    """Write ``files`` (relative path -> text) under ``out_dir``; returns the paths written."""
    out = Path(out_dir)
    out.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{out.name}.iam2rego-", dir=out.parent))
    try:
        user_mode(stage, directory=True)
        for rel in sorted(files):
            target = stage / _safe_rel(rel)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(files[rel], encoding="utf-8", newline="\n")
        with deferred_signals():
            if not out.exists():
                os.replace(stage, out)
            else:
                _commit_over(stage, out, sorted(files))
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return [out / rel for rel in sorted(files)]


def _commit_over(stage: Path, out: Path, rels: list[str]) -> None:
    """Rename each staged file over its old version; on any error (disk full, permissions) put the
    old versions back and remove the new ones, so the directory is all-old or all-new."""
    backup = stage / ".iam2rego-previous"
    done: list[tuple[str, bool]] = []
    try:
        for rel in rels:
            dest = out / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            had = dest.exists()
            if had:  # keep the old version (a hard link: dest never disappears)
                (backup / rel).parent.mkdir(parents=True, exist_ok=True)
                try:
                    os.link(dest, backup / rel)
                except OSError:
                    shutil.copy2(dest, backup / rel)
            done.append((rel, had))
            os.replace(stage / rel, dest)
    except BaseException:
        for rel, had in reversed(done):
            with contextlib.suppress(OSError):
                if had:
                    os.replace(backup / rel, out / rel)
                else:
                    (out / rel).unlink(missing_ok=True)
        raise


def bundle_bytes(files: dict[str, str], roots: list[str]) -> bytes:
    """A deterministic OPA bundle (.tar.gz): sorted members, mtime 0, root owner, fixed modes.

    ``.manifest`` carries ``roots`` and ``revision`` = sha256 over the sorted (path, text) pairs.
    """
    digest = hashlib.sha256()
    for rel in sorted(files):
        digest.update(_safe_rel(rel).encode() + b"\0" + files[rel].encode() + b"\0")
    manifest = json.dumps({"revision": digest.hexdigest(), "roots": sorted(roots)}, sort_keys=True)
    members = {".manifest": manifest, **files}
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for rel in sorted(members):
            data = members[rel].encode("utf-8")
            info = tarfile.TarInfo("/" + rel)
            info.size, info.mtime, info.mode = len(data), 0, 0o644
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            tar.addfile(info, io.BytesIO(data))
    out = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=out, mtime=0) as gz:
        gz.write(raw.getvalue())
    return out.getvalue()


def write_atomic(path: str | Path, data: str | bytes) -> Path:
    """THE file writer: ``data`` goes to a temporary sibling (the user's umask, not mkstemp's 0600),
    then one atomic rename; on any error or interrupt the old file stays and the temporary is removed."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        user_mode(fd)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data.encode("utf-8") if isinstance(data, str) else data)
        with deferred_signals():
            os.replace(tmp, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
    return target


def write_bundle(path: str | Path, files: dict[str, str], roots: list[str]) -> Path:
    return write_atomic(path, bundle_bytes(files, roots))


def write_files(files: dict[str, str]) -> list[Path]:
    """Write several report files (path -> text) all-or-nothing.

    Each is staged as a temporary file beside its target; only when every one is staged are they
    renamed into place (SIGINT held off). On any error nothing is replaced and the staging files are
    removed, so a failed run never leaves a half-written or stale-mixed set of reports.
    """
    staged: list[tuple[str, Path]] = []
    try:
        for target in files:
            path = Path(target)
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
            staged.append((tmp, path))
            user_mode(fd)
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(files[target])
        with deferred_signals():
            for tmp, path in staged:
                os.replace(tmp, path)
    finally:
        for tmp, _ in staged:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
    return [Path(t) for t in files]
