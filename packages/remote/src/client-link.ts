import { createConnection, type Socket } from "node:net";
import { isErrno, type StoreError } from "@store/fs";
import { codeOf, remoteError, type RemoteErrorCode } from "./errors.js";
import { encodeFrame, FrameReader } from "./frame.js";
import { FrameWriter, type Flushable } from "./frame-writer.js";
import { PROTOCOL_NAME, PROTOCOL_VERSIONS } from "./limits.js";
import { encodeHello, parseServerMessage, type Notice, type ServerMessage } from "./messages.js";

export interface LinkOptions {
  readonly socketPath: string;
  readonly frameBytesMax: number;
  readonly clientId: string;
  readonly name: string | undefined;
  readonly connectTimeoutMs: number;
}

/** Why a link ended. `lastId`: the server's bye named the last request it read (later ones never reached it). */
export interface LinkLoss {
  readonly error: StoreError<RemoteErrorCode>;
  readonly lastId: number | undefined;
}

export interface LinkHandlers {
  onMessage(message: ServerMessage): void;
  onClose(loss: LinkLoss): void;
}

/**
 * One connection of a client: connect, hello, welcome; then frames both ways until it ends. It
 * knows nothing of requests: `RemoteClient` keeps those and decides what a lost link means for them.
 */
export class Link {
  readonly serverFrameBytesMax: number;
  readonly serverId: string;
  /** The protocol version the server chose. */
  readonly version: number;
  /** Why the server disconnected this client last time (a slow consumer), if it said so. */
  readonly notice: Notice | undefined;
  /** Turns on keys this connection may hold or wait for at once (version 3); 0: the server gives none. */
  readonly turnsMax: number;
  readonly #socket: Socket;
  readonly #closed: Promise<void>;
  readonly #fail: (error: StoreError<RemoteErrorCode>) => void;
  readonly #out: FrameWriter;

  private constructor(socket: Socket, welcome: Extract<ServerMessage, { t: "welcome" }>, closed: Promise<void>, fail: (error: StoreError<RemoteErrorCode>) => void) {
    this.#socket = socket;
    this.#out = new FrameWriter(socket);
    this.#fail = fail;
    this.serverFrameBytesMax = welcome.frameBytesMax;
    this.serverId = welcome.serverId;
    this.version = welcome.version;
    this.notice = welcome.notice;
    this.turnsMax = welcome.version >= 3 ? welcome.turnsMax : 0;
    this.#closed = closed;
  }

  /** Connects and shakes hands. Rejects with `STORE_UNAVAILABLE` (no server, refused, timed out) or `STORE_PROTOCOL` (no common version). */
  static open(options: LinkOptions, handlers: LinkHandlers): Promise<Link> {
    return new Promise((resolve, reject) => {
      const socket = createConnection({ path: options.socketPath });
      const reader = new FrameReader(options.frameBytesMax);
      let link: Link | undefined;
      let loss: LinkLoss | undefined;
      const fail = (error: StoreError<RemoteErrorCode>, lastId?: number): void => {
        loss ??= { error, lastId };
        socket.destroy();
      };
      const timer = setTimeout(() => {
        fail(remoteError("STORE_UNAVAILABLE", `No welcome from the store server at ${options.socketPath} within connectTimeoutMs (${options.connectTimeoutMs} ms).`));
      }, options.connectTimeoutMs);
      const closed = new Promise<void>((resolveClosed) => {
        socket.once("close", () => {
          clearTimeout(timer);
          const ended = loss ?? { error: remoteError("STORE_UNAVAILABLE", `The connection to the store server at ${options.socketPath} was closed.`), lastId: undefined };
          if (link === undefined) reject(ended.error);
          else handlers.onClose(ended);
          resolveClosed();
        });
      });
      socket.on("error", (error) => {
        fail(connectionError(options.socketPath, error, link !== undefined));
      });
      socket.once("connect", () => {
        socket.write(
          encodeFrame(
            encodeHello({ protocol: PROTOCOL_NAME, versions: PROTOCOL_VERSIONS, frameBytesMax: options.frameBytesMax, clientId: options.clientId, pid: process.pid, name: options.name }),
          ),
        );
      });
      socket.on("data", (chunk: Buffer) => {
        reader.push(chunk);
        try {
          for (let payload = reader.next(); payload !== undefined && loss === undefined; payload = reader.next()) {
            const message = parseServerMessage(payload, link?.version ?? 1);
            if (link !== undefined) {
              if (message.t === "bye") loss ??= { error: remoteError(byeCode(message.code), message.message), lastId: message.lastId };
              else if (message.t === "welcome" || message.t === "refuse") throw remoteError("STORE_PROTOCOL", `The server sent a ${message.t} in the middle of the connection.`);
              else handlers.onMessage(message);
              continue;
            }
            link = Link.#welcome(socket, message, options, closed, fail);
            clearTimeout(timer);
            resolve(link);
          }
        } catch (error) {
          fail(codeOf(error) === "STORE_PROTOCOL" || codeOf(error) === "STORE_UNAVAILABLE" ? (error as StoreError<RemoteErrorCode>) : remoteError("STORE_PROTOCOL", String(error)));
        }
      });
    });
  }

  static #welcome(socket: Socket, message: ServerMessage, options: LinkOptions, closed: Promise<void>, fail: (error: StoreError<RemoteErrorCode>) => void): Link {
    if (message.t === "refuse" || message.t === "bye") {
      const code = message.code === "STORE_PROTOCOL" ? "STORE_PROTOCOL" : "STORE_UNAVAILABLE";
      throw remoteError(code, `The store server at ${options.socketPath} refused the connection: ${message.message}`);
    }
    if (message.t !== "welcome") throw remoteError("STORE_PROTOCOL", `The store server at ${options.socketPath} answered the hello with a ${message.t} message instead of a welcome.`);
    if (!PROTOCOL_VERSIONS.includes(message.version)) {
      throw remoteError("STORE_PROTOCOL", `The store server at ${options.socketPath} chose protocol version ${message.version}, which this client (version ${PROTOCOL_VERSIONS.join(", ")}) does not speak. Upgrade @store/remote.`);
    }
    return new Link(socket, message, closed, fail);
  }

  /** Bytes written and not yet taken by the kernel. */
  get unsentBytes(): number {
    return this.#socket.writableLength + this.#out.stagedBytes;
  }

  /**
   * Sends a frame holding `text` (with the others of this turn of the event loop, in one write);
   * `flushable.flushed` becomes true once the kernel has it (it may then have reached the server).
   */
  write(text: string, flushable?: Flushable): void {
    if (this.#socket.writable) this.#out.write(text, flushable);
  }

  /** Half-closes (the server then closes its side) and resolves once the socket is closed. */
  end(): Promise<void> {
    this.#out.flush();
    if (this.#socket.writable) this.#socket.end();
    return this.#closed;
  }

  /** Ends the link at once; `onClose` hears `error` as the reason. */
  destroy(error: StoreError<RemoteErrorCode>): void {
    this.#fail(error);
  }
}

function byeCode(code: string): RemoteErrorCode {
  return code === "STORE_PROTOCOL" || code === "STORE_SLOW_CONSUMER" ? code : "STORE_UNAVAILABLE";
}

function connectionError(socketPath: string, error: Error, connected: boolean): StoreError<RemoteErrorCode> {
  if (isErrno(error, "ENOENT")) return remoteError("STORE_UNAVAILABLE", `No store server at ${socketPath} (no such socket file). Start the server, or check the path.`, { path: socketPath, cause: error });
  if (isErrno(error, "ECONNREFUSED")) return remoteError("STORE_UNAVAILABLE", `No store server listens at ${socketPath} (a stale socket file: its server died).`, { path: socketPath, cause: error });
  if (isErrno(error, "EACCES")) {
    return remoteError("STORE_UNAVAILABLE", `Permission denied connecting to ${socketPath}: the socket belongs to another user (its mode is 0600 by default). Run as that user, or serve with socketMode 0o660 and a shared group.`, { path: socketPath, cause: error });
  }
  const what = connected ? "The connection to" : "Could not connect to";
  return remoteError("STORE_UNAVAILABLE", `${what} the store server at ${socketPath} failed: ${error.message}.`, { path: socketPath, cause: error });
}
