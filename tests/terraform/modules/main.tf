# Modules with for_each and count, aws_iam_policy_document data sources (one known at plan time,
# one that depends on a table ARN known only after apply), and a count-indexed role policy.
variable "teams" {
  type    = set(string)
  default = ["billing", "search"]
}

module "team" {
  source   = "./modules/table_team"
  for_each = var.teams
  team     = each.key
}

data "aws_iam_policy_document" "list" {
  statement {
    sid       = "ListEverything"
    actions   = ["dynamodb:ListBackups", "dynamodb:ListTables"]
    resources = ["*"]
  }
}

resource "aws_iam_role" "readers" {
  count = 2
  name  = "reader-${count.index}"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "lambda.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_iam_role_policy" "readers" {
  count  = 2
  name   = "list"
  role   = aws_iam_role.readers[count.index].id
  policy = data.aws_iam_policy_document.list.json
}
