data "aws_iam_policy_document" "ops" {
  statement {
    sid       = "Describe"
    actions   = ["dynamodb:DescribeBackup", "dynamodb:ListBackups"]
    resources = ["*"]
  }

  statement {
    sid       = "DeleteProdBackups"
    actions   = ["dynamodb:DeleteBackup"]
    resources = ["arn:aws:dynamodb:us-east-1:123456789012:table/prod-orders/backup/*"]
  }
}
