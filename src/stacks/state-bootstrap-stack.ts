import { DynamodbTable } from "@cdktf/provider-aws/lib/dynamodb-table";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { LocalBackend, TerraformOutput, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import type { PlatformConfig } from "../config/types";
import { policyDocument } from "../iam/policy";
import { PlatformKey } from "../keys/platform-key";
import { roleArn, STATE_BOOTSTRAP_STACK } from "../naming";
import { SecureBucket } from "../storage/secure-bucket";
import { accountProvider } from "./providers";
import { platformTags } from "./tags";

/**
 * Creates what remote state needs before any other stack can run: the state bucket, the lock table, a
 * key for both, and the role every environment's deployment role assumes to reach them. It keeps its
 * own state locally (`terraform.state-bootstrap.tfstate` in its stack folder); commit nothing of it,
 * but keep that file safe or import the resources again.
 */
export class StateBootstrapStack extends TerraformStack {
  constructor(scope: Construct, platform: PlatformConfig) {
    super(scope, STATE_BOOTSTRAP_STACK);
    const state = platform.stateBackend;
    new LocalBackend(this, { path: `terraform.${STATE_BOOTSTRAP_STACK}.tfstate` });
    accountProvider(this, "aws", {
      accountId: state.accountId,
      roleName: platform.deploymentRoleName,
      region: state.region,
      tags: platformTags(platform.project, "shared", platform.tags),
      sessionName: `cdktf-${STATE_BOOTSTRAP_STACK}`,
    });

    const key = new PlatformKey(this, "key", {
      description: `${platform.project} Terraform state`,
      alias: `alias/${platform.project}-tfstate`,
      accountId: state.accountId,
      region: state.region,
      deletionProtection: true,
    });
    const bucket = new SecureBucket(this, "state-bucket", {
      bucketName: state.bucket,
      kmsKeyArn: key.arn,
      // State history is the only way back from a bad apply: keep old versions for a year.
      noncurrentVersionExpirationDays: 365,
      preventDestroy: true,
    });
    const locks = new DynamodbTable(this, "lock-table", {
      name: state.lockTable,
      billingMode: "PAY_PER_REQUEST",
      hashKey: "LockID",
      attribute: [{ name: "LockID", type: "S" }],
      serverSideEncryption: { enabled: true, kmsKeyArn: key.arn },
      pointInTimeRecovery: { enabled: true },
      deletionProtectionEnabled: true,
      lifecycle: { preventDestroy: true },
    });

    // Each environment's deployment role may assume the state role. Accounts are named as principals,
    // narrowed by ARN, so the trust policy is valid before those roles exist.
    const deploymentRoles = platform.environments.map((e) => roleArn(e.accountId, e.deploymentRoleName));
    const accounts = [...new Set(platform.environments.map((e) => `arn:aws:iam::${e.accountId}:root`))];
    const role = new IamRole(this, "state-role", {
      name: state.roleName,
      description: "Reads and writes the platform's Terraform state",
      assumeRolePolicy: policyDocument([
        { actions: ["sts:AssumeRole"], principals: { AWS: accounts }, conditions: { ArnEquals: { "aws:PrincipalArn": deploymentRoles } } },
      ]),
    });
    const stateObjects = `${bucket.arn}/${state.keyPrefix}/*`;
    new IamRolePolicy(this, "state-role-policy", {
      name: "terraform-state",
      role: role.name,
      policy: policyDocument([
        { sid: "ListState", actions: ["s3:ListBucket"], resources: [bucket.arn], conditions: { StringLike: { "s3:prefix": [`${state.keyPrefix}/*`] } } },
        { sid: "ReadWriteState", actions: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], resources: [stateObjects] },
        { sid: "Lock", actions: ["dynamodb:DescribeTable", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem"], resources: [locks.arn] },
        { sid: "EncryptState", actions: ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"], resources: [key.arn] },
      ]),
    });

    new TerraformOutput(this, "state_bucket", { value: bucket.name, description: "S3 bucket holding every environment stack's state" });
    new TerraformOutput(this, "lock_table", { value: locks.name, description: "DynamoDB table that locks state during runs" });
    new TerraformOutput(this, "state_role_arn", { value: role.arn, description: "Role the S3 backends assume to reach the state" });
  }
}
