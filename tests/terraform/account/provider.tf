# This case's own provider block (gen-fixtures.sh uses it instead of provider.tf.in): no
# allowed_account_ids, so the plan names its account only through the aws_caller_identity data
# source, which scripts/fake_sts.py answers with tests/terraform/account/caller-account.
terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "5.100.0" }
  }
}

provider "aws" {
  region                      = "us-east-1"
  access_key                  = "AKIAIOSFODNN7EXAMPLE"
  secret_key                  = "not-a-real-secret"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  endpoints {
    sts = "http://127.0.0.1:18777"
  }
}
