# Planned against prior.tfstate (backup-operator may create, describe and delete prod-orders backups):
# the inline policy drops DeleteBackup. Access only narrows: the no-new-access guardrail passes.
resource "aws_dynamodb_table" "orders" {
  name         = "prod-orders"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "id"
  attribute {
    name = "id"
    type = "S"
  }
  point_in_time_recovery {
    enabled = true
  }
}

resource "aws_iam_role" "backup_operator" {
  name = "backup-operator"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Action = "sts:AssumeRole", Effect = "Allow", Principal = { AWS = "arn:aws:iam::123456789012:root" } }]
  })
}

resource "aws_iam_role_policy" "backup_operator" {
  name = "manage-orders-backups"
  role = aws_iam_role.backup_operator.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "ManageOrdersBackups"
      Effect   = "Allow"
      Action   = ["dynamodb:CreateBackup", "dynamodb:DescribeBackup"]
      Resource = [aws_dynamodb_table.orders.arn, "${aws_dynamodb_table.orders.arn}/backup/*"]
    }]
  })
}
