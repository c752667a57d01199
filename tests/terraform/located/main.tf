# Findings located in the Terraform source: a root module split over several files (main.tf,
# iam.tf, policies.tf), a module called with for_each (modules/team) that calls a nested module
# (modules/reader), an aws_iam_policy_document with several statement blocks, jsonencode policies
# and an inline skip. tests/e2e/test_locations.py asserts the file and line of every finding.
module "team" {
  source   = "./modules/team"
  for_each = toset(["orders", "billing"])
  team     = each.key
}
