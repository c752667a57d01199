# METADATA
# title: iam2rego access - what the access matrix needs from a Terraform plan
# description: |
#   The gate's own plan reading (principals, their policy sets, tables, table resource policies),
#   exported as one document so `iam2rego access` decides the same policy sets the gate does.
#   input = the plan JSON; data.iam2rego_gate = the gate configuration (account_id, region, ...).
package iam2rego.access

import data.iam2rego.gate
import data.iam2rego.operations
import data.iam2rego.request

# METADATA
# description: Principals, tables and plan-level problems of the plan in input.
# entrypoint: true
inventory := {
	"principals": _inventory_principals,
	"tables": _inventory_tables,
	"problems": sort([f.detail | some f in gate.plan_findings]),
	"orphans": sort([f.detail | some f in gate.unverifiable_hits; f.principal == null]),
}

# Not loaded by the gate pack (terraform.pack_files(access=True) only): regopy 1.5.2 rejects
# `some k, v in gate.x` ("Invalid collection") and crashes on the gate.x[k] form, so `iam2rego access`
# needs the opa or docker engine for plans.
_inventory_principals := [p |
	some addr, pr in gate.principals

	# what the analysis fixes for this principal (the gate's own rules, SEMANTICS §13.3)
	p := object.union(object.union(pr, gate.principal_view(pr)), {
		"policy_set": gate.policy_sets[addr],
		"unverifiable": sort([f.detail | some f in gate.unverifiable_hits; f.principal == addr]),
	})
]

_inventory_tables := [t |
	some addr, tb in gate.tables
	t := object.union(tb, {
		"tags": object.get(_table_tags, addr, {}),
		"resource_policy": gate.rbp_entries(tb.arn),
		"problem": object.get(_rbp_problems, tb.arn, null),
		"kms_key": _table_key(tb),
		"key_policy": _table_key_entries(tb),
	})
]

# the table's customer managed key (SEMANTICS §13.2) and its key policy entries (with grants; an
# unknown key: one entry without a document, which the evaluator refuses); null for AWS keys
_table_key(tb) := gate.table_key_arn(tb) if tb.kms.kind == "customer"

_table_key(tb) := null if tb.kms.kind != "customer"

_table_key_entries(tb) := gate.bound_key_policies[gate.table_key_arn(tb)] if tb.kms.kind == "customer"

_table_key_entries(tb) := null if tb.kms.kind != "customer"

_table_tags[addr] := t if {
	some addr, _ in gate.tables
	t := gate.after(addr).tags
	is_object(t)
}

# why a table's resource policy cannot be read (tables whose policy is readable are absent)
_rbp_problems[arn] := gate.documents[id].problem if {
	some arn, id in gate.table_rbp
	not gate.readable(id)
}

# METADATA
# description: |
#   The checks of each matrix column for one table, in column order (input.items = operation
#   inputs or single requests, input.options = the evaluator options); the access matrix groups
#   (principal, table) pairs by which statements can match these checks.
# entrypoint: true
column_checks := [cs | some item in input.items; cs := _item_checks(item)]

_item_checks(item) := operations.checks(item, object.get(input, "options", {})) if item.operation

_item_checks(item) := [{
	"id": concat(" ", ["caller", lower(item.action), resource]),
	"principal": "caller",
	"action": item.action,
	"resource": resource,
	"context": {},
	"kind": "primary",
}] if {
	not item.operation
	resource := request.resource_for(lower(item.action), item.resource)
}
