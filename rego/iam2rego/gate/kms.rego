# iam2rego gate - customer managed KMS keys (SEMANTICS §13.2, ARCHITECTURE §8)
# Which key encrypts each table (tables[addr].kms), and for every customer managed key a table uses:
# its key policy (aws_kms_key.policy, aws_kms_key_policy, AWS's default key policy when none is
# set, or the guardrail file's `kms_keys:`) and its grants (aws_kms_grant). The operations that
# need the key (restore, export, AWS Backup restore) bind these as the key policy of their KMS
# checks (generic key_policies): IAM policies then count only when the key policy delegates to the
# account. A key the plan cannot show is bound without a document: the checks on it are
# UNVERIFIABLE and the finding names the key.
package iam2rego.gate

# policy-bearing attributes of KMS resources (compiler/terraform/policies.py KEY_POLICY_ATTRS
# mirrors this; tests/e2e/test_gate_kms.py keeps the two equal)
kms_policy_attrs := {
	"aws_kms_key": {"attr": "policy", "kind": "key_policy"},
	"aws_kms_key_policy": {"attr": "policy", "kind": "key_policy"},
}

# The KMS parameter of each gate operation that the table's key fills (SEMANTICS §3.3, §3.4):
# the backup's key for a restore (the table's key when the backup was made), the source table's key
# for a point-in-time restore and an export, the recovery point's key for an AWS Backup restore
# of a DynamoDB backup. CreateBackup and AWS Backup's StartBackupJob take no KMS check (§13.2).
kms_operation_param := {
	"restore_table_from_backup": "backup_kms_key",
	"restore_table_to_point_in_time": "source_kms_key",
	"export_table_to_point_in_time": "kms_key",
	"aws_backup_start_restore_job": "kms_key",
}

_aws_managed_key_re := `^(arn:[^:]+:kms:[^:]*:[^:]*:)?alias/aws/dynamodb$`

_key_arn_re := `^arn:[^:]+:kms:[^:]*:[^:]*:key/.+$`

# ---- the table -> key link (tables[addr].kms) ----

_sse_block(addr) := b if {
	b := after(addr).server_side_encryption[0]
	is_object(b)
}

_sse_config(addr) := c if {
	c := _config_of(addr).expressions.server_side_encryption[0]
	is_object(c)
}

_sse_key_unknown(addr) if _unknown_of(addr).server_side_encryption[0].kms_key_arn == true

_sse_unknown(addr) if _unknown_of(addr).server_side_encryption == true

_sse_unknown(addr) if _unknown_of(addr).server_side_encryption[0].enabled == true

_owned := {"kind": "aws_owned", "arn": null, "key": null, "known": true}

_managed(arn) := {"kind": "aws_managed", "arn": arn, "key": null, "known": true}

# SSE off (no block, enabled = false): the AWS owned key; enabled without a key: aws/dynamodb;
# a key ARN (known, or a reference to an aws_kms_key of the plan): that key; anything else: unknown.
table_kms(addr) := _owned if {
	_sse_block(addr).enabled == false
} else := _owned if {
	not _sse_block(addr)
	not _sse_config(addr)
} else := _unknown_table_key(addr, "its server_side_encryption block is known only after apply") if {
	not _sse_block(addr)
} else := _unknown_table_key(addr, "whether server_side_encryption is enabled is known only after apply") if {
	_sse_unknown(addr)
} else := _owned if {
	_sse_block(addr).enabled != true
} else := _kms_of_arn(_sse_block(addr).kms_key_arn) if {
	s := _sse_block(addr).kms_key_arn
	is_string(s)
	s != ""
} else := _managed(null) if {
	not _sse_key_unknown(addr)
} else := _managed(null) if {
	not _sse_config(addr).kms_key_arn
} else := {"kind": "customer", "arn": _plan_key_arn(k), "key": k, "known": true} if {
	k := _sse_key_ref(addr)
} else := _unknown_table_key(addr, concat("", [
	"its kms_key_arn is known only after apply and refers to no aws_kms_key of the plan",
	_refs_text(_sse_config(addr).kms_key_arn),
]))

_unknown_table_key(addr, why) := {
	"kind": "customer", "arn": null, "key": null, "known": false,
	"why": why, "address": addr,
}

_refs_text(e) := concat("", [" (", concat(", ", e.references), ")"]) if {
	is_array(e.references)
	count(e.references) > 0
} else := ""

_kms_of_arn(s) := _managed(s) if regex.match(_aws_managed_key_re, s)

_kms_of_arn(s) := {"kind": "customer", "arn": s, "key": _plan_key_of(s), "known": true} if {
	not regex.match(_aws_managed_key_re, s)
}

# the plan key whose known ARN (or key id) is s; null when none
# (an index built without function arguments: regopy 1.5.2 mis-handles a function argument used
# inside a comprehension, and crashes on a function call inside a lookup key)
_plan_key_ids contains [_known_string(a, "arn"), a] if some a in _live_of_type("aws_kms_key")

_plan_key_ids contains [_known_string(a, "key_id"), a] if some a in _live_of_type("aws_kms_key")

_plan_keys_by_id := {pair[0]: ks |
	some pair in _plan_key_ids
	ks := {x[1] | some x in _plan_key_ids; x[0] == pair[0]}
}

_plan_key_of(s) := k if {
	ks := object.get(_plan_keys_by_id, s, set())
	count(ks) == 1
	some k in ks
} else := null

# the aws_kms_key that a table's kms_key_arn expression refers to (one reference, same module)
_sse_key_ref(addr) := k if {
	refs := _sse_config(addr).kms_key_arn.references
	is_array(refs)
	targets := {t | some r in refs; t := _ref_target(addr, r)}
	count(targets) == 1
	some k in targets
	_live[k].type == "aws_kms_key"
}

# A key created by this plan has no ARN before apply: it is named by a placeholder of its Region,
# account and address (any IAM pattern such as key/* matches it; no exact ARN can).
_plan_key_arn(k) := _known_string(k, "arn")

_plan_key_arn(k) := concat("", ["arn:aws:kms:", _region_of(k), ":", _account_id, ":key/", k]) if {
	not _known_string(k, "arn")
}

# the key ARN the checks of an operation on a table use (a placeholder for an unknown key)
table_key_arn(tb) := tb.kms.arn if is_string(tb.kms.arn)

table_key_arn(tb) := concat("", ["arn:aws:kms:", tb.region, ":", _account_id, ":key/unknown(", tb.address, ")"]) if {
	not is_string(tb.kms.arn)
}

# A table named by a guardrail's `resources.arns` is not in the plan: its key cannot be told, so
# the operations that need the key are unverifiable (never IAM alone).
outside_table(arn) := {
	"address": arn, "region": split(arn, ":")[3],
	"kms": _unknown_table_key(arn, "the table is not in the plan"),
}

_outside_key_arns := {table_key_arn(outside_table(arn)) |
	some g in _user_guardrails
	some arn in object.get(object.get(g, "resources", {}), "arns", [])
	is_string(arn)
	count(split(arn, ":")) >= 6
}

# ---- key policies ----

# aws_kms_key_policy resources by the key they replace the policy of
_key_policy_target(p) := k if {
	k := _resolve_ref(p, "key_id")
	_live[k].type == "aws_kms_key"
} else := k if {
	s := _known_string(p, "key_id")
	k := _plan_key_of(s)
	k != null
}

_key_policy_resources := {k: ps |
	some k in _live_of_type("aws_kms_key")
	ps := {p | some p in _live_of_type("aws_kms_key_policy"); _key_policy_target(p) == k}
}

_untargeted_key_policies := {p | some p in _live_of_type("aws_kms_key_policy"); not _key_policy_target(p)}

# AWS's default key policy (a key created without one): it delegates everything to the account
# ([KMS-KP-DEFAULT]).
_default_key_policy := {"Version": "2012-10-17", "Statement": [{
	"Sid": "Enable IAM User Permissions", "Effect": "Allow",
	"Principal": {"AWS": concat("", ["arn:aws:iam::", _account_id, ":root"])},
	"Action": "kms:*", "Resource": "*",
}]}

# key_documents[id] = documents-shaped entry of one key policy (ids: the resource's address)
key_documents[p] := _key_document(p) if some p in _live_of_type("aws_kms_key_policy")

key_documents[k] := _key_document(k) if {
	some k in _live_of_type("aws_kms_key")
	count(_key_policy_resources[k]) == 0
	_config_of(k).expressions.policy
}

key_documents[k] := {"id": k, "address": k, "kind": "key_policy", "status": "ok", "document": _default_key_policy} if {
	some k in _live_of_type("aws_kms_key")
	count(_key_policy_resources[k]) == 0
	not _config_of(k).expressions.policy
	not _known_string(k, "policy")
}

key_documents[k] := _key_document(k) if {
	some k in _live_of_type("aws_kms_key")
	count(_key_policy_resources[k]) == 0
	not _config_of(k).expressions.policy
	_known_string(k, "policy")
}

_key_document(addr) := _frontend_checked(_read_document(addr, addr, "key_policy", text, false)) if {
	text := _known_string(addr, "policy")
} else := _read_document(addr, addr, "key_policy", null, true)

# the policy id of a plan key, and why it cannot be used (undefined when it can)
_plan_key_policy(k) := p if {
	ps := _key_policy_resources[k]
	count(ps) == 1
	some p in ps
} else := k

_plan_key_problem(k) := concat("", ["several aws_kms_key_policy resources set its policy (", names, ")"]) if {
	count(_key_policy_resources[k]) > 1
	names := concat(", ", sort(_key_policy_resources[k]))
} else := concat("", [
	"an aws_kms_key_policy whose key_id refers to no key of the plan may replace its policy (",
	concat(", ", sort(_untargeted_key_policies)), ")",
]) if {
	count(_key_policy_resources[k]) == 0
	count(_untargeted_key_policies) > 0
} else := _policy_problem(p) if {
	p := _plan_key_policy(k)
	key_documents[p].status != "ok"
} else := _grant_problem

_policy_problem(p) := concat("", [key_documents[p].problem, " (", p, ")"])

# ---- grants (aws_kms_grant): an Allow of the grant's operations to its grantee ----

_grant_key_arn(g) := _plan_key_arn(k) if {
	k := _resolve_ref(g, "key_id")
	_live[k].type == "aws_kms_key"
} else := a if {
	s := _known_string(g, "key_id")
	k := _plan_key_of(s)
	k != null
	a := _plan_key_arn(k)
} else := s if {
	s := _known_string(g, "key_id")
	regex.match(_key_arn_re, s)
}

_grantee(g) := _known_string(g, "grantee_principal")

_grantee(g) := principals[p].arn if {
	not _known_string(g, "grantee_principal")
	p := _resolve_ref(g, "grantee_principal")
	is_string(principals[p].arn)
}

_grant_operations(g) := ops if {
	ops := after(g).operations
	is_array(ops)
	not _attr_unknown(g, "operations")
}

_grants[arn] contains {
	"address": g, "grantee": _grantee(g), "operations": _grant_operations(g),
	"constraints": object.get(after(g), "constraints", []),
} if {
	some g in _live_of_type("aws_kms_grant")
	arn := _grant_key_arn(g)
	_grantee(g)
	_grant_operations(g)
}

# a grant whose key, grantee or operations the plan cannot show may add access to any key
_unresolved_grants := {g |
	some g in _live_of_type("aws_kms_grant")
	not _resolved_grant(g)
}

_resolved_grant(g) if {
	_grant_key_arn(g)
	_grantee(g)
	_grant_operations(g)
	not _attr_unknown(g, "constraints")
}

_grant_problem := concat("", [
	"an aws_kms_grant whose key, grantee or operations are known only after apply may allow it (",
	concat(", ", sort(_unresolved_grants)), ")",
]) if {
	count(_unresolved_grants) > 0
}

_grant_statement(gr) := object.union(
	{
		"Sid": "", "Effect": "Allow", "Principal": {"AWS": gr.grantee},
		"Action": [a | some op in ops; a := concat("", ["kms:", op])], "Resource": "*",
	},
	_grant_condition(gr.constraints),
) if {
	ops := gr.operations
}

# grant constraints: encryption context pairs the request must carry (open keys in the analysis)
_grant_condition(cs) := {} if count(cs) == 0

_grant_condition(cs) := {"Condition": {"StringEquals": pairs}} if {
	count(cs) > 0
	pairs := {k: v |
		some c in cs
		some field in ["encryption_context_equals", "encryption_context_subset"]
		ctx := object.get(c, field, {})
		some ck in object.keys(ctx)
		v := ctx[ck]
		k := concat("", ["kms:EncryptionContext:", ck])
	}
}

_grant_entries(arn) := [e |
	some gr in grs
	e := {
		"name": gr.address, "document": {"Version": "2012-10-17", "Statement": [_grant_statement(gr)]},
		"source": gr.address,
	}
] if {
	grs := object.get(_grants, arn, set())
}

# ---- keys from the guardrail file (`kms_keys: {ARN: FILE}`; inline {policy: ...} for conftest) ----

default _cfg_keys := {}

_cfg_keys := _cfg.kms_keys if is_object(_cfg.kms_keys)

_cfg_key_document(arn) := d if {
	d := _cfg_keys[arn].policy
	is_object(d)
} else := d if {
	d := json.unmarshal(_cfg_keys[arn].policy)
	is_object(d)
}

_cfg_key_problem(arn) := concat("", [
	"`kms_keys` names the file ", _cfg_keys[arn],
	" for it: only `iam2rego gate` reads files; under plain conftest give the policy inline (policy:)",
]) if {
	is_string(_cfg_keys[arn])
} else := "its `kms_keys` entry has no readable `policy` document" if {
	not _cfg_key_document(arn)
} else := concat("", ["its `kms_keys` policy is not a valid key policy (", concat(", ", codes), ")"]) if {
	entry := {"name": arn, "document": _cfg_key_document(arn)}
	codes := sort({e.code | some e in data.iam2rego.generic.policy_errors(entry, "rbp")})
	count(codes) > 0
} else := _grant_problem

_cfg_source(arn) := object.get(_cfg_keys[arn], "source", "kms_keys") if {
	is_object(_cfg_keys[arn])
} else := _cfg_keys[arn] if {
	is_string(_cfg_keys[arn])
} else := "kms_keys"

# ---- the model: kms_keys[arn] (ARCHITECTURE §8) ----

_plan_key_arns := {_plan_key_arn(k): k | some k in _live_of_type("aws_kms_key")}

_table_key_arns := {table_key_arn(tb) | some tb in tables; tb.kms.kind == "customer"}

kms_keys[arn] := {
	"arn": arn, "address": k, "policy": _plan_key_policy(k), "source": "plan",
	"grants": _grant_list(arn),
	"known": _no_plan_problem(k), "problem": _plan_problem_or_null(k),
} if {
	some arn, k in _plan_key_arns
}

kms_keys[arn] := {
	"arn": arn, "address": null, "policy": _cfg_source(arn), "source": "guardrails",
	"grants": _grant_list(arn),
	"known": _no_cfg_problem(arn), "problem": _cfg_problem_or_null(arn),
} if {
	some arn in _table_key_arns
	not _plan_key_arns[arn]
	_cfg_keys[arn]
}

kms_keys[arn] := {
	"arn": arn, "address": null, "policy": null, "source": "none", "grants": [], "known": false,
	"problem": _outside_problem(arn),
} if {
	some arn in _table_key_arns
	not _plan_key_arns[arn]
	not _cfg_keys[arn]
}

_grant_list(arn) := [x | some gr in grs; x := object.remove(gr, ["constraints"])] if {
	grs := object.get(_grants, arn, set())
}

default _no_plan_problem(_) := true

_no_plan_problem(k) := false if _plan_key_problem(k)

_plan_problem_or_null(k) := p if {
	p := _plan_key_problem(k)
} else := null

default _no_cfg_problem(_) := true

_no_cfg_problem(arn) := false if _cfg_key_problem(arn)

_cfg_problem_or_null(arn) := p if {
	p := _cfg_key_problem(arn)
} else := null

_outside_problem(arn) := concat("", ["the key of ", tb.address, " cannot be told: ", tb.kms.why]) if {
	some tb in tables
	tb.kms.known == false
	table_key_arn(tb) == arn
} else := "the key is not in the plan; give its key policy under `kms_keys:` in the guardrails file (access: --kms-key)"

# ---- the key policies of the checks (generic key_policies: {ARN: [P, ...]}) ----

# Every key a table of the plan uses is bound: one the model lost (a defect) is unknown, never
# "no key policy" (which would let IAM alone decide).
bound_key_policies := {arn: entries |
	some arn in ((_table_key_arns | object.keys(kms_keys)) | _outside_key_arns)
	entries := _entries_for(arn)
}

_entries_for(arn) := _key_entries(arn, kms_keys[arn]) if {
	kms_keys[arn]
} else := _key_entries(arn, {"known": false, "problem": "the table is not in the plan: its key cannot be told"}) if {
	arn in _outside_key_arns
} else := _key_entries(arn, {"known": false, "problem": "the key's policy could not be read"})

_key_entries(arn, k) := array.concat([_key_policy_entry(arn, k)], _grant_entries(arn)) if k.known

_key_entries(arn, k) := [{"name": why, "document": null, "source": why}] if {
	not k.known
	why := concat("", ["KMS key ", arn, ": ", k.problem])
}

_key_policy_entry(_, k) := {"name": k.policy, "document": _plan_key_doc(k.policy), "source": k.policy} if {
	k.source == "plan"
}

_key_policy_entry(arn, k) := {"name": k.policy, "document": _cfg_key_document(arn), "source": k.policy} if {
	k.source == "guardrails"
}

_plan_key_doc(id) := key_documents[id].document

# the KMS parameter of an operation on a table; {} for an AWS owned or AWS managed key
kms_params(operation, tb) := {kms_operation_param[operation]: table_key_arn(tb)} if {
	kms_operation_param[operation]
	tb.kms.kind == "customer"
} else := {}
