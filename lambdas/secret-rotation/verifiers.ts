/**
 * Password verifiers the servers store, computed here so that no SQL statement ever carries a
 * password: Aurora logs statements (PostgreSQL `log_statement = all`, MySQL's general and audit logs),
 * and a `PASSWORD '...'` literal would land in CloudWatch Logs. Both servers accept a verifier in
 * place of the password (`ALTER ROLE ... PASSWORD 'SCRAM-SHA-256$...'`, `IDENTIFIED WITH
 * mysql_native_password AS '*...'`) and then authenticate the password as usual.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from "node:crypto";

const SCRAM_ITERATIONS = 4096;

/** PostgreSQL's SCRAM-SHA-256 verifier (RFC 7677, as `pg_authid.rolpassword` stores it). */
export function scramSha256Verifier(password: string, salt: Buffer = randomBytes(16), iterations = SCRAM_ITERATIONS): string {
  const { storedKey, serverKey } = scramKeys(password, salt, iterations);
  return `SCRAM-SHA-256$${iterations}:${salt.toString("base64")}$${storedKey.toString("base64")}:${serverKey.toString("base64")}`;
}

/** Whether `password` is the one a stored SCRAM-SHA-256 verifier was made from. */
export function scramVerifierMatches(verifier: string, password: string): boolean {
  const match = /^SCRAM-SHA-256\$(\d+):([^$]+)\$([^:]+):(.+)$/.exec(verifier);
  if (!match) return false;
  const { storedKey } = scramKeys(password, Buffer.from(match[2]!, "base64"), Number(match[1]));
  const expected = Buffer.from(match[3]!, "base64");
  return expected.length === storedKey.length && timingSafeEqual(expected, storedKey);
}

function scramKeys(password: string, salt: Buffer, iterations: number): { storedKey: Buffer; serverKey: Buffer } {
  // Generated passwords are ASCII letters and digits, which SASLprep leaves unchanged.
  const salted = pbkdf2Sync(password, salt, iterations, 32, "sha256");
  const clientKey = createHmac("sha256", salted).update("Client Key").digest();
  return { storedKey: createHash("sha256").update(clientKey).digest(), serverKey: createHmac("sha256", salted).update("Server Key").digest() };
}

/** MySQL's `mysql_native_password` hash: `*` + upper-case hex of SHA1(SHA1(password)). */
export function mysqlNativePasswordHash(password: string): string {
  const inner = createHash("sha1").update(password, "utf8").digest();
  return `*${createHash("sha1").update(inner).digest("hex").toUpperCase()}`;
}
