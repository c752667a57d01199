"""Write rego/iam2rego/gate/config_schema.rego from compiler/terraform/gate.schema.json.

Usage: python scripts/gen_gate_schema.py   (tests/unit/test_gate_config.py fails when it is stale)
"""

from __future__ import annotations

from pathlib import Path

from iam2rego.terraform.config import schema_rego

TARGET = Path(__file__).resolve().parents[1] / "rego" / "iam2rego" / "gate" / "config_schema.rego"

if __name__ == "__main__":
    TARGET.write_text(schema_rego(), encoding="utf-8")
    print(f"wrote {TARGET}")
