import { createServer, type AddressInfo, type Socket } from "node:net";

/**
 * A TCP server on 127.0.0.1 that accepts connections and never answers: a database endpoint that
 * hangs during the handshake. `close()` also destroys the server's side of every connection it
 * accepted, since server.close() leaves open connections alone, and one left open keeps the jest
 * worker from exiting.
 */
export async function silentServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const accepted: Socket[] = [];
  const server = createServer((socket) => void accepted.push(socket));
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      for (const socket of accepted) socket.destroy();
      await new Promise((done) => server.close(done));
    },
  };
}
