# METADATA
# title: AWS managed policies known to the iam2rego gate
# description: |
#   Documents copied from the iann0036/iam-dataset repository (aws/managedpolicies/<Name>.json,
#   commit recorded per entry in `source`). `excerpt: true` marks a document reduced to the
#   statements that name DynamoDB, KMS or AWS Backup actions; the omitted statements only grant
#   actions of other services (EC2, RDS, FSx, ...), which the gate never asks about.
#   An AWS managed policy ARN that is not listed here is reported as
#   IAM2REGO-UNKNOWN-MANAGED-POLICY, never ignored.
package iam2rego.gate.managed

dataset := "https://github.com/iann0036/iam-dataset/blob"

policies := {
	"arn:aws:iam::aws:policy/AdministratorAccess": {
		"source": sprintf("%s/0668ccdbbabde72185d628f76743a3f26469e0b4/aws/managedpolicies/AdministratorAccess.json", [dataset]),
		"excerpt": false,
		"document": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["*"], "Resource": "*"}]},
	},
	"arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess": {
		"source": sprintf("%s/059951835936512c0855316fd8cc970ca211123e/aws/managedpolicies/AmazonDynamoDBFullAccess.json", [dataset]),
		"excerpt": false,
		"document": {"Version": "2012-10-17", "Statement": [
			{"Effect": "Allow", "Resource": "*", "Action": [
				"dynamodb:*", "dax:*",
				"application-autoscaling:DeleteScalingPolicy", "application-autoscaling:DeregisterScalableTarget",
				"application-autoscaling:DescribeScalableTargets", "application-autoscaling:DescribeScalingActivities",
				"application-autoscaling:DescribeScalingPolicies", "application-autoscaling:PutScalingPolicy",
				"application-autoscaling:RegisterScalableTarget",
				"cloudwatch:DeleteAlarms", "cloudwatch:DescribeAlarmHistory", "cloudwatch:DescribeAlarms",
				"cloudwatch:DescribeAlarmsForMetric", "cloudwatch:GetMetricStatistics", "cloudwatch:ListMetrics",
				"cloudwatch:PutMetricAlarm", "cloudwatch:GetMetricData",
				"datapipeline:ActivatePipeline", "datapipeline:CreatePipeline", "datapipeline:DeletePipeline",
				"datapipeline:DescribeObjects", "datapipeline:DescribePipelines", "datapipeline:GetPipelineDefinition",
				"datapipeline:ListPipelines", "datapipeline:PutPipelineDefinition", "datapipeline:QueryObjects",
				"ec2:DescribeVpcs", "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups",
				"iam:GetRole", "iam:ListRoles", "kms:DescribeKey", "kms:ListAliases",
				"sns:CreateTopic", "sns:DeleteTopic", "sns:ListSubscriptions", "sns:ListSubscriptionsByTopic",
				"sns:ListTopics", "sns:Subscribe", "sns:Unsubscribe", "sns:SetTopicAttributes",
				"lambda:CreateFunction", "lambda:ListFunctions", "lambda:ListEventSourceMappings",
				"lambda:CreateEventSourceMapping", "lambda:DeleteEventSourceMapping",
				"lambda:GetFunctionConfiguration", "lambda:DeleteFunction",
				"resource-groups:ListGroups", "resource-groups:ListGroupResources", "resource-groups:GetGroup",
				"resource-groups:GetGroupQuery", "resource-groups:DeleteGroup", "resource-groups:CreateGroup",
				"tag:GetResources", "kinesis:ListStreams", "kinesis:DescribeStream", "kinesis:DescribeStreamSummary",
			]},
			{
				"Effect": "Allow", "Action": ["cloudwatch:GetInsightRuleReport"],
				"Resource": "arn:aws:cloudwatch:*:*:insight-rule/DynamoDBContributorInsights*",
			},
			{
				"Effect": "Allow", "Action": ["iam:PassRole"], "Resource": "*",
				"Condition": {"StringLike": {"iam:PassedToService": [
					"application-autoscaling.amazonaws.com", "application-autoscaling.amazonaws.com.cn",
					"dax.amazonaws.com",
				]}},
			},
			{
				"Effect": "Allow", "Action": ["iam:CreateServiceLinkedRole"], "Resource": "*",
				"Condition": {"StringEquals": {"iam:AWSServiceName": [
					"replication.dynamodb.amazonaws.com", "dax.amazonaws.com",
					"dynamodb.application-autoscaling.amazonaws.com", "contributorinsights.dynamodb.amazonaws.com",
					"kinesisreplication.dynamodb.amazonaws.com",
				]}},
			},
		]},
	},
	"arn:aws:iam::aws:policy/AmazonDynamoDBReadOnlyAccess": {
		"source": sprintf("%s/285ec3f7267695b509d15dffefbdff432f8f575f/aws/managedpolicies/AmazonDynamoDBReadOnlyAccess.json", [dataset]),
		"excerpt": false,
		"document": {"Version": "2012-10-17", "Statement": [
			{"Sid": "GeneralReadOnlyAccess", "Effect": "Allow", "Resource": "*", "Action": [
				"application-autoscaling:DescribeScalableTargets", "application-autoscaling:DescribeScalingActivities",
				"application-autoscaling:DescribeScalingPolicies",
				"cloudwatch:DescribeAlarmHistory", "cloudwatch:DescribeAlarms", "cloudwatch:DescribeAlarmsForMetric",
				"cloudwatch:GetMetricStatistics", "cloudwatch:ListMetrics", "cloudwatch:GetMetricData",
				"datapipeline:DescribeObjects", "datapipeline:DescribePipelines", "datapipeline:GetPipelineDefinition",
				"datapipeline:ListPipelines", "datapipeline:QueryObjects",
				"dynamodb:BatchGetItem", "dynamodb:Describe*", "dynamodb:List*", "dynamodb:GetItem",
				"dynamodb:GetResourcePolicy", "dynamodb:Query", "dynamodb:Scan", "dynamodb:PartiQLSelect",
				"dax:Describe*", "dax:List*", "dax:GetItem", "dax:BatchGetItem", "dax:Query", "dax:Scan",
				"ec2:DescribeVpcs", "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups",
				"iam:GetRole", "iam:ListRoles", "kms:DescribeKey", "kms:ListAliases",
				"sns:ListSubscriptionsByTopic", "sns:ListTopics",
				"lambda:ListFunctions", "lambda:ListEventSourceMappings", "lambda:GetFunctionConfiguration",
				"resource-groups:ListGroups", "resource-groups:ListGroupResources", "resource-groups:GetGroup",
				"resource-groups:GetGroupQuery", "tag:GetResources",
				"kinesis:ListStreams", "kinesis:DescribeStream", "kinesis:DescribeStreamSummary",
			]},
			{
				"Sid": "CCIAccess", "Effect": "Allow", "Action": ["cloudwatch:GetInsightRuleReport"],
				"Resource": "arn:aws:cloudwatch:*:*:insight-rule/DynamoDBContributorInsights*",
			},
		]},
	},
	"arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup": {
		"source": sprintf("%s/0a037fbb6c15fefb0c34bfbea0f34e5f618681bb/aws/managedpolicies/AWSBackupServiceRolePolicyForBackup.json", [dataset]),
		"excerpt": true,
		"document": {"Version": "2012-10-17", "Statement": [
			{"Effect": "Allow", "Action": ["dynamodb:DescribeTable", "dynamodb:CreateBackup"], "Resource": "arn:aws:dynamodb:*:*:table/*"},
			{"Effect": "Allow", "Action": ["dynamodb:DescribeBackup", "dynamodb:DeleteBackup"], "Resource": "arn:aws:dynamodb:*:*:table/*/backup/*"},
			{"Effect": "Allow", "Action": ["backup:DescribeBackupVault", "backup:CopyIntoBackupVault"], "Resource": "arn:aws:backup:*:*:backup-vault:*"},
			{"Effect": "Allow", "Action": ["backup:CopyFromBackupVault"], "Resource": "*"},
			{
				"Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": "*",
				"Condition": {"StringLike": {"kms:ViaService": ["dynamodb.*.amazonaws.com"]}},
			},
			{"Effect": "Allow", "Action": ["kms:DescribeKey"], "Resource": "*"},
			{
				"Effect": "Allow", "Action": ["kms:CreateGrant"], "Resource": "*",
				"Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}},
			},
			{
				"Effect": "Allow", "Action": ["kms:GenerateDataKeyWithoutPlaintext"], "Resource": "arn:aws:kms:*:*:key/*",
				"Condition": {"StringLike": {"kms:ViaService": ["ec2.*.amazonaws.com"]}},
			},
			{
				"Sid": "DynamodbBackupPermissions", "Effect": "Allow",
				"Action": ["dynamodb:StartAwsBackupJob", "dynamodb:ListTagsOfResource"], "Resource": "arn:aws:dynamodb:*:*:table/*",
			},
		]},
	},
	"arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores": {
		"source": sprintf("%s/0a037fbb6c15fefb0c34bfbea0f34e5f618681bb/aws/managedpolicies/AWSBackupServiceRolePolicyForRestores.json", [dataset]),
		"excerpt": true,
		"document": {"Version": "2012-10-17", "Statement": [
			{"Effect": "Allow", "Resource": "arn:aws:dynamodb:*:*:table/*", "Action": [
				"dynamodb:Scan", "dynamodb:Query", "dynamodb:UpdateItem", "dynamodb:PutItem", "dynamodb:GetItem",
				"dynamodb:DeleteItem", "dynamodb:BatchWriteItem", "dynamodb:DescribeTable",
			]},
			{"Effect": "Allow", "Action": ["dynamodb:RestoreTableFromBackup"], "Resource": "arn:aws:dynamodb:*:*:table/*/backup/*"},
			{"Effect": "Allow", "Action": ["kms:DescribeKey"], "Resource": "*"},
			{
				"Effect": "Allow", "Resource": "*",
				"Action": [
					"kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:ReEncryptTo", "kms:ReEncryptFrom",
					"kms:GenerateDataKeyWithoutPlaintext",
				],
				"Condition": {"StringLike": {"kms:ViaService": [
					"dynamodb.*.amazonaws.com", "ec2.*.amazonaws.com", "elasticfilesystem.*.amazonaws.com",
					"rds.*.amazonaws.com", "redshift.*.amazonaws.com",
				]}},
			},
			{
				"Effect": "Allow", "Action": ["kms:CreateGrant"], "Resource": "*",
				"Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}},
			},
			{
				"Sid": "DynamoDBRestorePermissions", "Effect": "Allow",
				"Action": ["dynamodb:RestoreTableFromAwsBackup"], "Resource": "arn:aws:dynamodb:*:*:table/*",
			},
		]},
	},
}
