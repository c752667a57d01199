variable "team" {
  type = string
}

resource "aws_dynamodb_table" "this" {
  name         = "${var.team}-data"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "pk"
  attribute {
    name = "pk"
    type = "S"
  }
}

resource "aws_iam_role" "operator" {
  name = "${var.team}-backup-operator"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { AWS = "arn:aws:iam::123456789012:root" }, Action = "sts:AssumeRole" }]
  })
}

# known at plan time: names only
resource "aws_iam_role_policy" "backup" {
  name = "backup"
  role = aws_iam_role.operator.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "BackupOwnTable"
      Effect   = "Allow"
      Action   = ["dynamodb:CreateBackup", "dynamodb:DescribeBackup"]
      Resource = ["arn:aws:dynamodb:us-east-1:123456789012:table/${var.team}-data", "arn:aws:dynamodb:us-east-1:123456789012:table/${var.team}-data/backup/*"]
    }]
  })
}

# depends on the table ARN: unknown until apply
data "aws_iam_policy_document" "delete" {
  statement {
    sid       = "DeleteOwnBackups"
    actions   = ["dynamodb:DeleteBackup"]
    resources = ["${aws_dynamodb_table.this.arn}/backup/*"]
  }
}

resource "aws_iam_policy" "delete" {
  name   = "${var.team}-delete-backups"
  policy = data.aws_iam_policy_document.delete.json
}

resource "aws_iam_role_policy_attachment" "delete" {
  role       = aws_iam_role.operator.name
  policy_arn = aws_iam_policy.delete.arn
}
