# Fail-closed cases: an AWS managed policy the gate does not ship (not in the pinned dataset), an
# attachment to a customer managed policy outside the plan, and a permissions boundary known only
# after apply.
resource "aws_iam_role" "app" {
  name = "app"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "ec2.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
  permissions_boundary = aws_iam_policy.boundary.arn
}

resource "aws_iam_policy" "boundary" {
  name = "app-boundary"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Sid = "DynamoAndPassHelper", Effect = "Allow", Action = ["dynamodb:Describe*", "iam:PassRole"], Resource = ["arn:aws:dynamodb:us-east-1:123456789012:table/*", aws_iam_role.helper.arn] }]
  })
}

resource "aws_iam_role" "helper" {
  name = "helper"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "ec2.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_iam_role_policy_attachment" "not_shipped" {
  role       = aws_iam_role.app.name
  policy_arn = "arn:aws:iam::aws:policy/AmazonDynamoDBNotInThePinnedDataset"
}

resource "aws_iam_role_policy_attachment" "outside" {
  role       = aws_iam_role.app.name
  policy_arn = "arn:aws:iam::123456789012:policy/managed-elsewhere"
}
