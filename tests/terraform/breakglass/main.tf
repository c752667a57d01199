# Guardrail violations: an ops role that may delete prod backups, a break-glass role (excepted),
# a group granting restores without write access, AWS Backup advanced features, an SCP and a
# table resource policy, a second provider Region.
provider "aws" {
  alias                       = "west"
  region                      = "us-west-2"
  access_key                  = "AKIAIOSFODNN7EXAMPLE"
  secret_key                  = "not-a-real-secret"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
}

resource "aws_dynamodb_table" "prod_orders" {
  name         = "prod-orders"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "pk"
  attribute {
    name = "pk"
    type = "S"
  }
}

resource "aws_dynamodb_table" "dev_orders" {
  provider     = aws.west
  name         = "dev-orders"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "pk"
  attribute {
    name = "pk"
    type = "S"
  }
}

locals {
  assume_root = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { AWS = "arn:aws:iam::123456789012:root" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_iam_role" "ops" {
  name               = "ops"
  assume_role_policy = local.assume_root
  inline_policy {
    name = "backups"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        { Sid = "ManageBackups", Effect = "Allow", Action = ["dynamodb:*Backup*"], Resource = "arn:aws:dynamodb:*:123456789012:table/*" },
        { Sid = "ListAll", Effect = "Allow", Action = "dynamodb:ListBackups", Resource = "*" },
      ]
    })
  }
}

resource "aws_iam_role" "break_glass" {
  name               = "break-glass"
  assume_role_policy = local.assume_root
}

resource "aws_iam_role_policy_attachment" "break_glass_admin" {
  role       = aws_iam_role.break_glass.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}

resource "aws_iam_group" "restorers" {
  name = "restorers"
}

resource "aws_iam_group_policy" "restorers" {
  name  = "restore-from-backup"
  group = aws_iam_group.restorers.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Sid = "Restore", Effect = "Allow", Action = "dynamodb:RestoreTableFromBackup", Resource = "arn:aws:dynamodb:us-east-1:123456789012:table/prod-orders/backup/*" },
      { Sid = "WritesOnBackup", Effect = "Allow", Action = ["dynamodb:PutItem", "dynamodb:UpdateItem"], Resource = "arn:aws:dynamodb:us-east-1:account-id:table/prod-orders/backup/*" },
    ]
  })
}

resource "aws_iam_user" "carol" {
  name = "carol"
}

resource "aws_iam_group_membership" "restorers" {
  name  = "restorers"
  group = aws_iam_group.restorers.name
  users = [aws_iam_user.carol.name]
}

resource "aws_iam_role" "backup_service" {
  name = "aws-backup-service"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "backup.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_iam_role_policy_attachment" "backup_service_backup" {
  role       = aws_iam_role.backup_service.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup"
}

resource "aws_iam_role_policy_attachment" "backup_service_restores" {
  role       = aws_iam_role.backup_service.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores"
}

resource "aws_backup_vault" "main" {
  name = "dynamodb-vault"
}

resource "aws_backup_vault_policy" "main" {
  backup_vault_name = aws_backup_vault.main.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid = "NoRecoveryPointDeletion", Effect = "Deny", Principal = { AWS = "*" },
      Action = ["backup:DeleteRecoveryPoint"], Resource = "*"
    }]
  })
}

resource "aws_dynamodb_resource_policy" "prod_orders" {
  resource_arn = aws_dynamodb_table.prod_orders.arn
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid = "DenyOtherAccounts", Effect = "Deny", Principal = "*", Action = ["dynamodb:CreateBackup"], Resource = "*",
      Condition = { StringNotEquals = { "aws:PrincipalAccount" = "123456789012" } }
    }]
  })
}

resource "aws_organizations_policy" "protect_backups" {
  name = "protect-dynamodb-backups"
  type = "SERVICE_CONTROL_POLICY"
  content = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid = "DenyBackupDeletionOutsideBreakGlass", Effect = "Deny", Action = ["dynamodb:DeleteBackup"], Resource = "arn:aws:dynamodb:*:*:table/dev-*"
      Condition = { ArnNotLike = { "aws:PrincipalArn" = "arn:aws:iam::*:role/break-glass" } }
    }]
  })
}

resource "aws_organizations_policy_attachment" "protect_backups" {
  policy_id = aws_organizations_policy.protect_backups.id
  target_id = "123456789012"
}
