/**
 * Cross-account access: assumes a role with an external ID and hands the temporary credentials to
 * other SDK clients as a credentials provider. Credentials are cached and refreshed shortly before
 * they expire; concurrent callers share one in-flight AssumeRole call.
 */
import { AssumeRoleCommand, type STSClient } from "@aws-sdk/client-sts";

/** Temporary credentials in the shape every SDK v3 client accepts. */
export interface AwsCredentialIdentity {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
}

/** A credentials provider: pass it as `credentials` to any SDK v3 client constructor. */
export type AwsCredentialIdentityProvider = () => Promise<AwsCredentialIdentity>;

export interface AssumeRoleOptions {
  readonly roleArn: string;
  /** External ID required by the target role's trust policy (confused-deputy protection). @default none (a role trusted without one, such as the deployment role) */
  readonly externalId?: string;
  /** Session name shown in the target account's CloudTrail. @default "replication-fabric" */
  readonly sessionName?: string;
  /** Requested lifetime. @default 900 (the minimum, enough for one invocation) */
  readonly durationSeconds?: number;
  /** Refresh this long before expiry. @default 60000 */
  readonly refreshMarginMs?: number;
  /** @default Date.now */
  readonly now?: () => number;
}

/** A credentials provider for `new XClient({ credentials })`, backed by a cached AssumeRole. */
export function assumeRoleCredentials(sts: STSClient, options: AssumeRoleOptions): AwsCredentialIdentityProvider {
  const now = options.now ?? Date.now;
  const margin = options.refreshMarginMs ?? 60_000;
  let cached: AwsCredentialIdentity | undefined;
  let inFlight: Promise<AwsCredentialIdentity> | undefined;

  const fetch = async (): Promise<AwsCredentialIdentity> => {
    const response = await sts.send(
      new AssumeRoleCommand({
        RoleArn: options.roleArn,
        ExternalId: options.externalId,
        RoleSessionName: options.sessionName ?? "replication-fabric",
        DurationSeconds: options.durationSeconds ?? 900,
      }),
    );
    const c = response.Credentials;
    if (c?.AccessKeyId === undefined || c.SecretAccessKey === undefined || c.SessionToken === undefined) {
      throw new Error(`AssumeRole on ${options.roleArn} returned no credentials.`);
    }
    return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration };
  };

  return async () => {
    if (cached !== undefined && (cached.expiration === undefined || cached.expiration.getTime() - margin > now())) {
      return cached;
    }
    inFlight ??= fetch().finally(() => {
      inFlight = undefined;
    });
    cached = await inFlight;
    return cached;
  };
}
