"""Renderers of the access report document (report.build) and of its delta (report.diff).

One function per format, each ``render_<fmt>(doc) -> str``: ``text`` (terminal), ``json`` (the stable
document, docs/access.schema.json), ``csv`` (one row per cell), ``markdown`` (a pull-request comment),
``html`` (one self-contained file: no network, data inlined, a sortable/filterable table, a click on a
cell opens its explanation with the source lines).
"""

from __future__ import annotations

import csv
import html
import io
import json
from collections.abc import Callable
from importlib import resources

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
    ]
    unknown = [p for p in doc["principals"] if p["problems"]]
    for p in unknown:
        lines.append(f"unknown: {p['id']}: {'; '.join(p['problems'])}")
    return "\n".join(lines) + "\n"


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


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(doc: dict) -> str:
    s = doc["summary"]
    out = [
        "### iam2rego access",
        "",
        f"{len(doc['principals'])} principals × {len(doc['tables'])} tables × {len(doc['columns'])} columns; "
        + ", ".join(f"{k}: {v}" for k, v in s["counts"].items()),
        "",
        f"**Production tables:** {', '.join(f'`{t}`' for t in s['production_tables']) or 'none'}",
        "",
        "| question | principal | allowed on | conditional on | unknown on |",
        "|---|---|---|---|---|",
    ]
    for q, entries in s["who"].items():
        if not entries:
            out.append(f"| {q} production backups | nobody | | | |")
        for e in entries:
            out.append(
                f"| {q} production backups | `{_md(e['principal'])}` | "
                + " | ".join(
                    ", ".join(f"`{_md(t)}`" for t in e.get(a, []))
                    for a in ("allowed", "conditional", "unknown")
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
                f"| `{_md(c['principal'])}` | `{_md(c['table'])}` | {c['column']} | {_md(ans)} | {_md(_statements(c))} |"
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
    return "\n".join(lines) + "\n"


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
            f"| {c['change']}{flag} | `{_md(c['principal'])}` | `{_md(c['table'])}` | {c['column']} | {c['before']} | "
            f"{_md(c['after'] + (' ' + c['condition_after'] if c.get('condition_after') else ''))} | {_md(_statements(c))} |"
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


def _inline_json(value: object) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False)
    return text.replace("</", "<\\/").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _asset(name: str) -> str:
    return resources.files("iam2rego.access").joinpath(name).read_text(encoding="utf-8")


def _who_html(q: str, entries: list[dict]) -> list[str]:
    rows = []
    for i, e in enumerate(entries):
        head = f'<th rowspan="{len(entries)}">{q}</th>' if i == 0 else ""
        cells = "".join(
            f'<td class="a-{a}">{html.escape(", ".join(e.get(a, [])))}</td>'
            for a in ("allowed", "conditional", "unknown")
        )
        rows.append(f"<tr>{head}<td>{html.escape(e['principal'])}</td>{cells}</tr>")
    return rows


def _summary_html(doc: dict) -> str:
    s = doc["summary"]
    rows = _per_question(
        doc,
        lambda q: f'<tr><th>{q}</th><td colspan="3" class="muted">not asked</td></tr>',
        lambda q: f'<tr><th>{q}</th><td colspan="3">nobody</td></tr>',
        _who_html,
    )
    prod = ", ".join(html.escape(t) for t in s["production_tables"]) or "none"
    counts = " · ".join(f'<span class="a-{k} pill">{k} {v}</span>' for k, v in s["counts"].items())
    return (
        f"<p>Production tables: <b>{prod}</b></p><p>{counts}</p>"
        '<table class="summary"><thead><tr><th>who can … production backups</th><th>principal</th>'
        "<th>allowed on</th><th>conditional on</th><th>unknown on</th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table>"
    )


def render_html(doc: dict, title: str = "iam2rego access report") -> str:
    template = _asset("report.html")
    return (
        template.replace("{{TITLE}}", html.escape(title))
        .replace("{{INPUTS}}", html.escape(", ".join(doc.get("inputs") or doc.get("after") or [])))
        .replace("{{SUMMARY}}", _summary_html(doc) if "summary" in doc else "")
        .replace("{{DATA}}", _inline_json(doc))
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
