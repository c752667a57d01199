variable "name" {
  type = string
}

resource "aws_iam_policy" "this" {
  name = var.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "SharedBoundary"
      Effect   = "Allow"
      Action   = ["dynamodb:DescribeBackup", "dynamodb:ListBackups"]
      Resource = "*"
    }]
  })
}

output "arn" {
  value = aws_iam_policy.this.arn
}
