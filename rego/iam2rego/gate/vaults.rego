# iam2rego gate - the AWS Backup plane of the plan (SEMANTICS §14, docs/ARCHITECTURE.md §8)
# Backup vaults with their access policy and Vault Lock, and which vaults each table's recovery points
# go to: the plan's backup plans (rules' target_vault_name, copy actions' destination_vault_arn)
# through the selections that pick the table. Vaults outside the plan may be described in the
# guardrail file (`vaults: {NAME: {policy: FILE, lock: {mode, locked}}}`); a vault a rule names that
# neither shows is `known: false`, and every answer about it is unverifiable, never "no policy".
package iam2rego.gate

_vault_cfg := object.get(_cfg, "vaults", {})

_vault_arn_of(region, name) := concat(":", ["arn:aws:backup", region, _account_id, "backup-vault", name])

# vaults[arn] = {"arn", "name", "region", "address" | null, "policy": entry | null, "policy_problem",
#                "lock": none | governance | compliance_grace | compliance_locked | unknown, "known"}
vaults[arn] := object.union(_plan_vault(addr), {"arn": arn}) if {
	some addr in _live_of_type("aws_backup_vault")
	arn := _plan_vault_arn(addr)
}

vaults[arn] := v if {
	some arn in _named_vaults
	not _plan_vault_by_arn[arn]
	v := _outside_vault(arn)
}

_plan_vault_arn(addr) := a if {
	a := _known_string(addr, "arn")
} else := _vault_arn_of(_region_of(addr), _known_string(addr, "name"))

_plan_vault_by_arn := {_plan_vault_arn(a): a | some a in _live_of_type("aws_backup_vault")}

_plan_vault(addr) := {
	"name": object.get(after(addr), "name", addr),
	"region": _region_of(addr),
	"address": addr,
	"policy": _vault_policy_entry(addr),
	"policy_problem": _vault_policy_problem(addr),
	"lock": _vault_lock_of(addr),
	"known": true,
}

# ---- a vault's access policy: aws_backup_vault_policy by vault name or reference ----

_vault_policy_docs(vault) := {p |
	some p in _live_of_type("aws_backup_vault_policy")
	_names_vault(p, vault)
}

_names_vault(res, vault) if _known_string(res, "backup_vault_name") == object.get(after(vault), "name", null)

_names_vault(res, vault) if {
	not _known_string(res, "backup_vault_name")
	_resolve_ref(res, "backup_vault_name") == vault
}

_vault_policy_entry(vault) := _entry_for({"kind": "doc", "id": id}) if {
	[id] := [x | some x in _vault_policy_docs(vault)]
	readable(id)
} else := null

_vault_policy_problem(vault) := documents[id].problem if {
	some id in _vault_policy_docs(vault)
	not readable(id)
} else := null

# ---- Vault Lock (SEMANTICS §14.4): changeable_for_days set = compliance mode ----

_vault_lock_of(vault) := lock if {
	locks := [l | some l in _live_of_type("aws_backup_vault_lock_configuration"); _names_vault(l, vault)]
	count(locks) > 0
	lock := _lock_mode(locks[0], object.get(after(vault), "name", ""))
} else := _configured_lock(object.get(after(vault), "name", ""))

# a compliance lock is past its grace time only when the guardrail file says so
_lock_mode(l, name) := "compliance_locked" if {
	is_number(after(l).changeable_for_days)
	_cfg_lock_locked(name)
} else := "compliance_grace" if {
	is_number(after(l).changeable_for_days)
} else := "unknown" if {
	_attr_unknown(l, "changeable_for_days")
} else := "governance"

_cfg_lock_locked(name) if {
	lock := _vault_cfg[name].lock
	lock.mode == "compliance"
	lock.locked == true
}

_configured_lock(name) := "compliance_locked" if _cfg_lock_locked(name)

_configured_lock(name) := "compliance_grace" if {
	_vault_cfg[name].lock.mode == "compliance"
	not _cfg_lock_locked(name)
}

_configured_lock(name) := "governance" if _vault_cfg[name].lock.mode == "governance"

_configured_lock(name) := "none" if {
	not _vault_cfg[name].lock
	_plan_vault_named(name)
}

_configured_lock(name) := "unknown" if {
	not _vault_cfg[name].lock
	not _plan_vault_named(name)
}

_plan_vault_named(name) if {
	some a in _live_of_type("aws_backup_vault")
	after(a).name == name
}

# ---- vaults outside the plan: described by the guardrail file, or unknown ----

_outside_vault(arn) := {
	"arn": arn, "name": name, "region": split(arn, ":")[3], "address": null,
	"policy": _cfg_vault_policy(name),
	"policy_problem": _cfg_vault_problem(name),
	"lock": _configured_lock(name),
	"known": _known_vault_cfg(name),
} if {
	name := split(arn, ":")[6]
}

default _known_vault_cfg(_) := false

_known_vault_cfg(name) if _object_field(_vault_cfg, name)

# the policy document of a vault outside the plan (iam2rego gate reads `policy: FILE` into `document`)
_cfg_vault_policy(name) := {
	"name": concat("", ["vault ", name, " (guardrail file)"]),
	"document": d, "source": concat("", ["guardrail file vaults.", name]),
} if {
	d := _vault_cfg[name].document
	is_object(d)
} else := null

_cfg_vault_problem(name) := "the vault is not in the plan and the guardrail file does not describe it" if {
	not _object_field(_vault_cfg, name)
} else := null

# ---- which vaults hold each table's recovery points ----

_plan_rules(plan) := [r | some r in object.get(after(plan), "rule", [])]

_selection_plan(sel) := p if {
	pid := _known_string(sel, "plan_id")
	some p in _live_of_type("aws_backup_plan")
	_known_string(p, "id") == pid
} else := p if {
	p := _resolve_ref(sel, "plan_id")
	_live[p].type == "aws_backup_plan"
}

# vault ARNs a plan rule sends recovery points to (target, then copy destinations); a destination
# known only after apply is found through the configuration's reference to a vault of the plan, else
# it is the unknown vault (every answer about it unverifiable; `.` is in no vault name)
_rule_vaults(plan, rule) := {_vault_arn_of(_region_of(plan), rule.target_vault_name)} | {a |
	# an index range, not `some i, c in`: regopy 1.5.2 reads that inside a set comprehension as two
	# set elements ("Invalid collection")
	copies := object.get(rule, "copy_action", [])
	some i in numbers.range(0, count(copies) - 1)
	a := _copy_destination(plan, rule, i, copies[i])
} if {
	is_string(rule.target_vault_name)
}

_copy_destination(_, _, _, c) := c.destination_vault_arn if is_string(c.destination_vault_arn)

_copy_destination(plan, rule, i, c) := a if {
	not _string_field(c, "destination_vault_arn")
	a := _copy_reference(plan, rule, i)
} else := _unknown_vault(plan) if {
	not _string_field(c, "destination_vault_arn")
}

_copy_reference(plan, rule, i) := _plan_vault_arn(v) if {
	some block in object.get(_config_of(plan), ["expressions", "rule"], [])
	object.get(block, ["rule_name", "constant_value"], null) == rule.rule_name
	some ref in block.copy_action[i].destination_vault_arn.references
	v := _ref_target(plan, ref)
	_live[v].type == "aws_backup_vault"
}

_unknown_vault(plan) := _vault_arn_of(_region_of(plan), concat("", ["unknown.copy-destination-of.", plan]))

_named_vaults := {a |
	some sel in _backup_selections
	plan := _selection_plan(sel)
	some rule in _plan_rules(plan)
	some a in _rule_vaults(plan, rule)
}

# table address -> vault ARNs its recovery points are sent to by the plan's backup plans
table_vaults[t] contains a if {
	some sel in _backup_selections
	some t in _selection_tables(sel)
	plan := _selection_plan(sel)
	some rule in _plan_rules(plan)
	some a in _rule_vaults(plan, rule)
}

# The vaults a question about table t asks: the ones its backup plans send it to, else (the plan
# does not say) every vault the plan holds or names, and the account's Default vault of t's Region.
vaults_of_table(t) := table_vaults[t.address] if count(object.get(table_vaults, t.address, set())) > 0

vaults_of_table(t) := {a | some a in object.keys(vaults)} | {_vault_arn_of(t.region, "Default")} if {
	count(object.get(table_vaults, t.address, set())) == 0
}

# ---- what the evaluator binds: each vault's policy and lock (SEMANTICS §14.3, §14.4) ----

_vault_policies := {arn: v.policy | some arn, v in vaults; v.policy != null}

_vault_unreadable := {arn: {"name": arn, "document": null, "source": arn} |
	some arn, v in vaults
	v.policy == null
	v.policy_problem != null
}

vault_locks := {arn: v.lock | some arn, v in vaults; v.lock in {"governance", "compliance_grace", "compliance_locked"}}

# the lock parameter of an operation on a vault (what operations.checks reads)
vault_lock_param(arn) := vaults[arn].lock if vaults[arn].lock in {"governance", "compliance_grace", "compliance_locked"}

vault_lock_param(arn) := "none" if not vaults[arn].lock in {"governance", "compliance_grace", "compliance_locked"}

_sample_recovery_point(vault_arn) := concat(":", [
	"arn:aws:backup", split(vault_arn, ":")[3], split(vault_arn, ":")[4],
	"recovery-point", "00000000-0000-4000-8000-000000000000",
])
