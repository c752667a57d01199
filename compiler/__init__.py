"""iam2rego: compile AWS IAM policies into OPA/Rego that decides DynamoDB backup and restore requests."""

__version__ = "0.1.0"
