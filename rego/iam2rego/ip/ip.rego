# METADATA
# title: CIDR containment in pure Rego (IpAddress / NotIpAddress, SEMANTICS §6.5)
# description: |
#   The embedded engine (regopy) has no net.* builtins, so addresses are parsed here. An address is
#   a list of 16-bit groups (IPv4: 2 groups, IPv6: 8 groups). No prefix means /32 (IPv4) or /128
#   (IPv6). IPv4 and IPv6 never contain each other (IPv4-mapped IPv6 is not special-cased).
#   Invalid input of any kind makes cidr_contains false, never an error.
package iam2rego.ip

# One decimal octet 0-255 without leading zeros.
_octet_re := `(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])`

# Four octets joined by dots, anchored: a literal (a concat() would be rebuilt on every query).
_v4_re := `^(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$`

_hex_group_re := `^[0-9a-fA-F]{1,4}$`

default cidr_contains(_, _) := false

# METADATA
# scope: document
# description: Whether the address ip lies inside cidr (both strings); false on invalid input.
cidr_contains(cidr, ip) if {
	is_string(cidr)
	is_string(ip)
	block := _parse_cidr(cidr)
	addr := _parse_addr(trim_space(ip))
	count(addr) == count(block.groups)
	_within(block.groups, addr, block.prefix)
}

# IPv4 (two groups): the first prefix bits of the two 32-bit numbers agree (issue 14: one
# comparison instead of a call per group).
_within(groups, addr, prefix) if {
	count(groups) == 2
	shift := 32 - prefix
	bits.rsh((groups[0] * 65536) + groups[1], shift) == bits.rsh((addr[0] * 65536) + addr[1], shift)
}

_within(groups, addr, prefix) if {
	count(groups) == 8
	every i, g in groups {
		bits_left := prefix - (16 * i)
		_group_matches(g, addr[i], bits_left)
	}
}

_group_matches(_, _, bits_left) if bits_left <= 0

_group_matches(a, b, bits_left) if {
	bits_left >= 16
	a == b
}

_group_matches(a, b, bits_left) if {
	bits_left > 0
	bits_left < 16
	mask := bits.and(bits.lsh(65535, 16 - bits_left), 65535)
	bits.and(a, mask) == bits.and(b, mask)
}

# METADATA
# scope: document
# description: '{"groups": [...], "prefix": n} for "addr" or "addr/len".'
_parse_cidr(cidr) := {"groups": groups, "prefix": max_len} if {
	not contains(cidr, "/")
	groups := _parse_addr(trim_space(cidr))
	max_len := 16 * count(groups)
}

_parse_cidr(cidr) := {"groups": groups, "prefix": prefix} if {
	parts := split(trim_space(cidr), "/")
	count(parts) == 2
	groups := _parse_addr(parts[0])
	regex.match(`^(0|[1-9][0-9]{0,2})$`, parts[1])
	prefix := to_number(parts[1])
	prefix <= 16 * count(groups)
}

# METADATA
# scope: document
# description: An address as 16-bit groups; undefined when invalid.
_parse_addr(s) := [(o[0] * 256) + o[1], (o[2] * 256) + o[3]] if {
	regex.match(_v4_re, s)
	o := [to_number(x) | some x in split(s, ".")]
} else := groups if {
	# the three shapes exclude each other (no ":", no "::", one "::"): one body per call
	contains(s, ":")
	not contains(s, "::")
	groups := _hex_groups(split(s, ":"))
	count(groups) == 8
} else := groups if {
	halves := split(s, "::")
	count(halves) == 2
	head := _side_groups(halves[0])
	tail := _side_groups(halves[1])
	fill := (8 - count(head)) - count(tail)
	fill >= 1
	groups := array.concat(array.concat(head, [0 | some _ in numbers.range(1, fill)]), tail)
}

_side_groups("") := []

_side_groups(s) := _hex_groups(split(s, ":")) if s != ""

_hex_groups(texts) := groups if {
	groups := [_hex_value(t) | some t in texts; regex.match(_hex_group_re, t)]
	count(groups) == count(texts)
}

_hex_value(t) := sum([(_hex_digit(chars[i]) * _pow16((count(t) - 1) - i)) |
	some i in numbers.range(0, count(t) - 1)
	chars[i]
]) if {
	chars := split(lower(t), "")
}

_hex_digit(c) := indexof("0123456789abcdef", c)

_pow16(0) := 1

_pow16(1) := 16

_pow16(2) := 256

_pow16(3) := 4096
