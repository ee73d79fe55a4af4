/**
 * How the rotation function judges a PostgreSQL login, through the real pg driver: the local server
 * trusts 127.0.0.1, so a tiny server speaking just enough of the PostgreSQL protocol (startup,
 * password request, one query) stands in for a server that checks passwords, as Aurora does.
 */
import { createHash } from "node:crypto";
import { createServer, type Server, type Socket } from "node:net";
import type { RotationDatabase } from "../../lambdas/secret-rotation/config";
import { DriverDatabaseAccess } from "../../lambdas/secret-rotation/database-access";

type Method = "cleartext" | "md5";

function message(type: string, body: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeInt32BE(body.length + 4);
  return Buffer.concat([Buffer.from(type), length, body]);
}

const int32 = (...values: number[]) => Buffer.concat(values.map((v) => { const b = Buffer.alloc(4); b.writeInt32BE(v); return b; }));
const cstring = (text: string) => Buffer.from(`${text}\0`);
const ready = () => message("Z", Buffer.from("I"));

/** A server that asks for the password with `method` and accepts only `password`. */
function passwordServer(method: Method, password: string): Promise<{ server: Server; port: number }> {
  const salt = Buffer.from([1, 2, 3, 4]);
  const server = createServer((socket: Socket) => {
    let buffer = Buffer.alloc(0);
    let user = "";
    let started = false;
    socket.on("data", (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        if (!started) {
          if (buffer.length < 4 || buffer.length < buffer.readInt32BE(0)) return;
          const length = buffer.readInt32BE(0);
          const parts = buffer.subarray(8, length).toString().split("\0");
          user = parts[parts.indexOf("user") + 1] ?? "";
          buffer = buffer.subarray(length);
          started = true;
          socket.write(message("R", method === "cleartext" ? int32(3) : Buffer.concat([int32(5), salt])));
          continue;
        }
        if (buffer.length < 5 || buffer.length < 1 + buffer.readInt32BE(1)) return;
        const type = String.fromCharCode(buffer[0]!);
        const body = buffer.subarray(5, 1 + buffer.readInt32BE(1));
        buffer = buffer.subarray(1 + buffer.readInt32BE(1));
        if (type === "p") {
          const sent = body.toString().replace(/\0$/, "");
          const md5 = (data: Buffer | string) => createHash("md5").update(data).digest("hex");
          const expected = method === "cleartext" ? password : `md5${md5(Buffer.concat([Buffer.from(md5(password + user)), salt]))}`;
          if (sent !== expected) {
            socket.end(message("E", Buffer.concat([Buffer.from("S"), cstring("FATAL"), Buffer.from("C"), cstring("28P01"), Buffer.from("M"), cstring(`password authentication failed for user "${user}"${user === "echo" ? ` (sent ${sent})` : ""}`), Buffer.from("\0")])));
            return;
          }
          socket.write(Buffer.concat([message("R", int32(0)), ready()]));
        } else if (type === "Q") {
          socket.write(Buffer.concat([message("C", cstring("SELECT 0")), ready()]));
        } else if (type === "X") {
          socket.end();
          return;
        }
      }
    });
    socket.on("error", () => undefined);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve({ server, port: (server.address() as { port: number }).port })));
}

describe.each<Method>(["cleartext", "md5"])("a PostgreSQL server that asks for the password (%s)", (method) => {
  let server: Server;
  let database: RotationDatabase;
  const access = new DriverDatabaseAccess("off");

  beforeAll(async () => {
    const started = await passwordServer(method, "TheRightPassword0123456789abcdef");
    server = started.server;
    database = { engine: "postgres", host: "127.0.0.1", port: started.port, database: "app", masterSecretArn: "arn:unused" };
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test("the right password is accepted", async () => {
    expect(await access.login(database, { username: "app", password: "TheRightPassword0123456789abcdef" })).toBe("accepted");
  });

  test("a wrong password is refused, and the error does not leak it", async () => {
    expect(await access.login(database, { username: "app", password: "AWrongPassword0123456789abcdefgh" })).toBe("refused");
    const error = await access.withSession(database, { username: "app", password: "AWrongPassword0123456789abcdefgh" }, async () => "unreachable").catch((e: Error) => e);
    expect(String(error)).toMatch(/on 127\.0\.0\.1:\d+ as app: password authentication failed/);
    expect(String(error)).not.toContain("AWrongPassword");
  });

  test("a server that quotes the password back in its error still never gets it into the error", async () => {
    const error = await access.withSession(database, { username: "echo", password: "QuotedPassword0123456789abcdefgh" }, async () => "unreachable").catch((e: Error) => e);
    expect(String(error)).toMatch(/password authentication failed for user "echo" \(sent (md5)?/);
    if (method === "cleartext") expect(String(error)).toContain("(sent [redacted])");
    expect(String(error)).not.toContain("QuotedPassword");
  });
});
