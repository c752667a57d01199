resource "aws_iam_role_policy" "operator" {
  name = "operator"
  role = aws_iam_role.operator.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "OwnBackups"
        Effect   = "Allow"
        Action   = ["dynamodb:CreateBackup", "dynamodb:DescribeBackup"]
        Resource = "arn:aws:dynamodb:us-east-1:123456789012:table/${var.team}/backup/*"
      },
      {
        Sid      = "DeleteProd"
        Effect   = "Allow"
        Action   = "dynamodb:DeleteBackup"
        Resource = "arn:aws:dynamodb:us-east-1:123456789012:table/prod-${var.team}/backup/*"
      },
    ]
  })
}
