# for_each keys that JSON encoders write differently (issue 25 item 5): Go's encoding/json (OPA's
# json.marshal) escapes & < > U+2028 U+2029 as \u0026 ..., the Wasm runtime does not, Terraform's own
# address quoting escapes " \ newline and non-printable characters (U+2028) and doubles ${ and %{.
# Every role gets DeleteBackup on prod-orders backups through a role policy that names its role by
# each.key: the gate must resolve each policy to its role and report every one, on every engine.
resource "aws_dynamodb_table" "orders" {
  name         = "prod-orders"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "pk"
  attribute {
    name = "pk"
    type = "S"
  }
}

locals {
  # for_each key => role name (role names may not hold these characters; keys may)
  roles = {
    "amp&er"                        = "hostile-amp"
    "lt<gt>"                        = "hostile-ltgt"
    "ls\u2028sep"                   = "hostile-ls"
    "ps\u2029sep"                   = "hostile-ps"
    "quote\"q"                      = "hostile-quote"
    "back\\slash"                   = "hostile-backslash"
    "new\nline"                     = "hostile-newline"
    "tab\tcr\r"                     = "hostile-tab"
    "tmpl$${x}"                     = "hostile-tmpl"
    "pct%%{y}"                      = "hostile-pct"
    "del\u007fnbsp\u00a0"           = "hostile-del"
    "bom\ufeffrtl\u202e"            = "hostile-bom"
    "astral\U0001F600"              = "hostile-astral"
    "glob*?[x]"                     = "hostile-glob"
    "long-${format("%0300d", 0)}"   = "hostile-long"
    "plain"                         = "hostile-plain"
  }
}

resource "aws_iam_role" "r" {
  for_each = local.roles
  name     = each.value
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { AWS = "arn:aws:iam::123456789012:root" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_iam_role_policy" "p" {
  for_each = local.roles
  name     = "delete-backups"
  role     = aws_iam_role.r[each.key].id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "dynamodb:DeleteBackup", Resource = "arn:aws:dynamodb:us-east-1:123456789012:table/prod-orders/backup/*" }]
  })
}
