/**
 * The Secrets Manager calls of a rotation, on one secret's versions and staging labels. Secret values
 * are parsed here and never leave as text: errors name the secret and the version, not the value.
 */
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  UpdateSecretVersionStageCommand,
  type SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";

export const AWSCURRENT = "AWSCURRENT";
export const AWSPENDING = "AWSPENDING";
export const AWSPREVIOUS = "AWSPREVIOUS";

/** A database secret: `username` and `password`, plus whatever else it holds (kept as it is). */
export interface SecretCredentials {
  readonly username: string;
  readonly password: string;
  readonly [field: string]: unknown;
}

export interface SecretDescription {
  readonly name: string;
  readonly rotationEnabled: boolean;
  /** Version id → its staging labels. */
  readonly versions: Readonly<Record<string, readonly string[]>>;
}

export class RotationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RotationError";
  }
}

export class SecretVersions {
  constructor(private readonly client: SecretsManagerClient) {}

  async describe(secretId: string): Promise<SecretDescription> {
    const out = await this.client.send(new DescribeSecretCommand({ SecretId: secretId }));
    return { name: out.Name ?? secretId, rotationEnabled: out.RotationEnabled === true, versions: out.VersionIdsToStages ?? {} };
  }

  /** The credentials of one version, by staging label (and version id); undefined when there is no such version. */
  async find(secretId: string, stage: string, versionId?: string): Promise<SecretCredentials | undefined> {
    let text: string | undefined;
    try {
      text = (await this.client.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: stage, VersionId: versionId }))).SecretString;
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return undefined;
      throw error;
    }
    return parseCredentials(secretId, stage, text);
  }

  async get(secretId: string, stage: string, versionId?: string): Promise<SecretCredentials> {
    const found = await this.find(secretId, stage, versionId);
    if (found === undefined) throw new RotationError(`Secret ${secretId} has no ${stage} version${versionId ? ` ${versionId}` : ""}`);
    return found;
  }

  /**
   * Writes `value` as version `versionId` labelled AWSPENDING. Returns false when another run wrote
   * that version first (Secrets Manager refuses a second, different value for the same token).
   */
  async putPending(secretId: string, versionId: string, value: SecretCredentials): Promise<boolean> {
    try {
      await this.client.send(new PutSecretValueCommand({ SecretId: secretId, ClientRequestToken: versionId, SecretString: JSON.stringify(value), VersionStages: [AWSPENDING] }));
      return true;
    } catch (error) {
      if (error instanceof ResourceExistsException) return false;
      throw error;
    }
  }

  /** Moves AWSCURRENT from `fromVersionId` to `toVersionId` (Secrets Manager labels the old one AWSPREVIOUS). */
  async promote(secretId: string, toVersionId: string, fromVersionId: string | undefined): Promise<void> {
    await this.client.send(new UpdateSecretVersionStageCommand({ SecretId: secretId, VersionStage: AWSCURRENT, MoveToVersionId: toVersionId, RemoveFromVersionId: fromVersionId }));
  }
}

function parseCredentials(secretId: string, stage: string, text: string | undefined): SecretCredentials {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text ?? "");
  } catch {
    // Never echo the text: it may be the password itself.
    throw new RotationError(`Secret ${secretId} (${stage}) is not JSON; it must hold {"username": "...", "password": "..."}`);
  }
  const value = (parsed ?? {}) as Record<string, unknown>;
  if (typeof value.username !== "string" || value.username === "" || typeof value.password !== "string") {
    throw new RotationError(`Secret ${secretId} (${stage}) lacks a string username or password`);
  }
  return value as SecretCredentials;
}
