/**
 * A small Secrets Manager behind aws-sdk-client-mock that keeps each secret's versions and staging
 * labels the way the service does, so the four rotation steps interact for real:
 *
 * - RotateSecret (here `startRotation`) first adds an empty version for the new token labelled
 *   AWSPENDING; GetSecretValue of a version without a value is ResourceNotFoundException.
 * - PutSecretValue with an existing token succeeds only with the same value (ResourceExistsException
 *   otherwise); each staging label it attaches moves off the version that had it.
 * - UpdateSecretVersionStage needs RemoveFromVersionId to name the version that holds the label
 *   (InvalidParameterException otherwise); moving AWSCURRENT labels the old version AWSPREVIOUS.
 * - After finishSecret the service removes AWSPENDING from the new current version.
 */
import { randomUUID } from "node:crypto";
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  InvalidParameterException,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from "@aws-sdk/client-secrets-manager";
import { mockClient } from "aws-sdk-client-mock";

interface Version {
  value?: string;
  readonly stages: Set<string>;
}

interface Secret {
  readonly name: string;
  readonly arn: string;
  rotationEnabled: boolean;
  readonly versions: Map<string, Version>;
}

const $metadata = { httpStatusCode: 400 };

export class FakeSecretsManager {
  readonly client = new SecretsManagerClient({ region: "us-east-1" });
  readonly mock = mockClient(this.client);
  private readonly secrets = new Map<string, Secret>();

  constructor() {
    this.mock.on(DescribeSecretCommand).callsFake(({ SecretId }) => {
      const secret = this.secret(SecretId);
      return {
        ARN: secret.arn,
        Name: secret.name,
        RotationEnabled: secret.rotationEnabled,
        VersionIdsToStages: Object.fromEntries([...secret.versions].map(([id, v]) => [id, [...v.stages]])),
      };
    });
    this.mock.on(GetSecretValueCommand).callsFake(({ SecretId, VersionId, VersionStage }) => {
      const secret = this.secret(SecretId);
      const stage = VersionStage ?? (VersionId === undefined ? "AWSCURRENT" : undefined);
      const entry = [...secret.versions].find(([id, v]) => (VersionId === undefined || id === VersionId) && (stage === undefined || v.stages.has(stage)));
      if (entry === undefined || entry[1].value === undefined) {
        throw new ResourceNotFoundException({ message: "Secrets Manager can't find the specified secret value for staging label", $metadata });
      }
      return { ARN: secret.arn, Name: secret.name, VersionId: entry[0], SecretString: entry[1].value, VersionStages: [...entry[1].stages] };
    });
    this.mock.on(PutSecretValueCommand).callsFake(({ SecretId, ClientRequestToken, SecretString, VersionStages }) => {
      const secret = this.secret(SecretId);
      const id = ClientRequestToken ?? randomUUID();
      const existing = secret.versions.get(id);
      if (existing?.value !== undefined) {
        if (existing.value !== SecretString) throw new ResourceExistsException({ message: "A resource with the ID you requested already exists.", $metadata });
        return { ARN: secret.arn, VersionId: id, VersionStages: [...existing.stages] };
      }
      const version = existing ?? { stages: new Set<string>() };
      version.value = SecretString;
      secret.versions.set(id, version);
      for (const stage of VersionStages ?? ["AWSCURRENT"]) this.attach(secret, stage, id);
      return { ARN: secret.arn, VersionId: id, VersionStages: [...version.stages] };
    });
    this.mock.on(UpdateSecretVersionStageCommand).callsFake(({ SecretId, VersionStage, MoveToVersionId, RemoveFromVersionId }) => {
      const secret = this.secret(SecretId);
      const holder = [...secret.versions].find(([, v]) => v.stages.has(VersionStage))?.[0];
      if (holder !== undefined && holder !== MoveToVersionId && holder !== RemoveFromVersionId) {
        throw new InvalidParameterException({ message: `The staging label ${VersionStage} is currently attached to version ${holder}, so you must explicitly reference that version in RemoveFromVersionId.`, $metadata });
      }
      if (RemoveFromVersionId !== undefined && !secret.versions.get(RemoveFromVersionId)?.stages.has(VersionStage)) {
        throw new InvalidParameterException({ message: `The staging label ${VersionStage} is not attached to version ${RemoveFromVersionId}.`, $metadata });
      }
      if (MoveToVersionId !== undefined) this.attach(secret, VersionStage, MoveToVersionId);
      return { ARN: secret.arn, Name: secret.name };
    });
  }

  /** Creates a secret whose first version (AWSCURRENT) holds `value`; returns its ARN. */
  create(name: string, value: Record<string, unknown>, rotationEnabled = true): string {
    const arn = `arn:aws:secretsmanager:us-east-1:111111111111:secret:${name}-${randomUUID().slice(0, 6)}`;
    const secret: Secret = { name, arn, rotationEnabled, versions: new Map() };
    this.secrets.set(arn, secret);
    secret.versions.set(randomUUID(), { value: JSON.stringify(value), stages: new Set(["AWSCURRENT"]) });
    return arn;
  }

  setRotationEnabled(arn: string, enabled: boolean): void {
    this.secret(arn).rotationEnabled = enabled;
  }

  /** What RotateSecret does before invoking the function: an empty AWSPENDING version for a new token. */
  startRotation(arn: string): string {
    const token = randomUUID();
    const secret = this.secret(arn);
    for (const version of secret.versions.values()) version.stages.delete("AWSPENDING");
    secret.versions.set(token, { stages: new Set(["AWSPENDING"]) });
    return token;
  }

  /** What the service does after a successful finishSecret. */
  endRotation(arn: string, token: string): void {
    const version = this.secret(arn).versions.get(token);
    if (version?.stages.has("AWSCURRENT")) version.stages.delete("AWSPENDING");
  }

  /** The parsed value of the version with `stage`, and its id. */
  at(arn: string, stage: string): { id: string; value: { username: string; password: string } } | undefined {
    const entry = [...this.secret(arn).versions].find(([, v]) => v.stages.has(stage) && v.value !== undefined);
    return entry ? { id: entry[0], value: JSON.parse(entry[1].value!) } : undefined;
  }

  /** Every version id with its labels and value, for comparing states. */
  snapshot(arn: string): Array<{ id: string; stages: string[]; value?: string }> {
    return [...this.secret(arn).versions].map(([id, v]) => ({ id, stages: [...v.stages].sort(), value: v.value }));
  }

  /** Every password any version of any secret ever held. */
  passwords(): string[] {
    return [...this.secrets.values()].flatMap((s) => [...s.versions.values()]).flatMap((v) => (v.value ? [JSON.parse(v.value).password as string] : [])).filter((p) => p !== "");
  }

  private attach(secret: Secret, stage: string, id: string): void {
    for (const [otherId, other] of secret.versions) {
      if (otherId === id || !other.stages.has(stage)) continue;
      other.stages.delete(stage);
      if (stage === "AWSCURRENT") {
        for (const v of secret.versions.values()) v.stages.delete("AWSPREVIOUS");
        other.stages.add("AWSPREVIOUS");
      }
    }
    const target = secret.versions.get(id);
    if (target === undefined) throw new InvalidParameterException({ message: `Version ${id} does not exist`, $metadata });
    target.stages.add(stage);
  }

  private secret(id: string): Secret {
    const secret = this.secrets.get(id) ?? [...this.secrets.values()].find((s) => s.name === id);
    if (secret === undefined) throw new ResourceNotFoundException({ message: "Secrets Manager can't find the specified secret.", $metadata });
    return secret;
  }
}
