# DeleteBackup grants that depend on the request context, each allowed for SOME request:
#   mfa-admin  Allow, but Deny when BoolIfExists aws:MultiFactorAuthPresent = false (with MFA: allowed)
#   net-ops    Allow only from aws:SourceIp 10.0.0.0/8
#   tagger     Allow only on backups tagged retention = disposable (aws:ResourceTag/retention): backups
#              carry no resource tags (SEMANTICS §1.5, §6.6, §13.5), so the Allow never applies: no finding
#   legal_hold Allow, but Deny when aws:ResourceTag/retention = legal-hold: the Deny never applies to a
#              backup, so DeleteBackup is allowed in every request context (not "allowed unless ...")
#   reader     DescribeBackup only (never DeleteBackup): no finding
# One forbid guardrail (gate.yaml) must report mfa-admin and net-ops as conditional, naming each
# condition, and legal-hold as allowed.
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
  prod_backups = "arn:aws:dynamodb:us-east-1:123456789012:table/prod-*/backup/*"
}

resource "aws_iam_role" "mfa_admin" {
  name               = "mfa-admin"
  assume_role_policy = local.assume_root
}

resource "aws_iam_role_policy" "mfa_admin" {
  name = "backups"
  role = aws_iam_role.mfa_admin.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Sid = "ManageBackups", Effect = "Allow", Action = ["dynamodb:DescribeBackup", "dynamodb:DeleteBackup"], Resource = local.prod_backups },
      {
        Sid       = "DenyDeleteWithoutMFA"
        Effect    = "Deny"
        Action    = "dynamodb:DeleteBackup"
        Resource  = "*"
        Condition = { BoolIfExists = { "aws:MultiFactorAuthPresent" = "false" } }
      },
    ]
  })
}

resource "aws_iam_role" "net_ops" {
  name               = "net-ops"
  assume_role_policy = local.assume_root
}

resource "aws_iam_role_policy" "net_ops" {
  name = "backups"
  role = aws_iam_role.net_ops.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "DeleteFromCorpNetwork"
      Effect    = "Allow"
      Action    = "dynamodb:DeleteBackup"
      Resource  = local.prod_backups
      Condition = { IpAddress = { "aws:SourceIp" = "10.0.0.0/8" } }
    }]
  })
}

resource "aws_iam_role" "tagger" {
  name               = "tagger"
  assume_role_policy = local.assume_root
}

resource "aws_iam_role_policy" "tagger" {
  name = "backups"
  role = aws_iam_role.tagger.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "DeleteDisposableBackups"
      Effect    = "Allow"
      Action    = "dynamodb:DeleteBackup"
      Resource  = local.prod_backups
      Condition = { StringEquals = { "aws:ResourceTag/retention" = "disposable" } }
    }]
  })
}

resource "aws_iam_role" "legal_hold" {
  name               = "legal-hold"
  assume_role_policy = local.assume_root
}

resource "aws_iam_role_policy" "legal_hold" {
  name = "backups"
  role = aws_iam_role.legal_hold.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Sid = "ManageBackups", Effect = "Allow", Action = "dynamodb:DeleteBackup", Resource = local.prod_backups },
      {
        Sid       = "KeepLegalHolds"
        Effect    = "Deny"
        Action    = "dynamodb:DeleteBackup"
        Resource  = "*"
        Condition = { StringEquals = { "aws:ResourceTag/retention" = "legal-hold" } }
      },
    ]
  })
}

resource "aws_iam_role" "reader" {
  name               = "reader"
  assume_role_policy = local.assume_root
}

resource "aws_iam_role_policy" "reader" {
  name = "backups"
  role = aws_iam_role.reader.name
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Sid = "DescribeOnly", Effect = "Allow", Action = "dynamodb:DescribeBackup", Resource = local.prod_backups }]
  })
}
