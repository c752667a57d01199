# A baseline written on a conditional grant must not suppress a wider one (issue 25).
#   before: cleaner may delete prod-orders backups only with MFA from 10.0.0.0/8 (conditional)
#   after:  the same statement without its condition: allowed on every backup
# tests/e2e/test_suppressions.py writes a baseline from baseline-widen-before and gates this one.
resource "aws_dynamodb_table" "prod_orders" {
  name         = "prod-orders"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "pk"
  attribute {
    name = "pk"
    type = "S"
  }
}

resource "aws_iam_role" "cleaner" {
  name = "cleaner"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { AWS = "arn:aws:iam::123456789012:root" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_iam_role_policy" "cleaner" {
  name = "delete"
  role = aws_iam_role.cleaner.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "DeleteProdBackups"
      Effect   = "Allow"
      Action   = "dynamodb:DeleteBackup"
      Resource = "arn:aws:dynamodb:us-east-1:123456789012:table/prod-orders/backup/*"
      # the pull request drops the MFA and network conditions
    }]
  })
}
