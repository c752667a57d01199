# METADATA
# title: iam2rego gate under conftest's default namespace
# description: |
#   `conftest test -p <pack> [--data gate.yaml] plan.json` queries package `main` unless told
#   otherwise: this package re-exports the gate's `deny` and `warn` so the plain command gates the
#   plan. Use either this form or `--namespace iam2rego.gate`, not `--all-namespaces` (which would
#   report every finding twice).
package main

import data.iam2rego.gate

# METADATA
# description: Findings that fail the gate (data.iam2rego.gate.deny).
# entrypoint: true
deny contains finding if some finding in gate.deny

# METADATA
# description: Findings lowered to warnings and applied exceptions (data.iam2rego.gate.warn).
# entrypoint: true
warn contains finding if some finding in gate.warn
