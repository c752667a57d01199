# A plan for account 999988887777 (not the documentation account 123456789012): the account is
# known only from the aws_caller_identity data source. The ops role may delete backups of the
# prod tables of this account, which the forbid guardrail in gate.yaml must catch.
data "aws_caller_identity" "current" {}

resource "aws_dynamodb_table" "prod_orders" {
  name         = "prod-orders"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "pk"
  attribute {
    name = "pk"
    type = "S"
  }
}

resource "aws_iam_role" "ops" {
  name = "ops"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_iam_role_policy" "ops_backups" {
  name = "backups"
  role = aws_iam_role.ops.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "ManageProdBackups"
      Effect   = "Allow"
      Action   = ["dynamodb:DescribeBackup", "dynamodb:DeleteBackup"]
      Resource = "arn:aws:dynamodb:us-east-1:${data.aws_caller_identity.current.account_id}:table/prod-*/backup/*"
    }]
  })
}
