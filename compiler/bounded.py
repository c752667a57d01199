"""Bounded input: the ONE helper every reader of user files uses (policies, plans, guardrail files,
scenario suites, ``--input``, ``--batch``).

Before anything is parsed:

- the path is ``stat``-ed first: directories, FIFOs, sockets and devices are refused (a FIFO would
  block, ``/dev/zero`` never ends); symlink loops and other OS errors are reported, not raised;
- the size is checked with ``stat`` and the read itself is bounded (``limit + 1`` bytes), so an
  8 GiB sparse file or a ``/proc`` file that reports size 0 never reaches memory whole;
- the bytes must be UTF-8 (the error points at the line and column of the first bad byte);
- JSON nesting is measured by an iterative scan before ``json.loads`` (no RecursionError escapes);
- YAML is scanned as an event stream (iterative) before composing: nesting depth, alias count and
  the size the document would have with every alias expanded are limited (alias bombs).

Every problem is an :class:`InputError` carrying one located :class:`Diagnostic` (code ``IO001``:
cannot read / not a regular file / not UTF-8; ``IO-LIMIT``: a bound exceeded); callers render it and
exit 2.
"""

from __future__ import annotations

import json
import os
import stat
import sys
from dataclasses import dataclass
from typing import Any

from .diagnostics import Diagnostic, Severity, Span, render
from .errors import Iam2RegoError

IO_ERROR = "IO001"
LIMIT = "IO-LIMIT"

MiB = 1024 * 1024


@dataclass(frozen=True)
class Bounds:
    """Limits for one kind of input. Defaults are far above any real file of that kind."""

    max_bytes: int = 64 * MiB
    max_depth: int = 256  # JSON/YAML nesting ([ and { / sequences and mappings)
    max_aliases: int = 1_000  # YAML alias (*name) references
    max_nodes: int = 2_000_000  # YAML nodes with every alias expanded


POLICY = Bounds(max_bytes=8 * MiB)  # 8x the parser's own 1 Mi-character limit (UTF-8: up to 4 bytes)
PLAN = Bounds(max_bytes=512 * MiB)
GUARDRAILS = Bounds(max_bytes=16 * MiB)
SUITE = Bounds(max_bytes=64 * MiB)
REQUEST = Bounds(max_bytes=64 * MiB)
BATCH = Bounds(max_bytes=512 * MiB)


class InputError(Iam2RegoError):
    """An input that cannot be read within its bounds; ``diagnostic`` says where and why."""

    def __init__(self, diagnostic: Diagnostic):
        self.diagnostic = diagnostic
        super().__init__(render(diagnostic))

    def __str__(self) -> str:
        d = self.diagnostic
        return f"{d.path}:{d.span.line}:{d.span.column}: error[{d.code}]: {d.message}"


def _error(
    code: str, message: str, path: str, span: Span | None = None, hint: str | None = None
) -> InputError:
    return InputError(Diagnostic(code, Severity.ERROR, message, path, span or Span(1, 1, 1, 2, 0, 1), hint))


_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def _kind(mode: int) -> str:
    for test, name in _KINDS:
        if test(mode):
            return name
    return "not a regular file"


def _too_big(path: str, what: str, size: int | None, limit: int) -> InputError:
    shown = f"is {size:,} bytes" if size is not None else "is larger than that"
    return _error(
        LIMIT,
        f"the {what} may be at most {limit:,} bytes; it {shown}",
        path,
        hint="is this the right file?",
    )


def read_bytes(path: str, what: str, bounds: Bounds) -> bytes:
    """The file's bytes (``-`` = stdin), at most ``bounds.max_bytes``; see the module docstring."""
    limit = bounds.max_bytes
    if path == "-":
        stream = getattr(sys.stdin, "buffer", None)
        data = stream.read(limit + 1) if stream is not None else sys.stdin.read(limit + 1).encode()
        if len(data) > limit:
            raise _too_big("<stdin>", what, None, limit)
        return data
    try:
        st = os.stat(path)  # follows symlinks; a loop is ELOOP
    except OSError as exc:
        raise _error(IO_ERROR, f"cannot read file: {exc.strerror or exc.__class__.__name__}", path) from None
    if not stat.S_ISREG(st.st_mode):
        raise _error(
            IO_ERROR,
            f"cannot read file: the {what} {path} is {_kind(st.st_mode)}, not a regular file",
            path,
            hint="give the path of a regular file",
        )
    if st.st_size > limit:
        raise _too_big(path, what, st.st_size, limit)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise _error(IO_ERROR, f"cannot read file: {exc.strerror or exc.__class__.__name__}", path) from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):  # replaced between stat and open
            raise _error(IO_ERROR, f"cannot read file: the {what} {path} is not a regular file", path)
        chunks, total = [], 0
        while total <= limit:
            chunk = os.read(fd, min(1 * MiB, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    except OSError as exc:
        raise _error(IO_ERROR, f"cannot read file: {exc.strerror or exc.__class__.__name__}", path) from None
    finally:
        os.close(fd)
    if total > limit:
        raise _too_big(path, what, None, limit)
    return b"".join(chunks)


def decode_utf8(data: bytes, path: str, what: str) -> str:
    """UTF-8 text; a bad byte is an IO001 error at its line and column."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        prefix = data[: exc.start].decode("utf-8")  # valid up to the bad byte
        line = prefix.count("\n") + 1
        col = len(prefix) - (prefix.rfind("\n") + 1) + 1
        offset = len(prefix)
        raise _error(
            IO_ERROR,
            f"the {what} is not valid UTF-8 (byte 0x{data[exc.start]:02x} at byte offset {exc.start})",
            path,
            Span(line, col, line, col + 1, offset, offset + 1),
            "save the file as UTF-8",
        ) from None


def read_text(path: str, what: str, bounds: Bounds) -> str:
    return decode_utf8(read_bytes(path, what, bounds), path, what)


# --------------------------------------------------------------------------- JSON


def _line_col(text: str, offset: int) -> Span:
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return Span(line, col, line, col + 1, offset, offset + 1)


def json_depth_error(text: str, path: str, what: str, max_depth: int) -> InputError | None:
    """The first ``[``/``{`` nested deeper than ``max_depth`` (strings skipped), as an error."""
    depth, i, n = 0, 0, len(text)
    find = text.find
    while i < n:
        ch = text[i]
        if ch == '"':  # skip the string (backslash escapes included)
            j = i + 1
            while True:
                j = find('"', j)
                if j < 0:
                    return None  # unterminated: json.loads reports it
                k = j - 1
                while text[k] == "\\":
                    k -= 1
                if (j - k) % 2 == 1:  # even number of backslashes before the quote
                    break
                j += 1
            i = j + 1
            continue
        if ch in "[{":
            depth += 1
            if depth > max_depth:
                return _error(
                    LIMIT,
                    f"the {what} nests deeper than {max_depth} levels",
                    path,
                    _line_col(text, i),
                    "no real file nests this deep; is it generated by mistake?",
                )
        elif ch in "]}":
            depth -= 1
        i += 1
    return None


def load_json(text: str, path: str, what: str, bounds: Bounds) -> Any:
    """``json.loads`` after the depth check; syntax errors are IO001 errors at their line:col."""
    problem = json_depth_error(text, path, what, bounds.max_depth)
    if problem is not None:
        raise problem
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        span = Span(exc.lineno, exc.colno, exc.lineno, exc.colno + 1, exc.pos, exc.pos + 1)
        raise _error(IO_ERROR, f"the {what} is not valid JSON: {exc.msg}", path, span) from None
    except RecursionError:  # belt and braces: the scan above should have caught it
        raise _error(LIMIT, f"the {what} nests too deeply", path) from None


# --------------------------------------------------------------------------- YAML


def yaml_bounds_error(text: str, path: str, what: str, bounds: Bounds) -> InputError | None:
    """Scan the YAML event stream (iterative, no node tree): nesting depth, alias count and the
    expanded size (every alias counted as the whole subtree it names). Syntax errors are left for
    the real parser, which reports them with their position."""
    import yaml

    loader_cls = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    loader = loader_cls(text)
    sizes: dict[str, int] = {}
    stack: list[list[Any]] = []  # [anchor, size so far]
    total = aliases = 0

    def limit(message: str, hint: str | None = None) -> InputError:
        """An IO-LIMIT error at the current event."""
        return _error(LIMIT, message, path, Span.point(mark.line + 1, mark.column + 1, mark.index), hint)

    try:
        while True:
            event = loader.get_event()
            if event is None:
                break
            if isinstance(event, yaml.StreamEndEvent):
                break
            mark = event.start_mark
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                stack.append([event.anchor, 1])
                if len(stack) > bounds.max_depth:
                    return limit(f"the {what} nests deeper than {bounds.max_depth} levels")
                continue
            if isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                anchor, size = stack.pop()
            elif isinstance(event, yaml.ScalarEvent):
                anchor, size = event.anchor, 1
            elif isinstance(event, yaml.AliasEvent):
                aliases += 1
                anchor, size = None, sizes.get(event.anchor or "", 1)
                if aliases > bounds.max_aliases:
                    return limit(
                        f"the {what} uses more than {bounds.max_aliases} YAML aliases",
                        "write the values out, or use fewer anchors (*name)",
                    )
            else:
                continue
            if anchor:
                sizes[anchor] = size
            if stack:
                stack[-1][1] += size
                grown = stack[-1][1]
            else:
                total += size
                grown = total
            if grown > bounds.max_nodes:
                return limit(
                    f"the {what} expands to more than {bounds.max_nodes:,} values (YAML aliases)",
                    "an alias repeats a whole subtree; this looks like an alias bomb",
                )
    except yaml.YAMLError:
        return None  # syntax: the real parser reports it with its position
    finally:
        loader.dispose()
    return None


def _no_timestamps_loader() -> type:
    """A safe loader whose plain scalars never become dates (a date is not JSON data)."""
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class _Loader(base):  # type: ignore[misc,valid-type]
        pass

    _Loader.yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in base.yaml_implicit_resolvers.items()
    }
    return _Loader


def load_yaml(text: str, path: str, what: str, bounds: Bounds) -> Any:
    """A YAML (or JSON) document within ``bounds``; dates stay strings; errors are located."""
    import yaml

    problem = yaml_bounds_error(text, path, what, bounds)
    if problem is not None:
        raise problem
    try:
        return yaml.load(text, Loader=_no_timestamps_loader())
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        span = Span.point(mark.line + 1, mark.column + 1, mark.index) if mark else None
        problem_text = " ".join(p for p in (exc.context, exc.problem) if p)
        raise _error(IO_ERROR, f"the {what} is not valid YAML: {problem_text}", path, span) from None
    except yaml.YAMLError as exc:
        raise _error(IO_ERROR, f"the {what} is not valid YAML: {exc}", path) from None
    except RecursionError:
        raise _error(LIMIT, f"the {what} nests too deeply", path) from None


def text_or_none(path: str, what: str, bounds: Bounds) -> str | None:
    """For excerpts in reports: the text, or None when the file cannot be read within ``bounds``."""
    try:
        return read_text(path, what, bounds)
    except InputError:
        return None


def looks_like_json_object(text: str) -> bool:
    """Whether ``text`` starts like a JSON object (a policy document). Reports quote lines only of
    such files: a suite pointing at ``/proc/self/environ`` must not print the environment."""
    return text.lstrip("\ufeff \t\r\n").startswith("{")
