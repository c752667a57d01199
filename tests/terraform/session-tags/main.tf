# Session tags (issue 20 item 4): roles whose policy allows DeleteBackup only when
# aws:PrincipalTag/team is platform. `tag_session` lets its callers tag their sessions
# (sts:TagSession), so the caller chooses aws:PrincipalTag/team; `limited` allows only
# aws:RequestTag/team = dev; `plain` does not allow sts:TagSession (its own tags decide).
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
  platform_delete = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid = "PlatformDeleteBackups", Effect = "Allow", Action = "dynamodb:DeleteBackup",
      Resource = "arn:aws:dynamodb:us-east-1:123456789012:table/prod-*",
      Condition = { StringEquals = { "aws:PrincipalTag/team" = "platform" } }
    }]
  })
}

resource "aws_iam_role" "tag_session" {
  name = "tag-session"
  tags = { team = "dev" }
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect = "Allow", Principal = { AWS = "arn:aws:iam::123456789012:root" },
      Action = ["sts:AssumeRole", "sts:TagSession"]
    }]
  })
  inline_policy {
    name   = "platform-delete"
    policy = local.platform_delete
  }
}

resource "aws_iam_role" "limited" {
  name = "limited-session"
  tags = { team = "dev" }
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Effect = "Allow", Principal = { AWS = "arn:aws:iam::123456789012:root" }, Action = "sts:AssumeRole" },
      {
        Effect = "Allow", Principal = { AWS = "arn:aws:iam::123456789012:root" }, Action = "sts:TagSession",
        Condition = { StringEquals = { "aws:RequestTag/team" = "dev" } }
      },
    ]
  })
  inline_policy {
    name   = "platform-delete"
    policy = local.platform_delete
  }
}

resource "aws_iam_role" "plain" {
  name = "plain"
  tags = { team = "dev" }
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { AWS = "arn:aws:iam::123456789012:root" }, Action = "sts:AssumeRole" }]
  })
  inline_policy {
    name   = "platform-delete"
    policy = local.platform_delete
  }
}
