/**
 * The four steps of a Secrets Manager rotation. Each is safe to repeat and to run concurrently with
 * itself: it first looks whether its work is already done (the AWSPENDING version exists, the pending
 * password already logs in, AWSCURRENT is already on the new version) and does nothing then.
 */
import type { Logger } from "../shared/log";
import type { RotationConfig, RotationDatabase, RotationSecret } from "./config";
import type { Credentials, DatabaseAccess } from "./database-access";
import { generatePassword } from "./password";
import { AWSCURRENT, AWSPENDING, AWSPREVIOUS, RotationError, type SecretCredentials, type SecretVersions } from "./secret-versions";
import { ensureUser, setOwnPassword } from "./users";

export interface StepContext {
  readonly secretId: string;
  /** The ClientRequestToken: the id of the version being rotated in. */
  readonly versionId: string;
  readonly secret: RotationSecret;
  readonly database: RotationDatabase;
  readonly versions: SecretVersions;
  readonly access: DatabaseAccess;
  readonly log: Logger;
}

export type StepOutcome = "done" | "already-done";

/** The suffix of the alternate user of the alternating-users strategy. */
export const CLONE_SUFFIX = "_clone";

/** The user a pending version must name, given the current one. */
export function pendingUsername(secret: RotationSecret, currentUsername: string): string {
  if (secret.strategy === "single-user") {
    if (currentUsername !== secret.user) throw new RotationError(`the current version names user ${currentUsername}, not ${secret.user}`);
    return secret.user;
  }
  const clone = `${secret.user}${CLONE_SUFFIX}`;
  if (currentUsername === secret.user) return clone;
  if (currentUsername === clone) return secret.user;
  throw new RotationError(`the current version names user ${currentUsername}, neither ${secret.user} nor ${clone}`);
}

function usernamesOf(secret: RotationSecret): readonly string[] {
  return secret.strategy === "single-user" ? [secret.user] : [secret.user, `${secret.user}${CLONE_SUFFIX}`];
}

/** createSecret: writes a new password as the AWSPENDING version of this token, unless it exists. */
export async function createSecret(c: StepContext): Promise<StepOutcome> {
  const current = await c.versions.get(c.secretId, AWSCURRENT);
  if ((await c.versions.find(c.secretId, AWSPENDING, c.versionId)) !== undefined) return "already-done";
  const pending: SecretCredentials = { ...current, username: pendingUsername(c.secret, current.username), password: generatePassword() };
  // A concurrent run may write this token's version first: Secrets Manager then refuses ours, and theirs stands.
  const written = await c.versions.putPending(c.secretId, c.versionId, pending);
  if (!written && (await c.versions.find(c.secretId, AWSPENDING, c.versionId)) === undefined) {
    throw new RotationError(`version ${c.versionId} exists but is not AWSPENDING`);
  }
  c.log.info("pending version written", { username: pending.username, written });
  return written ? "done" : "already-done";
}

/** setSecret: makes the pending password work on the server, unless it already does. */
export async function setSecret(c: StepContext): Promise<StepOutcome> {
  const pending = await pendingVersion(c);
  if ((await c.access.login(c.database, pending)) === "accepted") return "already-done";
  try {
    if (c.secret.strategy === "single-user") {
      const admin = await firstWorking(c, [AWSCURRENT, AWSPREVIOUS]);
      await c.access.withSession(c.database, admin, (session) => setOwnPassword(session, pending.username, pending.password));
    } else {
      const master = await c.versions.get(c.database.masterSecretArn, AWSCURRENT);
      const grant = c.secret.grant;
      await c.access.withSession(c.database, master, (session) => ensureUser(session, c.database.database, pending.username, pending.password, grant));
    }
  } catch (error) {
    // A concurrent run may have set the password in between (the current one then no longer logs in).
    if ((await c.access.login(c.database, pending)) === "accepted") return "already-done";
    throw error;
  }
  c.log.info("pending password set on the server", { username: pending.username });
  return "done";
}

/** testSecret: the pending credentials must log in (and the server must have checked the password). */
export async function testSecret(c: StepContext): Promise<StepOutcome> {
  const pending = await pendingVersion(c);
  const outcome = await c.access.login(c.database, pending);
  if (outcome !== "accepted") {
    throw new RotationError(
      outcome === "refused"
        ? `the pending credentials of ${pending.username} do not log in to ${c.database.host}; AWSCURRENT stays where it is`
        : `${c.database.host} let ${pending.username} in without checking the password, so the pending password is unproven; AWSCURRENT stays where it is`,
    );
  }
  return "done";
}

/** finishSecret: moves AWSCURRENT to the pending version (the old one becomes AWSPREVIOUS). */
export async function finishSecret(c: StepContext): Promise<StepOutcome> {
  const currentVersion = async () => Object.entries((await c.versions.describe(c.secretId)).versions).find(([, stages]) => stages.includes(AWSCURRENT))?.[0];
  const from = await currentVersion();
  if (from === c.versionId) return "already-done";
  try {
    await c.versions.promote(c.secretId, c.versionId, from);
  } catch (error) {
    // A concurrent finishSecret moved the label first; then there is nothing left to do.
    if ((await currentVersion()) === c.versionId) return "already-done";
    throw error;
  }
  c.log.info("AWSCURRENT moved to the new version", { previousVersionId: from });
  return "done";
}

async function pendingVersion(c: StepContext): Promise<SecretCredentials> {
  const pending = await c.versions.get(c.secretId, AWSPENDING, c.versionId);
  if (!usernamesOf(c.secret).includes(pending.username)) {
    throw new RotationError(`the pending version names user ${pending.username}, not ${usernamesOf(c.secret).join(" or ")}`);
  }
  return pending;
}

/** The credentials of the first of `stages` that logs in; a half-finished earlier rotation may have left the password at AWSPREVIOUS's. */
async function firstWorking(c: StepContext, stages: readonly string[]): Promise<Credentials> {
  for (const stage of stages) {
    const candidate = await c.versions.find(c.secretId, stage);
    if (candidate !== undefined && candidate.username === c.secret.user && (await c.access.login(c.database, candidate)) !== "refused") return candidate;
  }
  throw new RotationError(`neither the ${stages.join(" nor the ")} password of ${c.secret.user} logs in to ${c.database.host}; reset it (docs/data-tier.md)`);
}

export const STEPS = { createSecret, setSecret, testSecret, finishSecret } as const;
export type StepName = keyof typeof STEPS;

export function stepContextConfig(config: RotationConfig, secretName: string): { secret: RotationSecret; database: RotationDatabase } | undefined {
  const secret = config.secrets[secretName];
  const database = secret ? config.databases[secret.database] : undefined;
  return secret && database ? { secret, database } : undefined;
}
