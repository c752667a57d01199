# SCP scope from the organisation structure the plan holds (SEMANTICS §13.1). The plan's account
# 123456789012 sits in OU `team` (aws_organizations_account.app.parent_id), whose parent is OU
# ou-ab12-11111111 (not in the plan); the organisation (root r-ab12, management account
# 999999999999) and both are existing resources (prior.tfstate). A role with dynamodb:* and four SCPs:
#   deny UpdateContinuousBackups, attached to ANOTHER account      -> does not apply (guardrail fails)
#   deny DeleteBackup, attached to OU `team` (by reference)         -> applies (guardrail passes)
#   deny CreateBackup, attached to ou-ab12-11111111 (team's parent)  -> applies (guardrail passes)
#   deny ExportTableToPointInTime, attached to ou-ab12-99999999      -> unknown: the plan does not show
#     whether that OU is above ou-ab12-11111111 (guardrail unverifiable, naming the attachment)

resource "aws_organizations_organization" "org" {
  feature_set          = "ALL"
  enabled_policy_types = ["SERVICE_CONTROL_POLICY"]
}

resource "aws_organizations_organizational_unit" "team" {
  name      = "team"
  parent_id = "ou-ab12-11111111"
}

resource "aws_organizations_account" "app" {
  name      = "app"
  email     = "app@example.com"
  parent_id = aws_organizations_organizational_unit.team.id
}

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

locals {
  scps = {
    other_account = { action = "dynamodb:UpdateContinuousBackups", target = "111122223333" }
    team          = { action = "dynamodb:DeleteBackup", target = null }
    parent_ou     = { action = "dynamodb:CreateBackup", target = "ou-ab12-11111111" }
    unknown_ou    = { action = "dynamodb:ExportTableToPointInTime", target = "ou-ab12-99999999" }
  }
}

resource "aws_organizations_policy" "deny" {
  for_each = local.scps
  name     = "deny-${each.key}"
  type     = "SERVICE_CONTROL_POLICY"
  content = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Sid = "Deny", Effect = "Deny", Action = each.value.action, Resource = "*" }]
  })
}

resource "aws_organizations_policy_attachment" "other_account" {
  policy_id = aws_organizations_policy.deny["other_account"].id
  target_id = "111122223333"
}

resource "aws_organizations_policy_attachment" "team" {
  policy_id = aws_organizations_policy.deny["team"].id
  target_id = aws_organizations_organizational_unit.team.id
}

resource "aws_organizations_policy_attachment" "parent_ou" {
  policy_id = aws_organizations_policy.deny["parent_ou"].id
  target_id = "ou-ab12-11111111"
}

resource "aws_organizations_policy_attachment" "unknown_ou" {
  policy_id = aws_organizations_policy.deny["unknown_ou"].id
  target_id = "ou-ab12-99999999"
}
