"use strict";
(function () {
  const data = JSON.parse(document.getElementById("report-data").textContent);
  const isDiff = String(data.schema).startsWith("iam2rego-access-diff");
  const PAGE = 500;
  const rank = { allowed: 0, conditional: 1, unknown: 2, denied: 3 };
  const esc = (s) => String(s == null ? "" : s).replace(/[&<>"']/g, (c) => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]));
  const prodTables = new Set(isDiff ? data.production_tables : data.summary.production_tables);
  let rows, columns;
  if (isDiff) {
    columns = [{ id: "change", label: "change" }, { id: "column", label: "column" }, { id: "before", label: "before" }, { id: "after", label: "after" }];
    rows = data.changes.map((c, i) => ({ principal: c.principal, table: c.table, change: c, idx: i }));
  } else {
    columns = data.columns;
    const byPair = new Map();
    const order = [];
    data.cells.forEach((c, i) => {
      const k = c.principal + "\u0000" + c.table;
      if (!byPair.has(k)) { byPair.set(k, { principal: c.principal, table: c.table, cells: {} }); order.push(k); }
      byPair.get(k).cells[c.column] = i;
    });
    rows = order.map((k) => byPair.get(k));
  }
  let sortKey = null, sortDir = 1, limit = PAGE;
  const thead = document.querySelector("#matrix thead");
  const tbody = document.querySelector("#matrix tbody");
  const explain = document.getElementById("explain");

  function header() {
    const ths = ['<th data-sort="principal">principal</th>', '<th data-sort="table">table</th>']
      .concat(columns.map((c) => '<th data-sort="' + esc(c.id) + '" title="' + esc(c.id) + '">' + esc(c.label) + "</th>"));
    thead.innerHTML = "<tr>" + ths.join("") + "</tr>";
    thead.querySelectorAll("th").forEach((th) => th.addEventListener("click", () => {
      const k = th.dataset.sort;
      sortDir = sortKey === k ? -sortDir : 1; sortKey = k; render();
    }));
  }
  function answerOf(row, colId) {
    if (isDiff) return row.change[colId];
    const i = row.cells[colId];
    return i === undefined ? "denied" : data.cells[i].answer;
  }
  function globRe(text) {
    const t = text.trim().toLowerCase();
    if (!t) return null;
    const body = t.split("*").map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*");
    return new RegExp(t.includes("*") ? "^" + body + "$" : body);
  }
  function visible() {
    const re = globRe(document.getElementById("filter").value);
    const want = document.getElementById("answer-filter").value;
    const prodOnly = document.getElementById("prod-only").checked;
    return rows.filter((r) => {
      if (re && !re.test(r.principal.toLowerCase()) && !re.test(r.table.toLowerCase())) return false;
      if (prodOnly && !prodTables.has(r.table)) return false;
      if (!want) return true;
      const answers = isDiff ? [r.change.after] : columns.map((c) => answerOf(r, c.id));
      return want === "not-denied" ? answers.some((a) => a !== "denied") : answers.includes(want);
    });
  }
  function render() {
    let vis = visible();
    if (sortKey) {
      vis = vis.slice().sort((a, b) => {
        let x, y;
        if (sortKey === "principal" || sortKey === "table") { x = a[sortKey]; y = b[sortKey]; }
        else if (isDiff) { x = String(a.change[sortKey]); y = String(b.change[sortKey]); }
        else { x = rank[answerOf(a, sortKey)]; y = rank[answerOf(b, sortKey)]; }
        return (x < y ? -1 : x > y ? 1 : 0) * sortDir;
      });
    }
    thead.querySelectorAll("th").forEach((th) => {
      th.classList.toggle("sorted-asc", th.dataset.sort === sortKey && sortDir === 1);
      th.classList.toggle("sorted-desc", th.dataset.sort === sortKey && sortDir === -1);
    });
    const html = [];
    vis.slice(0, limit).forEach((r) => {
      const tcls = prodTables.has(r.table) ? ' class="prod"' : "";
      const cells = columns.map((c) => {
        const a = answerOf(r, c.id);
        const cls = isDiff ? (c.id === "before" || c.id === "after" ? "a-" + a : "") : "a-" + a;
        const ref = isDiff ? r.idx : (r.cells[c.id] === undefined ? -1 : r.cells[c.id]);
        return '<td class="cell ' + cls + '" data-ref="' + ref + '" data-principal="' + esc(r.principal) +
          '" data-table="' + esc(r.table) + '" data-column="' + esc(c.id) + '">' + esc(a) + "</td>";
      });
      html.push("<tr><td>" + esc(r.principal) + "</td><td" + tcls + ">" + esc(r.table) + "</td>" + cells.join("") + "</tr>");
    });
    tbody.innerHTML = html.join("");
    document.getElementById("shown").textContent = Math.min(limit, vis.length) + " of " + vis.length + " rows shown (" + rows.length + " in total)";
    const more = document.getElementById("more");
    more.innerHTML = vis.length > limit ? '<button id="more-btn">show ' + PAGE + " more rows</button>" : "";
    if (vis.length > limit) document.getElementById("more-btn").addEventListener("click", () => { limit += PAGE; render(); });
  }
  function statementLines(text, line) {
    const lines = text.split("\n");
    const out = [];
    let depth = 0, started = false;
    for (let i = line - 1; i < lines.length && out.length < 40; i++) {
      out.push([i + 1, lines[i]]);
      const s = lines[i].replace(/"(?:[^"\\]|\\.)*"/g, '""');
      for (const ch of s) {
        if (ch === "{" || ch === "[") { depth++; started = true; }
        if (ch === "}" || ch === "]") depth--;
      }
      if (started && depth <= 0) break;
    }
    return out;
  }
  function reasonHtml(r) {
    const doc = data.documents[r.document] || { text: "" };
    const src = statementLines(doc.text, r.line).map(([n, l]) =>
      '<span class="' + (n === r.line ? "hl" : "") + '">' + String(n).padStart(4) + " | " + esc(l) + "</span>").join("\n");
    return '<div class="reason"><div><b>' + esc(r.effect) + "</b> · statement " + esc(r.statement_index) +
      (r.sid ? " (Sid " + esc(r.sid) + ")" : "") + " · level " + esc(r.level) + '</div><div class="origin">' +
      esc(r.origin) + ":" + esc(r.line) + ":" + esc(r.column) + "</div><pre>" + src + "</pre></div>";
  }
  function explainCell(td) {
    document.querySelectorAll("td.cell.selected").forEach((x) => x.classList.remove("selected"));
    td.classList.add("selected");
    const ref = Number(td.dataset.ref);
    let c;
    if (isDiff) {
      const ch = data.changes[ref];
      c = { principal: ch.principal, table: ch.table, column: ch.column, answer: ch.after, condition: ch.condition_after,
            decision: ch.change + (ch.gain ? " (a gain)" : "") + ": " + ch.before + " → " + ch.after, reasons: ch.reasons, failing: [], problems: [] };
    } else {
      c = ref >= 0 ? data.cells[ref] : { principal: td.dataset.principal, table: td.dataset.table, column: td.dataset.column,
            answer: "denied", condition: null, decision: "implicit_deny", reasons: [], failing: [], problems: [] };
    }
    const parts = ['<button class="close" id="explain-close" title="close (Esc)">×</button>',
      "<h2>" + esc(c.principal) + " → " + esc(c.table) + "</h2>",
      "<div>" + esc(c.column) + ': <span class="answer a-' + esc(c.answer) + '">' + esc(c.answer) + "</span></div>"];
    if (c.condition) parts.push('<p class="condition">allowed ' + esc(c.condition) + "</p>");
    if (c.decision) parts.push('<p class="muted">decision: ' + esc(c.decision) + "</p>");
    if (c.failing && c.failing.length) parts.push("<p>" + (c.answer === "conditional" ? "checks allowed only under the condition" : "failing checks") + ":</p><ul>" + c.failing.map((f) => "<li><code>" + esc(f) + "</code></li>").join("") + "</ul>");
    if (c.problems && c.problems.length) parts.push("<p>cannot tell:</p><ul>" + c.problems.map((f) => "<li>" + esc(f) + "</li>").join("") + "</ul>");
    if (c.reasons && c.reasons.length) parts.push("<h3>deciding statements</h3>" + c.reasons.map(reasonHtml).join(""));
    else if (c.answer === "denied") parts.push("<p>No statement allows it (implicit deny).</p>");
    explain.innerHTML = parts.join("");
    explain.hidden = false;
    document.getElementById("explain-close").addEventListener("click", () => { explain.hidden = true; });
  }
  document.addEventListener("keydown", (ev) => { if (ev.key === "Escape") explain.hidden = true; });
  tbody.addEventListener("click", (ev) => {
    const td = ev.target.closest("td.cell");
    if (td) explainCell(td);
  });
  ["filter", "answer-filter", "prod-only"].forEach((id) =>
    document.getElementById(id).addEventListener("input", () => { limit = PAGE; render(); }));
  header();
  render();
  document.body.dataset.ready = "true";
})();
