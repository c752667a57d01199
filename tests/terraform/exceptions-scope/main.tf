# Exceptions match what their key says (issue 25). Every role may delete prod-orders backups.
#   breakglass_shadow  address label "breakglass_shadow", IAM name data-cleaner: not a break-glass role
#   path_svc           IAM name svc under path /breakglass/: not a break-glass role
#   breakglass_ops     IAM name breakglass-ops: the one `*breakglass*` names
#   expired_role       excepted by an exception that expired on 2020-01-01: the finding returns
#   current_role       excepted by an exception that expires on 2999-12-31: excepted
# tests/e2e/test_suppressions.py (opa, wasm, conftest)
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
  delete_prod = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Sid = "Delete", Effect = "Allow", Action = "dynamodb:DeleteBackup", Resource = "arn:aws:dynamodb:us-east-1:123456789012:table/prod-orders/backup/*" }]
  })
  roles = {
    breakglass_shadow = { name = "data-cleaner", path = "/" }
    path_svc          = { name = "svc", path = "/breakglass/" }
    breakglass_ops    = { name = "breakglass-ops", path = "/" }
    expired_role      = { name = "expired-role", path = "/" }
    current_role      = { name = "current-role", path = "/" }
  }
}

resource "aws_iam_role" "breakglass_shadow" {
  name               = local.roles.breakglass_shadow.name
  assume_role_policy = local.assume_root
}

resource "aws_iam_role_policy" "breakglass_shadow" {
  name   = "delete"
  role   = aws_iam_role.breakglass_shadow.name
  policy = local.delete_prod
}

resource "aws_iam_role" "path_svc" {
  name               = local.roles.path_svc.name
  path               = local.roles.path_svc.path
  assume_role_policy = local.assume_root
}

resource "aws_iam_role_policy" "path_svc" {
  name   = "delete"
  role   = aws_iam_role.path_svc.name
  policy = local.delete_prod
}

resource "aws_iam_role" "breakglass_ops" {
  name               = local.roles.breakglass_ops.name
  assume_role_policy = local.assume_root
}

resource "aws_iam_role_policy" "breakglass_ops" {
  name   = "delete"
  role   = aws_iam_role.breakglass_ops.name
  policy = local.delete_prod
}

resource "aws_iam_role" "expired_role" {
  name               = local.roles.expired_role.name
  assume_role_policy = local.assume_root
}

resource "aws_iam_role_policy" "expired_role" {
  name   = "delete"
  role   = aws_iam_role.expired_role.name
  policy = local.delete_prod
}

resource "aws_iam_role" "current_role" {
  name               = local.roles.current_role.name
  assume_role_policy = local.assume_root
}

resource "aws_iam_role_policy" "current_role" {
  name   = "delete"
  role   = aws_iam_role.current_role.name
  policy = local.delete_prod
}
