# iam2rego gate - the one place that calls the generic evaluator
package iam2rego.gate

import data.iam2rego.catalog
import data.iam2rego.generic

eval_opts := object.union(catalog.option_defaults, {"mode": object.get(cfg, "mode", catalog.option_defaults.mode)})

# Not named `decide`/`operate`: regopy 1.5.2 resolves the generic library's `import data.iam2rego.decide`
# to a rule of that name in another package (here iam2rego.gate) and reports a cycle.

# probe_decision(pset, raw_request) -> decision object (ARCHITECTURE.md §3)
probe_decision(pset, raw) := generic.decide_request(pset, raw, eval_opts)

# probe_verdict({"caller": pset, "role"?: pset}, op) -> verdict object (ARCHITECTURE.md §4)
probe_verdict(psets, op) := generic.run_operation(psets, op, eval_opts)
