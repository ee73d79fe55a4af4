import { environmentStackName } from "../naming";
import { PlatformKey } from "../keys/platform-key";
import { accountProvider } from "../stacks/providers";
import type { EnvironmentStack } from "../stacks/environment-stack";

/** Alias of the key that encrypts the snapshot copies in a destination region other than the DR region. */
export function snapshotKeyAlias(project: string, environment: string): string {
  return `alias/${project}-${environment}-snapshots`;
}

/**
 * The key that encrypts the copies in each destination region: the environment's DR key in the DR
 * region; in any other region, and in the region whose copies are shared with another account
 * (`share`), a customer-managed key of its own, made by the primary-region stack through a provider
 * for that region.
 */
export function snapshotDestinationKeys(stack: EnvironmentStack, regions: readonly string[], drKeyArn: string, share?: { region: string; roleArn: string }): Record<string, string> {
  const { platform, environment } = stack;
  const keys: Record<string, string> = {};
  for (const region of regions) {
    // The copies shared with another account need a key that account may use: the DR key's policy
    // is not this construct's to widen, so that region gets a key of its own too.
    if (region === platform.drRegion && share?.region !== region) {
      keys[region] = drKeyArn;
      continue;
    }
    const provider = accountProvider(stack, `aws-snapshots-${region}`, {
      accountId: environment.accountId,
      roleName: environment.deploymentRoleName,
      tags: stack.tags,
      region,
      alias: `snapshots_${region.replace(/-/g, "_")}`,
      sessionName: `cdktf-${environmentStackName(environment.name, stack.region)}`,
    });
    const key = new PlatformKey(stack, `snapshot-key-${region}`, {
      description: `${environment.name} snapshot copies in ${region}`,
      alias: snapshotKeyAlias(platform.project, environment.name),
      accountId: environment.accountId,
      region,
      deletionProtection: environment.deletionProtection,
      provider,
    });
    // The receiving role's copy reads the shared copy through RDS grants on this key.
    if (share?.region === region) key.grantToRoles("SnapshotReceiverCopies", [share.roleArn], ["kms:Decrypt", "kms:DescribeKey", "kms:CreateGrant"]);
    keys[region] = key.arn;
  }
  return keys;
}
