import { join, resolve } from "node:path";
import { loadConfig } from "../config/load";
import { ConfigError } from "../config/validate";
import type { PlatformConfig } from "../config/types";
import { infracostConfig } from "./infracost-config";
import { placeholderAccounts, placeholderProblems } from "./placeholder-accounts";

const ROOT = resolve(__dirname, "..", "..");

// What CI needs to know about the configuration (PLATFORM_CONFIG, or the built-in example), without
// hard-coding it in the workflow:
//   npm run -s ci-config -- primary-region   prints the configured primary region
//   npm run -s ci-config -- check-accounts   fails when an account is a placeholder of the examples
//   npm run -s ci-config -- infracost-config prints the Infracost config file of cdktf.out/stacks

function main(argv: string[]): number {
  const [command] = argv;
  let config: PlatformConfig;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    return 1;
  }
  if (command === "primary-region") {
    console.log(config.primaryRegion);
    return 0;
  }
  if (command === "check-accounts") {
    const problems = placeholderProblems(config, placeholderAccounts(join(ROOT, "examples")));
    if (problems.length === 0) {
      console.log(`every account in ${process.env.PLATFORM_CONFIG || "the configuration"} is a real account ID`);
      return 0;
    }
    const source = process.env.PLATFORM_CONFIG ? `PLATFORM_CONFIG (${process.env.PLATFORM_CONFIG})` : "the built-in example (PLATFORM_CONFIG is not set)";
    console.error(
      [`${source} names accounts that do not exist, so there is nothing to plan against:`, ...problems.map((p) => `  ${p}`),
        "Write your own configuration (docs/configuration.md), commit it, and set the repository variable PLATFORM_CONFIG to its path (docs/ci.md)."].join("\n"),
    );
    return 1;
  }
  if (command === "infracost-config") {
    try {
      process.stdout.write(infracostConfig(resolve(process.cwd(), "cdktf.out", "stacks")));
    } catch (error) {
      console.error((error as Error).message);
      return 1;
    }
    return 0;
  }
  console.error(`usage: npm run -s ci-config -- primary-region | check-accounts | infracost-config`);
  return 2;
}

process.exitCode = main(process.argv.slice(2));
