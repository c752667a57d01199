"""The ``wasm`` engine: the modules compiled to WebAssembly by ``opa build -t wasm``, run in-process
with ``wasmtime`` (issue 14, item 4).

OPA's own planner compiles the Rego (so parsing, type checking and evaluation order are OPA's); this
module is the host side of OPA's Wasm ABI (https://www.openpolicyagent.org/docs/wasm): it loads the
data document once (``opa_json_parse``), then per input writes the input after the data, calls the
``opa_eval`` fast path with the heap pointer reset to just after the input, and reads the result.

Results are read in OPA's value format (``opa_eval`` format 1: sets as ``{...}``/``set()``) and
rendered as ``opa eval`` renders them: sets become arrays sorted in OPA's value order (the Wasm
runtime keeps sets in hash order). The few builtins the Wasm runtime leaves to the host
(``builtins`` export) are :data:`HOST_BUILTINS`; a module that needs any other builtin, or a call the
host cannot reproduce exactly (a sprintf verb, a regex pattern), is refused with an EngineError:
never a guess.

The compiled module is cached: in-process, and on disk under ``$IAM2REGO_CACHE_DIR`` (default
``~/.cache/iam2rego``) ``/wasm/<sha256 of OPA version, entrypoint and modules>``, each file
authenticated with a key kept outside the cache (:mod:`.wasm_cache`: a swapped file is rebuilt,
never run); an opa binary is
needed only to build a module set that is not cached yet, and not at all for a module set shipped
prebuilt inside the package (``iam2rego.assets``: the gate pack, ``make wasm-assets``): a shipped
module is used when its manifest's ``modules_sha256`` (:func:`module_set_digest`) equals the digest
of the exact modules this engine would build.
"""

from __future__ import annotations

import atexit
import functools
import hashlib
import importlib.resources
import json
import math
import os
import re
import subprocess
import tarfile
import threading
from collections.abc import Callable, Iterator
from decimal import Decimal
from functools import cmp_to_key
from pathlib import Path
from typing import Any, cast

from .. import faithful, procs, strictjson
from .base import BaseEngine, EngineError
from .opa import MIN_VERSION, find_opa, opa_version
from .wasm_cache import cache_read, cache_write

PAGE = 65536
DEFAULT_MAX_MEMORY_BYTES = 4 * 1024**3  # the whole wasm32 address space
_CACHE_FORMAT = "2"  # bump when the cached artefacts change meaning (2: authenticated, wasm_cache)


class HostBuiltinError(Exception):
    """A host builtin was called in a way this host cannot answer exactly as OPA would."""


# --------------------------------------------------------------------------- host builtins


class Num(str):
    """A JSON number kept as its text (OPA's sprintf formats by the text, not the parsed value)."""


def _go_float_v(f: float) -> str:
    """Go's ``fmt.Sprintf("%v", f)`` for a finite float64: strconv 'g' with the shortest digits."""
    if f == 0:
        return "-0" if math.copysign(1.0, f) < 0 else "0"
    sign = "-" if f < 0 else ""
    _, digits_t, exponent = Decimal(repr(abs(f))).as_tuple()
    digits = "".join(map(str, digits_t)).rstrip("0") or "0"
    assert isinstance(exponent, int)
    dp = len("".join(map(str, digits_t))) + exponent  # decimal point position
    exp = dp - 1
    if exp < -4 or exp >= 6:  # strconv: shortest 'g' switches to %e at exponent 6 (eprec = 6)
        mant = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{sign}{mant}e{'-' if exp < 0 else '+'}{abs(exp):02d}"
    if dp <= 0:
        return f"{sign}0.{'0' * -dp}{digits}"
    if dp >= len(digits):
        return sign + digits + "0" * (dp - len(digits))
    return f"{sign}{digits[:dp]}.{digits[dp:]}"


_INT64 = re.compile(r"[+-]?[0-9]{1,19}(\.0*)?")


def _sprintf_arg(value: object) -> tuple[str, object]:
    """OPA 1.22's conversion of a sprintf operand (topdown/strings.go builtinSprintf) -> (kind, value)."""
    if isinstance(value, Num):
        text = str(value)
        if any(c in text for c in ".eE"):  # isFloatNumber
            try:
                f = float(text)
            except ValueError:
                return "string", text
            return ("float", f) if math.isfinite(f) else ("string", text)
        if _INT64.fullmatch(text):  # util.Atoi64 (int64 range checked here)
            n = int(text.split(".")[0])
            if -(2**63) <= n < 2**63:
                return "int", n
        if re.fullmatch(r"[+-]?[0-9]+", text):  # big.Int SetString base 10
            return "int", int(text)
        return "string", text
    if isinstance(value, str):
        return "string", value
    if isinstance(value, bool):
        return "string", "true" if value else "false"  # default: the term's Rego text
    if value is None:
        return "string", "null"
    raise HostBuiltinError(
        f"sprintf of a {type(value).__name__} operand (its Rego text is not reproduced here)"
    )


_VERB = re.compile(r"%(.?)")


def host_sprintf(fmt: object, args: object) -> str:
    """``sprintf`` for the verbs %s, %d, %v and %% with the operand kinds where Go's output is plain."""
    if not isinstance(fmt, str) or not isinstance(args, list):
        raise HostBuiltinError("sprintf needs a format string and an array")
    operands = [_sprintf_arg(a) for a in args]
    out: list[str] = []
    pos = 0
    used = 0
    for m in _VERB.finditer(fmt):
        out.append(fmt[pos : m.start()])
        pos = m.end()
        verb = m.group(1)
        if verb == "%":
            out.append("%")
            continue
        if used >= len(operands):
            raise HostBuiltinError(f"sprintf format {fmt!r} has more verbs than operands")
        kind, value = operands[used]
        used += 1
        if (verb, kind) in (("s", "string"), ("d", "int"), ("v", "string"), ("v", "int")):
            out.append(str(value))
        elif verb == "v" and kind == "float":
            assert isinstance(value, float)
            out.append(_go_float_v(value))
        else:
            raise HostBuiltinError(f"sprintf verb %{verb} with a {kind} operand (format {fmt!r})")
    if used != len(operands):
        raise HostBuiltinError(f"sprintf format {fmt!r} has fewer verbs than operands")
    out.append(fmt[pos:])
    return "".join(out)


def host_strings_count(s: object, sub: object) -> int:
    """Go's strings.Count: non-overlapping; an empty substring counts runes + 1 (as Python does)."""
    if not isinstance(s, str) or not isinstance(sub, str):
        raise HostBuiltinError("strings.count needs two strings")
    return s.count(sub)


# RE2 patterns whose Python `re` translation was checked by hand to match exactly the same
# substrings (leftmost-first, `.` without newline; RE2's `$` is `\Z` without the m flag).
_RE2_TO_PYTHON = {
    r"table/.*$": r"table/.*\Z",
    r'\[("([^"\\]|\\.)*"|[0-9]+)\]': r'\[("([^"\\]|\\.)*"|[0-9]+)\]',
}


def host_regex_replace(s: object, pattern: object, value: object) -> str:
    """regex.replace for the library's patterns, with a replacement that has no ``$`` expansion."""
    if not isinstance(s, str) or not isinstance(pattern, str) or not isinstance(value, str):
        raise HostBuiltinError("regex.replace needs three strings")
    translated = _RE2_TO_PYTHON.get(pattern)
    if translated is None:
        raise HostBuiltinError(
            f"regex.replace with the pattern {pattern!r} (only the library's are reproduced)"
        )
    if "$" in value:
        raise HostBuiltinError(f"regex.replace with a $-expanding replacement {value!r}")
    return re.sub(translated, lambda _m: value, s)


HOST_BUILTINS: dict[str, Callable[..., object]] = {
    "sprintf": host_sprintf,
    "strings.count": host_strings_count,
    "regex.replace": host_regex_replace,
}


# --------------------------------------------------------------------------- OPA value format


_TOKEN = re.compile(
    r'\s*(?:(?P<str>"(?:[^"\\]|\\.)*")|(?P<num>-?[0-9][0-9.eE+-]*)|(?P<lit>true|false|null|set\(\))|(?P<p>[{}\[\]:,]))'
)


def _type_rank(v: object) -> int:
    if v is None:
        return 0
    if isinstance(v, bool):
        return 1
    if isinstance(v, Num):
        return 2
    if isinstance(v, str):
        return 3
    if isinstance(v, list):
        return 6
    if isinstance(v, dict):
        return 7
    if isinstance(v, _Set):
        return 8
    raise TypeError(type(v))


class _Set(list):  # a Rego set read from the value format, kept apart from arrays until rendered
    pass


def compare(a: object, b: object) -> int:
    """OPA's ast.Compare on values read from the value format (sets sorted, objects by sorted keys)."""
    ra, rb = _type_rank(a), _type_rank(b)
    if ra != rb:
        return -1 if ra < rb else 1
    if a is None:
        return 0
    if isinstance(a, bool):
        return (a > b) - (a < b)  # type: ignore[operator]
    if isinstance(a, Num):
        da, db = Decimal(a), Decimal(str(b))
        return (da > db) - (da < db)
    if isinstance(a, str):
        ea, eb = a.encode("utf-8", "surrogatepass"), str(b).encode("utf-8", "surrogatepass")
        return (ea > eb) - (ea < eb)
    if isinstance(a, dict):
        assert isinstance(b, dict)
        ka = sorted(a, key=cmp_to_key(compare))
        kb = sorted(b, key=cmp_to_key(compare))
        for x, y in zip(ka, kb, strict=False):
            c = compare(x, y) or compare(a[x], b[y])
            if c:
                return c
        return (len(ka) > len(kb)) - (len(ka) < len(kb))
    assert isinstance(a, list) and isinstance(b, list)  # arrays, and sets (kept sorted)
    for x, y in zip(a, b, strict=False):
        c = compare(x, y)
        if c:
            return c
    return (len(a) > len(b)) - (len(a) < len(b))


class _Key:
    """A hashable wrapper for non-string object keys read from the value format."""

    def __init__(self, value: object):
        self.value = value

    def __hash__(self) -> int:
        return hash(json.dumps(to_json(self.value), sort_keys=True))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Key) and compare(self.value, other.value) == 0


def parse_value(text: str) -> object:
    """OPA's value format (``opa_value_dump``) -> Python; sets as sorted :class:`_Set`, numbers as Num."""
    tokens = _TOKEN.finditer(text)
    end = 0

    def nxt() -> re.Match[str]:
        nonlocal end
        m = next(tokens, None)
        if m is None or m.start() != end:
            raise ValueError(f"unexpected text at offset {end}")
        end = m.end()
        return m

    def value(m: re.Match[str]) -> object:
        if m.group("str") is not None:
            return json.loads(m.group("str"))
        if m.group("num") is not None:
            json.loads(m.group("num"))  # a valid JSON number, or ValueError
            why = strictjson.number_problem(m.group("num"))  # 1e999: beyond doubles, not read as inf
            if why:
                raise ValueError(why)
            return Num(m.group("num"))
        lit = m.group("lit")
        if lit is not None:
            return {"true": True, "false": False, "null": None, "set()": _Set()}[lit]
        p = m.group("p")
        if p == "[":
            items: list[object] = []
            m = nxt()
            while m.group("p") != "]":
                items.append(value(m))
                m = nxt()
                if m.group("p") == ",":
                    m = nxt()
                elif m.group("p") != "]":
                    raise ValueError("expected , or ]")
            return items
        if p == "{":
            m = nxt()
            if m.group("p") == "}":
                return {}
            first = value(m)
            m = nxt()
            if m.group("p") == ":":  # an object
                obj: dict[object, object] = {}
                key = first
                while True:
                    slot = key if isinstance(key, str) else _Key(key)
                    if slot in obj:  # never read last-key-wins (strictjson)
                        raise ValueError(f"duplicate key {to_json(key)!r} in the result")
                    obj[slot] = value(nxt())
                    m = nxt()
                    if m.group("p") == "}":
                        return obj
                    if m.group("p") != ",":
                        raise ValueError("expected , or }")
                    key = value(nxt())
                    if nxt().group("p") != ":":
                        raise ValueError("expected :")
            elems = [first]  # a set
            while m.group("p") != "}":
                if m.group("p") != ",":
                    raise ValueError("expected , or }")
                elems.append(value(nxt()))
                m = nxt()
            return _Set(sorted(elems, key=cmp_to_key(compare)))
        raise ValueError(f"unexpected {m.group(0).strip()!r}")

    out = value(nxt())
    if text[end:].strip():
        raise ValueError(f"trailing text at offset {end}")
    return out


def to_json(v: object) -> Any:
    """What ``opa eval --format json`` prints for a value: sets as sorted arrays, number keys as text."""
    if isinstance(v, Num):
        return json.loads(v)
    if isinstance(v, list):  # arrays and (sorted) sets
        return [to_json(x) for x in v]
    if isinstance(v, dict):
        out = {}
        for k, x in v.items():
            key = k.value if isinstance(k, _Key) else k
            if isinstance(key, Num):
                key = str(key)
            if not isinstance(key, str):
                raise ValueError(f"an object key of type {type(key).__name__} (no JSON rendering)")
            out[key] = to_json(x)
        return out
    return v


# --------------------------------------------------------------------------- the ABI host


_EXPORTS = (
    "opa_wasm_abi_version",
    "opa_wasm_abi_minor_version",
    "builtins",
    "entrypoints",
    "opa_malloc",
    "opa_json_parse",
    "opa_json_dump",
    "opa_heap_ptr_get",
    "opa_heap_ptr_set",
    "opa_eval",
)


# Strings checked against the Wasm runtime's lenient JSON parser: every string that starts like a
# JSON object or array, and, under the keys that hold policy documents (the generic evaluator's
# "document", the plan's "policy", "assume_role_policy", ...), every string that starts like any JSON
# value. Elsewhere "10.1.2.3" or "2024-06-01" (a prefix parses as a number) are ordinary strings.
_JSON_START = frozenset("{[")
_JSON_START_ANY = frozenset('{["-0123456789tfn')


def _document_key(key: object) -> bool:
    return isinstance(key, str) and (key in ("document", "policy") or key.endswith("_policy"))


def _keyed_strings(value: object) -> Iterator[tuple[object, str]]:
    """(the object key it sits under or None, string) for every string value of a JSON value."""
    stack: list[tuple[object, object]] = [(None, value)]
    while stack:
        key, v = stack.pop()
        if isinstance(v, str):
            yield key, v
        elif isinstance(v, dict):
            stack.extend((None, k) for k in v)
            stack.extend(v.items())
        elif isinstance(v, (list, tuple)):
            stack.extend((key, x) for x in v)


def _no_constant(name: str) -> object:
    raise ValueError(f"{name} is not JSON")


class OpaWasmPolicy:
    """One instance of an OPA Wasm module (ABI 1.2+) in its own wasmtime store."""

    def __init__(self, module: Any, engine: Any, max_memory_bytes: int = DEFAULT_MAX_MEMORY_BYTES):
        import wasmtime

        self._wt = wasmtime
        self._error: BaseException | None = None
        self._names: dict[int, str] = {}
        memory_imports = [imp for imp in module.imports if imp.name == "memory"]
        if len(memory_imports) != 1 or not isinstance(memory_imports[0].type, wasmtime.MemoryType):
            raise HostBuiltinError("not an OPA Wasm module (no env.memory import)")
        memory_import = memory_imports[0]
        pages = memory_import.type.limits.min
        max_pages = max(pages, max_memory_bytes // PAGE)
        while True:
            # The declared minimum can be smaller than the module's data segments (OPA 1.22 declares 3
            # pages for a 760 KB pack): instantiation then traps, so start again with more memory.
            try:
                self._instantiate(module, engine, pages, max_pages)
                break
            except wasmtime.Trap as exc:
                if "out of bounds memory access" not in str(exc) or pages >= max_pages:
                    raise
                pages = min(max_pages, pages * 4)
        exports = self.instance.exports(self.store)
        missing = [e for e in _EXPORTS if e not in exports]
        if missing:
            raise HostBuiltinError(f"not an OPA Wasm module (no {', '.join(missing)} export)")
        ex: dict[str, Any] = {e: exports[e] for e in _EXPORTS}
        major, minor = (
            ex["opa_wasm_abi_version"].value(self.store),
            ex["opa_wasm_abi_minor_version"].value(self.store),
        )
        if (major, minor) < (1, 2):
            raise HostBuiltinError(f"OPA Wasm ABI {major}.{minor}; this host needs 1.2 or later (opa_eval)")
        self._x = ex
        self._names = {v: k for k, v in json.loads(self._dump_json(self._call("builtins"))).items()}
        self.entrypoints: dict[str, int] = json.loads(self._dump_json(self._call("entrypoints")))
        self.base = self._call("opa_heap_ptr_get")
        self.data_addr = self._parse_json(b"{}")
        self.base = self._call("opa_heap_ptr_get")

    def _instantiate(self, module: Any, engine: Any, pages: int, max_pages: int) -> None:
        import wasmtime

        self.store = wasmtime.Store(engine)
        self.store.set_epoch_deadline(1)
        i32 = wasmtime.ValType.i32()
        imports: list[Any] = []
        for imp in module.imports:
            if imp.name == "memory":
                self.memory = wasmtime.Memory(
                    self.store, wasmtime.MemoryType(wasmtime.Limits(pages, max_pages))
                )
                imports.append(self.memory)
            elif imp.name == "opa_abort":
                imports.append(wasmtime.Func(self.store, wasmtime.FuncType([i32], []), self._abort))
            elif imp.name == "opa_println":
                imports.append(wasmtime.Func(self.store, wasmtime.FuncType([i32], []), lambda _addr: None))
            elif imp.name.startswith("opa_builtin") and imp.name[len("opa_builtin") :].isdigit():
                n = int(imp.name[len("opa_builtin") :])
                imports.append(
                    wasmtime.Func(self.store, wasmtime.FuncType([i32] * (n + 2), [i32]), self._builtin)
                )
            else:
                raise HostBuiltinError(
                    f"the Wasm module imports {imp.module}.{imp.name}, which this host lacks"
                )
        self.instance = wasmtime.Instance(self.store, module, imports)

    def close(self) -> None:
        """Free the store and its memory now (the host functions are bound methods: a reference
        cycle that would otherwise wait for the cyclic garbage collector)."""
        self._x = {}
        self.store.close()

    def missing_builtins(self) -> list[str]:
        return sorted(name for name in self._names.values() if name not in HOST_BUILTINS)

    # -- memory helpers
    def _call(self, name: str, *args: int) -> int:
        self._error = None
        try:
            out = self._x[name](self.store, *(_i32(a) for a in args))
        except Exception as exc:
            raise self._error or exc from None
        if self._error is not None:
            raise self._error
        return _u32(out) if isinstance(out, int) else out

    def _cstr(self, addr: int) -> bytes:
        chunks = []
        size = self.memory.data_len(self.store)
        while addr < size:
            buf = self.memory.read(self.store, addr, min(size, addr + 65536))
            i = buf.find(b"\0")
            if i >= 0:
                chunks.append(buf[:i])
                return b"".join(chunks)
            chunks.append(buf)
            addr += len(buf)
        raise HostBuiltinError("an unterminated string in Wasm memory")

    def _dump_json(self, value_addr: int) -> str:
        return self._cstr(self._call("opa_json_dump", value_addr)).decode("utf-8")

    def _parse_json(self, blob: bytes) -> int:
        addr = self._call("opa_malloc", len(blob))
        self.memory.write(self.store, blob, addr)
        value = self._call("opa_json_parse", addr, len(blob))
        if value == 0:
            raise HostBuiltinError("the Wasm runtime could not parse a JSON document")
        return value

    def _ensure(self, end: int) -> None:
        size = self.memory.data_len(self.store)
        if end > size and self.memory.grow(self.store, (end - size + PAGE - 1) // PAGE) is False:
            raise HostBuiltinError("out of Wasm memory")

    # -- imports
    def _abort(self, addr: int) -> None:
        try:
            message = self._cstr(_u32(addr)).decode("utf-8", "replace")
        except Exception:
            message = "(unreadable message)"
        self._error = HostBuiltinError(f"OPA's Wasm runtime aborted: {message}")
        raise self._error

    def _builtin(self, builtin_id: int, _ctx: int, *args: int) -> int:
        name = self._names.get(builtin_id, f"#{builtin_id}")
        args = tuple(_u32(a) for a in args)
        fn = HOST_BUILTINS.get(name)
        try:
            if fn is None:
                raise HostBuiltinError(f"builtin {name} is not provided by this host")
            values = [
                json.loads(self._dump_json(a), parse_int=Num, parse_float=Num, parse_constant=Num)
                for a in args
            ]
            result = fn(*values)
            return _i32(self._parse_json(json.dumps(result, ensure_ascii=False).encode("utf-8")))
        except BaseException as exc:
            self._error = exc if isinstance(exc, HostBuiltinError) else HostBuiltinError(f"{name}: {exc}")
            raise

    def lenient_json(self, text: str, scalars: bool = False) -> bool:
        """Whether OPA's Wasm JSON parser (json.is_valid, json.unmarshal in Wasm) reads ``text`` as a
        value although it is not JSON (OPA: invalid): it accepts trailing data, leading zeros and
        trailing commas (``{"a": 1}}``, ``01``, ``[1,]``). A parse the runtime aborts counts too."""
        first = text.lstrip(" \t\n\r")[:1]
        if not first or first not in (_JSON_START_ANY if scalars else _JSON_START):
            return False
        try:
            json.loads(text, parse_constant=_no_constant)
            return False  # valid JSON: OPA and the Wasm runtime agree
        except ValueError:
            pass
        mark = self._call("opa_heap_ptr_get")
        try:
            blob = text.encode("utf-8", "surrogatepass")
            addr = self._call("opa_malloc", len(blob))
            self.memory.write(self.store, blob, addr)
            return self._call("opa_json_parse", addr, len(blob)) != 0
        except Exception:
            return True
        finally:
            self._call("opa_heap_ptr_set", mark)

    # -- data and evaluation
    def set_data(self, blob: bytes) -> None:
        self._call("opa_heap_ptr_set", self.base)
        self.data_addr = self._parse_json(blob)
        self.base = self._call("opa_heap_ptr_get")

    def eval_raw(self, entrypoint: int, input_blob: bytes) -> str:
        """The result set in OPA's value format (``{{"result": v}}``, ``set()`` when undefined)."""
        addr = self.base
        self._ensure(addr + len(input_blob))
        self.memory.write(self.store, input_blob, addr)
        heap = addr + len(input_blob)
        res = self._call("opa_eval", 0, entrypoint, self.data_addr, addr, len(input_blob), heap, 1)
        return self._cstr(res).decode("utf-8")


def _u32(value: int) -> int:
    """A wasm32 address from an i32 (wasmtime hands i32 values over signed: above 2 GiB, negative)."""
    return value & 0xFFFFFFFF


def _i32(value: int) -> int:
    """An address as the i32 wasmtime takes (signed)."""
    value &= 0xFFFFFFFF
    return value - (1 << 32) if value >= 1 << 31 else value


def decode_result(text: str) -> tuple[bool, object]:
    """(defined, value) from a result set in value format; anything else is an error."""
    rs = parse_value(text)
    if not isinstance(rs, _Set) or len(rs) > 1:
        raise ValueError("the result set is not a set of at most one result")
    if not rs:
        return False, None
    [row] = rs
    if not isinstance(row, dict) or list(row) != ["result"]:
        raise ValueError('the result row is not {"result": ...}')
    return True, to_json(row["result"])


# --------------------------------------------------------------------------- the engine


def cache_dir() -> Path:
    root = os.environ.get("IAM2REGO_CACHE_DIR") or os.path.join(os.path.expanduser("~"), ".cache", "iam2rego")
    return Path(root) / "wasm"


_NUL_ESCAPE = re.compile(r"\\u0000", re.IGNORECASE)  # \u0000 (an escaped backslash too: refusing is safe)

# OPA visits a set in sorted order, OPA's Wasm runtime in hash order. The compiled modules' reasons
# lists come from visiting the set of matched statement numbers: the wasm engine builds that helper
# with sort() (the same order OPA visits the set in, so OPA's answer is unchanged). Not in the
# generated code itself: regopy 1.5.2 sorts numbers as strings (29, 407, 80).
_APPLIED = "reason |\n\tsome i in matches\n"  # both bodies of applied (without and with conditions)
_APPLIED_SORTED = "reason |\n\tsome i in sort(matches)\n"


def in_opa_order(modules: dict[str, str]) -> dict[str, str]:
    """The modules with the compiled modules' ``applied`` helper visiting its set in OPA's order."""
    return {path: text.replace(_APPLIED, _APPLIED_SORTED) for path, text in modules.items()}


_memo: dict[str, Any] = {}
_memo_lock = threading.Lock()
atexit.register(_memo.clear)  # free the compiled modules while wasmtime can still do it


SHIPPED_PACKAGE = "iam2rego.assets"  # <name>.wasm + <name>.manifest.json, written by make wasm-assets
MANIFEST_SUFFIX = ".manifest.json"


def module_set_digest(modules: dict[str, str], entrypoint: str) -> str:
    """sha256 over the entrypoint and every (path, text) of a module set, exactly as ``opa build`` gets
    them (after :func:`in_opa_order`); the OPA version is recorded beside it, not hashed."""
    h = hashlib.sha256()
    for part in ("iam2rego-wasm-modules", _CACHE_FORMAT, entrypoint):
        h.update(part.encode() + b"\0")
    for path, text in sorted(modules.items()):
        h.update(path.encode() + b"\0" + text.encode("utf-8") + b"\0")
    return h.hexdigest()


def shipped_manifests() -> dict[str, dict]:
    """name -> manifest of every prebuilt module shipped in :data:`SHIPPED_PACKAGE` ({} if none)."""
    return dict(_read_manifests())


@functools.cache
def _read_manifests() -> dict[str, dict]:
    """The manifests, read once per process (the package does not change while it runs)."""
    try:
        root = importlib.resources.files(SHIPPED_PACKAGE)
    except ModuleNotFoundError:
        return {}
    out: dict[str, dict] = {}
    for item in root.iterdir():
        if item.name.endswith(MANIFEST_SUFFIX):
            try:
                manifest = json.loads(item.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue  # unreadable: as if not shipped (the module is then built, or refused)
            if isinstance(manifest, dict):
                out[item.name[: -len(MANIFEST_SUFFIX)]] = manifest
    return out


def shipped_module(modules: dict[str, str], entrypoint: str) -> tuple[str, bytes] | None:
    """(name, policy.wasm) of the shipped prebuilt module built from exactly these modules, or None.

    A shipped module whose bytes do not have the manifest's sha256 is an EngineError (a damaged
    install), never used."""
    digest = module_set_digest(modules, entrypoint)
    for name, manifest in sorted(_read_manifests().items()):
        if manifest.get("modules_sha256") != digest or manifest.get("entrypoint") != entrypoint:
            continue
        return name, _shipped_blob(name, str(manifest.get("wasm_sha256")))
    return None


@functools.cache
def _shipped_blob(name: str, wasm_sha256: str) -> bytes:
    """The shipped ``<name>.wasm``, read and verified once per process."""
    blob = importlib.resources.files(SHIPPED_PACKAGE).joinpath(f"{name}.wasm").read_bytes()
    if hashlib.sha256(blob).hexdigest() != wasm_sha256:
        raise EngineError(
            "wasm", f"the shipped {name}.wasm does not have its manifest's sha256: reinstall iam2rego"
        )
    return blob


class WasmEngine(BaseEngine):
    name = "wasm"

    def __init__(
        self,
        opa_path: str | None = None,
        timeout: float = 300.0,
        max_memory_bytes: int = DEFAULT_MAX_MEMORY_BYTES,
        **_: object,
    ):
        self.opa_path = opa_path
        self.timeout = float(timeout)
        self.max_memory_bytes = int(max_memory_bytes)

    def unavailable_reason(self) -> str | None:
        import importlib.util

        if importlib.util.find_spec("wasmtime") is None:
            return "wasmtime is not installed (pip install wasmtime)"
        problem = self._opa_problem()
        if problem is not None and not shipped_manifests():
            return problem
        return None  # without opa: only the shipped module sets (checked per module set in _module)

    def _opa_problem(self) -> str | None:
        """Why no opa binary can build a module set (None: one can)."""
        path = find_opa(self.opa_path)
        if path is None:
            return (
                "no opa binary to compile the modules to Wasm (use --opa-path, run scripts/install-tools.sh "
                "for tools/bin/opa, or put opa on PATH)"
            )
        version = opa_version(path)
        if isinstance(version, str) or version < MIN_VERSION:
            return f"{path} is not a usable OPA >= 1.0 ({version})"
        return None

    def refuse(self, modules: dict[str, str]) -> str | None:
        """NUL in a module string: OPA's Wasm runtime cuts strings at NUL in glob and regex matching
        (measured: tests/robustness/test_cross_engine.py hostile strings), so refuse instead."""
        for path, text in sorted(modules.items()):
            if "\0" in text or _NUL_ESCAPE.search(text):
                return (
                    f"refused: {path} has a NUL character (U+0000) in a string; OPA's Wasm runtime cuts "
                    "strings at NUL when matching, so its decision could differ. Use --engine opa."
                )
        return None

    # -- build
    def _key(self, modules: dict[str, str], entrypoint: str) -> str:
        binary = find_opa(self.opa_path) or ""
        h = hashlib.sha256()
        for part in (_CACHE_FORMAT, repr(opa_version(binary)), entrypoint):
            h.update(part.encode() + b"\0")
        for path, text in sorted(modules.items()):
            h.update(path.encode() + b"\0" + text.encode("utf-8") + b"\0")
        return h.hexdigest()

    def _build_wasm(self, modules: dict[str, str], entrypoint: str) -> bytes:
        binary = find_opa(self.opa_path)
        assert binary is not None
        target = entrypoint[len("data.") :].replace(".", "/")
        with procs.OwnedTempDir("iam2rego-wasm-") as tmp:
            root = Path(tmp) / "modules"
            for rel, text in modules.items():
                f = root / rel
                f.parent.mkdir(parents=True, exist_ok=True)
                f.write_text(text, encoding="utf-8")
            out = Path(tmp) / "bundle.tar.gz"
            cmd = [binary, "build", "-t", "wasm", "-e", target, "-o", str(out), str(root)]
            try:
                proc = procs.run(cmd, self.timeout)
            except subprocess.TimeoutExpired:
                raise EngineError(self.name, f"opa build did not finish within {self.timeout:g} s") from None
            except OSError as exc:
                raise EngineError(self.name, f"cannot start {binary}: {exc}") from None
            if proc.returncode != 0:
                detail = (proc.stderr.strip() or proc.stdout.strip()).replace(f"{root}/", "")[:1500]
                raise EngineError(self.name, f"opa build -t wasm rejected the modules: {detail}")
            with tarfile.open(out) as tar:
                member = tar.extractfile("/policy.wasm")
                if member is None:
                    raise EngineError(self.name, "opa build produced no policy.wasm")
                return member.read()

    def _module(self, modules: dict[str, str], entrypoint: str) -> tuple[Any, Any]:
        """(wasmtime Engine, compiled Module) for these modules, from the caches or built now."""
        import wasmtime

        shipped = shipped_module(modules, entrypoint)
        if shipped is None:
            problem = self._opa_problem()
            if problem is not None:
                names = ", ".join(sorted(shipped_manifests())) or "none"
                raise EngineError(
                    self.name,
                    f"{problem}; and no Wasm module shipped with iam2rego (shipped: {names}) was built from "
                    "these modules",
                )
            key = self._key(modules, entrypoint)
        else:
            key = hashlib.sha256(
                f"{_CACHE_FORMAT}\0shipped\0{shipped[0]}\0".encode() + shipped[1]
            ).hexdigest()
        with _memo_lock:
            if key in _memo:
                return _memo[key]
        config = wasmtime.Config()
        config.epoch_interruption = True
        engine = wasmtime.Engine(config)
        directory = cache_dir()
        native = directory / f"{key}.cwasm"
        module = None
        serialized = cache_read(native)  # authenticated: wasmtime runs a .cwasm as native code
        if serialized is not None:
            try:
                module = wasmtime.Module.deserialize(engine, serialized)
            except Exception:  # another wasmtime version or a torn file: rebuild it
                module = None
        if module is None:
            source = directory / f"{key}.wasm"
            cached = None if shipped is not None else cache_read(source)
            if shipped is not None:
                blob = shipped[1]
            elif cached is not None:
                blob = cached
            else:
                blob = self._build_wasm(modules, entrypoint)
            try:
                module = wasmtime.Module(engine, blob)
            except wasmtime.WasmtimeError as exc:
                raise EngineError(
                    self.name, f"opa build produced a policy.wasm that is not WebAssembly: {str(exc)[:200]}"
                ) from None
            try:
                directory.mkdir(parents=True, exist_ok=True)
                written: list[tuple[Path, bytes]] = [(native, bytes(module.serialize()))]
                if shipped is None:  # a shipped module is in the package already
                    written.append((source, blob))
                for path, content in written:
                    cache_write(path, content)
            except OSError:
                pass  # a read-only home: no disk cache, still correct
        with _memo_lock:
            _memo[key] = (engine, module)
        return engine, module

    # -- evaluate
    def _evaluate(
        self, modules: dict[str, str], entrypoint: str, inputs: list[dict], data: dict | None
    ) -> list[object]:
        for what, value in (("an input", inputs), ("the data", data)):
            if any("\0" in s for s in faithful.json_strings(value)):
                raise EngineError(
                    self.name,
                    f"refused: {what} string has a NUL character (U+0000); OPA's Wasm runtime cuts strings at "
                    "NUL when matching, so its decision could differ. Use --engine opa.",
                )
        engine, module = self._module(in_opa_order(modules), entrypoint)
        timer = threading.Timer(self.timeout, engine.increment_epoch)
        timer.daemon = True
        timer.start()
        try:
            return self._run_interruptible(engine, module, entrypoint, inputs, data or {})
        finally:
            timer.cancel()

    def _run_interruptible(
        self, engine: Any, module: Any, entrypoint: str, inputs: list[dict], data: dict
    ) -> list[object]:
        """:meth:`_run` in a worker thread: a Python signal handler (SIGTERM, SIGINT) runs only in the
        main thread between bytecodes, never inside a Wasm call, so the main thread waits and, when a
        signal handler raises, interrupts the Wasm code through the engine's epoch and re-raises."""
        outcome: list[tuple[str, object]] = []
        done = threading.Event()  # not Thread.is_alive: an interrupted join() marks the thread stopped

        def work() -> None:
            try:
                outcome.append(("ok", self._run(engine, module, entrypoint, inputs, data)))
            except BaseException as exc:  # handed to the main thread
                outcome.append(("error", exc))
            finally:
                done.set()

        threading.Thread(target=work, name="iam2rego-wasm", daemon=True).start()
        try:
            while not done.wait(0.1):
                pass
        except BaseException:
            while not done.is_set():  # the trap lands at the next epoch check
                engine.increment_epoch()
                done.wait(0.05)
            raise
        [(kind, value)] = outcome
        if kind == "error":
            raise cast(BaseException, value)
        return cast(list[object], value)

    def _run(self, engine: Any, module: Any, entrypoint: str, inputs: list[dict], data: dict) -> list[object]:
        import wasmtime

        where = "loading the module"
        policy = None
        try:
            policy = OpaWasmPolicy(module, engine, self.max_memory_bytes)
            missing = policy.missing_builtins()
            if missing:
                raise EngineError(
                    self.name,
                    f"the modules need builtins this Wasm host does not provide: {', '.join(missing)}. "
                    "Use --engine opa or --engine docker.",
                )
            target = entrypoint[len("data.") :].replace(".", "/")
            if target not in policy.entrypoints:
                raise EngineError(self.name, f"{entrypoint} is not an entrypoint of the Wasm module")
            ep = policy.entrypoints[target]
            where = "checking the strings"
            for what, doc in (("the data", data), ("an input", inputs)):
                for key, text in _keyed_strings(doc):
                    if policy.lenient_json(text, scalars=_document_key(key)):
                        raise EngineError(
                            self.name,
                            f"refused: {what} holds the string {json.dumps(text[:60])}, which is not JSON but "
                            "which OPA's Wasm runtime would read as JSON (json.is_valid/json.unmarshal accept "
                            "trailing data, leading zeros and trailing commas there, not in OPA). "
                            "Use --engine opa.",
                        )
            where = "loading the data document"
            policy.set_data(_utf8(self.name, data, "data"))
            results: list[object] = []
            for index, item in enumerate(inputs):
                where = f"input #{index}"
                defined, value = decode_result(policy.eval_raw(ep, _utf8(self.name, item, f"input #{index}")))
                results.append(value if defined else None)
            return results
        except EngineError:
            raise
        except HostBuiltinError as exc:
            raise EngineError(
                self.name, f"cannot evaluate {entrypoint} faithfully ({where}): {exc}. Use --engine opa."
            ) from None
        except wasmtime.Trap as exc:
            if "interrupt" in str(exc):
                raise EngineError(
                    self.name, f"{entrypoint} did not finish within {self.timeout:g} s (see --timeout)"
                ) from None
            raise EngineError(self.name, f"the Wasm module trapped ({where}): {str(exc)[:300]}") from None
        except (ValueError, RecursionError, UnicodeDecodeError) as exc:
            raise EngineError(self.name, f"unreadable result from the Wasm module ({where}): {exc}") from None
        except (TypeError, AttributeError) as exc:  # an export of the wrong kind or signature
            raise EngineError(self.name, f"not an OPA Wasm module ({where}): {str(exc)[:200]}") from None
        except wasmtime.WasmtimeError as exc:
            raise EngineError(self.name, f"wasmtime failed ({where}): {str(exc)[:300]}") from None
        finally:
            if policy is not None:
                policy.close()  # the linear memory (480 MB for a 10,000-resource plan) goes now


def _utf8(engine: str, value: object, what: str) -> bytes:
    try:
        return json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise EngineError(
            engine, f"the {what} holds a lone UTF-16 surrogate, which is not text; OPA would replace it"
        ) from None
