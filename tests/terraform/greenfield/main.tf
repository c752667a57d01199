# A new stack (issue 20 item 7): no prior state, the plan only creates resources. The prior world is
# "nothing", so every access the plan grants is new: `iam2rego access --diff plan.json` lists
# backup-admin's DeleteBackup and restore on prod-orders as gains, and the no-new-access guardrail of
# gate.yaml fails for them (reader gets DescribeBackup only: no gain in the guardrail's columns).
# Both stopped with "no tables" (exit 2).
resource "aws_dynamodb_table" "orders" {
  name         = "prod-orders"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "id"
  attribute {
    name = "id"
    type = "S"
  }
}

locals {
  assume_root = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Action = "sts:AssumeRole", Effect = "Allow", Principal = { AWS = "arn:aws:iam::123456789012:root" } }]
  })
}

resource "aws_iam_role" "backup_admin" {
  name               = "backup-admin"
  assume_role_policy = local.assume_root
}

resource "aws_iam_role_policy" "backup_admin" {
  name = "orders-backups"
  role = aws_iam_role.backup_admin.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "DeleteOrdersBackups"
      Effect   = "Allow"
      Action   = ["dynamodb:DeleteBackup", "dynamodb:DescribeBackup"]
      Resource = "arn:aws:dynamodb:us-east-1:123456789012:table/prod-orders/backup/*"
    }]
  })
}

resource "aws_iam_role" "reader" {
  name               = "reader"
  assume_role_policy = local.assume_root
}

resource "aws_iam_role_policy" "reader" {
  name = "describe-backups"
  role = aws_iam_role.reader.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Sid = "DescribeOnly", Effect = "Allow", Action = "dynamodb:DescribeBackup", Resource = "arn:aws:dynamodb:us-east-1:123456789012:table/prod-orders/backup/*" }]
  })
}
