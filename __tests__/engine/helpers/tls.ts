import { readFileSync } from "node:fs";

/**
 * The throwaway certificate authority that scripts/ensure-databases.sh creates and installs in both
 * local servers (server certificate for localhost, 127.0.0.1 and ::1).
 */
export const TEST_CA_FILE = process.env.ENGINE_TEST_TLS_CA ?? `${process.env.ENGINE_TEST_TLS_DIR ?? "/etc/engine-test-tls"}/ca.pem`;

export function testCa(): string {
  try {
    return readFileSync(TEST_CA_FILE, "utf8");
  } catch (error) {
    throw new Error(`cannot read the test CA ${TEST_CA_FILE} (${(error as Error).message}): run scripts/ensure-databases.sh first`);
  }
}
