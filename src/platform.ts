import type { App } from "cdktf";
import { Aspects } from "cdktf";
import type { PlatformConfig } from "./config/types";
import { PLATFORM_TAG_KEYS } from "./config/validate";
import { AccountBootstrapStack } from "./bootstrap/account-bootstrap-stack";
import { environmentAccounts } from "./bootstrap/accounts";
import { PermissionsBoundaryAspect } from "./bootstrap/permissions-boundary-aspect";
import { addDatabaseSync } from "./stacks/database-sync";
import { addDataTier } from "./stacks/data-tier";
import { addEdgeTier } from "./stacks/edge-tier";
import { EnvironmentStack } from "./stacks/environment-stack";
import { addReplicationFabric } from "./stacks/replication-fabric";
import { PlatformStack } from "./stacks/platform-stack";
import { addRestoreDrill } from "./stacks/restore-drill";
import { StateBootstrapStack } from "./stacks/state-bootstrap-stack";

/**
 * Builds every stack of the platform from a validated configuration: the bootstrap group
 * (`state-bootstrap`, and `bootstrap-<env>` per distinct account), then `<env>-<region>` for each
 * environment and each of its two regions.
 *
 * Deployment order (`cdktf deploy '*'` and the deploy command follow the manifest's dependencies): the
 * state stack before everything (every other stack keeps its state in its bucket); an account's
 * bootstrap before the stacks that assume its deployment role; an environment's DR-region stack before its
 * primary-region stack (the primary replicates into the DR region), and the next environment of the
 * promotion order before the one that promotes into it (the upstream stack builds the cross-account
 * links: peering accepters, replication into the next bucket).
 */
export function buildPlatform(app: App, config: PlatformConfig): Map<string, EnvironmentStack> {
  const stateStack = new StateBootstrapStack(app, config);
  const bootstraps = new Map<string, AccountBootstrapStack>();
  for (const account of environmentAccounts(config)) {
    const bootstrap = new AccountBootstrapStack(app, { platform: config, account });
    bootstrap.addDependency(stateStack);
    bootstraps.set(account.accountId, bootstrap);
  }
  const stacks = new Map<string, EnvironmentStack>();
  const regions = [config.drRegion, config.primaryRegion];
  for (const name of [...config.promotionOrder].reverse()) {
    const environment = config.environments.find((e) => e.name === name)!;
    for (const region of regions) {
      const stack = new EnvironmentStack(app, { platform: config, environment, region });
      stack.addDependency(stateStack);
      stack.addDependency(bootstraps.get(environment.accountId)!);
      Aspects.of(stack).add(new PermissionsBoundaryAspect(environment.accountId, (accountId) => bootstraps.get(accountId)!.boundaryArn));
      const dataTier = addDataTier(stack);
      const databaseSync = addDatabaseSync(stack, dataTier);
      addReplicationFabric(stack, dataTier, databaseSync);
      addEdgeTier(stack, dataTier);
      addRestoreDrill(stack, dataTier);
      stacks.set(stack.node.id, stack);
    }
  }
  for (const stack of stacks.values()) {
    if (stack.isPrimaryRegion) stack.addDependency(stacks.get(`${stack.environment.name}-${config.drRegion}`)!);
    if (stack.nextEnvironment) stack.addDependency(stacks.get(`${stack.nextEnvironment.name}-${stack.region}`)!);
    // The `next` provider assumes the next environment's deployment role.
    if (stack.nextEnvironment) stack.addDependency(bootstraps.get(stack.nextEnvironment.accountId)!);
  }
  for (const stack of app.node.children) {
    if (stack instanceof PlatformStack) stack.enforcePolicies({ requiredTags: PLATFORM_TAG_KEYS });
  }
  return stacks;
}
