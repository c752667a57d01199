# Planned against prior.tfstate: the role is unchanged (no-op), its inline policy is updated from
# Allow to Deny, a legacy full-access policy is deleted (must not count) and a user is created.
resource "aws_iam_role" "backup_operator" {
  name = "backup-operator"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Action = "sts:AssumeRole", Effect = "Allow", Principal = { AWS = "arn:aws:iam::123456789012:root" } }]
  })
}

resource "aws_iam_role_policy" "no_backup_deletion" {
  name = "no-backup-deletion"
  role = aws_iam_role.backup_operator.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Sid = "DenyDeleteBackup", Effect = "Deny", Action = "dynamodb:DeleteBackup", Resource = "*" }]
  })
}

resource "aws_iam_user" "auditor" {
  name = "auditor"
}

resource "aws_iam_user_policy" "auditor" {
  name = "list-backups"
  user = aws_iam_user.auditor.name
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Sid = "List", Effect = "Allow", Action = "dynamodb:ListBackups", Resource = "*" }]
  })
}
