# AWS Backup selections and the roles they assume (issue 10 item 5, built-in IAM2REGO-BACKUP-ROLE).
# Advanced DynamoDB backup is on (AWS's default for plans, SEMANTICS §3.3): the role needs
# dynamodb:StartAwsBackupJob and dynamodb:ListTagsOfResource on each selected table.
#   ok        backup-ok: AWSBackupServiceRolePolicyForBackup (managed)       -> no finding
#   weak      backup-weak: CreateBackup/DescribeTable only (the old set)      -> deny, table ledger
#   tagged    backup-office-hours: allowed only before 2027 (aws:CurrentTime) -> warn, tables orders and ledger
#   external  a role ARN the plan does not manage                             -> warn (unverifiable), table orders
resource "aws_dynamodb_table" "orders" {
  name         = "orders"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "pk"
  attribute {
    name = "pk"
    type = "S"
  }
  tags = { backup = "daily" }
}

resource "aws_dynamodb_table" "ledger" {
  name         = "ledger"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "pk"
  attribute {
    name = "pk"
    type = "S"
  }
  tags = { backup = "daily" }
}

resource "aws_dynamodb_table" "scratch" {
  name         = "scratch"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "pk"
  attribute {
    name = "pk"
    type = "S"
  }
}

resource "aws_backup_vault" "main" {
  name = "main"
}

resource "aws_backup_plan" "daily" {
  name = "daily"
  rule {
    rule_name         = "daily"
    target_vault_name = aws_backup_vault.main.name
    schedule          = "cron(0 5 * * ? *)"
  }
}

locals {
  backup_trust = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "backup.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_iam_role" "backup_ok" {
  name               = "backup-ok"
  assume_role_policy = local.backup_trust
}

resource "aws_iam_role_policy_attachment" "backup_ok" {
  role       = aws_iam_role.backup_ok.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup"
}

resource "aws_backup_selection" "ok" {
  name         = "ok"
  plan_id      = aws_backup_plan.daily.id
  iam_role_arn = aws_iam_role.backup_ok.arn
  resources    = [aws_dynamodb_table.orders.arn, aws_dynamodb_table.ledger.arn]
}

resource "aws_iam_role" "backup_weak" {
  name               = "backup-weak"
  assume_role_policy = local.backup_trust
}

resource "aws_iam_role_policy" "backup_weak" {
  name = "backup"
  role = aws_iam_role.backup_weak.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "OnDemandBackups"
      Effect   = "Allow"
      Action   = ["dynamodb:CreateBackup", "dynamodb:DescribeTable"]
      Resource = "arn:aws:dynamodb:us-east-1:123456789012:table/*"
    }]
  })
}

resource "aws_backup_selection" "weak" {
  name         = "weak"
  plan_id      = aws_backup_plan.daily.id
  iam_role_arn = aws_iam_role.backup_weak.arn
  resources    = ["arn:aws:dynamodb:us-east-1:123456789012:table/ledger"]
}

resource "aws_iam_role" "backup_office_hours" {
  name               = "backup-office-hours"
  assume_role_policy = local.backup_trust
}

resource "aws_iam_role_policy" "backup_office_hours" {
  name = "backup"
  role = aws_iam_role.backup_office_hours.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "AdvancedBackupsUntil2027"
      Effect    = "Allow"
      Action    = ["dynamodb:StartAwsBackupJob", "dynamodb:ListTagsOfResource"]
      Resource  = "arn:aws:dynamodb:us-east-1:123456789012:table/*"
      Condition = { DateLessThan = { "aws:CurrentTime" = "2027-01-01T00:00:00Z" } }
    }]
  })
}

resource "aws_backup_selection" "tagged" {
  name         = "tagged"
  plan_id      = aws_backup_plan.daily.id
  iam_role_arn = aws_iam_role.backup_office_hours.arn
  selection_tag {
    type  = "STRINGEQUALS"
    key   = "backup"
    value = "daily"
  }
}

resource "aws_backup_selection" "external" {
  name         = "external"
  plan_id      = aws_backup_plan.daily.id
  iam_role_arn = "arn:aws:iam::123456789012:role/service-role/AWSBackupDefaultServiceRole"
  resources    = [aws_dynamodb_table.orders.arn]
}
