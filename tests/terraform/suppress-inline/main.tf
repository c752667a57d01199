# Inline skips (issue 25): each role may delete prod-orders backups (guardrail no-prod-backup-deletion).
#   skipped_block    `# iam2rego:skip=IAM2REGO-GUARDRAIL` as a comment of its policy block: refused
#                    by default (suppressions.inline: lint), honoured with suppressions.inline: allow
#   heredoc_text     the same text inside the heredoc policy string: never a comment
#   condition_text   the same text inside a Condition value of a jsonencode policy: never a comment
#   trailing_text    the same text as a comment after the block's closing brace: outside the block
#   object_comment   a comment inside the jsonencode({...}) expression: not a comment of the block
# tests/e2e/test_suppressions.py
resource "aws_dynamodb_table" "prod_orders" {
  name         = "prod-orders"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "pk"
  attribute {
    name = "pk"
    type = "S"
  }
}

locals {
  assume_root = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { AWS = "arn:aws:iam::123456789012:root" }, Action = "sts:AssumeRole" }]
  })
  prod_backups = "arn:aws:dynamodb:us-east-1:123456789012:table/prod-orders/backup/*"
}

resource "aws_iam_role" "skipped_block" {
  name               = "skipped-block"
  assume_role_policy = local.assume_root
}

resource "aws_iam_role_policy" "skipped_block" {
  # iam2rego:skip=IAM2REGO-GUARDRAIL break-glass cleanup (ticket OPS-1)
  name = "delete"
  role = aws_iam_role.skipped_block.name
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Sid = "Delete", Effect = "Allow", Action = "dynamodb:DeleteBackup", Resource = local.prod_backups }]
  })
}

resource "aws_iam_role" "heredoc_text" {
  name               = "heredoc-text"
  assume_role_policy = local.assume_root
}

resource "aws_iam_role_policy" "heredoc_text" {
  name   = "delete"
  role   = aws_iam_role.heredoc_text.name
  policy = <<-POLICY
    {
      "Version": "2012-10-17",
      "Statement": [{"Sid": "Delete", "Effect": "Allow", "Action": "dynamodb:DeleteBackup",
        "Resource": "arn:aws:dynamodb:us-east-1:123456789012:table/prod-orders/backup/*",
        "Condition": {"StringNotEquals": {"aws:PrincipalTag/note":
          "# iam2rego:skip=IAM2REGO-GUARDRAIL inside the heredoc"}}}]
    }
    POLICY
}

resource "aws_iam_role" "condition_text" {
  name               = "condition-text"
  assume_role_policy = local.assume_root
}

resource "aws_iam_role_policy" "condition_text" {
  name = "delete"
  role = aws_iam_role.condition_text.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid = "Delete", Effect = "Allow", Action = "dynamodb:DeleteBackup", Resource = local.prod_backups,
      Condition = { StringNotEquals = { "aws:PrincipalTag/note" = "# iam2rego:skip=IAM2REGO-GUARDRAIL in a value" } }
    }]
  })
}

resource "aws_iam_role" "trailing_text" {
  name               = "trailing-text"
  assume_role_policy = local.assume_root
}

resource "aws_iam_role_policy" "trailing_text" {
  name = "delete"
  role = aws_iam_role.trailing_text.name
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Sid = "Delete", Effect = "Allow", Action = "dynamodb:DeleteBackup", Resource = local.prod_backups }]
  })
} # iam2rego:skip=IAM2REGO-GUARDRAIL after the closing brace

resource "aws_iam_role" "object_comment" {
  name               = "object-comment"
  assume_role_policy = local.assume_root
}

resource "aws_iam_role_policy" "object_comment" {
  name = "delete"
  role = aws_iam_role.object_comment.name
  policy = jsonencode({
    # iam2rego:skip=IAM2REGO-GUARDRAIL inside the policy expression
    Version   = "2012-10-17"
    Statement = [{ Sid = "Delete", Effect = "Allow", Action = "dynamodb:DeleteBackup", Resource = local.prod_backups }]
  })
}
