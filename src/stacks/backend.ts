import { CloudBackend, LocalBackend, NamedCloudWorkspace, S3Backend, type TerraformStack } from "cdktf";
import { kmsAliasArn, roleArn, stateKeyAlias } from "../naming";
import type { S3StateConfig, TerraformCloudConfig } from "../config/types";

export interface BackendProps {
  readonly stackName: string;
  readonly s3: S3StateConfig;
  /** Project name: the state key's alias is derived from it. */
  readonly project: string;
  /** When set, the stack keeps its state in this Terraform Cloud organization instead of S3. */
  readonly terraformCloud?: TerraformCloudConfig;
}

/** The state key of a stack in the S3 backend: one object per stack, never shared. */
export function stateKey(s3: S3StateConfig, stackName: string): string {
  return `${s3.keyPrefix}/${stackName}/terraform.tfstate`;
}

/**
 * ARN of the state key by its alias. The state stack gives the key this alias, so every backend can
 * name the key from the configuration alone (an alias ARN works across accounts, an alias name does not).
 */
export function stateKeyArn(s3: S3StateConfig, project: string): string {
  return kmsAliasArn(s3.region, s3.accountId, stateKeyAlias(project));
}

/**
 * Where a bootstrap-group stack keeps its state before `stateBackend.bootstrapped` is set, relative
 * to its stack folder (`cdktf.out/stacks/<stack>/`): `terraform-state/<stack>.tfstate` at the project
 * root, outside the generated `cdktf.out/`, so deleting or regenerating that folder cannot lose it.
 * `*.tfstate` is git-ignored: keep the file safe until it is migrated into the bucket.
 */
export function localStatePath(stackName: string): string {
  return `../../../terraform-state/${stackName}.tfstate`;
}

/**
 * Remote state for an environment stack: S3, encrypted with the state key, locked with an S3 lock
 * file, reached by assuming the state role; or one named Terraform Cloud workspace per stack.
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
  s3Backend(stack, props, { assumeStateRole: true });
}

export interface BootstrapBackendProps extends BackendProps {
  /**
   * Whether the backend reaches the bucket by assuming the state role (the per-account bootstrap
   * stacks, run from other accounts) or with the caller's own credentials (the state stack, applied
   * with the state account's administrator credentials).
   */
  readonly assumeStateRole: boolean;
}

/**
 * State of a bootstrap-group stack: a local file until the bucket exists and the operator sets
 * `stateBackend.bootstrapped`, then the S3 backend like every other stack (docs/deployment.md).
 */
export function configureBootstrapBackend(stack: TerraformStack, props: BootstrapBackendProps): void {
  if (!props.s3.bootstrapped) {
    new LocalBackend(stack, { path: localStatePath(props.stackName) });
    return;
  }
  s3Backend(stack, props, { assumeStateRole: props.assumeStateRole });
}

function s3Backend(stack: TerraformStack, props: BackendProps, options: { assumeStateRole: boolean }): void {
  const backend = new S3Backend(stack, {
    bucket: props.s3.bucket,
    key: stateKey(props.s3, props.stackName),
    region: props.s3.region,
    encrypt: true,
    kmsKeyId: stateKeyArn(props.s3, props.project),
    assumeRole: options.assumeStateRole
      ? { roleArn: roleArn(props.s3.accountId, props.s3.roleName), sessionName: `cdktf-${props.stackName}` }
      : undefined,
  });
  // S3-native locking (Terraform >= 1.11): a `<key>.tflock` object beside the state, no DynamoDB table.
  // cdktf 0.21's S3Backend has no `useLockfile` prop, so the argument is written as an override.
  backend.addOverride("use_lockfile", true);
}
