import { execFile } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { chown, mkdtemp, rm } from "node:fs/promises";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

// A PostgreSQL server of the test's own (initdb in a temp folder, its own port and socket folder),
// so that a test can stop and start it without touching the server other tests share.

export interface PrivateServer {
  readonly url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
}

/** The folder of initdb and pg_ctl (STORE_TEST_PG_BIN, or the newest /usr/lib/postgresql/N/bin), or why there is none. */
export function findPostgresBin(): { bin: string } | { bin: undefined; reason: string } {
  const given = process.env["STORE_TEST_PG_BIN"];
  if (given !== undefined && given !== "") return existsSync(join(given, "initdb")) ? { bin: given } : { bin: undefined, reason: `no initdb in STORE_TEST_PG_BIN (${given})` };
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root) ? readdirSync(root).filter((name) => existsSync(join(root, name, "bin", "initdb"))) : [];
  versions.sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? { bin: undefined, reason: "no PostgreSQL server binaries (initdb, pg_ctl) installed" } : { bin: join(root, versions[0], "bin") };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => { resolve(); }));
  return port;
}

export async function startPrivateServer(bin: string): Promise<PrivateServer> {
  const dir = await mkdtemp(join(tmpdir(), "store-pg-"));
  // initdb refuses to run as root: as root, the server runs as the postgres user.
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const { stdout } = await run("id", ["-u", "postgres"]);
    const { stdout: group } = await run("id", ["-g", "postgres"]);
    await chown(dir, Number(stdout.trim()), Number(group.trim()));
  }
  const exec = (program: string, args: string[]): Promise<unknown> =>
    asRoot ? run("runuser", ["-u", "postgres", "--", join(bin, program), ...args]) : run(join(bin, program), args);
  const data = join(dir, "data");
  await exec("initdb", ["-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync"]);
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=50`;
  const start = async (): Promise<void> => {
    await exec("pg_ctl", ["-D", data, "-o", options, "-l", join(dir, "log"), "-w", "start"]);
  };
  await start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    start,
    // Immediate: every session is cut as by a crash; the next start recovers from the WAL.
    stop: async () => {
      await exec("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
    },
    destroy: async () => {
      await exec("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
