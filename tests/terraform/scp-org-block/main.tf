# SCP scope from the guardrail file's `organization:` block (gate.yaml): the plan holds no
# organisation resources; the block says account 123456789012 is at r-ab12 / ou-ab12-11111111 /
# ou-ab12-22222222, that 999999999999 is the management account, and which SCPs and RCPs are attached
# outside the plan (org/*.json). The plan attaches two SCPs of its own:
#   deny DeleteBackup on ou-ab12-22222222 (on the account's path)      -> applies (guardrail passes)
#   deny UpdateContinuousBackups on ou-ab12-33333333 (not on the path) -> does not apply (fails)

resource "aws_dynamodb_table" "orders" {
  name         = "orders"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "pk"
  attribute {
    name = "pk"
    type = "S"
  }
}

resource "aws_iam_role" "dba" {
  name = "dba"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { AWS = "arn:aws:iam::123456789012:root" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_iam_role_policy" "dba" {
  name = "dynamodb-admin"
  role = aws_iam_role.dba.name
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Sid = "DynamoDBAdmin", Effect = "Allow", Action = ["dynamodb:*", "s3:*"], Resource = "*" }]
  })
}

resource "aws_organizations_policy" "deny_deletion" {
  name = "deny-backup-deletion"
  type = "SERVICE_CONTROL_POLICY"
  content = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Sid = "DenyDeletion", Effect = "Deny", Action = "dynamodb:DeleteBackup", Resource = "*" }]
  })
}

resource "aws_organizations_policy_attachment" "deny_deletion" {
  policy_id = aws_organizations_policy.deny_deletion.id
  target_id = "ou-ab12-22222222"
}

resource "aws_organizations_policy" "deny_pitr" {
  name = "deny-pitr-changes"
  type = "SERVICE_CONTROL_POLICY"
  content = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Sid = "DenyPitr", Effect = "Deny", Action = "dynamodb:UpdateContinuousBackups", Resource = "*" }]
  })
}

resource "aws_organizations_policy_attachment" "deny_pitr" {
  policy_id = aws_organizations_policy.deny_pitr.id
  target_id = "ou-ab12-33333333"
}
