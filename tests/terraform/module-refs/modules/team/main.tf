variable "name" {
  type = string
}

variable "permissions_boundary" {
  type    = string
  default = null
}

resource "aws_iam_role" "r" {
  name                 = var.name
  permissions_boundary = var.permissions_boundary
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "lambda.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

# every DynamoDB action: only the boundary keeps DeleteBackup away
resource "aws_iam_role_policy" "all" {
  name = "dynamodb-all"
  role = aws_iam_role.r.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Sid = "DynamoAll", Effect = "Allow", Action = "dynamodb:*", Resource = "*" }]
  })
}
