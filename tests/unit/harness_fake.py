"""A stand-in compile backend for harness tests: tiny hand-written Rego, independent of the real compiler.

Semantics (deliberately small): a statement applies when its Action (or "*") equals the request action
case-insensitively and its Resource (or "*") equals the resource; Deny wins, then Allow, else implicit.
Operations: only ``create_backup`` (one check, dynamodb:CreateBackup on ``table``).
"""

from __future__ import annotations

import json
from typing import Any

from iam2rego.diagnostics import Diagnostic, Severity, Span

MODULE = """package {package}

policies := {policies}

_list(x) := x if is_array(x)

_list(x) := [x] if not is_array(x)

_applies(st, r) if {{
	some a in _list(st.Action)
	lower(a) in {{"*", lower(r.action)}}
	some res in _list(st.Resource)
	res in {{"*", r.resource}}
}}

_hits(effect, r) := [h | some p in policies; some i; st := _list(p.doc.Statement)[i]; st.Effect == effect; _applies(st, r); h := _hit(p, i, st, effect)]

_hit(p, i, st, effect) := {{"policy": p.name, "sid": object.get(st, "Sid", null), "statement_index": i, "effect": effect, "source": sprintf("%s:%d:1", [p.path, p.lines[i]])}}

decide(r) := {{"allowed": false, "decision": "explicit_deny", "reason": "explicit_deny", "reasons": d}} if {{
	d := _hits("Deny", r)
	count(d) > 0
}} else := {{"allowed": true, "decision": "allow", "reason": "allow", "reasons": a}} if {{
	a := _hits("Allow", r)
	count(a) > 0
}} else := {{"allowed": false, "decision": "implicit_deny", "reason": "no_allow", "reasons": []}}

decision := decide(input)

operation := v if {{
	input.operation == "create_backup"
	check := {{"principal": "caller", "action": "dynamodb:CreateBackup", "resource": input.table}}
	result := object.union(check, decide(check))
	failing := [result | not result.allowed]
	v := {{"allowed": count(failing) == 0, "decision": result.decision, "checks": [result], "failing": failing}}
}}
"""


class FakeBackend:
    def __init__(self) -> None:
        self.compiled: list[dict[str, Any]] = []

    def load(self, ref, kind, lenient_json, name):
        text = ref.text if ref.text is not None else ref.path.read_text(encoding="utf-8")
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            if lenient_json and exc.msg == "Extra data":
                doc = json.JSONDecoder().raw_decode(text)[0]
            else:
                span = Span.point(exc.lineno, exc.colno, exc.pos)
                return None, [Diagnostic("V-JSON", Severity.ERROR, exc.msg, ref.label, span)]
        # the line of each statement's "Effect" member stands in for the statement's position
        lines = [n for n, line in enumerate(text.splitlines(), 1) if '"Effect"' in line]
        return {"name": name, "path": ref.label, "doc": doc, "lines": lines}, []

    def compile(self, caller, role, options, package):
        self.compiled.append({"package": package, "options": options})
        policies = json.dumps(caller["identity"], sort_keys=True)
        package = f"fake.{package}"
        return package, {
            package.replace(".", "/") + "/module.rego": MODULE.format(package=package, policies=policies)
        }
