# METADATA
# title: iam2rego clock - today's date for a conftest pack
# description: |
#   Only written into conftest packs (terraform/pack.py write_pack): `iam2rego gate` passes the
#   date as data.iam2rego_cli.today instead, so its engines (Wasm has no time builtins) never need it.
package iam2rego.clock

# today (YYYY-MM-DD, UTC)
today := concat("-", [_two(d) | some d in time.date(time.now_ns())])

_two(n) := format_int(n, 10) if n >= 10

_two(n) := concat("", ["0", format_int(n, 10)]) if n < 10
