# A clean plan: a backup operator that can back up and restore Orders, an auditor that can list backups.
resource "aws_dynamodb_table" "orders" {
  name         = "Orders"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "pk"
  attribute {
    name = "pk"
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
    Statement = [{ Effect = "Allow", Principal = { AWS = "arn:aws:iam::123456789012:root" }, Action = "sts:AssumeRole" }]
  })
}

data "aws_iam_policy_document" "operator" {
  statement {
    sid       = "BackupOrders"
    actions   = ["dynamodb:CreateBackup", "dynamodb:DescribeContinuousBackups"]
    resources = ["arn:aws:dynamodb:us-east-1:123456789012:table/Orders"]
  }
  statement {
    sid       = "RestoreOrdersBackups"
    actions   = ["dynamodb:DescribeBackup", "dynamodb:RestoreTableFromBackup"]
    resources = ["arn:aws:dynamodb:us-east-1:123456789012:table/Orders/backup/*"]
  }
  statement {
    sid = "WriteRestoredOrders"
    actions = [
      "dynamodb:BatchWriteItem", "dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem",
      "dynamodb:Query", "dynamodb:Scan", "dynamodb:UpdateItem",
    ]
    resources = ["arn:aws:dynamodb:us-east-1:123456789012:table/Orders-*"]
  }
  statement {
    sid       = "ListAll"
    actions   = ["dynamodb:ListBackups"]
    resources = ["*"]
  }
}

resource "aws_iam_policy" "operator" {
  name   = "orders-backup-operator"
  policy = data.aws_iam_policy_document.operator.json
}

resource "aws_iam_role_policy_attachment" "operator" {
  role       = aws_iam_role.backup_operator.name
  policy_arn = aws_iam_policy.operator.arn
}

resource "aws_iam_user" "auditor" {
  name = "auditor"
}

resource "aws_iam_user_policy" "auditor" {
  name = "list-backups"
  user = aws_iam_user.auditor.name
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Sid = "List", Effect = "Allow", Action = ["dynamodb:ListBackups", "dynamodb:DescribeBackup"], Resource = "*" }]
  })
}
