import { createConnection, createServer, type AddressInfo, type Server, type Socket } from "node:net";

// A TCP proxy between the store and PostgreSQL that can lose the answer to a COMMIT, exactly:
// armed, it takes the next simple-protocol `COMMIT` a client sends and either drops it with the
// connection ("before": the server never sees it and rolls back) or lets the server run it and
// cuts the connection as the server's answer arrives ("after": committed, and the client never
// hears of it). Both are what a network failure during COMMIT can do; the client cannot tell them
// apart, which is the point of STORE_UNKNOWN_OUTCOME.

export type CutMode = "before" | "after";

export interface CommitCutter {
  readonly port: number;
  /** Cuts the next COMMIT; resolves once it was cut. */
  arm(mode: CutMode): Promise<void>;
  close(): Promise<void>;
}

export async function startCommitCutter(upstreamPort: number, upstreamHost = "127.0.0.1"): Promise<CommitCutter> {
  let armed: { mode: CutMode; done: () => void } | undefined;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = createConnection({ port: upstreamPort, host: upstreamHost });
    sockets.add(client);
    sockets.add(upstream);
    const destroyBoth = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on("close", destroyBoth);
    upstream.on("close", destroyBoth);
    client.on("error", destroyBoth);
    upstream.on("error", destroyBoth);
    let cutOnAnswer: (() => void) | undefined;
    upstream.on("data", (data: Buffer) => {
      if (cutOnAnswer !== undefined) {
        cutOnAnswer();
        destroyBoth();
        return;
      }
      client.write(data);
    });
    let pending = Buffer.alloc(0);
    let startup = true;
    client.on("data", (data: Buffer) => {
      pending = Buffer.concat([pending, data]);
      for (;;) {
        const headerBytes = startup ? 0 : 1;
        if (pending.length < headerBytes + 4) return;
        const length = pending.readInt32BE(headerBytes);
        const total = headerBytes + length;
        if (pending.length < total) return;
        const message = pending.subarray(0, total);
        pending = pending.subarray(total);
        if (startup) {
          // An SSLRequest (code 80877103) is followed by another untyped startup message.
          startup = message.readInt32BE(4) === 80877103;
          upstream.write(message);
          continue;
        }
        const isCommit = message[0] === 0x51 && message.subarray(5, total - 1).toString("utf8").trim().toUpperCase() === "COMMIT";
        if (isCommit && armed !== undefined) {
          const { mode, done } = armed;
          armed = undefined;
          if (mode === "before") {
            destroyBoth();
            done();
            return;
          }
          cutOnAnswer = done;
        }
        upstream.write(message);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    arm: (mode) => new Promise<void>((resolve) => (armed = { mode, done: resolve })),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => { resolve(); }));
    },
  };
}
