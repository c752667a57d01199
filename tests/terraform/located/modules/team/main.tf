variable "team" {
  type = string
}

resource "aws_iam_role" "operator" {
  name = "${var.team}-operator"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { AWS = "arn:aws:iam::123456789012:root" }, Action = "sts:AssumeRole" }]
  })
}

module "reader" {
  source = "../reader"
  team   = var.team
}

resource "aws_dynamodb_table" "prod" {
  name         = "prod-${var.team}"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "pk"
  attribute {
    name = "pk"
    type = "S"
  }
}
