# A role whose name is known only after apply (name_prefix) and one with no name at all, both
# granted DeleteBackup on the prod table: guardrails must still see them (issue 25 item 3).
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
  delete_backups = jsonencode({
    Version = "2012-10-17"
    Statement = [{ Sid = "DeleteBackups", Effect = "Allow", Action = "dynamodb:DeleteBackup", Resource = "arn:aws:dynamodb:us-east-1:123456789012:table/prod-*" }]
  })
}

resource "aws_iam_role" "cleaner" {
  name_prefix        = "cleaner-"
  assume_role_policy = local.assume_root
}

resource "aws_iam_role_policy" "cleaner" {
  name   = "delete-backups"
  role   = aws_iam_role.cleaner.id
  policy = local.delete_backups
}

resource "aws_iam_role" "anonymous" {
  assume_role_policy = local.assume_root
  inline_policy {
    name   = "delete-backups"
    policy = local.delete_backups
  }
}
