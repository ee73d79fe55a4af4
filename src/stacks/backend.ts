import { CloudBackend, NamedCloudWorkspace, S3Backend, type TerraformStack } from "cdktf";
import { roleArn } from "../naming";
import type { S3StateConfig, TerraformCloudConfig } from "../config/types";

export interface BackendProps {
  readonly stackName: string;
  readonly s3: S3StateConfig;
  /** When set, the stack keeps its state in this Terraform Cloud organization instead of S3. */
  readonly terraformCloud?: TerraformCloudConfig;
}

/** The state key of a stack in the S3 backend: one object per stack, never shared. */
export function stateKey(s3: S3StateConfig, stackName: string): string {
  return `${s3.keyPrefix}/${stackName}/terraform.tfstate`;
}

/**
 * Remote state for an environment stack: S3 with encryption and DynamoDB locking, reached by assuming
 * the state role, or one named Terraform Cloud workspace per stack.
 */
export function configureRemoteBackend(stack: TerraformStack, props: BackendProps): void {
  if (props.terraformCloud) {
    new CloudBackend(stack, {
      organization: props.terraformCloud.organization,
      hostname: props.terraformCloud.hostname,
      workspaces: new NamedCloudWorkspace(`${props.terraformCloud.workspacePrefix}${props.stackName}`),
    });
    return;
  }
  new S3Backend(stack, {
    bucket: props.s3.bucket,
    key: stateKey(props.s3, props.stackName),
    region: props.s3.region,
    encrypt: true,
    dynamodbTable: props.s3.lockTable,
    assumeRole: { roleArn: roleArn(props.s3.accountId, props.s3.roleName), sessionName: `cdktf-${props.stackName}` },
  });
}
