/**
 * Deterministic resource names derived from the configuration. Both sides of every cross-account link
 * (a role and the resource policy that trusts it, a bucket and the replication rule that writes to it)
 * compute the other side's name here, so no stack ever reads another account's state.
 */

/** Names of one environment's resources in one region. */
export class ResourceNames {
  constructor(
    readonly project: string,
    readonly environment: string,
    readonly accountId: string,
    readonly region: string,
  ) {}

  /** `<project>-<env>-<suffix>`: for resources that exist once per environment (in its primary region). */
  environmentScoped(suffix: string): string {
    return `${this.project}-${this.environment}-${suffix}`;
  }

  /** `<project>-<env>-<region>-<suffix>`: for account-global names (IAM) of resources made in every region. */
  regionScoped(suffix: string): string {
    return `${this.project}-${this.environment}-${this.region}-${suffix}`;
  }

  /** Globally unique S3 bucket name: `<project>-<env>-<purpose>-<account>-<region>`. */
  bucket(purpose: string): string {
    return `${this.project}-${this.environment}-${purpose}-${this.accountId}-${this.region}`;
  }

  /** The environment's KMS key alias in this region. */
  get keyAlias(): string {
    return `alias/${this.project}-${this.environment}`;
  }

  /** SSM parameter path prefix of the environment (no trailing slash). */
  get parameterPrefix(): string {
    return `/app/${this.environment}`;
  }

  roleArn(roleName: string): string {
    return roleArn(this.accountId, roleName);
  }
}

export function roleArn(accountId: string, roleName: string): string {
  return `arn:aws:iam::${accountId}:role/${roleName}`;
}

/** Name of the stack of one environment in one region, e.g. `dev-us-east-1`. */
export function environmentStackName(environment: string, region: string): string {
  return `${environment}-${region}`;
}

export const STATE_BOOTSTRAP_STACK = "state-bootstrap";

/**
 * Name of the bootstrap stack of one account: `bootstrap-<env>`, or `bootstrap-<env>-<env>` when
 * environments share the account (in promotion order), so the name says which environments it serves.
 */
export function bootstrapStackName(environments: readonly string[]): string {
  return `bootstrap-${environments.join("-")}`;
}

/** The permissions boundary every role the platform creates in an account carries. */
export function permissionsBoundaryName(project: string): string {
  return `${project}-permissions-boundary`;
}

export function policyArn(accountId: string, policyName: string): string {
  return `arn:aws:iam::${accountId}:policy/${policyName}`;
}

/** The alias of the Terraform state key, fixed so every backend can name the key before it exists. */
export function stateKeyAlias(project: string): string {
  return `alias/${project}-tfstate`;
}

export function kmsAliasArn(region: string, accountId: string, alias: string): string {
  return `arn:aws:kms:${region}:${accountId}:${alias}`;
}
