/**
 * Database credentials from Secrets Manager, in the JSON that RDS-managed master user secrets hold:
 * `{"username": "...", "password": "..."}`. Host, port and database name come from configuration,
 * not from the secret. Values are cached per container for a few minutes, so a rotated password is
 * picked up without a redeploy and a burst of invocations makes one call.
 */
import { GetSecretValueCommand, type SecretsManagerClient } from "@aws-sdk/client-secrets-manager";

export interface DatabaseCredentials {
  readonly username: string;
  readonly password: string;
}

/** How long a fetched secret is reused. RDS rotates managed secrets every 7 days by default. */
export const SECRET_CACHE_MS = 5 * 60_000;

export class DatabaseSecretError extends Error {
  constructor(secretArn: string, reason: string) {
    super(`Secret ${secretArn} ${reason}; it must hold JSON {"username": "...", "password": "..."} (the RDS-managed master user secret does)`);
    this.name = "DatabaseSecretError";
  }
}

/** Reads and caches database credentials. One instance per container. */
export class DatabaseSecrets {
  private readonly cache = new Map<string, { at: number; value: Promise<DatabaseCredentials> }>();

  constructor(
    private readonly client: SecretsManagerClient,
    private readonly now: () => number = Date.now,
    private readonly ttlMs: number = SECRET_CACHE_MS,
  ) {}

  get(secretArn: string): Promise<DatabaseCredentials> {
    const cached = this.cache.get(secretArn);
    if (cached !== undefined && this.now() - cached.at < this.ttlMs) return cached.value;
    const value = this.fetch(secretArn);
    this.cache.set(secretArn, { at: this.now(), value });
    // A failed fetch is not cached: the next invocation tries again.
    value.catch(() => this.cache.delete(secretArn));
    return value;
  }

  private async fetch(secretArn: string): Promise<DatabaseCredentials> {
    const response = await this.client.send(new GetSecretValueCommand({ SecretId: secretArn }));
    if (response.SecretString === undefined) throw new DatabaseSecretError(secretArn, "has no string value");
    let parsed: unknown;
    try {
      parsed = JSON.parse(response.SecretString);
    } catch {
      // Never echo the secret's text: it may be the password itself.
      throw new DatabaseSecretError(secretArn, "is not JSON");
    }
    const { username, password } = (parsed ?? {}) as Record<string, unknown>;
    if (typeof username !== "string" || username === "" || typeof password !== "string") {
      throw new DatabaseSecretError(secretArn, "lacks a string username or password");
    }
    return { username, password };
  }
}
