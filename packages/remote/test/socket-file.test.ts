import { lstat, mkdir, readFile, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createMemoryStore } from "@store/kv";
import { describe, expect, it } from "vitest";
import { connectStore, serveStore, SOCKET_PATH_BYTES_MAX } from "../src/index.js";
import { runFixture } from "./child.js";
import { socketPath, tempDir } from "./helpers.js";

async function modeOf(path: string): Promise<number> {
  return (await lstat(path)).mode & 0o777;
}

describe("the socket file", () => {
  it("is created 0600 (this user only) by default; socketMode 0o660 lets the group in", async () => {
    const store = createMemoryStore();
    const path = await socketPath();
    const server = await serveStore(store, { socketPath: path });
    expect(await modeOf(path)).toBe(0o600);
    await server.close();
    const shared = await serveStore(store, { socketPath: path, socketMode: 0o660 });
    expect(await modeOf(path)).toBe(0o660);
    await shared.close();
  });

  it("a live server's socket is refused (STORE_ADDRESS_IN_USE); once that server is killed, its stale socket is replaced", async () => {
    const path = await socketPath();
    const live = runFixture("serve", ["memory", path]);
    await live.waitFor((line) => line.startsWith("listening"));
    const store = createMemoryStore();
    await expect(serveStore(store, { socketPath: path })).rejects.toMatchObject({ code: "STORE_ADDRESS_IN_USE", message: expect.stringMatching(/A live server answers at/u) as unknown });
    const client = await connectStore({ socketPath: path });
    expect(await client.stats()).toMatchObject({ seq: 0 });
    await client.close();

    live.process.kill("SIGKILL");
    await live.exited;
    expect((await lstat(path)).isSocket()).toBe(true); // left behind by the dead server
    const server = await serveStore(store, { socketPath: path });
    const again = await connectStore({ socketPath: path });
    await again.batch([{ type: "set", key: "k", value: 1 }]);
    expect(await store.get("k")).toMatchObject({ value: 1 });
    await again.close();
    await server.close();
  });

  it("a file or a folder at the path is never replaced", async () => {
    const dir = await tempDir();
    const file = join(dir, "notes.txt");
    await writeFile(file, "precious");
    const store = createMemoryStore();
    await expect(serveStore(store, { socketPath: file })).rejects.toMatchObject({ code: "STORE_ADDRESS_IN_USE", message: expect.stringMatching(/is not a socket \(a file\); refusing to replace it/u) as unknown });
    expect(await readFile(file, "utf8")).toBe("precious");
    const folder = join(dir, "folder");
    await mkdir(folder);
    await expect(serveStore(store, { socketPath: folder })).rejects.toMatchObject({ code: "STORE_ADDRESS_IN_USE", message: expect.stringMatching(/a folder/u) as unknown });
  });

  it("close() removes the socket file, but not a newer server's file at the same path", async () => {
    const store = createMemoryStore();
    const path = await socketPath();
    const first = await serveStore(store, { socketPath: path });
    await first.close();
    await expect(lstat(path)).rejects.toMatchObject({ code: "ENOENT" });

    const old = await serveStore(store, { socketPath: path });
    await unlink(path); // someone removed it, and another server took the path
    const newer = await serveStore(store, { socketPath: path });
    await old.close();
    const client = await connectStore({ socketPath: path });
    await client.close();
    await newer.close();
  });

  it("a socket path longer than a Unix socket can hold, and a misspelled option, are TypeErrors", async () => {
    const store = createMemoryStore();
    const long = `/tmp/${"x".repeat(SOCKET_PATH_BYTES_MAX)}`;
    await expect(serveStore(store, { socketPath: long })).rejects.toMatchObject({ name: "TypeError", message: expect.stringMatching(/over the 107 a Unix socket path can hold/u) as unknown });
    await expect(connectStore({ socketPath: long })).rejects.toMatchObject({ name: "TypeError" });
    await expect(serveStore(store, { socketPath: "/tmp/x.sock", clientBuferBytesMax: 1 } as never)).rejects.toMatchObject({ name: "TypeError", message: expect.stringMatching(/no option "clientBuferBytesMax"/u) as unknown });
    await expect(connectStore({ socketPath: "/tmp/x.sock", frameBytesMax: 1024 })).rejects.toMatchObject({ name: "TypeError", message: expect.stringMatching(/frameBytesMax must be an integer from 9437184/u) as unknown });
    await expect(serveStore({} as never, { socketPath: "/tmp/x.sock" })).rejects.toMatchObject({ name: "TypeError" });
  });
});
