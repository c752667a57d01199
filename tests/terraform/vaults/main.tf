# The AWS Backup plane (issue 21, SEMANTICS §14): who can delete prod backups, in both planes.
#   prod-orders  backed up by plan "daily" to vault "prod" (deny-all-but-keeper access policy), copied
#                to vault "archive" (compliance Vault Lock, in its grace time: the plan creates it)
#   prod-users   backed up by plan "loose" to vault "open" (no policy, no lock)
#   dev-orders   no backup plan
# Roles: janitor (backup:* and DynamoDB backups, everything), keeper (the vault policy's exception,
# allowed DeleteRecoveryPoint only), auditor (describe/list only).
resource "aws_dynamodb_table" "prod_orders" {
  name         = "prod-orders"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "pk"
  attribute {
    name = "pk"
    type = "S"
  }
}

resource "aws_dynamodb_table" "prod_users" {
  name         = "prod-users"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "pk"
  attribute {
    name = "pk"
    type = "S"
  }
}

resource "aws_dynamodb_table" "dev_orders" {
  name         = "dev-orders"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "pk"
  attribute {
    name = "pk"
    type = "S"
  }
}

resource "aws_backup_vault" "prod" {
  name = "prod"
}

resource "aws_backup_vault_policy" "prod" {
  backup_vault_name = aws_backup_vault.prod.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "OnlyTheKeeperDeletes"
      Effect    = "Deny"
      Principal = "*"
      Action    = ["backup:DeleteRecoveryPoint", "backup:UpdateRecoveryPointLifecycle"]
      Resource  = "*"
      Condition = { ArnNotEquals = { "aws:PrincipalArn" = "arn:aws:iam::123456789012:role/keeper" } }
    }]
  })
}

resource "aws_backup_vault" "archive" {
  name = "archive"
}

resource "aws_backup_vault_lock_configuration" "archive" {
  backup_vault_name   = aws_backup_vault.archive.name
  changeable_for_days = 3
  min_retention_days  = 365
}

resource "aws_backup_vault" "open" {
  name = "open"
}

resource "aws_backup_plan" "daily" {
  name = "daily"
  rule {
    rule_name         = "daily"
    target_vault_name = aws_backup_vault.prod.name
    schedule          = "cron(0 5 * * ? *)"
    copy_action {
      destination_vault_arn = aws_backup_vault.archive.arn
    }
  }
}

resource "aws_backup_plan" "loose" {
  name = "loose"
  rule {
    rule_name         = "loose"
    target_vault_name = aws_backup_vault.open.name
    schedule          = "cron(0 6 * * ? *)"
  }
}

locals {
  backup_trust = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "backup.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
  ops_trust = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { AWS = "arn:aws:iam::123456789012:root" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_iam_role" "backup" {
  name               = "backup"
  assume_role_policy = local.backup_trust
}

resource "aws_iam_role_policy_attachment" "backup" {
  role       = aws_iam_role.backup.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup"
}

resource "aws_backup_selection" "daily" {
  name         = "daily"
  plan_id      = aws_backup_plan.daily.id
  iam_role_arn = aws_iam_role.backup.arn
  resources    = [aws_dynamodb_table.prod_orders.arn]
}

resource "aws_backup_selection" "loose" {
  name         = "loose"
  plan_id      = aws_backup_plan.loose.id
  iam_role_arn = aws_iam_role.backup.arn
  resources    = [aws_dynamodb_table.prod_users.arn]
}

resource "aws_iam_role" "janitor" {
  name               = "janitor"
  assume_role_policy = local.ops_trust
}

resource "aws_iam_role_policy" "janitor" {
  name = "clean-up"
  role = aws_iam_role.janitor.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "CleanUpEverything"
      Effect   = "Allow"
      Action   = ["backup:*", "dynamodb:DeleteBackup"]
      Resource = "*"
    }]
  })
}

resource "aws_iam_role" "keeper" {
  name               = "keeper"
  assume_role_policy = local.ops_trust
}

resource "aws_iam_role_policy" "keeper" {
  name = "keep"
  role = aws_iam_role.keeper.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "ExpireRecoveryPoints"
      Effect   = "Allow"
      Action   = ["backup:DeleteRecoveryPoint"]
      Resource = "*"
    }]
  })
}

resource "aws_iam_role" "auditor" {
  name               = "auditor"
  assume_role_policy = local.ops_trust
}

resource "aws_iam_role_policy" "auditor" {
  name = "look"
  role = aws_iam_role.auditor.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "LookOnly"
      Effect   = "Allow"
      Action   = ["backup:Describe*", "backup:List*", "dynamodb:DescribeBackup", "dynamodb:ListBackups"]
      Resource = "*"
    }]
  })
}

# A table policy open to everyone (IAM2REGO-PUBLIC-RESOURCE-POLICY) and one tied to the organisation (none).
resource "aws_dynamodb_resource_policy" "prod_users" {
  resource_arn = aws_dynamodb_table.prod_users.arn
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "ReadForEveryone"
      Effect    = "Allow"
      Principal = "*"
      Action    = ["dynamodb:GetItem", "dynamodb:Query"]
      Resource  = "arn:aws:dynamodb:us-east-1:123456789012:table/prod-users"
    }]
  })
}

resource "aws_dynamodb_resource_policy" "dev_orders" {
  resource_arn = aws_dynamodb_table.dev_orders.arn
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "OrgReads"
      Effect    = "Allow"
      Principal = "*"
      Action    = ["dynamodb:GetItem", "dynamodb:Scan", "dynamodb:CreateBackup"]
      Resource  = "arn:aws:dynamodb:us-east-1:123456789012:table/dev-orders"
      Condition = { StringEquals = { "aws:PrincipalOrgID" = "o-a1b2c3d4e5" } }
    }]
  })
}

# The open vault's policy lets the janitor delete (IAM2REGO-VAULT-POLICY-OPEN: not in vault_deleters).
resource "aws_backup_vault_policy" "open" {
  backup_vault_name = aws_backup_vault.open.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "JanitorMayDelete"
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::123456789012:role/janitor" }
      Action    = ["backup:DeleteRecoveryPoint"]
      Resource  = "*"
    }]
  })
}
