# iam2rego gate - the one place that calls the generic evaluator
package iam2rego.gate

import data.iam2rego.generic

eval_opts := {
	"mode": object.get(cfg, "mode", "docs"),
	"resource_glob": "segment",
	"awsbackup_restore_dataplane": false,
	"kms_set": null,
	"service_ip": null,
	"svc_calledvia": false,
}

# decide(pset, raw_request) -> decision object (ARCHITECTURE.md §3)
decide(pset, raw) := generic.decide_request(pset, raw, eval_opts)

# operate(pset, op) -> verdict object (ARCHITECTURE.md §4)
operate(pset, op) := generic.run_operation({"caller": pset}, op, eval_opts)
