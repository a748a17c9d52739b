import { randomBytes } from "node:crypto";
import { chmodSync, lstatSync, renameSync, unlinkSync, type Stats } from "node:fs";
import { lstat } from "node:fs/promises";
import { createConnection, type Server } from "node:net";
import { dirname, join } from "node:path";
import { isErrno, quote, show } from "@store/fs";
import { remoteError } from "./errors.js";
import { SOCKET_PATH_BYTES_MAX } from "./limits.js";

/** Checks a socket path given by the caller: a non-empty string that fits in `sun_path`. */
export function validateSocketPath(socketPath: unknown, where: string): string {
  if (typeof socketPath !== "string" || socketPath.length === 0) throw new TypeError(`${where} needs socketPath, the path of the Unix socket, got ${show(socketPath)}.`);
  if (Buffer.byteLength(socketPath, "utf8") > SOCKET_PATH_BYTES_MAX) {
    throw new TypeError(
      `${where}: socketPath ${quote(socketPath)} is ${Buffer.byteLength(socketPath, "utf8")} bytes, over the ${SOCKET_PATH_BYTES_MAX} a Unix socket path can hold. Use a shorter path (a relative one, or one under /tmp or $XDG_RUNTIME_DIR).`,
    );
  }
  if (socketPath.includes("\u0000")) throw new TypeError(`${where}: socketPath ${quote(socketPath)} contains a NUL character.`);
  return socketPath;
}

/** The socket file's identity, so that a server removes it only while it is still its own. */
export interface SocketIdentity {
  readonly dev: number;
  readonly ino: number;
}

/**
 * Binds `server` to `socketPath`, or refuses. What may be there:
 * - nothing: fine;
 * - a socket nobody listens on (its server died; connect(2) gets ECONNREFUSED): replaced;
 * - a socket a live server answers on, or anything that is not a socket (a file someone put
 *   there): `STORE_ADDRESS_IN_USE`, and it is left alone.
 *
 * The socket is bound under a temporary name in the same folder, with its mode set, then renamed
 * over `socketPath`: rename(2) replaces a stale socket atomically (clients never find the path
 * missing), and the name libuv remembers, and unlinks when the server closes, is the temporary
 * one, so closing never removes a newer server's socket at `socketPath`.
 */
export async function bindSocket(server: Server, socketPath: string, mode: number): Promise<SocketIdentity> {
  const found = await lstatOrUndefined(socketPath);
  if (found !== undefined && !found.isSocket()) {
    throw remoteError("STORE_ADDRESS_IN_USE", `${socketPath} exists and is not a socket (a ${kindOf(found)}); refusing to replace it. Remove it, or serve on another path.`, { path: socketPath });
  }
  if (found !== undefined && (await probeSocket(socketPath)) === "live") {
    throw remoteError("STORE_ADDRESS_IN_USE", `A live server answers at ${socketPath}; refusing to replace it. Stop that server first, or serve on another path.`, { path: socketPath });
  }
  const temporary = temporaryPath(socketPath);
  if (temporary === undefined) {
    // No room for a temporary name: remove the stale socket and bind in its place.
    if (found !== undefined) unlinkIfStill(socketPath, found);
    await listenOnSocket(server, socketPath, mode);
  } else {
    await listenOnSocket(server, temporary, mode);
    // Look again, synchronously with the rename: a server that took the path meanwhile keeps it.
    const again = lstatSyncOrUndefined(socketPath);
    if (again !== undefined && (found === undefined || !sameFile(again, found))) {
      server.close();
      throw remoteError("STORE_ADDRESS_IN_USE", `${socketPath} was taken while this server was starting: another server is starting on it. Serve on another path.`, { path: socketPath });
    }
    renameSync(temporary, socketPath);
  }
  const bound = lstatSync(socketPath);
  return { dev: bound.dev, ino: bound.ino };
}

function temporaryPath(socketPath: string): string | undefined {
  const path = join(dirname(socketPath), `.${randomBytes(4).toString("hex")}.sock.tmp`);
  return Buffer.byteLength(path, "utf8") <= SOCKET_PATH_BYTES_MAX ? path : undefined;
}

function unlinkIfStill(socketPath: string, found: Stats): void {
  const again = lstatSyncOrUndefined(socketPath);
  if (again === undefined) return;
  if (!sameFile(again, found)) {
    throw remoteError("STORE_ADDRESS_IN_USE", `${socketPath} was replaced while this server was starting: another server is starting on it. Serve on another path.`, { path: socketPath });
  }
  unlinkSync(socketPath);
}

function sameFile(a: Stats, b: Stats): boolean {
  return a.ino === b.ino && a.dev === b.dev;
}

/**
 * Listens on `path` with the file created as `mode` from the start: the process umask is set to
 * exclude every other bit around the bind (which Node does synchronously in `listen()`), so there
 * is no moment at which another user could connect; then `chmod` sets exactly `mode`. In a worker
 * thread, where the umask cannot be set, the file is chmodded right after the bind (at the
 * temporary name, which nobody knows yet).
 */
async function listenOnSocket(server: Server, path: string, mode: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error): void => {
      reject(
        isErrno(error, "EADDRINUSE")
          ? remoteError("STORE_ADDRESS_IN_USE", `${path} was taken by another server while this one was starting. Serve on another path.`, { path, cause: error })
          : remoteError("STORE_IO", `Could not listen on ${path}: ${error.message}. Check that its folder exists and is writable.`, { path, cause: error }),
      );
    };
    server.once("error", onError);
    const previous = setUmask(0o777 & ~mode);
    try {
      server.listen({ path }, () => {
        server.off("error", onError);
        resolve();
      });
    } finally {
      if (previous !== undefined) setUmask(previous);
    }
  });
  chmodSync(path, mode);
}

/** Removes the socket file if it is still the one this server created. */
export function removeSocketFile(socketPath: string, identity: SocketIdentity): void {
  const found = lstatSyncOrUndefined(socketPath);
  if (found === undefined || found.ino !== identity.ino || found.dev !== identity.dev) return;
  try {
    unlinkSync(socketPath);
  } catch (error) {
    if (!isErrno(error, "ENOENT")) throw error;
  }
}

function setUmask(mask: number): number | undefined {
  try {
    return process.umask(mask);
  } catch {
    return undefined; // a worker thread: chmod right after the bind instead
  }
}

/** Whether a server accepts connections at the socket: "gone" if the file vanished meanwhile. */
function probeSocket(socketPath: string): Promise<"live" | "stale" | "gone"> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ path: socketPath });
    socket.once("connect", () => {
      socket.destroy();
      resolve("live");
    });
    socket.once("error", (error) => {
      socket.destroy();
      if (isErrno(error, "ECONNREFUSED")) resolve("stale");
      else if (isErrno(error, "ENOENT")) resolve("gone");
      else reject(remoteError("STORE_ADDRESS_IN_USE", `Could not tell whether a server answers at ${socketPath} (${error.message}); refusing to replace it.`, { path: socketPath, cause: error }));
    });
  });
}

async function lstatOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await lstat(path);
  } catch (error) {
    if (isErrno(error, "ENOENT")) return undefined;
    throw remoteError("STORE_IO", `Could not look at ${path}: ${(error as Error).message}.`, { path, cause: error });
  }
}

function lstatSyncOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch (error) {
    if (isErrno(error, "ENOENT")) return undefined;
    throw error;
  }
}

function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return "folder";
  if (stats.isSymbolicLink()) return "symbolic link";
  if (stats.isFIFO()) return "FIFO";
  return "file";
}
