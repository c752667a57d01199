# METADATA
# title: Action, resource and principal matching (SEMANTICS §4.3–§4.5, §2.3)
# description: |
#   IAM wildcards are compiled to anchored RE2 regexes (never glob.match). Every character that is
#   not an IAM wildcard is escaped, so `[ ] { } . \` keep their literal meaning. Regex flags such as
#   (?i) are not used: the embedded engine (regopy) does not support them; case-insensitive matching
#   lower-cases both sides instead, and IAM's `*`/`?` become `[\s\S]*`/`[\s\S]` (they match a newline,
#   RE2's `.` does not).
package iam2rego.match

import data.iam2rego.policydoc
import data.iam2rego.request

# Characters that RE2 treats specially outside a character class.
_regex_meta := {".", "+", "*", "?", "(", ")", "|", "[", "]", "{", "}", "^", "$", "\\"}

# METADATA
# description: s with every RE2 metacharacter escaped (a regex matching s literally).
escape_regex(s) := concat("", [_esc_char(c) | some c in split(s, "")])

_esc_char(c) := concat("", ["\\", c]) if c in _regex_meta

_esc_char(c) := c if not c in _regex_meta

# ---------------------------------------------------------------------------------------------
# Actions (§4.4): "*" alone = every action; otherwise the prefix is compared literally and the
# name is globbed; both sides case-insensitive.

# METADATA
# scope: document
# description: Whether the policy action pattern matches the lower-case request action.
action_matches("*", _)

action_matches(pattern, action_lc) if {
	pattern != "*"
	p := lower(pattern)
	pi := indexof(p, ":")
	pi > 0
	ai := indexof(action_lc, ":")
	substring(p, 0, pi) == substring(action_lc, 0, ai)
	name_re := concat("", [_glob_char(c) | some c in split(substring(p, pi + 1, -1), "")])
	regex.match(concat("", ["^", name_re, "$"]), substring(action_lc, ai + 1, -1))
}

_glob_char("*") := `[\s\S]*`

_glob_char("?") := `[\s\S]`

_glob_char(c) := _esc_char(c) if not c in {"*", "?"}

# ---------------------------------------------------------------------------------------------
# Resources (§4.4, §4.5).

# METADATA
# description: |
#   Runtime resource matching of a pattern as written in the policy. vars_enabled = Version
#   2012-10-17; glob_mode "segment" (default) or "naive". A pattern with an unresolved variable
#   (no value, no default) or malformed variable syntax matches nothing.
resource_matches(pattern, resource, ctx, vars_enabled, glob_mode) if {
	tokens := pattern_tokens(pattern, vars_enabled, glob_mode)
	resource_tokens_match(tokens, resource, ctx)
}

# METADATA
# description: Match a compiled token list (ARCHITECTURE §3) against a resource.
resource_tokens_match(tokens, resource, ctx) if {
	parts := [x | some t in tokens; x := tok_regex(t, ctx)]
	count(parts) == count(tokens)
	regex.match(concat("", ["^", concat("", parts), "$"]), resource)
}

tok_regex(t, _) := escape_regex(t.v) if t.t == "lit"

tok_regex(t, _) := `[\s\S]*` if {
	t.t == "star"
	t.cross
}

tok_regex(t, _) := "[^:]*" if {
	t.t == "star"
	not t.cross
}

tok_regex(t, _) := `[\s\S]` if t.t == "any"

tok_regex(t, ctx) := escape_regex(var_value(t, ctx)) if t.t == "var"

# METADATA
# scope: document
# description: |
#   The value of a policy variable: a single-valued context key (looked up lower-case), else the
#   default, else undefined. A multivalued key is not a valid variable value (§4.5).
var_value(t, ctx) := v if {
	v := ctx[lower(t.k)]
	is_string(v)
}

var_value(t, ctx) := d if {
	not _has_string(ctx, lower(t.k))
	d := t.d
	is_string(d)
}

_has_string(ctx, key) if is_string(ctx[key])

# Raw pattern pieces: a variable, a wildcard, a run of plain text, or a lone "$".
_piece_re := `\$\{[^}]*\}|\*|\?|[^*?$]+|\$`

# Valid variable bodies: an escape, or a key with an optional quoted default.
_var_body_re := `^([^\s,'{}$]+)(?:, '([^']*)')?$`

# METADATA
# description: |
#   Tokens for a pattern as written in the policy. Undefined when vars_enabled and the pattern holds
#   malformed variable syntax (the entry then matches nothing).
pattern_tokens(pattern, vars_enabled, glob_mode) := tokens if {
	pieces := [m[0] | some m in regex.find_all_string_submatch_n(_piece_re, pattern, -1)]
	lists := [x | some pc in pieces; x := _piece_tokens(pc, vars_enabled)]
	count(lists) == count(pieces)
	not _malformed_vars(pieces, vars_enabled)
	raw := [tok | some l in lists; some tok in l]
	tokens := [x | some i in numbers.range(0, count(raw) - 1); raw[i]; x := _with_cross(raw, i, glob_mode)]
}

_malformed_vars(pieces, true) if {
	some pc in pieces
	startswith(pc, "${")
	not _valid_var(pc)
}

_malformed_vars(pieces, true) if {
	some i, pc in pieces
	pc == "$"
	startswith(pieces[i + 1], "{")
}

_valid_var(pc) if pc in {"${*}", "${?}", "${$}"}

_valid_var(pc) if regex.match(_var_body_re, substring(pc, 2, count(pc) - 3))

_piece_tokens("*", _) := [{"t": "star", "cross": true}]

_piece_tokens("?", _) := [{"t": "any"}]

_piece_tokens(pc, vars_enabled) := [{"t": "lit", "v": pc}] if {
	not pc in {"*", "?"}
	not _is_var_piece(pc, vars_enabled)
}

_piece_tokens(pc, true) := [{"t": "lit", "v": substring(pc, 2, 1)}] if pc in {"${*}", "${?}", "${$}"}

_piece_tokens(pc, true) := [{"t": "var", "k": lower(m[1]), "d": _default_of(m[2], pc)}] if {
	startswith(pc, "${")
	not pc in {"${*}", "${?}", "${$}"}
	some m in regex.find_all_string_submatch_n(_var_body_re, substring(pc, 2, count(pc) - 3), 1)
}

_is_var_piece(pc, true) if startswith(pc, "${")

_default_of(d, pc) := d if contains(pc, ",")

_default_of(_, pc) := null if not contains(pc, ",")

# A star may cross ":" when it is the last token or the next token is literal text starting with
# ":" (segment-final star); always in naive mode.
_with_cross(raw, i, glob_mode) := {"t": "star", "cross": _star_crosses(raw, i, glob_mode)} if raw[i].t == "star"

_with_cross(raw, i, _) := raw[i] if raw[i].t != "star"

default _star_crosses(_, _, _) := false

_star_crosses(_, _, "naive")

_star_crosses(raw, i, _) if i == count(raw) - 1

_star_crosses(raw, i, _) if {
	next := raw[i + 1]
	next.t == "lit"
	startswith(next.v, ":")
}

# ---------------------------------------------------------------------------------------------
# Principals of resource-based policies (§3.5, [IAM-PRINCIPAL]).

# METADATA
# scope: document
# description: |
#   Whether a Principal element names the request principal: "*" (everyone), an account id or
#   account root ARN (every principal of that account), an exact IAM ARN (a role ARN also names
#   the sessions of that role), or a service principal.
principal_matches("*", _)

principal_matches(entries, principal) if {
	is_object(entries)
	some kind, vals in entries
	some v in policydoc.as_list(vals)
	_principal_entry_matches(kind, v, principal)
}

_principal_entry_matches("AWS", v, principal) if _principal_entry_names(v, principal)

_principal_entry_matches("AWS", v, principal) if _account_entry(v, principal)

_principal_entry_matches("Service", v, principal) if _service_entry(v, principal)

# METADATA
# scope: document
# description: |
#   Whether the Principal element of an Allow statement in a resource-based policy grants to this
#   principal by itself. An entry naming an account (12-digit id or arn:aws:iam::<id>:root) does
#   not: AWS documents it as delegating authority to the account, whose identity-based policies
#   must then allow the request ("AWS account principals" in [IAM-PRINCIPAL],
#   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html;
#   same-account RBP effect depends on "the principal that is allowed in the resource-based policy",
#   [IAM-EVAL-DENYALLOW]). So such an Allow adds no grant beyond the identity policies, which the
#   identity step already decides. Deny statements keep principal_matches: a Deny naming an account
#   applies to every principal of that account.
principal_grants("*", _)

principal_grants(entries, principal) if {
	is_object(entries)
	some kind, vals in entries
	some v in policydoc.as_list(vals)
	_principal_entry_grants(kind, v, principal)
}

_principal_entry_grants("AWS", v, principal) if _principal_entry_names(v, principal)

_principal_entry_grants("Service", v, principal) if _service_entry(v, principal)

# An AWS entry naming the principal itself: everyone, its IAM ARN, the role of its session, or the
# IAM user of its federated-user session (SEMANTICS §5.2a).
_principal_entry_names("*", _)

_principal_entry_names(v, principal) if v == principal.arn

_principal_entry_names(v, principal) if v == _session_role_arn(principal.arn)

_principal_entry_names(v, principal) if v == _federated_user_arn(principal.arn)

_account_entry(v, principal) if v == principal.account

_account_entry(v, principal) if v == concat("", ["arn:aws:iam::", principal.account, ":root"])

_service_entry(v, principal) if {
	lower(principal.type) == "service"
	v in {object.get(principal, "service", ""), object.get(principal, "arn", "")}
}

# METADATA
# scope: document
# description: |
#   Whether the Principal element of an Allow in a resource-based policy grants to the principal of
#   the normalised request r. Within one account: principal_grants (an account entry delegates to
#   the account's identity policies and grants nothing by itself). Across accounts (SEMANTICS
#   §5.2a) the resource policy must allow the principal AND its identity policies must: an entry
#   naming the principal's account is that allow (principal_matches), decide.decide requires both.
rbp_grants(entries, r) if {
	not request.cross_account(r)
	principal_grants(entries, r.principal)
}

rbp_grants(entries, r) if {
	request.cross_account(r)
	principal_matches(entries, r.principal)
}

# METADATA
# scope: document
# description: |
#   Whether a NotPrincipal element lists the request principal, exempting it from the Deny
#   (SEMANTICS §5.2a, [IAM-NOTPRINCIPAL]). It lists exact principals: its own ARN, the role of its
#   session, a service principal; an account entry (12-digit id or arn:aws:iam::<id>:root) lists
#   the account principal (the root user) only, not the other principals of that account.
principal_listed("*", _)

principal_listed(entries, principal) if {
	is_object(entries)
	some kind, vals in entries
	some v in policydoc.as_list(vals)
	_principal_entry_listed(kind, v, principal)
}

_principal_entry_listed("AWS", "*", _)

_principal_entry_listed("AWS", v, principal) if v == principal.arn

_principal_entry_listed("AWS", v, principal) if v == _session_role_arn(principal.arn)

_principal_entry_listed("AWS", v, principal) if {
	lower(object.get(principal, "type", "")) == "root"
	_account_entry(v, principal)
}

_principal_entry_listed("Service", v, principal) if _service_entry(v, principal)

# METADATA
# scope: document
# description: |
#   Whether the Principal element names this principal's own IAM user ARN, role-session ARN or
#   federated-user session ARN: such an RBP grants directly, unaffected by boundaries and session
#   policies (§5.2, §5.2a, [IAM-EVAL], [IAM-SESSION]).
principal_named_directly(entries, principal) if {
	is_object(entries)
	lower(principal.type) in _direct_types
	some v in policydoc.as_list(object.get(entries, "AWS", []))
	v in {principal.arn, "*"}
}

# Everyone ("*") names the principal itself too: a permissions boundary "does not define the
# maximum permissions that a resource-based policy can grant to an entity" (IAM User Guide, Policy
# types); only a grant through the role ARN (or the IAM user of a federated session) is limited.
principal_named_directly("*", principal) if lower(principal.type) in _direct_types

_direct_types := {"iamuser", "assumedrole", "user", "federateduser"}

# arn:aws:sts::<acct>:assumed-role/<name>/<session> -> arn:aws:iam::<acct>:role/<name>
_session_role_arn(arn) := concat("", ["arn:", m[1], ":iam::", m[2], ":role/", m[3]]) if {
	some m in regex.find_all_string_submatch_n(`^arn:([^:]+):sts::([0-9]+):assumed-role/([^/]+)/[^/]+$`, arn, 1)
}

# arn:aws:sts::<acct>:federated-user/<name> -> arn:aws:iam::<acct>:user/<name> (SEMANTICS §5.2a)
_federated_user_arn(arn) := concat("", ["arn:", m[1], ":iam::", m[2], ":user/", m[3]]) if {
	some m in regex.find_all_string_submatch_n(`^arn:([^:]+):sts::([0-9]+):federated-user/(.+)$`, arn, 1)
}
