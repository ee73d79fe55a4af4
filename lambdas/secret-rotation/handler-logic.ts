/**
 * The rotation function's entry logic: checks the event against the secret the way the AWS rotation
 * templates do (rotation enabled, the token is a version of the secret, that version is AWSPENDING
 * and not already AWSCURRENT), then runs the requested step. No credential is ever logged or thrown:
 * only secret names, version ids, user names and outcomes.
 */
import { errorFields, type Logger } from "../shared/log";
import type { RotationConfig } from "./config";
import type { DatabaseAccess } from "./database-access";
import { AWSCURRENT, AWSPENDING, RotationError, type SecretVersions } from "./secret-versions";
import { STEPS, stepContextConfig, type StepName, type StepOutcome } from "./steps";

export interface RotationEvent {
  readonly SecretId: string;
  readonly ClientRequestToken: string;
  readonly Step: string;
}

export interface RotationDeps {
  readonly config: RotationConfig;
  readonly versions: SecretVersions;
  readonly access: DatabaseAccess;
  readonly log: Logger;
}

export async function handleRotation(event: RotationEvent, deps: RotationDeps): Promise<StepOutcome | "already-current"> {
  const { SecretId: secretId, ClientRequestToken: versionId, Step: step } = event ?? ({} as RotationEvent);
  if (typeof secretId !== "string" || typeof versionId !== "string" || !(step in STEPS)) {
    throw new RotationError(`not a rotation event: expected SecretId, ClientRequestToken and Step (${Object.keys(STEPS).join(", ")})`);
  }
  // `arn`, not `secretId`: the shared logger redacts every field named secret*.
  const log = deps.log.child({ arn: secretId, versionId, step });
  try {
    const description = await deps.versions.describe(secretId);
    const target = stepContextConfig(deps.config, description.name);
    if (target === undefined) throw new RotationError(`secret ${description.name} is not one this function rotates`);
    if (!description.rotationEnabled) throw new RotationError(`secret ${description.name} does not have rotation enabled`);
    const stages = description.versions[versionId];
    if (stages === undefined) throw new RotationError(`version ${versionId} has no stage for rotation of secret ${description.name}`);
    if (stages.includes(AWSCURRENT)) {
      log.info("version is already AWSCURRENT");
      return "already-current";
    }
    if (!stages.includes(AWSPENDING)) throw new RotationError(`version ${versionId} of secret ${description.name} is not AWSPENDING`);
    const outcome = await STEPS[step as StepName]({ secretId, versionId, ...target, versions: deps.versions, access: deps.access, log });
    log.info("step finished", { outcome, strategy: target.secret.strategy });
    return outcome;
  } catch (error) {
    log.error("step failed", errorFields(error));
    throw error;
  }
}
