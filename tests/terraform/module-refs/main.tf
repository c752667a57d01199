# References terraform resolves and the plan shows only as `configuration` expressions (issue 20 item 3,
# issue 25 item 3). Every ARN below is unknown until apply; the gate must follow the reference.
#   module.team["alpha"]   boundary = each.value.bounded ? aws_iam_policy.b.arn : null  -> bounded: no DeleteBackup
#   module.team["beta"]    bounded = false: no boundary                                 -> forbid delete_backup fails
#   aws_iam_role.evil_holder  managed_policy_arns = [aws_iam_policy.evil.arn]           -> forbid delete_backup fails
#   aws_iam_role.mixed     managed_policy_arns = [aws_iam_policy.evil.arn, "<AWS managed ARN>"]: the plan
#                          writes the same references as for evil_holder (the constant is not shown)
#   aws_iam_role.opaque    boundary built from a role's unique_id (not a policy)        -> require is unverifiable
#   module.shared          boundary from module.pol's output (an output of another module)
#   module.misfit          boundary = a role's ARN passed through the module input (not a policy)
#   aws_backup_selection.all  resources = every table, not_resources = [aws_dynamodb_table.t["scratch"].arn]
variable "teams" {
  type = map(object({ bounded = bool }))
  default = {
    alpha = { bounded = true }
    beta  = { bounded = false }
  }
}

locals {
  lambda_trust = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "lambda.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
  backup_trust = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "backup.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

# the boundary: reads and backups, never DeleteBackup
resource "aws_iam_policy" "b" {
  name = "team-boundary"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "BoundaryNoDelete"
      Effect   = "Allow"
      Action   = ["dynamodb:CreateBackup", "dynamodb:DescribeBackup", "dynamodb:ListBackups", "dynamodb:DescribeTable"]
      Resource = "*"
    }]
  })
}

module "team" {
  source               = "./modules/team"
  for_each             = { alpha = { bounded = true }, beta = { bounded = false } }
  name                 = "team-${each.key}"
  permissions_boundary = each.value.bounded ? aws_iam_policy.b.arn : null
}

# the same module with the for_each map from a root variable
module "squad" {
  source               = "./modules/team"
  for_each             = var.teams
  name                 = "squad-${each.key}"
  permissions_boundary = each.value.bounded ? aws_iam_policy.b.arn : null
}

# a boundary that comes out of another module's output
module "pol" {
  source = "./modules/policy"
  name   = "shared-boundary"
}

module "shared" {
  source               = "./modules/team"
  name                 = "shared"
  permissions_boundary = module.pol.arn
}

module "misfit" {
  source               = "./modules/team"
  name                 = "misfit"
  permissions_boundary = aws_iam_role.seed.arn
}

# an attached managed policy known only after apply
resource "aws_iam_policy" "evil" {
  name = "evil"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Sid = "DeleteAll", Effect = "Allow", Action = "dynamodb:DeleteBackup", Resource = "*" }]
  })
}

resource "aws_iam_role" "evil_holder" {
  name                = "evil-holder"
  assume_role_policy  = local.lambda_trust
  managed_policy_arns = [aws_iam_policy.evil.arn]
}

resource "aws_iam_role" "mixed" {
  name                = "mixed"
  assume_role_policy  = local.lambda_trust
  managed_policy_arns = [aws_iam_policy.evil.arn, "arn:aws:iam::aws:policy/AdministratorAccess"]
}

# a boundary the plan cannot resolve: an ARN built from a role's unique_id
resource "aws_iam_role" "seed" {
  name               = "seed"
  assume_role_policy = local.lambda_trust
}

resource "aws_iam_role" "opaque" {
  name                 = "opaque"
  assume_role_policy   = local.lambda_trust
  permissions_boundary = "arn:aws:iam::123456789012:policy/pb-${aws_iam_role.seed.unique_id}"
}

resource "aws_iam_role_policy" "opaque" {
  name = "describe"
  role = aws_iam_role.opaque.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Sid = "Describe", Effect = "Allow", Action = "dynamodb:DescribeBackup", Resource = "*" }]
  })
}

# tables and an AWS Backup selection that leaves one out by reference
resource "aws_dynamodb_table" "t" {
  for_each     = toset(["orders", "scratch"])
  name         = each.key
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

resource "aws_iam_role" "backup" {
  name               = "backup-orders"
  assume_role_policy = local.backup_trust
}

# AWS Backup may back up orders only: scratch is left out by not_resources
resource "aws_iam_role_policy" "backup" {
  name = "advanced-backup-orders"
  role = aws_iam_role.backup.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "AdvancedBackupOrders"
      Effect   = "Allow"
      Action   = ["dynamodb:StartAwsBackupJob", "dynamodb:ListTagsOfResource"]
      Resource = "arn:aws:dynamodb:us-east-1:123456789012:table/orders"
    }]
  })
}

resource "aws_backup_selection" "all" {
  name          = "all-but-scratch"
  plan_id       = aws_backup_plan.daily.id
  iam_role_arn  = aws_iam_role.backup.arn
  resources     = ["arn:aws:dynamodb:*:*:table/*"]
  not_resources = [aws_dynamodb_table.t["scratch"].arn]
}
