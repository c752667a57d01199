# iam2rego gate - the one place that calls the analysis (rego/iam2rego/analysis)
# Guardrails ask the open question: over every request context the plan does not fix, is the
# principal allowed (in all), denied (in none) or conditional (allowed in some, with the condition)?
package iam2rego.gate

import data.iam2rego.analysis
import data.iam2rego.catalog

_eval_opts := object.union(catalog.option_defaults, {"mode": object.get(_cfg, "mode", catalog.option_defaults.mode)})

# Context keys the plan fixes besides the probe's context (principal ARN, account, type, user name,
# Region, a guardrail's pinned keys): the principal's tags, per principal (principals.rego
# _principal_fixed_keys): every aws:PrincipalTag/* key (a tag the plan does not set is absent) only
# when the tags are known and no session can carry tags; otherwise the known tags a session cannot
# override are fixed through the context and every other aws:PrincipalTag/* key is open
# (SEMANTICS §13.3). Everything else (aws:SourceIp, aws:MultiFactorAuthPresent, aws:ResourceTag/*,
# aws:CurrentTime, ...) is open; so are aws:PrincipalArn and aws:username when the name is unknown.
_fixed_keys(p) := _principal_fixed_keys(p)

# Not named `decide`/`operate`: regopy 1.5.2 resolves the generic library's `import data.iam2rego.decide`
# to a rule of that name in another package (here iam2rego.gate) and reports a cycle.

# probe_answer(pset, raw_request, fixed) -> analysis answer (docs/ANALYSIS.md)
_probe_answer(pset, raw, fixed) := analysis.analyze_request(pset, raw, fixed, _eval_opts)

# probe_op_answer({"caller": pset, "role"?: pset}, op) -> analysis answer of the operation
_probe_op_answer(psets, op) := analysis.analyze_operation(psets, op, _eval_opts)
