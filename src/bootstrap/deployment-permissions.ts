/**
 * What the deployment role may do: the actions Terraform needs to create, read, update and delete the
 * resources the environment stacks synthesize, one group per AWS service, listed action by action.
 *
 * The policy checks refuse wildcard actions (even `s3:Get*`), and least privilege means naming what is
 * used, so each group below says which resources of the platform need it. When a stack starts using a
 * new resource type, add its actions to the group of its service (or a new group); the bootstrap test
 * fails when a group exceeds the managed-policy size limit.
 *
 * Resources are `*` where the service cannot scope the call (Describe/List, creation of resources whose
 * ARN is not known yet) or where the platform's names are not prefixed; IAM and S3 are limited to the
 * project's own name prefix, which is what keeps the role from touching anything else in the account.
 */
import type { PolicyStatement } from "../iam/policy";

/** What the statements are computed from: the account and the names the bootstrap protects. */
export interface DeploymentContext {
  readonly accountId: string;
  readonly project: string;
  /** ARN of the permissions boundary every role the deployment role creates must carry. */
  readonly boundaryArn: string;
}

export interface PermissionGroup {
  /** Short name, used in the managed policy's name and the statement ids. */
  readonly name: string;
  readonly statements: (context: DeploymentContext) => readonly PolicyStatement[];
}

const anywhere = ["*"];

/** Services the platform's roles are handed to (iam:PassRole), each for a role the stacks create. */
export const PASSED_TO_SERVICES = [
  "lambda.amazonaws.com", // every function's execution role
  "vpc-flow-logs.amazonaws.com", // the VPC flow log role
  "s3.amazonaws.com", // the artifacts bucket's replication role
  "monitoring.rds.amazonaws.com", // enhanced monitoring of Aurora instances
  "events.amazonaws.com", // rules that target another account's bus
  "ec2.amazonaws.com", // the edge tier's instance role, through its instance profile
];

/** Service-linked roles AWS creates on first use of a feature the platform turns on. */
export const SERVICE_LINKED_ROLES = [
  "rds.amazonaws.com", // first Aurora cluster in an account
  "replication.dynamodb.amazonaws.com", // DynamoDB global table replicas
  "autoscaling.amazonaws.com", // the edge tier's first Auto Scaling group
  "elasticloadbalancing.amazonaws.com", // the edge tier's first load balancer
];

/** AWS managed policies a platform role may have attached (the enhanced monitoring role). */
export const ATTACHABLE_AWS_MANAGED_POLICIES = ["arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"];

export const DEPLOYMENT_PERMISSIONS: readonly PermissionGroup[] = [
  {
    // VPCs, private subnets, route tables, security groups and their rules, interface/gateway
    // endpoints, peering to the neighbouring environments (requester and accepter sides), flow logs,
    // and the lookups of availability zones, VPCs and route tables. Lambda ENIs are described and
    // removed when a security group or subnet that held them is destroyed.
    name: "network",
    statements: () => [
      {
        actions: [
          "ec2:DescribeAccountAttributes", "ec2:DescribeAvailabilityZones", "ec2:DescribeRegions",
          "ec2:CreateVpc", "ec2:DeleteVpc", "ec2:DescribeVpcs", "ec2:DescribeVpcAttribute", "ec2:ModifyVpcAttribute",
          "ec2:DescribeNetworkAcls", "ec2:DescribeDhcpOptions",
          "ec2:CreateSubnet", "ec2:DeleteSubnet", "ec2:DescribeSubnets", "ec2:ModifySubnetAttribute",
          "ec2:CreateRouteTable", "ec2:DeleteRouteTable", "ec2:DescribeRouteTables", "ec2:AssociateRouteTable",
          "ec2:DisassociateRouteTable", "ec2:ReplaceRouteTableAssociation", "ec2:CreateRoute", "ec2:DeleteRoute", "ec2:ReplaceRoute",
          "ec2:CreateSecurityGroup", "ec2:DeleteSecurityGroup", "ec2:DescribeSecurityGroups", "ec2:DescribeSecurityGroupRules",
          "ec2:AuthorizeSecurityGroupIngress", "ec2:AuthorizeSecurityGroupEgress", "ec2:RevokeSecurityGroupIngress",
          "ec2:RevokeSecurityGroupEgress", "ec2:ModifySecurityGroupRules",
          "ec2:UpdateSecurityGroupRuleDescriptionsIngress", "ec2:UpdateSecurityGroupRuleDescriptionsEgress",
          "ec2:CreateVpcEndpoint", "ec2:DeleteVpcEndpoints", "ec2:DescribeVpcEndpoints", "ec2:ModifyVpcEndpoint",
          "ec2:DescribeVpcEndpointServices", "ec2:DescribePrefixLists",
          "ec2:CreateVpcPeeringConnection", "ec2:AcceptVpcPeeringConnection", "ec2:DeleteVpcPeeringConnection",
          "ec2:DescribeVpcPeeringConnections", "ec2:ModifyVpcPeeringConnectionOptions",
          "ec2:CreateFlowLogs", "ec2:DeleteFlowLogs", "ec2:DescribeFlowLogs",
          "ec2:DescribeNetworkInterfaces", "ec2:DetachNetworkInterface", "ec2:DeleteNetworkInterface",
          "ec2:CreateTags", "ec2:DeleteTags", "ec2:DescribeTags",
        ],
        resources: anywhere,
      },
    ],
  },
  {
    // The edge tier's network and application (environments with edgeTier): the internet gateway of
    // the public subnets, CloudFront's origin-facing prefix list, launch templates, Auto Scaling groups
    // (creating one with a launch template checks that the caller may run its instances), load
    // balancers with their listeners, rules and target groups.
    name: "compute",
    statements: () => [
      {
        actions: [
          "ec2:CreateInternetGateway", "ec2:DeleteInternetGateway", "ec2:DescribeInternetGateways", "ec2:AttachInternetGateway", "ec2:DetachInternetGateway",
          "ec2:DescribeManagedPrefixLists", "ec2:GetManagedPrefixListEntries",
          "ec2:CreateLaunchTemplate", "ec2:CreateLaunchTemplateVersion", "ec2:ModifyLaunchTemplate", "ec2:DeleteLaunchTemplate",
          "ec2:DeleteLaunchTemplateVersions", "ec2:DescribeLaunchTemplates", "ec2:DescribeLaunchTemplateVersions", "ec2:GetLaunchTemplateData",
          "ec2:RunInstances", "ec2:DescribeInstances", "ec2:DescribeImages", "ec2:DescribeInstanceTypes", "ec2:DescribeInstanceTypeOfferings",
          "autoscaling:CreateAutoScalingGroup", "autoscaling:UpdateAutoScalingGroup", "autoscaling:DeleteAutoScalingGroup", "autoscaling:DescribeAutoScalingGroups",
          "autoscaling:DescribeScalingActivities", "autoscaling:EnableMetricsCollection", "autoscaling:DisableMetricsCollection",
          "autoscaling:StartInstanceRefresh", "autoscaling:CancelInstanceRefresh", "autoscaling:DescribeInstanceRefreshes",
          "autoscaling:AttachLoadBalancerTargetGroups", "autoscaling:DetachLoadBalancerTargetGroups", "autoscaling:DescribeLoadBalancerTargetGroups",
          "autoscaling:AttachTrafficSources", "autoscaling:DetachTrafficSources", "autoscaling:DescribeTrafficSources",
          "autoscaling:CreateOrUpdateTags", "autoscaling:DeleteTags", "autoscaling:DescribeTags",
          "elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:DeleteLoadBalancer", "elasticloadbalancing:DescribeLoadBalancers",
          "elasticloadbalancing:DescribeLoadBalancerAttributes", "elasticloadbalancing:ModifyLoadBalancerAttributes",
          "elasticloadbalancing:SetSecurityGroups", "elasticloadbalancing:SetSubnets",
          "elasticloadbalancing:CreateTargetGroup", "elasticloadbalancing:DeleteTargetGroup", "elasticloadbalancing:ModifyTargetGroup",
          "elasticloadbalancing:DescribeTargetGroups", "elasticloadbalancing:DescribeTargetGroupAttributes", "elasticloadbalancing:ModifyTargetGroupAttributes",
          "elasticloadbalancing:DescribeTargetHealth",
          "elasticloadbalancing:CreateListener", "elasticloadbalancing:DeleteListener", "elasticloadbalancing:ModifyListener", "elasticloadbalancing:DescribeListeners",
          "elasticloadbalancing:DescribeListenerAttributes", "elasticloadbalancing:ModifyListenerAttributes", "elasticloadbalancing:DescribeListenerCertificates",
          "elasticloadbalancing:CreateRule", "elasticloadbalancing:DeleteRule", "elasticloadbalancing:ModifyRule", "elasticloadbalancing:DescribeRules",
          "elasticloadbalancing:SetRulePriorities",
          "elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags", "elasticloadbalancing:DescribeTags",
        ],
        resources: anywhere,
      },
    ],
  },
  {
    // The edge tier's distribution and origin access control, and its standard logs (v2): a log
    // delivery source, destination and delivery in us-east-1 (CloudFront must allow the delivery).
    name: "edge",
    statements: () => [
      {
        actions: [
          "cloudfront:CreateDistribution", "cloudfront:CreateDistributionWithTags", "cloudfront:GetDistribution", "cloudfront:GetDistributionConfig",
          "cloudfront:UpdateDistribution", "cloudfront:DeleteDistribution",
          "cloudfront:CreateOriginAccessControl", "cloudfront:GetOriginAccessControl", "cloudfront:GetOriginAccessControlConfig",
          "cloudfront:UpdateOriginAccessControl", "cloudfront:DeleteOriginAccessControl",
          "cloudfront:TagResource", "cloudfront:UntagResource", "cloudfront:ListTagsForResource",
          "cloudfront:AllowVendedLogDeliveryForResource",
          "logs:PutDeliverySource", "logs:GetDeliverySource", "logs:DeleteDeliverySource",
          "logs:PutDeliveryDestination", "logs:GetDeliveryDestination", "logs:DeleteDeliveryDestination",
          "logs:CreateDelivery", "logs:GetDelivery", "logs:DeleteDelivery", "logs:UpdateDeliveryConfiguration",
          "wafv2:GetWebACL",
        ],
        resources: anywhere,
      },
    ],
  },
  {
    // Aurora Serverless v2 clusters and instances, global databases for disaster recovery, cluster
    // parameter groups and subnet groups; a final snapshot on deletion.
    name: "rds",
    statements: ({ accountId, project }) => [
      {
        actions: [
          "rds:CreateDBCluster", "rds:DeleteDBCluster", "rds:ModifyDBCluster", "rds:DescribeDBClusters",
          "rds:CreateDBInstance", "rds:DeleteDBInstance", "rds:ModifyDBInstance", "rds:DescribeDBInstances", "rds:RebootDBInstance",
          "rds:CreateGlobalCluster", "rds:DeleteGlobalCluster", "rds:ModifyGlobalCluster", "rds:DescribeGlobalClusters", "rds:RemoveFromGlobalCluster",
          "rds:CreateDBClusterParameterGroup", "rds:DeleteDBClusterParameterGroup", "rds:ModifyDBClusterParameterGroup",
          "rds:DescribeDBClusterParameterGroups", "rds:DescribeDBClusterParameters", "rds:ResetDBClusterParameterGroup",
          "rds:CreateDBSubnetGroup", "rds:DeleteDBSubnetGroup", "rds:ModifyDBSubnetGroup", "rds:DescribeDBSubnetGroups",
          "rds:CreateDBClusterSnapshot", "rds:DescribeDBClusterSnapshots",
          "rds:DescribeDBEngineVersions", "rds:DescribeOrderableDBInstanceOptions",
          "rds:AddTagsToResource", "rds:RemoveTagsFromResource", "rds:ListTagsForResource",
        ],
        resources: anywhere,
      },
      {
        // `npm run dr` (src/dr): moving a global database's writer, only on the project's own global
        // clusters and their member clusters. RemoveFromGlobalCluster (detach-and-promote) is above.
        actions: ["rds:SwitchoverGlobalCluster", "rds:FailoverGlobalCluster"],
        resources: [`arn:aws:rds::${accountId}:global-cluster:${project}-*`, `arn:aws:rds:*:${accountId}:cluster:${project}-*`],
      },
    ],
  },
  {
    // The environment keys and their aliases. Grants and data-key calls are made on the role's behalf
    // by RDS, DynamoDB, Secrets Manager and SSM (SecureString) when they encrypt with those keys.
    name: "kms",
    statements: () => [
      {
        actions: [
          "kms:CreateKey", "kms:DescribeKey", "kms:GetKeyPolicy", "kms:PutKeyPolicy", "kms:GetKeyRotationStatus",
          "kms:EnableKeyRotation", "kms:DisableKeyRotation", "kms:UpdateKeyDescription", "kms:ScheduleKeyDeletion",
          "kms:ListResourceTags", "kms:TagResource", "kms:UntagResource",
          "kms:CreateAlias", "kms:DeleteAlias", "kms:UpdateAlias", "kms:ListAliases",
          "kms:CreateGrant", "kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey",
        ],
        resources: anywhere,
      },
    ],
  },
  {
    // Master password secrets of global databases and application users' secrets, replicated into
    // the DR region, and their rotation schedules; the secrets RDS creates for the clusters whose
    // password it manages.
    name: "secretsmanager",
    statements: () => [
      {
        actions: [
          "secretsmanager:CreateSecret", "secretsmanager:DeleteSecret", "secretsmanager:DescribeSecret", "secretsmanager:UpdateSecret",
          "secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue", "secretsmanager:ListSecretVersionIds",
          "secretsmanager:UpdateSecretVersionStage", "secretsmanager:RotateSecret", "secretsmanager:CancelRotateSecret",
          "secretsmanager:GetResourcePolicy", "secretsmanager:PutResourcePolicy", "secretsmanager:DeleteResourcePolicy",
          "secretsmanager:ReplicateSecretToRegions", "secretsmanager:RemoveRegionsFromReplication",
          "secretsmanager:TagResource", "secretsmanager:UntagResource",
        ],
        resources: anywhere,
      },
    ],
  },
  {
    // Artifact buckets, their DR copies and access-log buckets: every bucket setting Terraform reads
    // back on refresh, replication into the DR region and the next environment, event notifications.
    // Only buckets named with the project prefix.
    name: "s3",
    statements: ({ project }) => [
      {
        actions: [
          "s3:CreateBucket", "s3:DeleteBucket", "s3:ListBucket", "s3:ListBucketVersions", "s3:GetBucketLocation",
          "s3:GetBucketPolicy", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy", "s3:GetBucketPolicyStatus",
          "s3:GetBucketAcl", "s3:GetBucketCORS", "s3:GetBucketWebsite", "s3:GetBucketRequestPayment",
          "s3:GetAccelerateConfiguration", "s3:GetBucketObjectLockConfiguration",
          "s3:GetBucketVersioning", "s3:PutBucketVersioning", "s3:GetBucketLogging", "s3:PutBucketLogging",
          "s3:GetLifecycleConfiguration", "s3:PutLifecycleConfiguration",
          "s3:GetReplicationConfiguration", "s3:PutReplicationConfiguration",
          "s3:GetEncryptionConfiguration", "s3:PutEncryptionConfiguration",
          "s3:GetBucketTagging", "s3:PutBucketTagging",
          "s3:GetBucketOwnershipControls", "s3:PutBucketOwnershipControls",
          "s3:GetBucketPublicAccessBlock", "s3:PutBucketPublicAccessBlock",
          "s3:GetBucketNotification", "s3:PutBucketNotification",
        ],
        resources: [`arn:aws:s3:::${project}-*`],
      },
    ],
  },
  {
    // Ledger tables (global tables with a DR replica and a stream the stream processor reads).
    // Creating a replica needs the item actions in both regions.
    name: "dynamodb",
    statements: () => [
      {
        actions: [
          "dynamodb:CreateTable", "dynamodb:DeleteTable", "dynamodb:DescribeTable", "dynamodb:UpdateTable",
          "dynamodb:DescribeContinuousBackups", "dynamodb:UpdateContinuousBackups",
          "dynamodb:DescribeTimeToLive", "dynamodb:UpdateTimeToLive",
          "dynamodb:CreateTableReplica", "dynamodb:DeleteTableReplica",
          "dynamodb:Scan", "dynamodb:Query", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem",
          "dynamodb:DeleteItem", "dynamodb:BatchWriteItem",
          "dynamodb:DescribeStream", "dynamodb:ListStreams",
          "dynamodb:ListTagsOfResource", "dynamodb:TagResource", "dynamodb:UntagResource",
        ],
        resources: anywhere,
      },
    ],
  },
  {
    // The platform's functions: code and configuration, concurrency, async invoke settings, event
    // source mappings (table streams, queues), resource-based permissions, the status function URL.
    name: "lambda",
    statements: () => [
      {
        actions: [
          "lambda:CreateFunction", "lambda:DeleteFunction", "lambda:GetFunction", "lambda:GetFunctionConfiguration",
          "lambda:UpdateFunctionCode", "lambda:UpdateFunctionConfiguration", "lambda:ListVersionsByFunction",
          "lambda:GetFunctionCodeSigningConfig", "lambda:GetFunctionRecursionConfig", "lambda:GetRuntimeManagementConfig",
          "lambda:GetFunctionConcurrency", "lambda:PutFunctionConcurrency", "lambda:DeleteFunctionConcurrency",
          "lambda:AddPermission", "lambda:RemovePermission", "lambda:GetPolicy",
          "lambda:CreateEventSourceMapping", "lambda:DeleteEventSourceMapping", "lambda:GetEventSourceMapping", "lambda:UpdateEventSourceMapping",
          "lambda:PutFunctionEventInvokeConfig", "lambda:GetFunctionEventInvokeConfig",
          "lambda:UpdateFunctionEventInvokeConfig", "lambda:DeleteFunctionEventInvokeConfig",
          "lambda:CreateFunctionUrlConfig", "lambda:GetFunctionUrlConfig", "lambda:UpdateFunctionUrlConfig", "lambda:DeleteFunctionUrlConfig",
          "lambda:ListTags", "lambda:TagResource", "lambda:UntagResource",
        ],
        resources: anywhere,
      },
    ],
  },
  {
    // Schedules and change-event rules, their targets, the central event bus and its policy.
    name: "events",
    statements: () => [
      {
        actions: [
          "events:PutRule", "events:DeleteRule", "events:DescribeRule", "events:EnableRule", "events:DisableRule",
          "events:PutTargets", "events:RemoveTargets", "events:ListTargetsByRule",
          "events:CreateEventBus", "events:DeleteEventBus", "events:DescribeEventBus", "events:UpdateEventBus",
          "events:PutPermission", "events:RemovePermission",
          "events:ListTagsForResource", "events:TagResource", "events:UntagResource",
        ],
        resources: anywhere,
      },
    ],
  },
  {
    // Work and dead-letter queues with their policies; alarm topics, their policies and e-mail subscriptions.
    name: "messaging",
    statements: () => [
      {
        actions: [
          "sqs:CreateQueue", "sqs:DeleteQueue", "sqs:GetQueueAttributes", "sqs:SetQueueAttributes", "sqs:GetQueueUrl",
          "sqs:ListQueueTags", "sqs:TagQueue", "sqs:UntagQueue",
          "sns:CreateTopic", "sns:DeleteTopic", "sns:GetTopicAttributes", "sns:SetTopicAttributes",
          "sns:Subscribe", "sns:Unsubscribe", "sns:GetSubscriptionAttributes", "sns:SetSubscriptionAttributes",
          "sns:ListSubscriptionsByTopic", "sns:ListTagsForResource", "sns:TagResource", "sns:UntagResource",
        ],
        resources: anywhere,
      },
    ],
  },
  {
    // Parameters under /app/<env>/ (database endpoints, configuration); function and flow log groups;
    // alarms and dashboards.
    name: "observability",
    statements: () => [
      {
        actions: [
          "ssm:PutParameter", "ssm:DeleteParameter", "ssm:GetParameter", "ssm:GetParameters", "ssm:DescribeParameters",
          "ssm:AddTagsToResource", "ssm:RemoveTagsFromResource", "ssm:ListTagsForResource",
          "logs:CreateLogGroup", "logs:DeleteLogGroup", "logs:DescribeLogGroups", "logs:PutRetentionPolicy", "logs:DeleteRetentionPolicy",
          "logs:AssociateKmsKey", "logs:DisassociateKmsKey", "logs:ListTagsForResource", "logs:ListTagsLogGroup",
          "logs:TagResource", "logs:UntagResource", "logs:TagLogGroup", "logs:UntagLogGroup",
          "cloudwatch:PutMetricAlarm", "cloudwatch:DeleteAlarms", "cloudwatch:DescribeAlarms",
          "cloudwatch:PutDashboard", "cloudwatch:GetDashboard", "cloudwatch:DeleteDashboards",
          "cloudwatch:ListTagsForResource", "cloudwatch:TagResource", "cloudwatch:UntagResource",
          // `npm run dr` reads the global databases' replication lag before it moves a writer.
          "cloudwatch:GetMetricStatistics",
        ],
        resources: anywhere,
      },
    ],
  },
  {
    // One multi-region trail per environment account (`<project>-<env>-audit`): the configuration-change
    // rule needs CloudTrail to deliver management API calls to EventBridge. Describe/List cannot be
    // scoped to a trail.
    name: "cloudtrail",
    statements: ({ accountId, project }) => [
      {
        actions: [
          "cloudtrail:CreateTrail", "cloudtrail:DeleteTrail", "cloudtrail:UpdateTrail", "cloudtrail:GetTrail", "cloudtrail:GetTrailStatus",
          "cloudtrail:StartLogging", "cloudtrail:StopLogging", "cloudtrail:GetEventSelectors", "cloudtrail:PutEventSelectors",
          "cloudtrail:GetInsightSelectors", "cloudtrail:AddTags", "cloudtrail:RemoveTags", "cloudtrail:ListTags",
        ],
        resources: [`arn:aws:cloudtrail:*:${accountId}:trail/${project}-*`],
      },
      { actions: ["cloudtrail:DescribeTrails", "cloudtrail:ListTrails"], resources: anywhere },
    ],
  },
  {
    // The multi-account ledger (ledgerGlobalTable): the source table's resource policy, and each
    // replica, which is a CloudFormation stack `<project>-<env>-ledger-replica` holding an
    // AWS::DynamoDB::GlobalTable created from the source's ARN (CloudFormation acts with these
    // credentials: the table calls below, plus joining the source table in the first account).
    name: "ledger-replicas",
    statements: ({ accountId, project }) => [
      {
        sid: "ReplicaStacks",
        actions: [
          "cloudformation:CreateStack", "cloudformation:UpdateStack", "cloudformation:DeleteStack", "cloudformation:DescribeStacks",
          "cloudformation:DescribeStackEvents", "cloudformation:DescribeStackResources", "cloudformation:GetTemplate", "cloudformation:GetTemplateSummary",
          "cloudformation:TagResource", "cloudformation:UntagResource",
        ],
        resources: [`arn:aws:cloudformation:*:${accountId}:stack/${project}-*/*`],
      },
      { sid: "ValidateTemplates", actions: ["cloudformation:ValidateTemplate"], resources: anywhere },
      {
        sid: "GlobalTableMembership",
        actions: [
          "dynamodb:PutResourcePolicy", "dynamodb:GetResourcePolicy", "dynamodb:DeleteResourcePolicy", "dynamodb:AssociateTableReplica",
          "dynamodb:DescribeContributorInsights", "dynamodb:DescribeTableReplicaAutoScaling", "dynamodb:DescribeKinesisStreamingDestination", "dynamodb:ListTables",
        ],
        resources: anywhere,
      },
    ],
  },
  {
    // The platform's own roles and policies, named `<project>-*`, and nothing else in IAM. Every role
    // it creates must carry the permissions boundary, which it may neither remove nor change, so a
    // role it creates can never hold more than the boundary allows.
    name: "iam",
    statements: ({ accountId, project, boundaryArn }) => {
      const roles = `arn:aws:iam::${accountId}:role/${project}-*`;
      const policies = `arn:aws:iam::${accountId}:policy/${project}-*`;
      const withBoundary = { StringEquals: { "iam:PermissionsBoundary": boundaryArn } };
      return [
        { sid: "CreateRolesWithBoundary", actions: ["iam:CreateRole", "iam:PutRolePermissionsBoundary"], resources: [roles], conditions: withBoundary },
        {
          sid: "ManageProjectRoles",
          actions: [
            "iam:GetRole", "iam:DeleteRole", "iam:UpdateRole", "iam:UpdateRoleDescription", "iam:UpdateAssumeRolePolicy",
            "iam:TagRole", "iam:UntagRole", "iam:ListRoleTags", "iam:ListInstanceProfilesForRole",
            "iam:PutRolePolicy", "iam:GetRolePolicy", "iam:DeleteRolePolicy", "iam:ListRolePolicies", "iam:ListAttachedRolePolicies",
          ],
          resources: [roles],
        },
        {
          // The edge tier's instance profiles carry the project's instance roles.
          sid: "ManageProjectInstanceProfiles",
          actions: [
            "iam:CreateInstanceProfile", "iam:DeleteInstanceProfile", "iam:GetInstanceProfile", "iam:AddRoleToInstanceProfile",
            "iam:RemoveRoleFromInstanceProfile", "iam:TagInstanceProfile", "iam:UntagInstanceProfile", "iam:ListInstanceProfileTags",
          ],
          resources: [`arn:aws:iam::${accountId}:instance-profile/${project}-*`],
        },
        {
          sid: "AttachOnlyKnownPolicies",
          actions: ["iam:AttachRolePolicy", "iam:DetachRolePolicy"],
          resources: [roles],
          conditions: { ArnLike: { "iam:PolicyARN": [policies, ...ATTACHABLE_AWS_MANAGED_POLICIES] } },
        },
        {
          sid: "ManageProjectPolicies",
          actions: [
            "iam:CreatePolicy", "iam:DeletePolicy", "iam:GetPolicy", "iam:GetPolicyVersion", "iam:ListPolicyVersions",
            "iam:CreatePolicyVersion", "iam:DeletePolicyVersion", "iam:TagPolicy", "iam:UntagPolicy",
          ],
          resources: [policies],
        },
        { sid: "PassProjectRoles", actions: ["iam:PassRole"], resources: [roles], conditions: { StringEquals: { "iam:PassedToService": PASSED_TO_SERVICES } } },
        {
          sid: "ServiceLinkedRoles",
          actions: ["iam:CreateServiceLinkedRole"],
          resources: [`arn:aws:iam::${accountId}:role/aws-service-role/*`],
          conditions: { StringEquals: { "iam:AWSServiceName": SERVICE_LINKED_ROLES } },
        },
      ];
    },
  },
];

/** IAM writes that would let the deployment role escape its limits: denied on what the bootstrap owns. */
export const PROTECTED_ROLE_ACTIONS = [
  "iam:DeleteRolePermissionsBoundary", "iam:PutRolePermissionsBoundary", "iam:UpdateAssumeRolePolicy",
  "iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:AttachRolePolicy", "iam:DetachRolePolicy", "iam:DeleteRole",
];
export const PROTECTED_POLICY_ACTIONS = ["iam:CreatePolicyVersion", "iam:DeletePolicyVersion", "iam:SetDefaultPolicyVersion", "iam:DeletePolicy"];
