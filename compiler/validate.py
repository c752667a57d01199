"""JSON IR -> policy IR, with every validation of SEMANTICS §4.2 (errors ``V-*``).

``parse_policy`` collects all errors of a document in one pass (it does not stop at the first one)
and returns ``(None, diagnostics)`` when any error was found. Codes:

=============  ===========================================================================
V-JSON         strict RFC 8259 syntax (named: trailing comma, extra data, comment, ...)
V-LIMIT        input > 1 MiB, nesting > 64, or > 2,000 statements (lower.py LIMITS, docs/LIMITS.md)
V-DUP          duplicate member name in any object
V-TOP          top level: object with members ⊆ {Version, Id, Statement}; Statement present
V-STMT         statement: object with members ⊆ the nine statement elements
V-EFFECT       Effect present and exactly "Allow" / "Deny"
V-ACTION       exactly one of Action/NotAction; "*" or "prefix:name"
V-RESOURCE     exactly one of Resource/NotResource; "*" or an ARN with 6 parts, no wildcard service
V-PRINCIPAL    Principal/NotPrincipal forbidden (identity, boundary, session, SCP) or required
               (resource: "*" or {AWS|Service|Federated|CanonicalUser: ...}; RCP: exactly "*")
V-COND         operator known (§6.1), qualifier/IfExists well-formed; key -> scalar(s)
V-SID          Sid characters (IAM kinds: A-Z a-z 0-9) and uniqueness
V-VAR          ``${`` in a Resource ARN before the resource part; ``${`` without ``}``
V-SIZE         AWS size quotas (warning unless ``enforce_size``)
V-CHARS        characters outside TAB/LF/CR/U+0020-U+00FF (IAM API kinds only)
=============  ===========================================================================

Warnings emitted here: ``W-VERSION-MISSING`` (no Version: variables disabled),
``W-TRAILING-DATA`` (``lenient_json``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from . import codes
from .diagnostics import Diagnostic, Severity, Span, sort_diagnostics
from .ir import (
    VERSION_2008,
    VERSION_2012,
    ActionBlock,
    Condition,
    ConditionValue,
    Effect,
    JArray,
    JBool,
    JMember,
    JNull,
    JNumber,
    JObject,
    JString,
    JValue,
    Policy,
    PolicyKind,
    PrincipalBlock,
    PrincipalEntry,
    ResourceBlock,
    Statement,
    Text,
)
from .lower import DEFAULT_LIMITS, Limits, lower_text

# Every error code the front end emits (titles from the one registry, iam2rego.codes).
ERROR_CODES: dict[str, str] = {
    c.id: c.title for fam in ("IO", "V") for c in codes.family(fam) if c.id not in ("IO-LIMIT", "V-UNKNOWN")
}

TOP_MEMBERS = ("Version", "Id", "Statement")
STATEMENT_MEMBERS = (
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
)
PRINCIPAL_TYPES = ("AWS", "Service", "Federated", "CanonicalUser")

# SEMANTICS §6.1: canonical base operator names.
OPERATORS: frozenset[str] = frozenset(
    {
        "StringEquals",
        "StringNotEquals",
        "StringEqualsIgnoreCase",
        "StringNotEqualsIgnoreCase",
        "StringLike",
        "StringNotLike",
        "NumericEquals",
        "NumericNotEquals",
        "NumericLessThan",
        "NumericLessThanEquals",
        "NumericGreaterThan",
        "NumericGreaterThanEquals",
        "DateEquals",
        "DateNotEquals",
        "DateLessThan",
        "DateLessThanEquals",
        "DateGreaterThan",
        "DateGreaterThanEquals",
        "Bool",
        "BinaryEquals",
        "IpAddress",
        "NotIpAddress",
        "ArnEquals",
        "ArnLike",
        "ArnNotEquals",
        "ArnNotLike",
        "Null",
    }
)
QUALIFIERS = ("ForAllValues", "ForAnyValue")
_OPERATORS_LOWER = {op.lower(): op for op in OPERATORS}
VARIABLE_OPERATOR_PREFIXES = ("String", "Arn")  # §4.5: variables only in String and ARN values

# Size quotas (SEMANTICS §4.2 V-SIZE): (limit, counts whitespace?, unit, what)
SIZE_QUOTAS: dict[PolicyKind, tuple[int, bool, str]] = {
    PolicyKind.IDENTITY: (6_144, False, "managed policy: 6,144 characters, whitespace not counted"),
    PolicyKind.BOUNDARY: (6_144, False, "managed policy: 6,144 characters, whitespace not counted"),
    PolicyKind.SESSION: (2_048, False, "session policy: 2,048 characters"),
    PolicyKind.SCP: (5_120, True, "SCP: 5,120 characters, all characters counted"),
    PolicyKind.RCP: (5_120, True, "RCP: 5,120 characters, all characters counted"),
    PolicyKind.RESOURCE: (20_480, True, "DynamoDB resource-based policy: 20 KB including whitespace"),
}
# The IAM/STS APIs validate PolicyDocument against [\u0009\u000A\u000D\u0020-\u00FF]+ (IAM quotas
# page; CreatePolicy/PutUserPolicy/AssumeRole API references). Organizations and DynamoDB do not
# document that pattern, so V-CHARS applies to the kinds that go through IAM or STS only.
CHARSET_KINDS = frozenset({PolicyKind.IDENTITY, PolicyKind.BOUNDARY, PolicyKind.SESSION})
_BAD_CHARS = re.compile(r"[^\t\n\r\u0020-\u00ff]")
_MAX_CHAR_DIAGS = 10
_SID_RE = re.compile(r"[A-Za-z0-9]*")
_ACTION_RE = re.compile(r"([A-Za-z0-9.-]+):([^:\s]+)")
_WS = re.compile(r"[ \t\n\r]+")


@dataclass(frozen=True, slots=True)
class ValidateOptions:
    kind: PolicyKind = PolicyKind.IDENTITY
    lenient_json: bool = False
    enforce_size: bool = False
    limits: Limits = DEFAULT_LIMITS


# --------------------------------------------------------------------------- public API


def parse_policy(
    text: str,
    path: str,
    kind: PolicyKind | str = PolicyKind.IDENTITY,
    *,
    lenient_json: bool = False,
    name: str | None = None,
    enforce_size: bool = False,
    limits: Limits = DEFAULT_LIMITS,
) -> tuple[Policy | None, list[Diagnostic]]:
    """Parse and validate one policy document. Never raises for bad input: problems are diagnostics."""
    kind = PolicyKind(kind) if isinstance(kind, str) else kind
    opts = ValidateOptions(kind, lenient_json, enforce_size, limits)
    diags: list[Diagnostic] = []
    if kind in CHARSET_KINDS:
        diags += _check_chars(text, path)
    root, json_diags = lower_text(text, path, lenient=lenient_json, limits=limits)
    diags += json_diags
    if root is None:
        return None, sort_diagnostics(diags)
    v = _Validator(path, opts)
    diags += _check_duplicates(root, path)
    diags += _check_size(text, path, opts)
    policy = v.policy(root, name if name is not None else default_name(path))
    diags += v.diags
    if any(d.severity is Severity.ERROR for d in diags):
        policy = None
    return policy, sort_diagnostics(diags)


def load_policy(
    path: str,
    kind: PolicyKind | str = PolicyKind.IDENTITY,
    *,
    lenient_json: bool = False,
    name: str | None = None,
    enforce_size: bool = False,
    limits: Limits = DEFAULT_LIMITS,
) -> tuple[Policy | None, list[Diagnostic]]:
    """Read ``path`` (``-`` = stdin) and parse it. IO and decoding problems are ``IO001`` diagnostics."""
    text, diags = read_source(path)
    if text is None:
        return None, diags
    return parse_policy(
        text, path, kind, lenient_json=lenient_json, name=name, enforce_size=enforce_size, limits=limits
    )


def read_source(path: str) -> tuple[str | None, list[Diagnostic]]:
    """The file's text (UTF-8), or ``None`` and an ``IO001``/``IO-LIMIT`` diagnostic (bounded read:
    devices, FIFOs and oversized files are refused before reading, see :mod:`iam2rego.bounded`)."""
    from . import bounded

    try:
        return bounded.read_text(path, "policy", bounded.POLICY), []
    except bounded.InputError as exc:
        return None, [exc.diagnostic]


def default_name(path: str) -> str:
    return "stdin" if path == "-" else Path(path).stem


# --------------------------------------------------------------------------- document-wide checks


def _check_chars(text: str, path: str) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for m in _BAD_CHARS.finditer(text):
        if len(out) >= _MAX_CHAR_DIAGS:
            break
        line = text.count("\n", 0, m.start()) + 1
        col = m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1
        out.append(
            Diagnostic(
                "V-CHARS",
                Severity.ERROR,
                f"character U+{ord(m.group()):04X} is not allowed in IAM policy documents",
                path,
                Span(line, col, line, col + 1, m.start(), m.start() + 1),
                "IAM accepts only TAB, LF, CR and U+0020-U+00FF; write other characters as \\uXXXX escapes",
                (("char", f"U+{ord(m.group()):04X}"),),
            )
        )
    return out


def _check_size(text: str, path: str, opts: ValidateOptions) -> list[Diagnostic]:
    limit, counts_ws, what = SIZE_QUOTAS[opts.kind]
    if opts.kind is PolicyKind.RESOURCE:
        size = len(text.encode("utf-8", "surrogatepass"))  # a lone surrogate counts, never raises
    else:
        size = len(text) if counts_ws else len(_WS.sub("", text))
    if size <= limit:
        return []
    severity = Severity.ERROR if opts.enforce_size else Severity.WARNING
    return [
        Diagnostic(
            "V-SIZE",
            severity,
            f"policy is {size:,} {'bytes' if opts.kind is PolicyKind.RESOURCE else 'characters'}; "
            f"the AWS limit is {limit:,} ({what})",
            path,
            Span(1, 1, 1, 2, 0, 1),
            "split the policy or remove unneeded statements",
            (("size", str(size)), ("limit", str(limit))),
        )
    ]


def _objects(value: JValue) -> Iterator[JObject]:
    stack: list[JValue] = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, JObject):
            yield v
            stack.extend(m.value for m in v.members)
        elif isinstance(v, JArray):
            stack.extend(v.items)


def _check_duplicates(root: JValue, path: str) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for obj in _objects(root):
        seen: dict[str, JString] = {}
        for m in obj.members:
            first = seen.get(m.key.value)
            if first is None:
                seen[m.key.value] = m.key
                continue
            out.append(
                Diagnostic(
                    "V-DUP",
                    Severity.ERROR,
                    f"duplicate member {m.key.value!r} (first at {first.span.location()})",
                    path,
                    m.key.span,
                    "IAM rejects documents with the same key twice in one object; merge the values",
                    (("name", m.key.value),),
                )
            )
    return out


# --------------------------------------------------------------------------- the validator


def _type_name(v: JValue) -> str:
    return {
        JString: "a string",
        JNumber: "a number",
        JBool: "a boolean",
        JNull: "null",
        JObject: "an object",
        JArray: "an array",
    }[type(v)]


class _Validator:
    def __init__(self, path: str, opts: ValidateOptions):
        self.path = path
        self.opts = opts
        self.kind = opts.kind
        self.diags: list[Diagnostic] = []
        self.variables = False

    def error(self, code: str, message: str, span: Span, hint: str | None = None, **data: str) -> None:
        self.diags.append(
            Diagnostic(code, Severity.ERROR, message, self.path, span, hint, tuple(sorted(data.items())))
        )

    def warn(self, code: str, message: str, span: Span, hint: str | None = None, **data: str) -> None:
        self.diags.append(
            Diagnostic(code, Severity.WARNING, message, self.path, span, hint, tuple(sorted(data.items())))
        )

    # ---------------------------------------------------------------- top level

    def policy(self, root: JValue, name: str) -> Policy | None:
        if not isinstance(root, JObject):
            self.error(
                "V-TOP",
                f"a policy must be a JSON object, not {_type_name(root)}",
                root.span,
                "wrap it: {...}",
            )
            return None
        for m in root.members:
            if m.key.value not in TOP_MEMBERS:
                self.error(
                    "V-TOP",
                    f"unknown top-level element {m.key.value!r}",
                    m.key.span,
                    _suggest(m.key.value, TOP_MEMBERS),
                    name=m.key.value,
                )
        version = self._version(root)
        self.variables = version is not None and version.value == VERSION_2012
        policy_id = self._string_member(root, "Id", "V-TOP")
        statements = self._statements(root)
        if statements is None:
            return None
        self._check_sid_uniqueness(statements)
        return Policy(self.path, name, self.kind, version, policy_id, tuple(statements), root.span)

    def _version(self, root: JObject) -> Text | None:
        member = root.get("Version")
        if member is None:
            self.warn(
                "W-VERSION-MISSING",
                "no Version: AWS applies the 2008-10-17 rules (policy variables are literal text)",
                _first_char(root.span),
                'add "Version": "2012-10-17" (IAM managed-policy APIs reject documents without it)',
            )
            return None
        v = member.value
        if not isinstance(v, JString):
            self.error("V-TOP", f"Version must be a string, not {_type_name(v)}", v.span, 'use "2012-10-17"')
            return None
        if v.value not in (VERSION_2012, VERSION_2008):
            self.error("V-TOP", f"unknown Version {v.value!r}", v.span, 'use "2012-10-17" (or "2008-10-17")')
            return None
        return Text(v.value, v.span)

    def _string_member(self, obj: JObject, key: str, code: str) -> Text | None:
        member = obj.get(key)
        if member is None:
            return None
        if not isinstance(member.value, JString):
            self.error(code, f"{key} must be a string, not {_type_name(member.value)}", member.value.span)
            return None
        return Text(member.value.value, member.value.span)

    def _statements(self, root: JObject) -> list[Statement] | None:
        member = root.get("Statement")
        if member is None:
            self.error(
                "V-TOP", "the policy has no Statement", _first_char(root.span), 'add "Statement": [...]'
            )
            return None
        value = member.value
        if isinstance(value, JObject):
            items: tuple[JValue, ...] = (value,)
        elif isinstance(value, JArray):
            items = value.items
            if not items:
                self.error("V-TOP", "Statement is an empty array", value.span, "add at least one statement")
                return None
            if len(items) > self.opts.limits.max_statements:
                self.error(
                    "V-LIMIT",
                    f"{len(items):,} statements; the limit is {self.opts.limits.max_statements:,}",
                    _first_char(value.span),
                    "AWS policies hold at most a few hundred statements; is this the right file?",
                    limit="max_statements",
                )
                return None
        else:
            self.error(
                "V-TOP",
                f"Statement must be an object or an array of objects, not {_type_name(value)}",
                value.span,
            )
            return None
        out: list[Statement] = []
        ok = True
        for index, item in enumerate(items):
            st = self._statement(index, item)
            if st is None:
                ok = False
            else:
                out.append(st)
        return out if ok else None

    def _check_sid_uniqueness(self, statements: list[Statement]) -> None:
        seen: dict[str, Text] = {}
        for st in statements:
            if st.sid is None or st.sid.value == "":
                continue
            first = seen.get(st.sid.value)
            if first is None:
                seen[st.sid.value] = st.sid
                continue
            self.error(
                "V-SID",
                f"duplicate Sid {st.sid.value!r} (first at {first.span.location()})",
                st.sid.span,
                "Sids must be unique within a policy",
                sid=st.sid.value,
            )

    # ---------------------------------------------------------------- one statement

    def _statement(self, index: int, item: JValue) -> Statement | None:
        if not isinstance(item, JObject):
            self.error("V-STMT", f"a statement must be an object, not {_type_name(item)}", item.span)
            return None
        before = len(self.diags)
        for m in item.members:
            if m.key.value not in STATEMENT_MEMBERS:
                self.error(
                    "V-STMT",
                    f"unknown statement element {m.key.value!r}",
                    m.key.span,
                    _suggest(m.key.value, STATEMENT_MEMBERS),
                    name=m.key.value,
                )
        sid = self._sid(item)
        effect = self._effect(item)
        action = self._actions(item)
        resource = self._resources(item)
        principal = self._principal(item, effect[0] if effect else None)
        conditions = self._conditions(item)
        if len(self.diags) != before and any(d.severity is Severity.ERROR for d in self.diags[before:]):
            return None
        if effect is None or action is None or resource is None or conditions is None:
            return None
        return Statement(index, sid, effect[0], effect[1], action, resource, principal, conditions, item.span)

    def _sid(self, st: JObject) -> Text | None:
        member = st.get("Sid")
        if member is None:
            return None
        v = member.value
        if not isinstance(v, JString):
            self.error("V-SID", f"Sid must be a string, not {_type_name(v)}", v.span)
            return None
        if self.kind is not PolicyKind.RESOURCE and _SID_RE.fullmatch(v.value) is None:
            self.error(
                "V-SID",
                f"Sid {v.value!r} has characters other than A-Z, a-z, 0-9",
                v.span,
                "IAM Sids allow only ASCII letters and digits",
                sid=v.value,
            )
        return Text(v.value, v.span)

    def _effect(self, st: JObject) -> tuple[Effect, Span] | None:
        member = st.get("Effect")
        if member is None:
            self.error(
                "V-EFFECT", "statement has no Effect", _first_char(st.span), 'add "Effect": "Allow" or "Deny"'
            )
            return None
        v = member.value
        if not isinstance(v, JString):
            self.error("V-EFFECT", f"Effect must be a string, not {_type_name(v)}", v.span)
            return None
        if v.value == "Allow":
            return Effect.ALLOW, v.span
        if v.value == "Deny":
            return Effect.DENY, v.span
        hint = (
            f'Effect is case-sensitive: write "{v.value.capitalize()}"'
            if v.value.lower() in ("allow", "deny")
            else 'use "Allow" or "Deny"'
        )
        self.error("V-EFFECT", f"invalid Effect {v.value!r}", v.span, hint, effect=v.value)
        return None

    def _either(
        self, st: JObject, plain: str, negated: str, code: str, required: bool
    ) -> JMember | bool | None:
        a, b = st.get(plain), st.get(negated)
        if a is not None and b is not None:
            self.error(
                code,
                f"statement has both {plain} and {negated}",
                b.key.span,
                f"keep only one of {plain}/{negated}",
            )
            return False
        if a is None and b is None:
            if required:
                self.error(
                    code,
                    f"statement has neither {plain} nor {negated}",
                    _first_char(st.span),
                    f'add "{plain}": ...',
                )
                return False
            return None
        return a if a is not None else b

    def _string_list(self, member: JMember, code: str) -> list[JString] | None:
        v = member.value
        if isinstance(v, JString):
            return [v]
        if isinstance(v, JArray):
            if not v.items:
                self.error(code, f"{member.key.value} is an empty array", v.span, "list at least one value")
                return None
            out: list[JString] = []
            ok = True
            for item in v.items:
                if isinstance(item, JString):
                    out.append(item)
                else:
                    self.error(
                        code, f"{member.key.value} entries must be strings, not {_type_name(item)}", item.span
                    )
                    ok = False
            return out if ok else None
        self.error(
            code, f"{member.key.value} must be a string or an array of strings, not {_type_name(v)}", v.span
        )
        return None

    def _actions(self, st: JObject) -> ActionBlock | None:
        member = self._either(st, "Action", "NotAction", "V-ACTION", True)
        if not isinstance(member, JMember):
            return None
        items = self._string_list(member, "V-ACTION")
        if items is None:
            return None
        ok = True
        for s in items:
            ok = self._action_ok(s) and ok
        if not ok:
            return None
        texts = tuple(Text(s.value, s.span) for s in items)
        return ActionBlock(member.key.value == "NotAction", texts, member.span)

    def _action_ok(self, s: JString) -> bool:
        value = s.value
        if value == "*":
            return True
        if ":" not in value:
            self.error(
                "V-ACTION",
                f"action {value!r} has no service prefix",
                s.span,
                'write "service:Action", e.g. "dynamodb:CreateBackup"',
                action=value,
            )
            return False
        if value.count(":") > 1:
            self.error(
                "V-ACTION",
                f"action {value!r} has more than one ':'",
                s.span,
                'write "service:Action"',
                action=value,
            )
            return False
        prefix, _, name_ = value.partition(":")
        if "*" in prefix or "?" in prefix:
            self.error(
                "V-ACTION",
                f"service prefix {prefix!r} cannot contain wildcards",
                s.span,
                'use "*" alone for every action of every service',
                action=value,
            )
            return False
        if _ACTION_RE.fullmatch(value) is None:
            what = (
                "empty action name"
                if not name_
                else (
                    "invalid service prefix"
                    if not re.fullmatch(r"[A-Za-z0-9.-]+", prefix)
                    else "invalid action name"
                )
            )
            self.error(
                "V-ACTION",
                f"{what} in {value!r}",
                s.span,
                "prefix: letters, digits, '.', '-'; name: no spaces",
                action=value,
            )
            return False
        return True

    def _resources(self, st: JObject) -> ResourceBlock | None:
        optional = self.kind in (PolicyKind.SCP, PolicyKind.RCP)
        member = self._either(st, "Resource", "NotResource", "V-RESOURCE", not optional)
        if member is None:  # SCP/RCP statement without Resource: applies to every resource ("*").
            return ResourceBlock(False, (Text("*", st.span),), st.span)
        if member is False or not isinstance(member, JMember):
            return None
        items = self._string_list(member, "V-RESOURCE")
        if items is None:
            return None
        ok = True
        for s in items:
            ok = self._resource_ok(s) and ok
        if not ok:
            return None
        return ResourceBlock(
            member.key.value == "NotResource", tuple(Text(s.value, s.span) for s in items), member.span
        )

    def _resource_ok(self, s: JString) -> bool:
        value = s.value
        if value == "*":
            return True
        if not self._variables_ok(s, in_arn=True):
            return False
        parts = _split_arn(value)
        if parts is None or parts[0] != "arn":
            self.error(
                "V-RESOURCE",
                f'resource {value[:80]!r} is not an ARN or "*"',
                s.span,
                "write arn:partition:service:region:account:resource",
                resource=value,
            )
            return False
        service = parts[2]
        if not service or "*" in service or "?" in service:
            self.error(
                "V-RESOURCE",
                f"the service segment {service!r} of {value[:80]!r} must be a literal service name",
                s.span,
                "wildcards are not allowed in the service part of a Resource ARN",
                resource=value,
            )
            return False
        return True

    def _variables_ok(self, s: JString, *, in_arn: bool) -> bool:
        """§4.5: ``${`` before the resource part, or ``${`` without ``}`` (2012-10-17 only)."""
        if not self.variables or "${" not in s.value:
            return True
        value = s.value
        colons = 0
        i = 0
        while i < len(value):
            if value.startswith("${", i):
                end = value.find("}", i + 2)
                if end < 0:
                    self.error(
                        "V-VAR",
                        "policy variable '${' without a closing '}'",
                        s.span,
                        "write ${name}, or ${$} for a literal '$'",
                        value=value,
                    )
                    return False
                if end == i + 2:
                    self.error("V-VAR", "empty policy variable '${}'", s.span, "write ${name}", value=value)
                    return False
                if in_arn and colons < 5:
                    self.error(
                        "V-VAR",
                        "policy variables are allowed only in the resource part of an ARN (after the 5th ':')",
                        s.span,
                        "move the variable into the resource part, e.g. table/${aws:username}",
                        value=value,
                    )
                    return False
                i = end + 1
                continue
            if value[i] == ":":
                colons += 1
            i += 1
        return True

    def _principal(self, st: JObject, effect: Effect | None) -> PrincipalBlock | None:
        member = self._either_principal(st)
        if member is None:
            return None
        negated = member.key.value == "NotPrincipal"
        if negated and effect is Effect.ALLOW:
            self.error("V-PRINCIPAL", "NotPrincipal can only be used with Effect Deny", member.key.span)
            return None
        entries = self._principal_entries(member)
        if entries is None:
            return None
        if self.kind is PolicyKind.RCP and [(e.kind, e.value.value) for e in entries] not in (
            [("*", "*")],
            [("AWS", "*")],
        ):
            self.error(
                "V-PRINCIPAL",
                'an RCP Principal must be "*"',
                member.value.span,
                'write "Principal": "*" and narrow with conditions',
            )
            return None
        return PrincipalBlock(negated, tuple(entries), member.span)

    def _either_principal(self, st: JObject) -> JMember | None:
        a, b = st.get("Principal"), st.get("NotPrincipal")
        if self.kind in (PolicyKind.RESOURCE, PolicyKind.RCP):
            if self.kind is PolicyKind.RCP and b is not None:
                self.error(
                    "V-PRINCIPAL",
                    "RCPs do not support NotPrincipal",
                    b.key.span,
                    'use "Principal": "*" with conditions',
                )
                return None
            member = self._either(st, "Principal", "NotPrincipal", "V-PRINCIPAL", True)
            return member if isinstance(member, JMember) else None
        for m in (a, b):
            if m is not None:
                self.error(
                    "V-PRINCIPAL",
                    f"{m.key.value} is not allowed in a{'n' if self.kind.value[0] in 'aeiou' else ''} {self.kind.value} policy",
                    m.key.span,
                    "Principal belongs in resource-based policies; identity-type policies apply to whoever they are attached to",
                    kind=self.kind.value,
                )
        return None

    def _principal_entries(self, member: JMember) -> list[PrincipalEntry] | None:
        v = member.value
        if isinstance(v, JString):
            if v.value != "*":
                self.error(
                    "V-PRINCIPAL",
                    f'Principal string must be "*", not {v.value[:60]!r}',
                    v.span,
                    'write {"AWS": "arn:..."}',
                )
                return None
            return [PrincipalEntry("*", Text("*", v.span))]
        if not isinstance(v, JObject):
            self.error("V-PRINCIPAL", f'Principal must be "*" or an object, not {_type_name(v)}', v.span)
            return None
        if not v.members:
            self.error(
                "V-PRINCIPAL",
                "Principal is an empty object",
                v.span,
                'add e.g. "AWS": "arn:aws:iam::123456789012:root"',
            )
            return None
        out: list[PrincipalEntry] = []
        ok = True
        for m in v.members:
            if m.key.value not in PRINCIPAL_TYPES:
                self.error(
                    "V-PRINCIPAL",
                    f"unknown principal type {m.key.value!r}",
                    m.key.span,
                    _suggest(m.key.value, PRINCIPAL_TYPES),
                )
                ok = False
                continue
            values = self._string_list(m, "V-PRINCIPAL")
            if values is None:
                ok = False
                continue
            out += [PrincipalEntry(m.key.value, Text(s.value, s.span)) for s in values]
        return out if ok else None

    # ---------------------------------------------------------------- conditions

    def _conditions(self, st: JObject) -> tuple[Condition, ...] | None:
        member = st.get("Condition")
        if member is None:
            return ()
        block = member.value
        if not isinstance(block, JObject):
            self.error(
                "V-COND",
                f"Condition must be an object, not {_type_name(block)}",
                block.span,
                '{"StringEquals": {"aws:RequestedRegion": "us-east-1"}}',
            )
            return None
        out: list[Condition] = []
        ok = True
        for op_member in block.members:
            parsed = self._operator(op_member.key)
            keys = op_member.value
            if not isinstance(keys, JObject):
                self.error(
                    "V-COND",
                    f"the value of {op_member.key.value!r} must be an object of condition keys, not {_type_name(keys)}",
                    keys.span,
                )
                ok = False
                continue
            if parsed is None:
                ok = False
                continue
            base, qualifier, if_exists = parsed
            for key_member in keys.members:
                cond = self._condition(op_member, key_member, base, qualifier, if_exists)
                if cond is None:
                    ok = False
                else:
                    out.append(cond)
        return tuple(out) if ok else None

    def _operator(self, op: JString) -> tuple[str, str, bool] | None:
        text = op.value
        qualifier = ""
        rest = text
        if ":" in text:
            qualifier, _, rest = text.partition(":")
            if qualifier not in QUALIFIERS:
                hint: str | None = (
                    _suggest(qualifier, QUALIFIERS) or "the only prefixes are ForAllValues: and ForAnyValue:"
                )
                self.error(
                    "V-COND", f"unknown set operator prefix {qualifier + ':'!r}", op.span, hint, operator=text
                )
                return None
        if_exists = rest.endswith("IfExists")
        base = rest[: -len("IfExists")] if if_exists else rest
        if base not in OPERATORS:
            canon = _OPERATORS_LOWER.get(base.lower())
            hint = (
                f"operator names are case-sensitive: write {canon!r}"
                if canon
                else _suggest(base, tuple(OPERATORS))
            )
            self.error("V-COND", f"unknown condition operator {text!r}", op.span, hint, operator=text)
            return None
        if base == "Null" and if_exists:
            self.error(
                "V-COND", "the Null operator takes no IfExists suffix", op.span, 'use "Null"', operator=text
            )
            return None
        return base, qualifier, if_exists

    def _condition(
        self, op_member: JMember, key_member: JMember, base: str, qualifier: str, if_exists: bool
    ) -> Condition | None:
        key = key_member.key
        if not key.value:
            self.error("V-COND", "empty condition key", key.span)
            return None
        raw = key_member.value
        items: tuple[JValue, ...] = raw.items if isinstance(raw, JArray) else (raw,)
        values: list[ConditionValue] = []
        ok = True
        for item in items:
            cv = _condition_value(item)
            if cv is None:
                where = "in the value array of" if isinstance(raw, JArray) else "as the value of"
                self.error(
                    "V-COND",
                    f"{_type_name(item)} is not allowed {where} condition key {key.value!r}",
                    item.span,
                    "condition values are strings, numbers or booleans",
                    key=key.value,
                )
                ok = False
                continue
            if isinstance(item, JString) and base.startswith(VARIABLE_OPERATOR_PREFIXES):
                ok = self._variables_ok(item, in_arn=False) and ok
            values.append(cv)
        if not ok:
            return None
        return Condition(
            Text(op_member.key.value, op_member.key.span),
            base,
            qualifier,
            if_exists,
            Text(key.value, key.span),
            tuple(values),
            key_member.span,
        )


def _condition_value(item: JValue) -> ConditionValue | None:
    if isinstance(item, JString):
        return ConditionValue(item.value, "string", item.span)
    if isinstance(item, JBool):
        return ConditionValue("true" if item.value else "false", "boolean", item.span)
    if isinstance(item, JNumber):
        return ConditionValue(item.text, "number", item.span)
    return None


def _split_arn(value: str) -> list[str] | None:
    """Six ARN parts, not splitting inside ``${...}`` (a variable name may contain ':')."""
    if "${" not in value:  # fast path, same result: at most five splits
        fast = value.split(":", 5)
        return fast if len(fast) == 6 else None
    parts: list[str] = []
    cur: list[str] = []
    i = 0
    while i < len(value):
        if value.startswith("${", i):
            end = value.find("}", i)
            end = len(value) - 1 if end < 0 else end
            cur.append(value[i : end + 1])
            i = end + 1
            continue
        ch = value[i]
        if ch == ":" and len(parts) < 5:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
        i += 1
    parts.append("".join(cur))
    return parts if len(parts) == 6 else None


def _first_char(span: Span) -> Span:
    return Span(span.line, span.column, span.line, span.column + 1, span.offset, span.offset + 1)


def _suggest(word: str, choices: tuple[str, ...]) -> str | None:
    lower = word.lower()
    for c in choices:
        if c.lower() == lower:
            return f"element names are case-sensitive: write {c!r}"
    import difflib

    close = difflib.get_close_matches(word, choices, n=1)
    return f"did you mean {close[0]!r}?" if close else f"allowed: {', '.join(choices)}"
