import { openDatabase, type EngineName } from "../../engine";
import type { ConnectionOptions, Database } from "../../engine/dialects/types";
import { testCa } from "./helpers/tls";

/** The local servers, over TLS with the test CA (see scripts/ensure-databases.sh). */
const SERVER: Record<EngineName, ConnectionOptions> = {
  postgres: {
    host: "127.0.0.1",
    port: 5432,
    user: "postgres",
    database: "postgres",
  },
  mysql: { host: "127.0.0.1", port: 3306, user: "root", database: "mysql" },
};

/** Whether the connection is encrypted, as the server sees it. */
async function usesTls(db: Database): Promise<boolean> {
  if (db.engine === "postgres") {
    const { rows } = await db.query(
      "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"
    );
    return rows[0]?.ssl === true;
  }
  const { rows } = await db.query("SHOW SESSION STATUS LIKE 'Ssl_cipher'");
  return String(rows[0]?.Value ?? "") !== "";
}

/** Expects the connection to be refused; closes it if it was not, so that a failing test does not hang. */
async function expectRefused(
  opening: Promise<Database>,
  pattern: RegExp
): Promise<void> {
  const outcome = await opening.then(
    async (db) => {
      await db.close();
      return "connected";
    },
    (error: unknown) => (error as Error).message
  );
  expect(outcome).toMatch(pattern);
}

describe.each<EngineName>(["postgres", "mysql"])("TLS to %s", (engine) => {
  const open = (overrides: Partial<ConnectionOptions>) =>
    openDatabase({ engine, connection: { ...SERVER[engine], ...overrides } });

  test("with the server's CA, connecting to a name its certificate carries works, encrypted", async () => {
    for (const host of ["127.0.0.1", "localhost"]) {
      const db = await open({ host, ssl: { ca: testCa() } });
      try {
        expect(await usesTls(db)).toBe(true);
      } finally {
        await db.close();
      }
    }
  });

  test("a host name the certificate does not carry is refused, even with the right CA", async () => {
    // The certificate is for localhost / 127.0.0.1; the connection goes to 127.0.0.1 but must find db.example.invalid.
    await expectRefused(
      open({ ssl: { ca: testCa(), servername: "db.example.invalid" } }),
      /cannot connect to (PostgreSQL|MySQL) at [^:]+:\d+: .*(Hostname\/IP does not match certificate's altnames|db\.example\.invalid)/
    );
  });

  test("a server whose CA is not trusted is refused", async () => {
    await expectRefused(
      open({ ssl: true }),
      /cannot connect to (PostgreSQL|MySQL) at [^:]+:\d+: .*(self[- ]signed certificate|unable to (get|verify))/i
    );
  });

  test("rejectUnauthorized: false is the only way to skip verification", async () => {
    const db = await open({
      ssl: { rejectUnauthorized: false, servername: "db.example.invalid" },
    });
    try {
      expect(await usesTls(db)).toBe(true);
    } finally {
      await db.close();
    }
  });
});

describe("URLs", () => {
  test("PostgreSQL: sslmode=no-verify is refused; sslmode=require verifies the server like verify-full", async () => {
    await expectRefused(
      openDatabase({
        connection:
          "postgres://postgres@127.0.0.1:5432/postgres?sslmode=no-verify",
      }),
      /cannot connect to PostgreSQL at [^:]+:\d+: sslmode=no-verify does not verify the server; use sslmode=verify-full/
    );
    // pg warns (a process warning) that sslmode=require will mean less in its next major version;
    // that warning is what a user of such a URL sees, so it is asserted here instead of printed.
    const warnings: string[] = [];
    const emitWarning = jest.spyOn(process, "emitWarning").mockImplementation((warning: string | Error) => void warnings.push(String(warning)));
    try {
      await expectRefused(
        openDatabase({
          connection:
            "postgres://postgres@127.0.0.1:5432/postgres?sslmode=require",
        }),
        /self[- ]signed certificate|unable to verify/i
      );
    } finally {
      emitWarning.mockRestore();
    }
    expect(warnings).toEqual([expect.stringContaining("The SSL modes 'prefer', 'require', and 'verify-ca' are treated as aliases for 'verify-full'")]);
  });

  test("MySQL: ssl={...} in the URL verifies the host name too", async () => {
    const ssl = encodeURIComponent(
      JSON.stringify({ ca: testCa(), servername: "db.example.invalid" })
    );
    await expectRefused(
      openDatabase({
        connection: `mysql://root@127.0.0.1:3306/mysql?ssl=${ssl}`,
      }),
      /does not match certificate's altnames/
    );
    const good = await openDatabase({
      connection: `mysql://root@127.0.0.1:3306/mysql?ssl=${encodeURIComponent(
        JSON.stringify({ ca: testCa() })
      )}`,
    });
    try {
      expect(await usesTls(good)).toBe(true);
    } finally {
      await good.close();
    }
  });
});
