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

Report targets (``check_targets``, used by ``write_files`` and every command before it renders): a
regular file (or a new path) is replaced atomically; a character device, FIFO or socket, and the
process's own streams (``/dev/stdout``, ``/dev/stderr``, ``/dev/fd/N``), are opened and written,
never replaced; anything else (a directory, a symbolic link to a file, a block device) is refused,
and so are two outputs that name one file (``sarif=X --format junit=X``): :class:`OutputRefused`,
exit 2, before anything is written. A write error (``ENOSPC`` on ``/dev/full``) is an ``OSError``.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import io
import json
import os
import re
import shutil
import stat
import tarfile
import tempfile
from collections.abc import Iterable
from pathlib import Path

from .errors import UsageError
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
    if target_kind(str(path)) == "stream":
        with open(path, "ab") as fh:
            fh.write(data.encode("utf-8") if isinstance(data, str) else data)
        return Path(path)
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


class OutputRefused(UsageError):
    """An output path iam2rego must not write (exit 2, nothing written)."""


# the process's own streams as paths: written by opening them, whatever they point at
_OWN_STREAM = re.compile(r"^/(dev/(stdout|stderr|fd/[0-9]+)|proc/(self|thread-self)/fd/[0-9]+)$")


def _is_stream_mode(mode: int) -> bool:
    return stat.S_ISCHR(mode) or stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)


def target_kind(path: str) -> str:
    """``"file"`` (replaced atomically) or ``"stream"`` (opened and written); OutputRefused otherwise."""
    try:
        st = os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):  # a new file (its parents are checked on writing)
        return "file"
    if stat.S_ISREG(st.st_mode):
        return "file"
    if _OWN_STREAM.match(os.path.abspath(path)):
        return "stream"
    if stat.S_ISLNK(st.st_mode):
        try:
            st = os.stat(path)
        except OSError:
            raise OutputRefused(f"{path} is a dangling symbolic link; give a file path") from None
        if _is_stream_mode(st.st_mode):
            return "stream"
        raise OutputRefused(
            f"{path} is a symbolic link; iam2rego replaces only regular files: give the file it points to"
        )
    if _is_stream_mode(st.st_mode):
        return "stream"
    what = "a directory" if stat.S_ISDIR(st.st_mode) else "not a regular file"
    raise OutputRefused(f"{path} is {what}; iam2rego writes reports only to regular files or streams")


def _identity(path: str | None) -> tuple | None:
    """What a target is on disk: two outputs with one identity would overwrite or interleave each
    other. None for a character device (/dev/null, a terminal): sharing one loses nothing."""
    try:
        st = os.fstat(1) if path is None else os.stat(path)
    except OSError:
        return ("stdout",) if path is None else ("new", os.path.realpath(path))
    if stat.S_ISCHR(st.st_mode):
        return None
    return (st.st_dev, st.st_ino)


def check_targets(targets: Iterable[tuple[str, str | None]]) -> None:
    """Refuse (OutputRefused) unwritable kinds and two outputs on one target.

    ``targets`` are (what, path) pairs, e.g. ``("sarif", "gate.sarif")``; path None = stdout.
    """
    seen: dict[tuple, str] = {}
    for what, path in targets:
        if path is not None:
            target_kind(path)
        key = _identity(path)
        if key is None:
            continue
        if key in seen:
            where = path if path is not None else "standard output"
            raise OutputRefused(
                f"{seen[key]} and {what} would both be written to {where}; give each output its own file"
            )
        seen[key] = what


def _write_stream(path: str, text: str) -> None:
    """Open and write (append: a redirected stdout keeps what was written before); flush errors raise."""
    try:
        with open(path, "a", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
    except OSError as exc:
        if not exc.filename:
            exc.filename = path
        raise


def write_files(files: dict[str, str]) -> list[Path]:
    """Write several report files (path -> text) all-or-nothing.

    Each is staged as a temporary file beside its target; only when every one is staged (and every
    stream target written) are they renamed into place (SIGINT held off). On any error nothing is
    replaced and the staging files are removed, so a failed run never leaves a half-written or
    stale-mixed set of reports.
    """
    kinds = {target: target_kind(target) for target in files}
    staged: list[tuple[str, Path]] = []
    try:
        for target in files:
            if kinds[target] == "stream":
                continue
            path = Path(target)
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
            staged.append((tmp, path))
            user_mode(fd)
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(files[target])
        for target in files:
            if kinds[target] == "stream":
                _write_stream(target, files[target])
        with deferred_signals():
            for tmp, path in staged:
                os.replace(tmp, path)
    finally:
        for tmp, _ in staged:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
    return [Path(t) for t in files]
