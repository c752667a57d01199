"""Renderers of the access report document (report.build) and of its delta (report.diff).

One function per format, each ``render_<fmt>(doc) -> str``: ``text`` (terminal), ``json`` (the stable
document, docs/access.schema.json), ``csv`` (one row per cell), ``markdown`` (a pull-request comment),
``html`` (one self-contained file: no network, data inlined, a sortable/filterable table, a click on a
cell opens its explanation with the source lines).
"""

from __future__ import annotations

import base64
import csv
import functools
import hashlib
import io
import json
import unicodedata
from collections.abc import Callable
from importlib import resources

from ..diagnostics import visible

SYMBOL = {"allowed": "allowed", "conditional": "conditional", "denied": "denied", "unknown": "unknown"}
QUESTIONS = {"delete": "delete", "restore": "restore", "export": "export"}


def _per_question(
    doc: dict,
    not_asked: Callable[[str], str],
    nobody: Callable[[str], str],
    some: Callable[[str, list[dict]], list[str]],
) -> list[str]:
    """One summary block per question (text lines or HTML rows): not asked, nobody, or who."""
    s = doc["summary"]
    out: list[str] = []
    for q, entries in s["who"].items():
        if not s["questions_asked"][q]:
            out.append(not_asked(q))
        elif not entries:
            out.append(nobody(q))
        else:
            out += some(q, entries)
    return out


def _who_text(q: str, entries: list[dict]) -> list[str]:
    parts = []
    for e in entries:
        bits = []
        for a in ("allowed", "conditional", "unknown"):
            if e.get(a):
                bits.append(f"{a} on {_some(e[a])}")
        parts.append(f"{e['principal']} ({'; '.join(bits)})")
    shown = parts[:MAX_WHO]
    more = (
        f"; and {len(parts) - MAX_WHO} more principal(s) (see the JSON/HTML report)"
        if len(parts) > MAX_WHO
        else ""
    )
    return [f"  {q} ({len(parts)}): " + "; ".join(shown) + more]


def _who_lines(doc: dict) -> list[str]:
    return _per_question(
        doc,
        lambda q: f"  {q}: not asked (add a column: {', '.join(_hint(q))})",
        lambda q: f"  {q}: nobody",
        _who_text,
    )


MAX_WHO, MAX_TABLES = 12, 4


def _some(names: list[str]) -> str:
    if len(names) <= MAX_TABLES:
        return ", ".join(names)
    return f"{len(names)} tables ({', '.join(names[:MAX_TABLES])}, ...)"


def _hint(q: str) -> list[str]:
    return {"export": ["--export-bucket", "--action dynamodb:ExportTableToPointInTime"]}.get(
        q, ["--operation"]
    )


def _plane_note(s: dict) -> list[str]:
    """Which backup planes the delete question covered (SEMANTICS §14)."""
    planes = s.get("delete_planes") or {}
    if planes.get("dynamodb") and planes.get("aws_backup"):
        return ["  (delete covers both planes: DynamoDB backups and AWS Backup recovery points)"]
    if planes.get("dynamodb"):
        return [
            "  (delete covers DynamoDB backups only: add --backup-vault NAME for AWS Backup recovery points)"
        ]
    return []


def render_text(doc: dict) -> str:
    s = doc["summary"]
    c = s["counts"]
    n_cells = sum(c.values())
    lines = [
        f"iam2rego access: {len(doc['principals'])} principal(s) x {len(doc['tables'])} table(s) x "
        f"{len(doc['columns'])} column(s) = {n_cells} cell(s), {s['decided_questions']} question(s) decided "
        f"({doc['analysis']} analysis)",
        "  " + ", ".join(f"{k} {v}" for k, v in c.items()),
        f"production tables: {_some(s['production_tables']) if s['production_tables'] else 'none'}",
        "who can touch production backups:",
        *_who_lines(doc),
        *_plane_note(s),
    ]
    unknown = [p for p in doc["principals"] if p["problems"]]
    for p in unknown:
        lines.append(f"unknown: {p['id']}: {'; '.join(p['problems'])}")
    return "\n".join(visible(line) for line in lines) + "\n"


def render_json(doc: dict) -> str:
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


CSV_FIELDS = (
    "principal",
    "table",
    "column",
    "answer",
    "condition",
    "decision",
    "statements",
    "failing",
    "problems",
)


def _statements(cell: dict) -> str:
    return "; ".join(
        f"{r['effect']} {r['origin']} statement {r['statement_index']}"
        + (f" ({r['sid']})" if r.get("sid") else "")
        + f" line {r['line']}"
        for r in cell["reasons"]
    )


def render_csv(doc: dict) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_FIELDS)
    for c in doc["cells"]:
        w.writerow(
            [
                c["principal"],
                c["table"],
                c["column"],
                c["answer"],
                c["condition"] or "",
                c["decision"] or "",
                _statements(c),
                "; ".join(c["failing"]),
                "; ".join(c["problems"]),
            ]
        )
    return buf.getvalue()


# Markdown (a pull-request comment): every string from the input goes through md_text / md_code, so
# no name can end a table row, start a heading, open a code span, link, emphasis, raw HTML, a mention
# or an autolink, or turn text around with a bidi control. Everything but letters, digits and a few
# inert marks (_MD_SAFE) becomes a numeric HTML entity (rendered as itself, never read as Markdown: GFM splits table cells on the raw text, and an
# entity holds no `|`); line breaks and other invisible controls become visible `U+XXXX`.


_MD_SAFE = frozenset(" /.,-=()'+%")  # inert inside a table cell (no line start, no URL scheme without `:`)


def _md_char(ch: str) -> str:
    if ch.isalnum() or ch in _MD_SAFE:
        return ch
    if unicodedata.category(ch) in {"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"}:
        return f"U+{ord(ch):04X}"
    return f"&#{ord(ch)};"


def md_text(text: object) -> str:
    """``text`` as inert Markdown inline text (see above)."""
    return "".join(_md_char(ch) for ch in str(text))


def md_code(text: object) -> str:
    """``text`` as an inline code element that no character of it can close."""
    return f"<code>{md_text(text)}</code>"


def render_markdown(doc: dict) -> str:
    s = doc["summary"]
    out = [
        "### iam2rego access",
        "",
        f"{len(doc['principals'])} principals × {len(doc['tables'])} tables × {len(doc['columns'])} columns; "
        + ", ".join(f"{k}: {v}" for k, v in s["counts"].items()),
        "",
        f"**Production tables:** {', '.join(md_code(t) for t in s['production_tables']) or 'none'}",
        "",
        "| question | principal | allowed on | conditional on | unknown on |",
        "|---|---|---|---|---|",
    ]
    for q, entries in s["who"].items():
        if not entries:
            out.append(f"| {md_text(q)} production backups | nobody | | | |")
        for e in entries:
            out.append(
                f"| {md_text(q)} production backups | {md_code(e['principal'])} | "
                + " | ".join(
                    ", ".join(md_code(t) for t in e.get(a, [])) for a in ("allowed", "conditional", "unknown")
                )
                + " |"
            )
    interesting = [c for c in doc["cells"] if c["answer"] != "denied"]
    if interesting:
        out += [
            "",
            "<details><summary>every cell that is not denied</summary>",
            "",
            "| principal | table | column | answer | deciding statements |",
            "|---|---|---|---|---|",
        ]
        for c in interesting:
            ans = c["answer"] + (f" {c['condition']}" if c["condition"] else "")
            out.append(
                f"| {md_code(c['principal'])} | {md_code(c['table'])} | {md_text(c['column'])} | {md_text(ans)} | {md_text(_statements(c))} |"
            )
        out += ["", "</details>"]
    return "\n".join(out) + "\n"


# ---- delta --------------------------------------------------------------------------------------


def render_diff_text(d: dict) -> str:
    if not d["changes"]:
        return "iam2rego access --diff: no cell changed\n"
    lines = [f"iam2rego access --diff: {len(d['changes'])} cell(s) changed, {d['gains']} gain(s)"]
    for c in d["changes"]:
        prod = " [production]" if c["table"] in d["production_tables"] else ""
        cond = f" {c['condition_after']}" if c.get("condition_after") else ""
        lines.append(
            f"  {c['change']:<18} {c['principal']} {c['column']} on {c['table']}{prod}: {c['before']} -> {c['after']}{cond}"
        )
        for r in c["reasons"][:3]:
            sid = f" (Sid {r['sid']})" if r.get("sid") else ""
            where = f"{r['origin']} statement {r['statement_index']}{sid}, line {r['line']} of the policy"
            lines.append(f"      {r['effect']} {where}")
    return "\n".join(visible(line) for line in lines) + "\n"


def render_diff_markdown(d: dict) -> str:
    out = ["### iam2rego access delta", ""]
    if not d["changes"]:
        return "\n".join([*out, "No cell changed.", ""])
    out += [
        f"{len(d['changes'])} cell(s) changed, **{d['gains']} gain(s)**.",
        "",
        "| change | principal | table | column | before | after | deciding statements |",
        "|---|---|---|---|---|---|---|",
    ]
    for c in d["changes"]:
        flag = " :warning:" if c["gain"] else ""
        out.append(
            f"| {md_text(c['change'])}{flag} | {md_code(c['principal'])} | {md_code(c['table'])} | {md_text(c['column'])} | {md_text(c['before'])} | "
            f"{md_text(c['after'] + (' ' + c['condition_after'] if c.get('condition_after') else ''))} | {md_text(_statements(c))} |"
        )
    return "\n".join(out) + "\n"


def render_diff_csv(d: dict) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(
        ("principal", "table", "column", "change", "gain", "before", "after", "condition_after", "statements")
    )
    for c in d["changes"]:
        w.writerow(
            [
                c["principal"],
                c["table"],
                c["column"],
                c["change"],
                str(c["gain"]).lower(),
                c["before"],
                c["after"],
                c.get("condition_after") or "",
                _statements(c),
            ]
        )
    return buf.getvalue()


# ---- HTML ---------------------------------------------------------------------------------------
# Every string of the document reaches the page through Jinja2 with autoescaping (the template
# report.html.j2), or as JSON inside <script type="application/json"> with `<`, `>`, `&` and the
# JavaScript line terminators written as \\u escapes (json_for_script), so no input string can
# close an element, open a comment or start a script. The page's Content-Security-Policy allows
# exactly its own script and style (their sha256), nothing inline besides, and no network.

_SCRIPT_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def json_for_script(value: object) -> str:
    """JSON text that is inert inside a <script> element: no `<`, `>`, `&` or U+2028/2029 remain."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False)
    return "".join(_SCRIPT_ESCAPES.get(ch, ch) for ch in text)


def _asset(name: str) -> str:
    return resources.files("iam2rego.access").joinpath(name).read_text(encoding="utf-8")


def csp_hash(text: str) -> str:
    """The CSP source expression allowing exactly this inline script or style element."""
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


@functools.cache
def _template():  # -> jinja2.Template; imported here: the CLI imports every command module
    import jinja2

    env = jinja2.Environment(
        autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True, auto_reload=False
    )
    return env.from_string(_asset("report.html.j2"))


def render_html(doc: dict, title: str = "iam2rego access report") -> str:
    import markupsafe

    script, style = _asset("report.js"), _asset("report.css")
    return _template().render(
        title=title,
        inputs=", ".join(doc.get("inputs") or doc.get("after") or []),
        summary=doc.get("summary"),
        data_json=markupsafe.Markup(json_for_script(doc)),
        script=markupsafe.Markup(script),
        style=markupsafe.Markup(style),
        script_hash=csp_hash(script),
        style_hash=csp_hash(style),
    )


RENDERERS: dict[str, Callable[[dict], str]] = {
    "text": render_text,
    "json": render_json,
    "csv": render_csv,
    "markdown": render_markdown,
    "html": render_html,
}
DIFF_RENDERERS: dict[str, Callable[[dict], str]] = {
    "text": render_diff_text,
    "json": render_json,
    "csv": render_diff_csv,
    "markdown": render_diff_markdown,
    "html": render_html,
}
