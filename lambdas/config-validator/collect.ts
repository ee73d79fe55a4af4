/** Reads one environment's comparable state: SSM shapes, applied schema versions, table shapes. */
import { DescribeTableCommand, ResourceNotFoundException, type DynamoDBClient, type TableDescription } from "@aws-sdk/client-dynamodb";
import type { SSMClient } from "@aws-sdk/client-ssm";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { latestAppliedSchemaVersions } from "../shared/ledger";
import { readHierarchy } from "../shared/ssm-hierarchy";
import type { ParameterShape, TableShape } from "./compare";
import type { ValidationEnvironment } from "./config";

/** Clients reading one environment (through its assumed role where configured). */
export interface EnvironmentClients {
  readonly ssm: SSMClient;
  readonly dynamodb: DynamoDBClient;
  readonly doc: DynamoDBDocumentClient;
}

/** SSM hierarchy WITHOUT decryption: SecureString values are dropped, only presence and type kept. */
export async function collectSsm(env: ValidationEnvironment, clients: EnvironmentClients): Promise<Map<string, ParameterShape>> {
  const params = await readHierarchy(clients.ssm, env.name, false);
  return new Map([...params].map(([key, p]) => [key, p.type === "SecureString" ? { type: p.type } : { type: p.type, value: p.value }]));
}

export async function collectSchemas(env: ValidationEnvironment, clients: EnvironmentClients): Promise<Map<string, string>> {
  return latestAppliedSchemaVersions(clients.doc, env.ledgerTableName, env.name);
}

/** Shapes of the ledger (as "ledger") and of every extra table; `undefined` for a table that does not exist. */
export async function collectTables(env: ValidationEnvironment, clients: EnvironmentClients): Promise<Map<string, TableShape | undefined>> {
  const tables: Record<string, string> = { ledger: env.ledgerTableName, ...(env.tables ?? {}) };
  const out = new Map<string, TableShape | undefined>();
  for (const [logical, physical] of Object.entries(tables)) {
    try {
      const response = await clients.dynamodb.send(new DescribeTableCommand({ TableName: physical }));
      out.set(logical, response.Table === undefined ? undefined : tableShape(response.Table));
    } catch (err) {
      if (!(err instanceof ResourceNotFoundException)) {
        throw err;
      }
      out.set(logical, undefined);
    }
  }
  return out;
}

export function tableShape(table: TableDescription): TableShape {
  const keys = (schema: TableDescription["KeySchema"]): string => (schema ?? []).map((k) => `${k.AttributeName}:${k.KeyType}`).join(",");
  const projection = (p: { ProjectionType?: string; NonKeyAttributes?: string[] } | undefined): string =>
    `${p?.ProjectionType ?? "ALL"}${p?.NonKeyAttributes !== undefined ? `(${[...p.NonKeyAttributes].sort().join(",")})` : ""}`;
  const indexes = (list: Array<{ IndexName?: string; KeySchema?: TableDescription["KeySchema"]; Projection?: { ProjectionType?: string; NonKeyAttributes?: string[] } }> | undefined): Record<string, string> =>
    Object.fromEntries((list ?? []).map((i) => [i.IndexName ?? "?", `keys=${keys(i.KeySchema)} projection=${projection(i.Projection)}`]));
  return {
    keySchema: (table.KeySchema ?? []).map((k) => `${k.AttributeName}:${k.KeyType}`),
    attributes: (table.AttributeDefinitions ?? []).map((d) => `${d.AttributeName}:${d.AttributeType}`).sort(),
    gsi: indexes(table.GlobalSecondaryIndexes),
    lsi: indexes(table.LocalSecondaryIndexes),
    stream: table.StreamSpecification?.StreamEnabled === true ? `enabled:${table.StreamSpecification.StreamViewType ?? "?"}` : "disabled",
    // Tables created on demand report BillingModeSummary; older provisioned ones may omit it.
    billingMode: table.BillingModeSummary?.BillingMode ?? "PROVISIONED",
  };
}
