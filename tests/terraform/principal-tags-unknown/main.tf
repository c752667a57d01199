# A role whose tags are known only after apply (computed from another resource's attribute) and
# whose policy allows DeleteBackup only when aws:PrincipalTag/team is ops (issue 25 item 3).
resource "aws_dynamodb_table" "prod_orders" {
  name         = "prod-orders"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "pk"
  attribute {
    name = "pk"
    type = "S"
  }
}

resource "aws_iam_policy" "marker" {
  name = "marker"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "dynamodb:DescribeTable", Resource = "*" }]
  })
}

locals {
  assume_root = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { AWS = "arn:aws:iam::123456789012:root" }, Action = "sts:AssumeRole" }]
  })
  team_ops = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid = "OpsDeleteBackups", Effect = "Allow", Action = "dynamodb:DeleteBackup",
      Resource = "arn:aws:dynamodb:us-east-1:123456789012:table/prod-*",
      Condition = { StringEquals = { "aws:PrincipalTag/team" = "ops" } }
    }]
  })
}

# the whole tag map is unknown until apply (after_unknown.tags = true)
resource "aws_iam_role" "whole" {
  name               = "tags-whole-unknown"
  assume_role_policy = local.assume_root
  tags               = { for k, v in { (aws_iam_policy.marker.policy_id) = "x" } : k => v }
  inline_policy {
    name   = "ops-delete"
    policy = local.team_ops
  }
}

# one tag value is unknown until apply (after_unknown.tags = {"team": true})
resource "aws_iam_role" "value" {
  name               = "tags-value-unknown"
  assume_role_policy = local.assume_root
  tags               = { team = aws_iam_policy.marker.policy_id, owner = "data" }
  inline_policy {
    name   = "ops-delete"
    policy = local.team_ops
  }
}

# known tags: team = dev, so the grant never applies (denied)
resource "aws_iam_role" "known" {
  name               = "tags-known"
  assume_role_policy = local.assume_root
  tags               = { team = "dev" }
  inline_policy {
    name   = "ops-delete"
    policy = local.team_ops
  }
}
