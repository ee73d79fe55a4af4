import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { TerraformOutput } from "cdktf";
import type { Construct } from "constructs";
import type { PlatformConfig } from "../config/types";
import { policyDocument } from "../iam/policy";
import { PlatformKey } from "../keys/platform-key";
import { trustRoles } from "../bootstrap/trust";
import { centralBusArn } from "../cross-account/trust-map";
import { StateChangeForwarding } from "../events/state-change-events";
import { roleArn, STATE_BOOTSTRAP_STACK, stateKeyAlias } from "../naming";
import { SecureBucket } from "../storage/secure-bucket";
import { configureBootstrapBackend } from "./backend";
import { accountProvider } from "./providers";
import { platformTags } from "./tags";
import { PlatformStack } from "./platform-stack";

/**
 * Creates what remote state needs before any other stack can run: the state bucket, its key (under a
 * fixed alias every backend names), and the role every backend assumes to reach them. Locking uses
 * S3 lock files, so there is no lock table.
 *
 * An administrator of the state account applies it with that account's own credentials (no role to
 * assume yet). Its state is a local file outside `cdktf.out/` until `stateBackend.bootstrapped` moves
 * it into the bucket it created (docs/deployment.md).
 */
export class StateBootstrapStack extends PlatformStack {
  constructor(scope: Construct, platform: PlatformConfig) {
    super(scope, STATE_BOOTSTRAP_STACK);
    const state = platform.stateBackend;
    configureBootstrapBackend(this, { stackName: STATE_BOOTSTRAP_STACK, s3: state, project: platform.project, assumeStateRole: false });
    accountProvider(this, "aws", {
      accountId: state.accountId,
      region: state.region,
      tags: platformTags(platform.project, "shared", platform.tags),
      sessionName: `cdktf-${STATE_BOOTSTRAP_STACK}`,
    });

    const key = new PlatformKey(this, "key", {
      description: `${platform.project} Terraform state`,
      alias: stateKeyAlias(platform.project),
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
    // `terraform init` assumes the state role with the credentials of whoever runs it: the configured
    // deployers (CI, operators). The deployment roles are trusted too, for runs from inside an account.
    const deploymentRoles = platform.environments.map((e) => roleArn(e.accountId, e.deploymentRoleName));
    const role = new IamRole(this, "state-role", {
      name: state.roleName,
      description: "Reads and writes the platform's Terraform state",
      assumeRolePolicy: policyDocument([trustRoles([...platform.deployers, ...deploymentRoles])]),
    });
    // Every stack's state and its `<key>.tflock` lock object lie under the key prefix.
    const stateObjects = `${bucket.arn}/${state.keyPrefix}/*`;
    new IamRolePolicy(this, "state-role-policy", {
      name: "terraform-state",
      role: role.name,
      policy: policyDocument([
        { sid: "ListState", actions: ["s3:ListBucket"], resources: [bucket.arn], conditions: { StringLike: { "s3:prefix": [`${state.keyPrefix}/*`] } } },
        { sid: "ReadWriteStateAndLocks", actions: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], resources: [stateObjects] },
        { sid: "EncryptState", actions: ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"], resources: [key.arn] },
      ]),
    });

    // Terraform raises no CloudFormation events: state writes are how the platform learns a stack changed.
    new StateChangeForwarding(this, "state-change-events", {
      project: platform.project,
      accountId: state.accountId,
      bucketName: bucket.name,
      keyPrefix: state.keyPrefix,
      key,
      centralBusArn: centralBusArn(platform),
    });

    new TerraformOutput(this, "state_bucket", { value: bucket.name, description: "S3 bucket holding every environment stack's state" });
    new TerraformOutput(this, "state_key_alias", { value: key.alias.name, description: "Alias of the KMS key that encrypts the state (the backends' kms_key_id)" });
    new TerraformOutput(this, "state_role_arn", { value: role.arn, description: "Role the S3 backends assume to reach the state" });
  }
}
