locals {
  assume_root = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { AWS = "arn:aws:iam::123456789012:root" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_iam_role" "ops" {
  name               = "ops"
  assume_role_policy = local.assume_root
}

resource "aws_iam_role_policy" "ops" {
  name   = "backups"
  role   = aws_iam_role.ops.id
  policy = data.aws_iam_policy_document.ops.json
}

resource "aws_iam_role" "auditor" {
  name               = "auditor"
  assume_role_policy = local.assume_root
}

resource "aws_iam_role_policy" "auditor" {
  # iam2rego:skip=IAM2REGO-LISTBACKUPS-ON-TABLE auditors list backups per table on purpose (ticket SEC-7)
  name = "audit"
  role = aws_iam_role.auditor.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "ListPerTable"
        Effect   = "Allow"
        Action   = "dynamodb:ListBackups"
        Resource = "arn:aws:dynamodb:us-east-1:123456789012:table/prod-orders"
      },
    ]
  })
}
