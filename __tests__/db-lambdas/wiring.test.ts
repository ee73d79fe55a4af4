import { parseJsonAttribute } from "../../src/json-attribute";
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { Testing } from "cdktf";
import { DATABASE_SYNC_FUNCTION, DatabaseSyncFunction, type DatabaseSyncFunctionProps } from "../../src/database-sync/database-sync-function";
import { KIND_FOLDERS, promotionPrefix, readPrefix } from "../../src/database-sync/layout";
import { EventsDeadLetterQueue } from "../../src/events/dead-letter-queue";
import { validateConfig } from "../../src/config/validate";
import { exampleRaw, problemsOf } from "../helpers/config";
import { platform, resourcesOf, synthJson } from "../helpers/platform";

const { stacks } = platform();
const config = validateConfig(exampleRaw());
const [first, second, last] = config.promotionOrder.map((name) => config.environments.find((e) => e.name === name)!);
const primary = (env: string) => stacks.get(`${env}-${config.primaryRegion}`)!;
const dr = (env: string) => stacks.get(`${env}-${config.drRegion}`)!;
const synthCache = new Map<string, string>();
const synth = (env: string) => {
  if (!synthCache.has(env)) synthCache.set(env, Testing.synth(primary(env), true));
  return synthCache.get(env)!;
};
const fn = (env: string, handler: string) =>
  Object.values(resourcesOf(JSON.parse(synth(env)), "aws_lambda_function")).find((f: any) => f.function_name === `${config.project}-${env}-${handler}`) as any;
const variables = (env: string, handler: string) => fn(env, handler).environment.variables;

describe("promotion layout", () => {
  test("each environment copies into exactly the folder the next one reads, for both kinds", () => {
    for (const kind of ["schema", "data"] as const) {
      expect(readPrefix(config, first!, kind)).toBe(KIND_FOLDERS[kind]);
      expect(promotionPrefix(config, first!, kind)).toBe(readPrefix(config, second!, kind));
      expect(promotionPrefix(config, second!, kind)).toBe(readPrefix(config, last!, kind));
      expect(promotionPrefix(config, last!, kind)).toBeUndefined();
    }
  });

  test("copies stay under the replicated promotion prefix and outside the folder they came from", () => {
    for (const env of [first!, second!]) {
      for (const kind of ["schema", "data"] as const) {
        const out = promotionPrefix(config, env, kind)!;
        expect(out.startsWith(env.artifacts.promotionPrefix)).toBe(true);
        expect(out.startsWith(readPrefix(config, env, kind))).toBe(false);
        expect(readPrefix(config, env, kind).startsWith(out)).toBe(false);
      }
    }
  });
});

describe("database sync wiring", () => {
  test("both functions run in the primary-region stack's VPC with 300 s timeout, no reserved concurrency by default and the RDS CA bundle", () => {
    for (const handler of ["schema-sync", "data-sync"]) {
      expect(fn(first!.name, handler).reserved_concurrent_executions).toBeUndefined();
      expect(synth(first!.name)).toHaveResourceWithProperties(LambdaFunction, {
        function_name: `${config.project}-${first!.name}-${handler}`,
        timeout: DATABASE_SYNC_FUNCTION.timeoutSeconds,
        environment: { variables: expect.objectContaining({ NODE_EXTRA_CA_CERTS: "/var/runtime/ca-cert.pem", ENVIRONMENT: first!.name }) },
      });
      expect(fn(first!.name, handler).vpc_config.security_group_ids).toHaveLength(1);
    }
  });

  test("an account that reserves concurrency (lambda.reservedConcurrency) runs each database-sync function one at a time", () => {
    // GIVEN a configuration that reserves concurrency
    const reserving = platform((raw) => { raw.lambda = { ...raw.lambda, reservedConcurrency: 5 }; }).stacks;
    // WHEN the first environment's primary stack is synthesized
    const functions = Object.values(resourcesOf(synthJson(reserving.get(`${first!.name}-${config.primaryRegion}`)!), "aws_lambda_function")) as any[];
    // THEN both database-sync functions reserve exactly one execution
    for (const handler of ["schema-sync", "data-sync"]) {
      expect(functions.find((f) => f.function_name === `${config.project}-${first!.name}-${handler}`).reserved_concurrent_executions).toBe(DATABASE_SYNC_FUNCTION.reservedConcurrencyWhenReserving);
    }
  });

  test("the DR-region stack has no database-sync function", () => {
    const functions = Object.values(resourcesOf(synthJson(dr(first!.name)), "aws_lambda_function")).map((f: any) => f.function_name);
    expect(functions.filter((n: string) => /schema-sync|data-sync/.test(n))).toEqual([]);
  });

  test("environment variables carry the layout: read prefixes everywhere, promotion only before the last environment", () => {
    expect(variables(first!.name, "schema-sync")).toMatchObject({ MIGRATIONS_PREFIX: "migrations/", PROMOTION_PREFIX: readPrefix(config, second!, "schema") });
    expect(variables(first!.name, "data-sync")).toMatchObject({ DATA_PREFIX: "reference-data/", PROMOTION_PREFIX: readPrefix(config, second!, "data") });
    expect(variables(first!.name, "schema-sync").PROMOTION_BUCKET).toBe(variables(first!.name, "schema-sync").ARTIFACTS_BUCKET);
    expect(variables(last!.name, "schema-sync").MIGRATIONS_PREFIX).toBe(readPrefix(config, last!, "schema"));
    expect(variables(last!.name, "schema-sync").PROMOTION_PREFIX).toBeUndefined();
    expect(variables(last!.name, "schema-sync").PROMOTION_BUCKET).toBeUndefined();
  });

  test("an Object Created rule on the default bus filters the bucket and the read prefix", () => {
    const rules = Object.values(resourcesOf(JSON.parse(synth(second!.name)), "aws_cloudwatch_event_rule")) as any[];
    const rule = rules.find((r) => r.name === `${config.project}-${second!.name}-schema-sync-object-created`);
    expect(rule.event_bus_name).toBeUndefined();
    expect(JSON.parse(rule.event_pattern)).toEqual({
      source: ["aws.s3"],
      "detail-type": ["Object Created"],
      detail: { bucket: { name: [variables(second!.name, "schema-sync").ARTIFACTS_BUCKET] }, object: { key: [{ prefix: readPrefix(config, second!, "schema") }] } },
    });
    expect(synth(second!.name)).toHaveResource(CloudwatchEventRule);
  });

  test("targets retry then dead-letter, and only their rule may invoke the function", () => {
    expect(synth(first!.name)).toHaveResourceWithProperties(CloudwatchEventTarget, {
      target_id: "schema-sync",
      retry_policy: { maximum_retry_attempts: 10, maximum_event_age_in_seconds: 3600 },
      dead_letter_config: { arn: expect.stringContaining("database-sync-events-dlq") },
    });
    expect(synth(first!.name)).toHaveResourceWithProperties(LambdaPermission, {
      principal: "events.amazonaws.com",
      action: "lambda:InvokeFunction",
      source_arn: expect.stringMatching(/^\$\{aws_cloudwatch_event_rule\.schema-sync_object-created_rule_\w+\.arn\}$/),
    });
  });
});

describe("allowOutOfOrderMigrations", () => {
  test("defaults to false and is validated as a boolean, named by its path", () => {
    expect(config.environments.every((e) => e.databases.every((d) => d.allowOutOfOrderMigrations === false))).toBe(true);
    const raw = exampleRaw();
    raw.environments[0].databases[0].allowOutOfOrderMigrations = "yes";
    expect(problemsOf(validateConfig, raw)).toContainEqual(expect.stringMatching(/^environments\[0\]\.databases\[0\]\.allowOutOfOrderMigrations: /));
    raw.environments[0].databases[0].allowOutOfOrderMigrations = true;
    expect(validateConfig(raw).environments[0]!.databases[0]!.allowOutOfOrderMigrations).toBe(true);
  });
});

describe("allowOutOfOrderMigrations in the synthesized platform", () => {
  test("a database with allowOutOfOrderMigrations gets allowOutOfOrder in its schema sync's DATABASES, the others do not", () => {
    // GIVEN the example platform with the flag on for the first environment's first database
    const edited = platform((raw) => {
      raw.environments[0].databases[0].allowOutOfOrderMigrations = true;
    });
    const env = config.environments[0]!;
    const stack = edited.stacks.get(`${env.name}-${config.primaryRegion}`)!;
    const functions = Object.values(resourcesOf(synthJson(stack), "aws_lambda_function")) as any[];
    const databasesOf = (handler: string) => parseJsonAttribute(functions.find((f) => f.function_name === `${config.project}-${env.name}-${handler}`).environment.variables.DATABASES);
    // THEN schema sync's entry carries the flag and data sync's does not
    const flagged = env.databases[0]!.name;
    expect(databasesOf("schema-sync").find((d: any) => d.name === flagged)).toMatchObject({ allowOutOfOrder: true });
    expect(databasesOf("schema-sync").filter((d: any) => d.name !== flagged).every((d: any) => d.allowOutOfOrder === undefined)).toBe(true);
    expect(databasesOf("data-sync").every((d: any) => d.allowOutOfOrder === undefined)).toBe(true);
  });
});

describe("database sync function role", () => {
  const props = (overrides: Partial<DatabaseSyncFunctionProps> = {}) =>
    Testing.synthScope((scope) => {
      const deadLetterQueue = new EventsDeadLetterQueue(scope, "dlq", { queueName: "q", kmsKeyArn: "arn:aws:kms:us-east-1:111111111111:key/env" });
      new DatabaseSyncFunction(scope, "schema-sync", {
        kind: "schema",
        functionName: "app-dev-schema-sync",
        ruleName: "app-dev-schema-sync-object-created",
        environment: "dev",
        accountId: "111111111111",
        region: "us-east-1",
        kmsKeyArn: "arn:aws:kms:us-east-1:111111111111:key/env",
        defaults: config.lambda,
        vpc: { subnetIds: ["subnet-a"], securityGroupIds: ["sg-lambda"], endpoints: { require: () => [], admit: () => {} } },
        artifactsBucketName: "app-dev-artifacts",
        readPrefix: "migrations/",
        promotionPrefix: "promote/staging/migrations/",
        databases: [
          {
            name: "ledger",
            engine: "aurora-postgresql",
            clusterIdentifier: "c",
            clusterArn: "arn:c",
            clusterResourceId: "cluster-1",
            writerEndpoint: "writer.example",
            readerEndpoint: "reader.example",
            port: 5432,
            databaseName: "ledger",
            masterUsername: "admin",
            masterSecretArn: "arn:aws:secretsmanager:us-east-1:111111111111:secret:rds!cluster-1",
            secretKmsKeyArn: "arn:aws:kms:us-east-1:111111111111:key/secrets",
            parameterPath: "/app/dev/db/ledger/",
          },
        ],
        ledgerTableName: "app-dev-replication-ledger",
        ledgerTableArn: "arn:aws:dynamodb:us-east-1:111111111111:table/app-dev-replication-ledger",
        metricsNamespace: "app/Replication",
        deadLetterQueue,
        ...overrides,
      });
    });
  const policy = (synthesized: string) => {
    const policies = Object.values(resourcesOf(JSON.parse(synthesized), "aws_iam_role_policy")) as any[];
    return parseJsonAttribute(policies[0].policy).Statement as any[];
  };

  test("grants reads of both folders, writes of the promotion folder, the cluster secrets and the ledger, with no wildcard action", () => {
    const synthesized = props();
    expect(synthesized).toHaveResource(IamRolePolicy);
    const statements = policy(synthesized);
    const sid = (name: string) => statements.find((s) => s.Sid === name);
    expect(sid("ReadArtifacts").Resource).toEqual(["arn:aws:s3:::app-dev-artifacts/migrations/*", "arn:aws:s3:::app-dev-artifacts/promote/staging/migrations/*"]);
    expect(sid("ListArtifactFolders").Condition).toEqual({ StringLike: { "s3:prefix": ["migrations/*", "promote/staging/migrations/*"] } });
    expect(sid("PromoteCleanFiles")).toMatchObject({ Action: ["s3:PutObject"], Resource: ["arn:aws:s3:::app-dev-artifacts/promote/staging/migrations/*"] });
    expect(sid("ReadDatabaseSecrets")).toMatchObject({ Action: ["secretsmanager:GetSecretValue"], Resource: ["arn:aws:secretsmanager:us-east-1:111111111111:secret:rds!cluster-1"] });
    expect(sid("DecryptDatabaseSecrets")).toMatchObject({ Action: ["kms:Decrypt"], Resource: ["arn:aws:kms:us-east-1:111111111111:key/secrets"] });
    expect(sid("WriteLedger")).toMatchObject({ Action: ["dynamodb:PutItem"] });
    expect(statements.flatMap((s) => s.Action).filter((a: string) => a.includes("*"))).toEqual([]);
  });

  test("DATABASES holds the handler's connection entries, never a password", () => {
    const fnJson = Object.values(resourcesOf(JSON.parse(props()), "aws_lambda_function"))[0] as any;
    expect(JSON.parse(fnJson.environment.variables.DATABASES)).toEqual([
      { name: "ledger", engine: "postgres", host: "writer.example", port: 5432, database: "ledger", secretArn: "arn:aws:secretsmanager:us-east-1:111111111111:secret:rds!cluster-1" },
    ]);
  });

  test("a database listed in allowOutOfOrderMigrations gets allowOutOfOrder in schema sync's DATABASES only", () => {
    const databases = (kind: "schema" | "data") => {
      const fnJson = Object.values(resourcesOf(JSON.parse(props({ kind, allowOutOfOrderMigrations: ["ledger"], readPrefix: KIND_FOLDERS[kind], promotionPrefix: `promote/staging/${KIND_FOLDERS[kind]}` })), "aws_lambda_function"))[0] as any;
      return JSON.parse(fnJson.environment.variables.DATABASES);
    };
    expect(databases("schema")).toEqual([expect.objectContaining({ name: "ledger", allowOutOfOrder: true })]);
    expect(databases("data")[0].allowOutOfOrder).toBeUndefined();
  });

  test("the last environment's function gets no write permission", () => {
    const statements = policy(props({ promotionPrefix: undefined }));
    expect(statements.find((s) => s.Sid === "PromoteCleanFiles")).toBeUndefined();
  });

  test("a prefix not computed by the layout is refused", () => {
    expect(() => props({ promotionPrefix: "promote/staging/" })).toThrow(/must end with "migrations\/"; compute it with layout\.ts/);
  });
});
