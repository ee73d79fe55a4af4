import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { RDSClient } from "@aws-sdk/client-rds";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { createInterface } from "node:readline/promises";
import { assumeRoleCredentials } from "../../lambdas/shared/assume-role";
import { LedgerWriter, type DrItem } from "../../lambdas/shared/ledger";
import { loadConfig } from "../config/load";
import { ConfigError } from "../config/validate";
import { ledgerTableName } from "../ledger/global-ledger";
import { parseDrArguments, USAGE, UsageError } from "./arguments";
import { runMove } from "./run";
import { describeState, readGlobalDatabase, type RegionClients } from "./state";
import { drEnvironment, DrTargetError, selectDatabases } from "./targets";

async function main(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseDrArguments(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`${error.message}\n\n${USAGE}`);
      return 2;
    }
    throw error;
  }
  if (args.command === "help") {
    console.log(USAGE);
    return 0;
  }
  try {
    const platform = loadConfig();
    const target = drEnvironment(platform, args.environment);
    const databases = selectDatabases(target, args.database);
    if (args.command === "move" && !args.yes && !process.stdin.isTTY) {
      console.error(`${args.action}: not run from a terminal, so nobody can confirm: pass --yes to go ahead without asking`);
      return 2;
    }
    const toRegion = args.command === "move" ? args.toRegion ?? target.drRegion : target.drRegion;
    if (toRegion !== target.primaryRegion && toRegion !== target.drRegion) throw new DrTargetError(`--to must be ${target.drRegion} or ${target.primaryRegion}, not ${toRegion}`);

    // The operator's own credentials only assume the deployment role; STS is asked in the region
    // that should answer in an outage of the other.
    const sts = new STSClient({ region: toRegion });
    const operator = (await sts.send(new GetCallerIdentityCommand({}))).Arn;
    const credentials = assumeRoleCredentials(sts, { roleArn: target.roleArn, sessionName: `dr-${args.command === "move" ? args.action : "status"}-${target.environment.name}`, durationSeconds: 3600 });
    const clients = new Map<string, RegionClients>();
    const clientsFor = (region: string) => {
      if (!clients.has(region)) clients.set(region, { rds: new RDSClient({ region, credentials }), cloudwatch: new CloudWatchClient({ region, credentials }) });
      return clients.get(region)!;
    };

    if (args.command === "status") {
      for (const database of databases) console.log(describeState(await readGlobalDatabase(database, clientsFor)));
      return 0;
    }

    const table = ledgerTableName(platform, target.environment.name);
    const ledgerIn = (region: string) => new LedgerWriter(DynamoDBDocumentClient.from(new DynamoDBClient({ region, credentials })), table);
    // The ledger is a global table with a replica in the DR region: write where the writer goes, else the other region.
    const record = async (item: DrItem) => {
      try {
        await ledgerIn(toRegion).put(item);
      } catch (first) {
        const other = toRegion === target.primaryRegion ? target.drRegion : target.primaryRegion;
        try {
          await ledgerIn(other).put({ ...item, originRegion: other });
        } catch {
          throw first;
        }
      }
    };
    const outcome = await runMove(
      {
        environment: target.environment.name,
        databases,
        action: args.action,
        toRegion,
        maxLagMs: platform.disasterRecovery.maxSwitchoverLagSeconds * 1000,
        force: args.force,
        yes: args.yes,
        waitTimeoutMs: args.waitMinutes * 60_000,
        operator,
      },
      {
        clientsFor,
        record,
        confirm: async (question) => {
          const prompt = createInterface({ input: process.stdin, output: process.stdout });
          try {
            return (await prompt.question(question)).trim() === "yes";
          } finally {
            prompt.close();
          }
        },
        print: (line) => console.log(line),
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
        now: () => new Date(),
      },
    );
    return outcome === "done" ? 0 : 1;
  } catch (error) {
    if (error instanceof ConfigError || error instanceof DrTargetError) {
      console.error(`dr: ${error.message}`);
      return error instanceof DrTargetError ? 2 : 1;
    }
    throw error;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
