"""No code injection (issue #6, item 2).

Sids, ARNs, action names, condition keys and values, policy variables and file names (the package
and the policy name derive from the file stem) holding quotes, backslashes, newlines, ``#``, braces,
brackets, ``**``, ``${``, Unicode and control characters must compile to Rego that

* OPA parses and type-checks (``opa check --strict``),
* defines exactly the rules a benign twin of the policy defines (rule names from ``opa parse
  --format json``, not from our own text) - so no string can add a rule such as ``allow := true``,
* keeps every METADATA ``custom`` value equal to the policy's own text (a value like
  ``"x\\n# METADATA\\n..."`` stays inside its string, read back through OPA's parser), and
* decides exactly like the generic evaluator (``data.iam2rego.generic``) on real OPA, for requests
  that hit the hostile strings literally.

All cases of a test run in one ``opa check`` and one ``opa eval``.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from iam2rego import ir
from iam2rego.api import parse_policy
from iam2rego.codegen import CompileOptions, compile_principals

sys.path.insert(0, str(Path(__file__).resolve().parent))
import strategies as hs
from _rb import check_modules, opa, write_library, write_tree

ACCT = hs.ACCT
ALICE = {"arn": f"arn:aws:iam::{ACCT}:user/alice", "account": ACCT, "type": "IAMUser"}

HOSTILE = [
    'q"uote', "back\\slash", "new\nline", "cr\rlf\r\n", "#hash", "# METADATA\n# title: pwned", "}{", "][",
    "**", "${", "${aws:username}", "$${*}", "*/ allow := true", '"}\nallow := true\n#', "x\n# METADATA\nallow := true",
    "`raw`", "\x00nul\x01\x1f\x7f", "\u2028ls\u2029ps", "\u202eRTL", "é中文😀", "\ufeffbom", "TODO FIXME",
    "import data.x", "package p", "%v%s", "\\u0041\\n", "{a,b}[!c]?", "a.b+c(d)|e^f$", "trailing\\",
]  # fmt: skip


def dollar_literal(s: str) -> str:
    """``$`` written as the policy variable ``${$}`` so that a 2012-10-17 policy means the text literally."""
    return s.replace("$", "${$}")


def var_safe(s: str) -> str:
    return "".join(ch for ch in s if ch not in "{}$'\"," and not ch.isspace()) or "k"


def documents(h: str) -> tuple[dict, dict, str]:
    """(identity policy, resource policy, file stem) carrying ``h`` in every string position."""
    act = "dynamodb:" + hs.no_colon_ws(h)
    arn = hs.ARN_HEAD + dollar_literal(h)
    tag = "aws:PrincipalTag/" + var_safe(h)
    identity = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "A",
                "Effect": "Allow",
                "Action": [act, "dynamodb:" + hs.no_colon_ws(h) + "*"],
                "Resource": [arn, hs.ARN_HEAD + "v-${" + tag + "}"],
                "Condition": {"StringEquals": {"aws:ResourceTag/" + h.replace(":", ""): dollar_literal(h)}},
            },
            {
                "Sid": "D",
                "Effect": "Deny",
                "Action": act,
                "Resource": arn,
                "Condition": {
                    "StringLike": {tag: ["deny-" + dollar_literal(h), "*-" + dollar_literal(h) + "-*"]}
                },
            },
        ],
    }
    resource = {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": h, "Effect": "Allow", "Principal": {"AWS": ALICE["arn"]}, "Action": act, "Resource": "*"},
            {"Sid": h + "2", "Effect": "Deny", "Principal": "*", "NotAction": act, "Resource": arn},
        ],
    }
    return identity, resource, h.replace("/", "_")


def requests(h: str) -> list[dict]:
    act = "dynamodb:" + hs.no_colon_ws(h)
    arn = hs.ARN_HEAD + h
    tag = "aws:PrincipalTag/" + var_safe(h)
    res_tag = "aws:ResourceTag/" + h.replace(":", "")
    out = []
    for ctx in (
        {res_tag: h},
        {res_tag: h + "x"},
        {res_tag: h, tag: "deny-" + h},
        {res_tag: h, tag: "a-" + h + "-b"},
    ):
        out.append({"action": act, "resource": arn, "context": ctx, "principal": ALICE})
    out.append(
        {
            "action": act,
            "resource": hs.ARN_HEAD + "v-Music",
            "context": {res_tag: h, tag: "Music"},
            "principal": ALICE,
        }
    )
    out.append({"action": act + "Suffix", "resource": arn, "context": {res_tag: h}, "principal": ALICE})
    out.append({"action": "dynamodb:CreateBackup", "resource": arn, "context": {}, "principal": ALICE})
    return out  # fmt: skip


class Case:
    def __init__(self, index: int, h: str, twin: bool = False):
        self.h = h
        identity, resource, stem = documents(h)
        self.docs = {"identity": identity, "resource": resource}
        self.paths = {"identity": f"dir {h}/{stem}.json", "resource": f"rbp/{stem}-rbp.json"}
        self.policies = {k: self._parse(k) for k in self.docs}
        self.table = hs.ARN_HEAD + h  # the resource policy is bound to the table the requests name
        ps = ir.PolicySet(
            identity=(self.policies["identity"],),
            resource_policies=((self.table, self.policies["resource"]),),
        )
        self.module = compile_principals(
            ir.Principals(caller=ps), CompileOptions(package=f"inj{index}.{stem}")
        )
        self.requests = requests(h)
        self.index = index

    def _parse(self, slot: str) -> ir.Policy:
        kind = ir.PolicyKind.IDENTITY if slot == "identity" else ir.PolicyKind.RESOURCE
        text = json.dumps(self.docs[slot], ensure_ascii=True)
        policy, diags = parse_policy(text, self.paths[slot], kind)
        assert policy is not None, [(d.code, d.message) for d in diags]
        return policy

    def generic_doc(self) -> dict:
        def one(slot: str) -> dict:
            return {"name": self.policies[slot].name, "document": self.docs[slot], "source": self.paths[slot]}

        return {"identity": [one("identity")], "boundary": None, "session": None, "scp": [], "rcp": [],
                "resource_policies": {self.table: one("resource")}}  # fmt: skip


def _batch(cases: list[Case]) -> str:
    lines = ["package iam2rego.injtest", "", "import data.iam2rego.generic", ""]
    for c in cases:
        lines += [
            f"compiled_{c.index} := [data.{c.module.package}.decide(x) | some x in input.c{c.index}.requests]",
            "",
            f"generic_{c.index} := [generic.decide_request(input.c{c.index}.policies, x, {{}}) |"
            f" some x in input.c{c.index}.requests]",
            "",
        ]
    return "\n".join(lines)


def _summary(d: object) -> object:
    if not isinstance(d, dict):
        return d
    reasons = sorted(
        (r.get("policy"), r.get("sid"), r.get("statement_index"), r.get("effect")) for r in d["reasons"]
    )
    return (d["decision"], d["reason"], reasons)


def _parse_ast(opa_bin: str, path: Path) -> dict:
    proc = opa(opa_bin, "parse", "--format", "json", str(path))
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def _metadata_custom(ast: dict) -> list[dict]:
    return [a["custom"] for a in ast.get("annotations") or [] if "custom" in a]


def verify(opa_bin: str, tmp: Path, cases: list[Case]) -> None:
    lib = write_library(tmp)
    problems = check_modules(opa_bin, lib, tmp / "check", [(repr(c.h), c.module.files) for c in cases])
    assert not problems, "\n".join(problems)
    for c in cases:
        ast = _parse_ast(opa_bin, _one_file(tmp / "one", c))
        # 1. no rule the policy did not ask for: the infrastructure rules, the statement rules
        #    (bodies of caller_identity_matches / caller_rbp_matches, one for the literal actions of
        #    a statement and one per action wildcard) and per statement at most
        #    an _action and a _resource helper. Names are read back from OPA's parser.
        heads = [".".join(str(p["value"]) for p in r["head"]["ref"]) for r in ast.get("rules") or []]
        names = set(heads)
        helpers = {n for n in names if HELPER_RULE.match(n)}
        core = names - helpers - WILDCARD_RULES  # only when an action has a wildcard
        assert core == INFRASTRUCTURE, (repr(c.h), core ^ INFRASTRUCTURE)
        bodies = {rule: heads.count(rule) for rule in STATEMENT_RULES}
        assert all(2 <= n <= 4 for n in bodies.values()), (repr(c.h), bodies)
        # 2. METADATA read back by OPA's parser equals the policy's text exactly
        expected = [
            {"policy": p.name, "sid": st.sid.value if st.sid else None, "effect": st.effect.value,
             "source": f"{p.path}:{st.span.line}:{st.span.column}"}
            for p in (c.policies["identity"], c.policies["resource"]) for st in p.statements
        ]  # fmt: skip
        customs = _metadata_custom(ast)
        # every statement rule carries its statement's METADATA, and nothing else does
        assert len(customs) == sum(bodies.values()), (repr(c.h), len(customs), bodies)
        got = {json.dumps({k: m.get(k) for k in ("policy", "sid", "effect", "source")}) for m in customs}
        assert got == {json.dumps(e) for e in expected}, repr(c.h)
    # 3. decisions equal the generic evaluator's, and the literal hit is really allowed
    run = tmp / "eval"
    write_tree(run, {"batch.rego": _batch(cases)})
    for c in cases:
        write_tree(run, c.module.files)
    inp = {f"c{c.index}": {"requests": c.requests, "policies": c.generic_doc()} for c in cases}
    (tmp / "input.json").write_text(json.dumps(inp))
    proc = opa(opa_bin, "eval", "--format", "json", "-d", str(lib), "-d", str(run), "-i", str(tmp / "input.json"),
               "data.iam2rego.injtest")  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    value = json.loads(proc.stdout)["result"][0]["expressions"][0]["value"]
    for c in cases:
        compiled, generic = value[f"compiled_{c.index}"], value[f"generic_{c.index}"]
        assert len(compiled) == len(generic) == len(c.requests), repr(c.h)
        assert [_summary(x) for x in compiled] == [_summary(x) for x in generic], repr(c.h)
        assert compiled[0]["decision"] == "allow", (repr(c.h), compiled[0])  # the literal hit matches
        if "/" not in c.h:  # a table ARN (resource policies apply to tables, §3.5)
            assert compiled[1]["decision"] == "allow", (repr(c.h), compiled[1])  # via the resource policy
        assert compiled[2]["decision"] == "explicit_deny", (repr(c.h), compiled[2])


def _one_file(d: Path, c: Case) -> Path:
    write_tree(d, c.module.files)
    [rel] = [p for p in c.module.files if p.endswith(".rego")]
    return d / rel


STATEMENT_RULES = ("caller_identity_matches", "caller_rbp_matches")
WILDCARD_RULES = frozenset({"action_keys", "wildcard_regexes"})  # action_table: the data document
HELPER_RULE = re.compile(r"^caller_(?:identity|rbp)_0_[01]_(?:action|resource)$")
# Rules every module with an identity and a resource policy defines (ARCHITECTURE §5), by name. The
# statements payload is the data document beside the module, not a rule.
INFRASTRUCTURE = frozenset({
    "options", "decision", "decide", "operation", "check_results", "check_decision", "check_request",
    "check_principal", "caller_matches", "caller_hits", "applied", "conditional", "holds_in", "rbp_applied",
    "grants_directly", "caller_rbp_direct", *STATEMENT_RULES, "role_hits", "normalized", "resource_key",
})  # fmt: skip


@pytest.mark.opa
def test_hostile_strings_compile_to_rego_with_the_same_rules_metadata_and_decisions(
    opa_bin: str, tmp_path: Path
) -> None:
    verify(opa_bin, tmp_path, [Case(i, h) for i, h in enumerate(HOSTILE)])


@pytest.mark.opa
def test_generated_hostile_strings_cannot_inject(opa_bin: str, tmp_path: Path) -> None:
    seen: dict[str, None] = {}

    @settings(max_examples=100, suppress_health_check=list(HealthCheck))
    @given(hs.hostile.filter(lambda s: "\ud800" not in s and "\udfff" not in s))
    def collect(h: str) -> None:
        seen.setdefault(h)

    collect()
    cases = []
    for i, h in enumerate(seen):
        try:
            cases.append(Case(i, h))
        except AssertionError:  # the front end rejected this string somewhere: diagnostics, not Rego
            continue
    assert len(cases) >= len(seen) // 2, (len(cases), len(seen))
    verify(opa_bin, tmp_path, cases)
