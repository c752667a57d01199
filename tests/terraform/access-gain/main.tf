# Planned against prior.tfstate (backup-operator manages prod-orders backups): nothing changes for
# backup-operator, and a NEW role ci-deployer gets DeleteBackup on prod-orders backups. The access delta
# and the no-new-access guardrail must fail this plan.
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
      Action   = ["dynamodb:CreateBackup", "dynamodb:DescribeBackup", "dynamodb:DeleteBackup"]
      Resource = [aws_dynamodb_table.orders.arn, "${aws_dynamodb_table.orders.arn}/backup/*"]
    }]
  })
}

resource "aws_iam_role" "ci_deployer" {
  name = "ci-deployer"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Action = "sts:AssumeRole", Effect = "Allow", Principal = { AWS = "arn:aws:iam::123456789012:root" } }]
  })
}

resource "aws_iam_role_policy" "ci_deployer" {
  name = "cleanup-backups"
  role = aws_iam_role.ci_deployer.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "CleanupBackups"
      Effect   = "Allow"
      Action   = "dynamodb:DeleteBackup"
      Resource = "${aws_dynamodb_table.orders.arn}/backup/*"
    }]
  })
}
