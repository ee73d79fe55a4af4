import { DynamodbTable } from "@cdktf/provider-aws/lib/dynamodb-table";
import type { TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import { LEDGER_KEYS, LEDGER_TTL_ATTRIBUTE } from "./ledger-schema";

export { LEDGER_TTL_ATTRIBUTE };

export interface LedgerTableProps {
  readonly tableName: string;
  /** The environment key of the table's region. */
  readonly kmsKeyArn: string;
  /**
   * The same-account global-table replica: its region and that region's environment key.
   * @default no replica (the source of a multi-account global table must start as a one-Region table)
   */
  readonly replica?: { readonly region: string; readonly kmsKeyArn: string };
  /** DynamoDB deletion protection on the table and its replica, and `prevent_destroy`. */
  readonly deletionProtection: boolean;
  /** @default the stack's default provider */
  readonly provider?: TerraformProvider;
}

/**
 * The replication ledger: what the fabric did (schema and data syncs, mirrored configuration,
 * snapshot copies, canaries, S3 replication incidents), one item per event.
 *
 * Keys `pk`/`sk` (strings) and TTL on `expiresAt` follow `lambdas/shared/ledger.ts`. On-demand
 * capacity, point-in-time recovery, the environment's customer-managed key, a NEW_AND_OLD_IMAGES
 * stream for the stream processor, and a global-table (2019.11.21) replica in the DR region encrypted
 * with that region's key. Global tables replicate within one account: other accounts see the ledger
 * through the events the stream processor publishes, and read it through the agent role.
 *
 * @example
 * new LedgerTable(this, "ledger", { tableName, kmsKeyArn: key.arn, replica: { region: "eu-west-1", kmsKeyArn: drKeyArn }, deletionProtection: true });
 */
export class LedgerTable extends Construct {
  readonly table: DynamodbTable;

  constructor(scope: Construct, id: string, props: LedgerTableProps) {
    super(scope, id);
    this.table = new DynamodbTable(this, "table", {
      provider: props.provider,
      name: props.tableName,
      billingMode: "PAY_PER_REQUEST",
      hashKey: LEDGER_KEYS.hashKey,
      rangeKey: LEDGER_KEYS.rangeKey,
      attribute: [
        { name: LEDGER_KEYS.hashKey, type: "S" },
        { name: LEDGER_KEYS.rangeKey, type: "S" },
      ],
      ttl: { attributeName: LEDGER_TTL_ATTRIBUTE, enabled: true },
      streamEnabled: true,
      streamViewType: "NEW_AND_OLD_IMAGES",
      pointInTimeRecovery: { enabled: true },
      serverSideEncryption: { enabled: true, kmsKeyArn: props.kmsKeyArn },
      deletionProtectionEnabled: props.deletionProtection,
      replica: props.replica
        ? [
            {
              regionName: props.replica.region,
              kmsKeyArn: props.replica.kmsKeyArn,
              pointInTimeRecovery: true,
              propagateTags: true,
              deletionProtectionEnabled: props.deletionProtection,
            },
          ]
        : undefined,
      lifecycle: props.deletionProtection ? { preventDestroy: true } : undefined,
    });
  }

  get arn(): string {
    return this.table.arn;
  }

  get name(): string {
    return this.table.name;
  }

  get streamArn(): string {
    return this.table.streamArn;
  }
}
