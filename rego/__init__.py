"""The hand-written Rego library as package data (``iam2rego.rego``, read by iam2rego.resources)."""
