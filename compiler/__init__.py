"""iam2rego: compile AWS IAM policies into OPA/Rego that decides DynamoDB backup and restore requests.

The semantics are specified in docs/SEMANTICS.md; "SEMANTICS §n" in comments and docstrings cites it.
"""

__version__ = "0.1.0"
