# IAM wildcards that make a backtracking matcher take exponential time (issue 25 item 6):
# `a*` repeated 11 times then `b`, and `?*` repeated 40 times, against table names that almost match.
# ci-deployer (new) gains DeleteBackup on hit_star and hit_any backups only; the gate must say so
# in seconds (access grouping, the engines' regex.match, the no-new-access delta).
resource "aws_dynamodb_table" "near_miss_star" {
  name         = "prod-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaac"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "pk"
  attribute {
    name = "pk"
    type = "S"
  }
}

resource "aws_dynamodb_table" "hit_star" {
  name         = "prod-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaab"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "pk"
  attribute {
    name = "pk"
    type = "S"
  }
}

resource "aws_dynamodb_table" "near_miss_any" {
  name         = "prod-xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "pk"
  attribute {
    name = "pk"
    type = "S"
  }
}

resource "aws_dynamodb_table" "hit_any" {
  name         = "prod-xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "pk"
  attribute {
    name = "pk"
    type = "S"
  }
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
      Sid      = "HostileWildcards"
      Effect   = "Allow"
      Action   = "dynamodb:DeleteBackup"
      Resource = ["arn:aws:dynamodb:us-east-1:123456789012:table/prod-a*a*a*a*a*a*a*a*a*a*a*b/backup/*", "arn:aws:dynamodb:us-east-1:123456789012:table/prod-x?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*/backup/*"]
    }]
  })
}

# in the prior state and unchanged: the delta needs a principal on both sides
resource "aws_iam_role" "backup_operator" {
  name = "backup-operator"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Action = "sts:AssumeRole", Effect = "Allow", Principal = { AWS = "arn:aws:iam::123456789012:root" } }]
  })
}
