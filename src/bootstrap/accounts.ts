import type { EnvironmentConfig, PlatformConfig } from "../config/types";
import { bootstrapStackName } from "../naming";

/** One AWS account of the platform and the environments that live in it, in promotion order. */
export interface AccountEnvironments {
  readonly accountId: string;
  readonly environments: readonly EnvironmentConfig[];
  /** Name of the account's bootstrap stack (`bootstrap-<env>`, or `bootstrap-<env>-<env>` when shared). */
  readonly stackName: string;
}

/** The distinct accounts of the environments, each once, in the promotion order of their first environment. */
export function environmentAccounts(platform: PlatformConfig): AccountEnvironments[] {
  const byAccount = new Map<string, EnvironmentConfig[]>();
  for (const name of platform.promotionOrder) {
    const environment = platform.environments.find((e) => e.name === name)!;
    byAccount.set(environment.accountId, [...(byAccount.get(environment.accountId) ?? []), environment]);
  }
  return [...byAccount].map(([accountId, environments]) => ({
    accountId,
    environments,
    stackName: bootstrapStackName(environments.map((e) => e.name)),
  }));
}
