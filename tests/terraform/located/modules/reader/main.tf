variable "team" {
  type = string
}

resource "aws_iam_role" "reader" {
  name = "${var.team}-reader"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "lambda.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_iam_role_policy" "reader" {
  name = "list"
  role = aws_iam_role.reader.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "ListOwnTable"
      Effect   = "Allow"
      Action   = ["dynamodb:ListBackups"]
      Resource = "arn:aws:dynamodb:us-east-1:123456789012:table/${var.team}"
    }]
  })
}
