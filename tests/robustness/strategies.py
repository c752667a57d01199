"""Hypothesis strategies for hostile policies: every string a policy can carry, built from pieces that
break naive code generators (quotes, backslashes, newlines, comment and METADATA markers, braces,
glob and regex metacharacters, policy-variable syntax, control, format and astral characters)."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import strategies as st

HOSTILE_PIECES = [
    '"', "\\", "\n", "\r", "\t", "#", "{", "}", "[", "]", "**", "*", "?", "${", "$", "`", "'", ":", "/",
    "\x00", "\x07", "\x1b", "\x7f", "\u2028", "\u202e", "\ufeff", "é", "\U0001f600", "\ud800", "\udfff",
    "\n# METADATA\n# title: pwned\n", '"}\nallow := true\n', "*/ allow := true", "\nimport data.x\n",
    "package evil", "`) || true", "%s%d", "TODO", "${aws:username}", "${*}", "${?}", "${$}",
    "${aws:PrincipalTag/x, 'd\"ef'}", "{a,b}", "[!x]", ".*", "^$", "(?i)", "\\u0041", "\\x41",
]  # fmt: skip
_PIECE = st.one_of(st.sampled_from(HOSTILE_PIECES), st.text(min_size=1, max_size=3))
hostile = st.lists(_PIECE, min_size=1, max_size=6).map("".join)


def no_colon_ws(s: str) -> str:
    """Action names may not hold ':' or whitespace (V-ACTION); keep everything else."""
    return "".join(ch for ch in s if ch != ":" and not ch.isspace()) or "x"


ACCT = "123456789012"
ARN_HEAD = f"arn:aws:dynamodb:us-east-1:{ACCT}:table/"
OPERATORS = [
    "StringEquals", "StringNotEquals", "StringLike", "StringNotLike", "StringEqualsIgnoreCase",
    "ForAnyValue:StringLike", "ForAllValues:StringEquals", "ArnLike", "ArnEquals", "StringEqualsIfExists",
    "NumericLessThan", "DateGreaterThan", "Bool", "IpAddress", "Null", "BinaryEquals",
]  # fmt: skip

action = st.one_of(
    st.sampled_from(["*", "dynamodb:CreateBackup", "dynamodb:*Backup*", "dynamodb:Restore*", "s3:Get*"]),
    st.tuples(st.sampled_from(["dynamodb", "s3", "kms", "my-svc.x"]), hostile.map(no_colon_ws)).map(":".join),
)
resource = st.one_of(
    st.sampled_from(["*", ARN_HEAD + "Music", ARN_HEAD + "*", "arn:aws:dynamodb:*:*:table/${aws:username}"]),
    hostile.map(lambda s: ARN_HEAD + s),
)
cond_key = st.one_of(
    st.sampled_from(
        ["aws:username", "aws:TagKeys", "aws:SourceIp", "aws:CurrentTime", "dynamodb:Attributes"]
    ),
    hostile.map(lambda s: "aws:PrincipalTag/" + s),
    hostile.map(lambda s: "aws:RequestTag/" + s.replace(":", "")),
)
cond_value = st.one_of(
    hostile, st.integers(-10, 10**12), st.booleans(), st.sampled_from(["203.0.113.0/24", "::1/128"])
)
condition = st.dictionaries(
    st.sampled_from(OPERATORS),
    st.dictionaries(
        cond_key, st.one_of(cond_value, st.lists(cond_value, min_size=1, max_size=3)), min_size=1, max_size=2
    ),
    min_size=1,
    max_size=2,
)
principal = st.one_of(
    st.just("*"),
    st.fixed_dictionaries(
        {"AWS": st.one_of(st.just(ACCT), hostile.map(lambda s: f"arn:aws:iam::{ACCT}:user/{s}"))}
    ),
    st.fixed_dictionaries({"Service": st.sampled_from(["backup.amazonaws.com", "dynamodb.amazonaws.com"])}),
)


def _one_or_list(s: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(s, st.lists(s, min_size=1, max_size=3))


@st.composite
def statement(draw: st.DrawFn, resource_kind: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if draw(st.booleans()):
        out["Sid"] = draw(hostile) if resource_kind else draw(st.text("AbZz09", max_size=6))
    out["Effect"] = draw(st.sampled_from(["Allow", "Deny"]))
    if resource_kind:
        out["Principal"] = draw(principal)
    out[draw(st.sampled_from(["Action", "Action", "NotAction"]))] = draw(_one_or_list(action))
    out[draw(st.sampled_from(["Resource", "Resource", "NotResource"]))] = draw(_one_or_list(resource))
    if draw(st.booleans()):
        out["Condition"] = draw(condition)
    return out


@st.composite
def hostile_policy(draw: st.DrawFn) -> tuple[str, str, str]:
    """(JSON text, file path, kind): a mostly-valid policy with hostile strings everywhere."""
    kind = draw(st.sampled_from(["identity", "resource", "scp", "boundary", "session", "rcp"]))
    statements = draw(st.lists(statement(kind == "resource"), min_size=1, max_size=3))
    if kind == "rcp":
        for s in statements:
            s.pop("Principal", None)
            s["Principal"] = "*"
    sids = [s.get("Sid") for s in statements if "Sid" in s]
    if len(set(sids)) != len(sids):
        for i, s in enumerate(statements):
            if "Sid" in s:
                s["Sid"] = f"{s['Sid']}{i}"
    doc = {"Version": draw(st.sampled_from(["2012-10-17", "2008-10-17"])), "Statement": statements}
    # ensure_ascii keeps IAM kinds within V-CHARS; lone surrogates still reach us as \ud800 escapes.
    text = json.dumps(doc, ensure_ascii=True, indent=draw(st.sampled_from([None, 1])))
    stem = draw(
        st.one_of(st.sampled_from(["e1", "policy", "if", "9x"]), hostile.map(lambda s: s.replace("/", "_")))
    )
    return text, f"pol/{stem}.json", kind


# --------------------------------------------------------------------------- the hostile corpus (issue 25)
# Strings and numbers a pull request controls (for_each keys, names, condition values, context
# numbers) on which engines have disagreed: HTML-escaped JSON (& < > U+2028 U+2029), Terraform's
# address quoting (" \ newline ${ %{ U+FEFF U+007F), NUL, very long strings, glob and template
# syntax, and numbers beyond IEEE-754's exact integers or printed differently (1e-07, 1.0 vs 1, -0).
HOSTILE_STRINGS = [
    "plain", "amp&er", "lt<gt>", "ls\u2028sep", "ps\u2029sep", 'quote"q', "back\\slash", "new\nline",
    "tab\tcr\r", "nul\x00byte", "tmpl${x}", "pct%{y}", "del\x7fnbsp\xa0", "bom\ufeffrtl\u202e",
    "astral\U0001f600", "glob*?[x]", "${aws:username}", "*", "?", "**", "a*a*a*b", "<script>&amp;</script>",
    "\\u0026", "x" * 5000, "é" * 300,
]  # fmt: skip
HOSTILE_NUMBERS = [
    0, 1, -1, 1.0, -0.0, 2**53, 2**53 + 1, 2**63, 18446744073709551617, -(2**63) - 1, 1e308, 1e21, 1e-07,
    0.1, 1.5, 123456789.5, 5e-324,
]  # fmt: skip
# IAM wildcards that are exponential for a backtracking matcher, with texts that almost match them.
HOSTILE_WILDCARDS = [
    ("table/" + "a*" * 11 + "b", "table/" + "a" * 60 + "c"),
    ("table/" + "a*" * 11 + "b", "table/" + "a" * 60 + "b"),
    ("table/" + "?*" * 40, "table/" + "a" * 39),
    ("table/" + "?*" * 40, "table/" + "a" * 41),
]


def corpus_strings(rng: Any, n: int) -> list[str]:
    """The fixed hostile strings, then ``n`` more joined from HOSTILE_PIECES and them (seeded ``rng``)."""
    pool = HOSTILE_PIECES + HOSTILE_STRINGS[:-2]
    return HOSTILE_STRINGS + ["".join(rng.choice(pool) for _ in range(rng.randint(1, 6))) for _ in range(n)]
