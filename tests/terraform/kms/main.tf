# Customer managed KMS keys in the deployment (issue 20 item 2, SEMANTICS §13.2). Every restore role
# has dynamodb:* and kms:* in IAM; what differs is what each table's key policy says.
#   strict    key policy names only the kms-admin role, no account delegation: IAM alone never
#             allows -> restore of `strict` is denied (key_policy_no_allow)
#   open      key policy delegates to the account (Principal AWS = arn:aws:iam::ACCOUNT:root)
#   defaulted key without `policy`: AWS's default key policy, which delegates to the account
#   separate  key policy in an aws_kms_key_policy resource that delegates to the account
#   granted   key policy like strict, plus an aws_kms_grant to restore-granted for the restore's
#             operations
#   external  kms_key_arn is a literal key ARN the plan does not manage -> unverifiable, naming the key
#   owned     no server_side_encryption block (AWS owned key)
#   managed   SSE enabled without kms_key_arn (the AWS managed key aws/dynamodb)
data "aws_caller_identity" "current" {}

locals {
  account = data.aws_caller_identity.current.account_id
  admin   = "arn:aws:iam::${local.account}:role/kms-admin"
  admin_only = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "KeyAdmin"
      Effect    = "Allow"
      Principal = { AWS = local.admin }
      Action    = "kms:*"
      Resource  = "*"
    }]
  })
  delegating = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "EnableIAMUserPermissions"
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::${local.account}:root" }
      Action    = "kms:*"
      Resource  = "*"
    }]
  })
  trust = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { AWS = "arn:aws:iam::${local.account}:root" }, Action = "sts:AssumeRole" }]
  })
  restore_everything = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Sid = "Dynamo", Effect = "Allow", Action = "dynamodb:*", Resource = "*" },
      { Sid = "Kms", Effect = "Allow", Action = "kms:*", Resource = "*" },
    ]
  })
  restore_dynamo_only = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Sid = "Dynamo", Effect = "Allow", Action = "dynamodb:*", Resource = "*" }]
  })
}

resource "aws_kms_key" "strict" {
  description = "strict"
  policy      = local.admin_only
}

resource "aws_kms_key" "open" {
  description = "open"
  policy      = local.delegating
}

resource "aws_kms_key" "defaulted" {
  description = "default key policy"
}

resource "aws_kms_key" "separate" {
  description = "policy in aws_kms_key_policy"
}

resource "aws_kms_key_policy" "separate" {
  key_id = aws_kms_key.separate.id
  policy = local.delegating
}

resource "aws_kms_key" "granted" {
  description = "granted"
  policy      = local.admin_only
}

resource "aws_kms_grant" "restore" {
  name              = "restore"
  key_id            = aws_kms_key.granted.key_id
  grantee_principal = aws_iam_role.restore_granted.arn
  operations = [
    "Encrypt", "Decrypt", "ReEncryptFrom", "ReEncryptTo", "GenerateDataKey",
    "GenerateDataKeyWithoutPlaintext", "DescribeKey", "CreateGrant",
  ]
}

resource "aws_dynamodb_table" "strict" {
  name         = "strict"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "pk"
  attribute {
    name = "pk"
    type = "S"
  }
  server_side_encryption {
    enabled     = true
    kms_key_arn = aws_kms_key.strict.arn
  }
}

resource "aws_dynamodb_table" "open" {
  name         = "open"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "pk"
  attribute {
    name = "pk"
    type = "S"
  }
  server_side_encryption {
    enabled     = true
    kms_key_arn = aws_kms_key.open.arn
  }
}

resource "aws_dynamodb_table" "defaulted" {
  name         = "defaulted"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "pk"
  attribute {
    name = "pk"
    type = "S"
  }
  server_side_encryption {
    enabled     = true
    kms_key_arn = aws_kms_key.defaulted.arn
  }
}

resource "aws_dynamodb_table" "separate" {
  name         = "separate"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "pk"
  attribute {
    name = "pk"
    type = "S"
  }
  server_side_encryption {
    enabled     = true
    kms_key_arn = aws_kms_key.separate.arn
  }
}

resource "aws_dynamodb_table" "granted" {
  name         = "granted"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "pk"
  attribute {
    name = "pk"
    type = "S"
  }
  server_side_encryption {
    enabled     = true
    kms_key_arn = aws_kms_key.granted.arn
  }
}

resource "aws_dynamodb_table" "external" {
  name         = "external"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "pk"
  attribute {
    name = "pk"
    type = "S"
  }
  server_side_encryption {
    enabled     = true
    kms_key_arn = "arn:aws:kms:us-east-1:123456789012:key/8e1f3c2a-0b4d-4e5f-9a6b-7c8d9e0f1a2b"
  }
}

resource "aws_dynamodb_table" "owned" {
  name         = "owned"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "pk"
  attribute {
    name = "pk"
    type = "S"
  }
}

resource "aws_dynamodb_table" "managed" {
  name         = "managed"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "pk"
  attribute {
    name = "pk"
    type = "S"
  }
  server_side_encryption {
    enabled = true
  }
}

# dynamodb:* and kms:* in IAM (the issue's "KMS grant only in its IAM policy")
resource "aws_iam_role" "restore_iam_only" {
  name               = "restore-iam-only"
  assume_role_policy = local.trust
}

resource "aws_iam_role_policy" "restore_iam_only" {
  name   = "restore"
  role   = aws_iam_role.restore_iam_only.id
  policy = local.restore_everything
}

# dynamodb:* only: its KMS access comes from the grant on `granted`
resource "aws_iam_role" "restore_granted" {
  name               = "restore-granted"
  assume_role_policy = local.trust
}

resource "aws_iam_role_policy" "restore_granted" {
  name   = "restore"
  role   = aws_iam_role.restore_granted.id
  policy = local.restore_dynamo_only
}
