/**
 * Test doubles of the database-sync tests: an in-memory S3 bucket behind aws-sdk-client-mock, the
 * Secrets Manager and DynamoDB mocks, and the deps of a run. The engine itself is real: it runs
 * against the local PostgreSQL and MariaDB servers (see __tests__/engine/helpers/databases.ts).
 */
import { CopyObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, NoSuchKey, NotFound, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { ConditionalCheckFailedException, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import type { EngineName } from "../../engine";
import type { DatabaseSyncConfig, DatabaseTarget } from "../../lambdas/shared/database-sync-config";
import type { DatabaseSyncDeps } from "../../lambdas/shared/database-sync-deps";
import { DatabaseSecrets } from "../../lambdas/shared/db-secret";
import { LedgerWriter, type LedgerItem } from "../../lambdas/shared/ledger";
import { capture, type Captured } from "../lambdas/helpers";
import type { TestDatabase } from "../engine/helpers/databases";

export const BUCKET = "app-dev-artifacts-111111111111-us-east-1";
export const SECRET_ARN = "arn:aws:secretsmanager:us-east-1:111111111111:secret:rds!cluster-abc";
/** Local servers: PostgreSQL trusts user postgres, MariaDB's root has an empty password. */
const LOCAL_USERS: Readonly<Record<EngineName, { username: string; password: string; port: number }>> = {
  postgres: { username: "postgres", password: "", port: 5432 },
  mysql: { username: "root", password: "", port: 3306 },
};

export interface StoredObject {
  body: string | Uint8Array;
  metadata?: Record<string, string>;
  /** Each write gets a new one, as in a versioned bucket. */
  versionId: string;
  lastModified: Date;
}

/** Last-modified time of objects put without one: an hour before the runs' clock, so no run waits for them to settle. */
export const SETTLED = new Date("2024-05-01T11:00:00Z");

/** An in-memory S3 (several buckets), with ListObjectsV2 pages of two keys to exercise pagination. */
export class FakeS3 {
  readonly client = new S3Client({ region: "us-east-1" });
  readonly mock = mockClient(this.client);
  readonly buckets = new Map<string, Map<string, StoredObject>>();
  private writes = 0;
  /** Called after each GetObject, e.g. to overwrite a key while a run is using it. */
  afterGet: (key: string) => void = () => undefined;

  constructor() {
    this.reset();
  }

  reset(): void {
    this.mock.reset();
    this.buckets.clear();
    this.afterGet = () => undefined;
    this.mock.on(ListObjectsV2Command).callsFake((input: { Bucket: string; Prefix?: string; Delimiter?: string; ContinuationToken?: string }) => {
      const prefix = input.Prefix ?? "";
      const keys = [...this.bucket(input.Bucket).keys()]
        .filter((k) => k.startsWith(prefix) && (input.Delimiter === undefined || !k.slice(prefix.length).includes(input.Delimiter)))
        .sort();
      const start = Number(input.ContinuationToken ?? 0);
      const page = keys.slice(start, start + 2);
      const more = start + 2 < keys.length;
      return { Contents: page.map((Key) => ({ Key, LastModified: this.bucket(input.Bucket).get(Key)!.lastModified })), IsTruncated: more, NextContinuationToken: more ? String(start + 2) : undefined };
    });
    this.mock.on(GetObjectCommand).callsFake((input: { Bucket: string; Key: string }) => {
      const object = this.bucket(input.Bucket).get(input.Key);
      if (object === undefined) throw new NoSuchKey({ message: "The specified key does not exist.", $metadata: { httpStatusCode: 404 } });
      this.afterGet(input.Key);
      const bytes = typeof object.body === "string" ? new TextEncoder().encode(object.body) : object.body;
      return { Body: { transformToString: async () => new TextDecoder().decode(bytes), transformToByteArray: async () => bytes }, VersionId: object.versionId };
    });
    this.mock.on(HeadObjectCommand).callsFake((input: { Bucket: string; Key: string }) => {
      const object = this.bucket(input.Bucket).get(input.Key);
      if (object === undefined) throw new NotFound({ message: "Not Found", $metadata: { httpStatusCode: 404 } });
      return { Metadata: object.metadata ?? {} };
    });
    // CopyObject copies what the key holds at copy time (the version given by `?versionId=`, if any).
    this.mock.on(CopyObjectCommand).callsFake((input: { Bucket: string; Key: string; CopySource: string; Metadata?: Record<string, string> }) => {
      const [path] = input.CopySource.split("?");
      const slash = path!.indexOf("/");
      const sourceKey = path!.slice(slash + 1).split("/").map(decodeURIComponent).join("/");
      const source = this.bucket(path!.slice(0, slash)).get(sourceKey);
      if (source === undefined) throw new NoSuchKey({ message: "The specified key does not exist.", $metadata: { httpStatusCode: 404 } });
      this.put(input.Key, source.body, input.Bucket, input.Metadata);
      return { CopyObjectResult: {} };
    });
    this.mock.on(PutObjectCommand).callsFake((input: { Bucket: string; Key: string; Body: string | Uint8Array; Metadata?: Record<string, string> }) => {
      this.put(input.Key, input.Body, input.Bucket, input.Metadata);
      return {};
    });
  }

  bucket(name: string): Map<string, StoredObject> {
    let bucket = this.buckets.get(name);
    if (bucket === undefined) {
      bucket = new Map();
      this.buckets.set(name, bucket);
    }
    return bucket;
  }

  put(key: string, body: string | Uint8Array, bucket = BUCKET, metadata?: Record<string, string>, lastModified = SETTLED): void {
    this.writes += 1;
    this.bucket(bucket).set(key, { body, metadata, versionId: `v${this.writes}`, lastModified });
  }

  get(key: string, bucket = BUCKET): StoredObject | undefined {
    return this.bucket(bucket).get(key);
  }

  /** Keys of every promoted copy written so far (PutObject or CopyObject calls), in order. */
  copies(): string[] {
    return this.mock
      .calls()
      .map((c) => c.args[0])
      .filter((command) => command instanceof PutObjectCommand || command instanceof CopyObjectCommand)
      .map((command) => (command.input as { Key: string }).Key);
  }
}

/** Secrets Manager answering with the local server's credentials for SECRET_ARN. */
export function fakeSecrets(engine: EngineName): { client: SecretsManagerClient; mock: ReturnType<typeof mockClient> } {
  const client = new SecretsManagerClient({ region: "us-east-1" });
  const mock = mockClient(client);
  const { username, password } = LOCAL_USERS[engine];
  mock.on(GetSecretValueCommand, { SecretId: SECRET_ARN }).resolves({ SecretString: JSON.stringify({ username, password, engine, host: "ignored" }) });
  return { client, mock };
}

/**
 * A DynamoDB document client over an in-memory table: PutCommand honours the two conditions the
 * ledger writer uses (`attribute_not_exists(pk)`, optionally `OR #status <> :keep`). `items()` lists
 * the writes that took effect, in order; `failWrites` makes every put fail (the function dying
 * between the database commit and the ledger write).
 */
export function fakeLedger(): { writer: LedgerWriter; items: () => LedgerItem[]; table: () => LedgerItem[]; reset: () => void; failWrites: (fail: boolean) => void } {
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: "us-east-1" }));
  const mock = mockClient(doc);
  const table = new Map<string, LedgerItem>();
  const written: LedgerItem[] = [];
  let failing = false;
  const reset = () => {
    mock.reset();
    table.clear();
    written.length = 0;
    failing = false;
    mock.on(PutCommand).callsFake((input: { Item: LedgerItem; ConditionExpression?: string; ExpressionAttributeValues?: Record<string, unknown> }) => {
      if (failing) throw new Error("connect ETIMEDOUT dynamodb.us-east-1.amazonaws.com");
      const key = `${input.Item.pk}|${input.Item.sk}`;
      const existing = table.get(key);
      const condition = input.ConditionExpression;
      const refused =
        condition === undefined
          ? false
          : condition === "attribute_not_exists(pk)"
            ? existing !== undefined
            : condition === "attribute_not_exists(pk) OR #status <> :keep"
              ? existing !== undefined && (existing as { status?: unknown }).status === input.ExpressionAttributeValues?.[":keep"]
              : (() => {
                  throw new Error(`fake ledger does not know the condition ${condition}`);
                })();
      if (refused) throw new ConditionalCheckFailedException({ message: "The conditional request failed", $metadata: { httpStatusCode: 400 } });
      table.set(key, input.Item);
      written.push(input.Item);
      return {};
    });
  };
  reset();
  return {
    writer: new LedgerWriter(doc, "app-dev-replication-ledger"),
    items: () => [...written],
    table: () => [...table.values()],
    reset,
    failWrites: (fail) => {
      failing = fail;
    },
  };
}

export function databaseTarget(db: TestDatabase, name = "ledger"): DatabaseTarget {
  return { name, engine: db.engine, host: "127.0.0.1", port: LOCAL_USERS[db.engine].port, database: db.name, secretArn: SECRET_ARN, allowOutOfOrder: false };
}

export interface RunFixture {
  readonly s3: FakeS3;
  readonly ledger: ReturnType<typeof fakeLedger>;
  captured: Captured;
  deps(config: DatabaseSyncConfig): DatabaseSyncDeps;
}

export function runFixture(engine: EngineName): RunFixture {
  const s3 = new FakeS3();
  const secrets = fakeSecrets(engine);
  const ledger = fakeLedger();
  const fixture: RunFixture = {
    s3,
    ledger,
    captured: capture(),
    deps: (config) => ({
      s3: s3.client,
      secrets: new DatabaseSecrets(secrets.client),
      ledger: ledger.writer,
      config,
      log: fixture.captured.log,
      metrics: fixture.captured.metrics,
      requestId: "manual-request-1",
      now: () => new Date("2024-05-01T12:00:00Z"),
    }),
  };
  return fixture;
}

/** An EventBridge `aws.s3` "Object Created" event as the default bus delivers it. */
export function objectCreated(key: string, id = "evt-1", bucket = BUCKET) {
  return {
    version: "0",
    id,
    "detail-type": "Object Created",
    source: "aws.s3",
    account: "111111111111",
    time: "2024-05-01T10:00:00Z",
    region: "us-east-1",
    resources: [`arn:aws:s3:::${bucket}`],
    detail: { version: "0", bucket: { name: bucket }, object: { key, size: 10, etag: "abc" }, "request-id": "r", requester: "111111111111", reason: "PutObject" },
  };
}

/** A stored object's body as text (bodies are kept as written: strings, or bytes from PutObject). */
export function textOf(body: string | Uint8Array): string {
  return typeof body === "string" ? body : new TextDecoder("utf-8", { fatal: true }).decode(body);
}
