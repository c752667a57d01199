# A role break-glass (excepted by the platform team) and a user break-glass added beside it, both
# allowed to delete prod backups; a guardrail written `exclude: ["break-glass"]` for the role
# must not exclude the user (issue 25 item 3).
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
  delete_backups = jsonencode({
    Version = "2012-10-17"
    Statement = [{ Sid = "DeleteBackups", Effect = "Allow", Action = "dynamodb:DeleteBackup", Resource = "arn:aws:dynamodb:us-east-1:123456789012:table/prod-*" }]
  })
}

resource "aws_iam_role" "break_glass" {
  name = "break-glass"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { AWS = "arn:aws:iam::123456789012:root" }, Action = "sts:AssumeRole" }]
  })
  inline_policy {
    name   = "delete-backups"
    policy = local.delete_backups
  }
}

resource "aws_iam_user" "break_glass" {
  name = "break-glass"
}

resource "aws_iam_user_policy" "break_glass" {
  name   = "delete-backups"
  user   = aws_iam_user.break_glass.name
  policy = local.delete_backups
}
