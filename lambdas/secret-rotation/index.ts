/**
 * Secret rotation: the Secrets Manager rotation function of the environment's database secrets (the
 * global databases' master users and the application users). Wiring only; the logic is in
 * `handler-logic.ts` and `steps.ts`. Secrets Manager is reached through the VPC's interface endpoint.
 */
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { createLogger } from "../shared/log";
import { readRotationConfig } from "./config";
import { DriverDatabaseAccess } from "./database-access";
import { handleRotation, type RotationEvent } from "./handler-logic";
import { SecretVersions } from "./secret-versions";

const config = readRotationConfig();
const log = createLogger({ base: { handler: "secret-rotation" } });
const versions = new SecretVersions(new SecretsManagerClient({}));
const access = new DriverDatabaseAccess(config.tls);

export async function handler(event: RotationEvent): Promise<string> {
  return handleRotation(event, { config, versions, access, log });
}
