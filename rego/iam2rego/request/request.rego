# METADATA
# title: Request normalisation (ARCHITECTURE.md §2)
# description: |
#   normalize(raw) lower-cases the action and the context keys, turns scalar context values into
#   strings, keeps arrays as arrays of strings, drops null-valued keys (a null key is an absent key)
#   and forces the resource to "*" for actions without a resource type (SEMANTICS §2.3 rule 1).
#   The principal's account and type come from its ARN when the request does not give them
#   (principal_facts). Normalising twice is a no-op.
package iam2rego.request

# Lower-case names of actions without a resource type, from the generated catalog.
default _no_resource_actions := set()

_no_resource_actions := data.iam2rego.catalog.no_resource_actions

# METADATA
# description: The normalised request r (see ARCHITECTURE.md §2).
normalize(raw) := object.union(object.remove(raw, ["action", "resource", "context", "principal"]), {
	"action": action,
	"resource": resource_for(action, object.get(raw, "resource", "*")),
	"context": normalize_context(object.get(raw, "context", {})),
	"principal": principal_facts(object.get(raw, "principal", {})),
}) if {
	action := lower(raw.action)
}

# METADATA
# description: |
#   The resource a request for action (lower-case) checks: "*" for an action without a resource
#   type, else the resource given. One body per call (`else`).
resource_for(action, resource) := "*" if _no_resource_actions[action]

else := resource

# METADATA
# scope: document
# description: |
#   Context keys lower-cased, values as strings or arrays of strings. When two keys differ only in
#   case, the value of the key that sorts first wins (deterministic on every engine).
normalize_context(ctx) := c if {
	# the common case first (issue 14): no two keys differing only in case, string and boolean
	# values only (then every key of ctx gives one key of c)
	count({lower(k) | some k in object.keys(ctx)}) == count(ctx)
	strings := {lower(k): v | some k, v in ctx; is_string(v)}
	booleans := {lower(k): json.marshal(v) | some k, v in ctx; is_boolean(v)}
	c := object.union(strings, booleans)
	count(c) == count(ctx)
} else := {lower(k): value_text(v) | some k, v in ctx; v != null} if {
	not _case_collision(ctx)
} else := {lk: value_text(ctx[_first_key(ctx, lk)]) |
	some k, v in ctx
	v != null
	lk := lower(k)
}

# Two present keys that differ only in case (rare; resolved by first_key, which is quadratic).
_case_collision(ctx) if {
	lowered := [lower(k) | some k in object.keys(ctx); ctx[k] != null]
	count({k | some k in lowered}) != count(lowered)
}

_first_key(ctx, lk) := min({k | some k in object.keys(ctx); ctx[k] != null; lower(k) == lk})

# One body per call, tried in order (`else`): OPA evaluates every body of a function otherwise, and
# this runs for every context value of every decision.

# METADATA
# scope: document
# description: A context value as text; arrays become arrays of text (null members dropped).
value_text(v) := v if is_string(v)

else := [scalar_text(x) | some x in v; x != null] if is_array(v)

else := scalar_text(v)

scalar_text(v) := v if is_string(v)

else := "true" if v == true

else := "false" if v == false

else := format_int(v, 10) if {
	is_number(v)
	v == floor(v)
}

else := sprintf("%v", [v]) if is_number(v)

else := json.marshal(v) if is_object(v)

# ---------------------------------------------------------------------------------------------
# Principal facts (SEMANTICS §5.2a): the account and the type of a principal, read from its ARN.

# ARN shapes of the principals a request can come from, with the type each one names.
_principal_shapes := [
	{"re": `^arn:[^:]+:iam::([0-9]{12}):root$`, "type": "Root"},
	{"re": `^arn:[^:]+:iam::([0-9]{12}):user/.+$`, "type": "IAMUser"},
	{"re": `^arn:[^:]+:iam::([0-9]{12}):role/.+$`, "type": "Role"},
	{"re": `^arn:[^:]+:sts::([0-9]{12}):assumed-role/[^/]+/.+$`, "type": "AssumedRole"},
	{"re": `^arn:[^:]+:sts::([0-9]{12}):federated-user/.+$`, "type": "FederatedUser"},
]

# A service principal such as dynamodb.amazonaws.com (no account).
_service_principal_re := `^[a-z0-9][a-z0-9.-]*\.amazonaws\.com(\.cn)?$`

# METADATA
# scope: document
# description: |
#   The principal object with "account" and "type" filled in from its "arn" (root, IAM user, role,
#   assumed-role session, federated-user session, or service principal, which also gets
#   "service"). Fields the request gives are kept as given. One body per call (`else`): when the
#   request gives "account" and "type" and the ARN has a ":" (so it is no service principal, which
#   would add "service"), the ARN can add nothing and is not parsed.
principal_facts(p) := p if {
	is_object(p)
	_ = p.account
	_ = p.type
	contains(object.get(p, "arn", ""), ":")
} else := object.union(_arn_facts(object.get(p, "arn", "")), p) if {
	is_object(p)
} else := p

# The one shape an ARN can have, by its service and the first word of its resource (field 6): every
# shape's regex requires them, so only that regex is tried (one per request, not five).
_principal_shape_index := {"iam": {"root": 0, "user": 1, "role": 2}, "sts": {"assumed-role": 3, "federated-user": 4}}

default _arn_facts(_) := {}

# One body evaluated per call (`else`): a service principal has no ":", an ARN shape needs five.
_arn_facts(arn) := {"account": m[0][1], "type": shape.type} if {
	is_string(arn)
	parts := split(arn, ":")
	count(parts) > 5
	shape := _principal_shapes[_principal_shape_index[parts[2]][split(parts[5], "/")[0]]]
	m := regex.find_all_string_submatch_n(shape.re, arn, 1)
	count(m) == 1
} else := {"type": "Service", "service": arn} if {
	is_string(arn)
	regex.match(_service_principal_re, arn)
}

# METADATA
# description: |
#   The account of a resource ARN (its fifth field when it is 12 digits), else "" (no-resource
#   actions on "*", S3 ARNs, which carry no account).
resource_account(resource) := m[0][1] if {
	is_string(resource)
	m := regex.find_all_string_submatch_n(`^arn:[^:]*:[^:]*:[^:]*:([0-9]{12}):`, resource, 1)
	count(m) == 1
} else := ""

# METADATA
# scope: document
# description: |
#   Whether r (normalised) is a cross-account request (SEMANTICS §5.2a): both accounts are known
#   and differ. An unknown account on either side (a service principal, a resource ARN without an
#   account such as "*" or an S3 ARN) keeps the single-account rules.
default cross_account(_) := false

cross_account(r) if {
	pa := object.get(r, ["principal", "account"], "")
	is_string(pa)
	pa != ""
	parts := split(r.resource, ":")
	count(parts) > 5

	# the common case (same account) stops here, without the regex of resource_account
	ra := parts[4]
	pa != ra
	ra != ""
	resource_account(r.resource) == ra
}

# METADATA
# description: |
#   The table whose resource-based policy applies to a resource: the table itself, or the table of
#   an index or stream ARN (SEMANTICS §3.5); "" for any other resource (backups, exports, imports,
#   other services, "*"), which no resource policy covers.
resource_policy_table(resource) := m[0][1] if {
	is_string(resource)
	m := regex.find_all_string_submatch_n(_rbp_covered_re, resource, 1)
	count(m) == 1
} else := ""

_rbp_covered_re := `^(arn:[^:]+:dynamodb:[^:]*:[^:]*:table/[^/]+)(?:/index/[^/]+|/stream/.+)?$`

# METADATA
# description: |
#   The resource a resource-based policy is bound to for request r (SEMANTICS §3.5, §14.3): the table
#   of a table, index or stream ARN; a backup vault's own ARN; for a recovery point, the vault the
#   request names (r.vault: a recovery point's ARN does not name its vault); "" for anything else.
resource_policy_key(r) := t if {
	t := resource_policy_table(r.resource)
	t != ""
} else := r.resource if {
	regex.match(vault_arn_re, r.resource)
} else := v if {
	regex.match(recovery_point_arn_re, r.resource)
	v := object.get(r, "vault", "")
	regex.match(vault_arn_re, v)
} else := ""

# METADATA
# description: An AWS Backup vault ARN (arn:<partition>:backup:<region>:<account>:backup-vault:<name>).
vault_arn_re := `^arn:[^:]+:backup:[^:]+:[0-9]{12}:backup-vault:[A-Za-z0-9_.-]+$`

# METADATA
# description: An AWS Backup recovery point ARN (SEMANTICS §1.2, §14.1).
recovery_point_arn_re := `^arn:[^:]+:backup:[^:]+:[0-9]{12}:recovery-point:[^:/]+$`

# METADATA
# description: |
#   A cross-account request on a backup vault or recovery point other than CopyIntoBackupVault:
#   AWS Backup rejects it whatever the vault's access policy says (SEMANTICS §14.3).
cross_account_refused(r) if {
	regex.match(`^arn:[^:]+:backup:`, r.resource)
	r.action != "backup:copyintobackupvault"
	cross_account(r)
}
