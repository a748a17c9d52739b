import { randomUUID } from "node:crypto";
import { createServer, type Server, type Socket } from "node:net";
import { assertClock, systemClock, type Clock, type StoreError } from "@store/fs";
import type { KeyValueStore } from "@store/kv";
import { remoteError, type RemoteErrorCode } from "./errors.js";
import { encodeFrame } from "./frame.js";
import { JsonCache } from "./json-cache.js";
import { WritesInFlight } from "./writes-in-flight.js";
import {
  CLIENT_BUFFER_BYTES_MAX_DEFAULT,
  CLOSE_GRACE_MS_DEFAULT,
  CONNECTIONS_MAX_DEFAULT,
  DISCONNECT_NOTICES_MAX,
  FRAME_BYTES_MIN,
  HANDSHAKE_TIMEOUT_MS_DEFAULT,
  SERVER_REQUESTS_IN_FLIGHT_MAX_DEFAULT,
  SOCKET_MODE_DEFAULT,
  SUBSCRIPTIONS_MAX_DEFAULT,
  TURN_MS_MAX_DEFAULT,
  TURNS_MAX_DEFAULT,
} from "./limits.js";
import type { TurnSettings } from "./key-turns.js";
import { encodeRefuse, type Notice } from "./messages.js";
import { checkOptionNames, frameBytesMaxOption, functionOption, integerOption, optionsObject } from "./options.js";
import { describeClient, ServerConnection, type ClientInfo, type ConnectionContext, type ServerLimits } from "./server-connection.js";
import { show } from "@store/fs";
import { bindSocket, removeSocketFile, validateSocketPath, type SocketIdentity } from "./socket-file.js";

export interface ServeOptions {
  /** Path of the Unix socket to create (at most 107 bytes). A stale socket of a dead server there is replaced; a live one is refused. */
  readonly socketPath: string;
  /** Permission bits of the socket file. Default 0o600: only this user can connect. 0o660 lets the group in. */
  readonly socketMode?: number;
  /** Most clients connected at once; one more is told so and disconnected. Default 256. */
  readonly connectionsMax?: number;
  /** Unanswered requests per client before the server stops reading its frames. Default 1,024. */
  readonly requestsInFlightMax?: number;
  /** Subscriptions per client; one more is refused with `STORE_TOO_LARGE`. Default 256. */
  readonly subscriptionsMax?: number;
  /** Bytes of frames a client has not read before the server disconnects it (`STORE_SLOW_CONSUMER`). Default 64 MiB. */
  readonly clientBufferBytesMax?: number;
  /** Largest frame accepted from a client, in bytes, checked before the frame is read. Default and minimum: see FRAME_BYTES_MAX_DEFAULT, FRAME_BYTES_MIN. */
  readonly frameBytesMax?: number;
  /** Time a new connection has to say hello, in ms. Default 10,000. */
  readonly handshakeTimeoutMs?: number;
  /** At close, time clients have to read their last answers before they are cut off, in ms. Default 1,000. */
  readonly closeGraceMs?: number;
  /** Told of every client the server refuses or disconnects (protocol errors, slow consumers). Default: `process.emitWarning`. */
  readonly onClientError?: (error: StoreError<RemoteErrorCode>, client: ClientInfo) => void;
  /**
   * Give clients turns on keys (protocol version 3), so that `update()`s of different processes on
   * the same keys wait for each other instead of conflicting. Default true. False: reads that ask
   * for a turn are served without one (updates then race, guarded by their preconditions only).
   */
  readonly turns?: boolean;
  /** Longest a client may hold a turn before the server takes it back (its batch still runs, guarded by its preconditions), in ms. Default 1,000. */
  readonly turnMsMax?: number;
  /** Turns one connection may hold or wait for at once; one more is refused with `STORE_TOO_LARGE` (the client keeps under it). Default 1,024. */
  readonly turnsMax?: number;
  /** The time turns are held by (`turnMsMax`). Default: the system clock. Tests pass a manual one. */
  readonly clock?: Clock;
}

export interface RemoteServerStats {
  readonly connections: number;
  /** Requests read since the server started. */
  readonly requests: number;
  /** Clients disconnected by the server since it started, by reason code. */
  readonly disconnects: Readonly<Record<string, number>>;
  /** Per client: `turns` are the turns on keys it holds or waits for. */
  readonly clients: ReadonlyArray<ClientInfo & { requestsInFlight: number; subscriptions: number; turns: number; unsentBytes: number }>;
}

export interface RemoteServer {
  readonly socketPath: string;
  stats(): RemoteServerStats;
  /**
   * Stops accepting, lets every client's requests in flight be answered, ends subscriptions, says
   * bye, and removes the socket file (if it is still this server's). The store stays open: close it
   * after. Idempotent.
   */
  close(): Promise<void>;
}

const OPTION_NAMES = [
  "socketPath",
  "socketMode",
  "connectionsMax",
  "requestsInFlightMax",
  "subscriptionsMax",
  "clientBufferBytesMax",
  "frameBytesMax",
  "handshakeTimeoutMs",
  "closeGraceMs",
  "onClientError",
  "turns",
  "turnMsMax",
  "turnsMax",
  "clock",
];
const STORE_METHODS = ["get", "getMany", "scan", "batch", "subscribe", "stats"] as const;

/**
 * Serves `store` (any @store/kv `KeyValueStore`) on a Unix socket, for clients made by
 * `connectStore`. Resolves once the socket listens. The socket file is created with `socketMode`
 * (0600: this user only). Closing the server leaves the store open.
 */
export async function serveStore(store: KeyValueStore, options: ServeOptions): Promise<RemoteServer> {
  const where = "serveStore()";
  if (typeof store !== "object" || (store as unknown) === null || STORE_METHODS.some((method) => typeof store[method] !== "function")) {
    throw new TypeError(`${where} takes a KeyValueStore (get, getMany, scan, batch, subscribe, stats), got ${show(store)}.`);
  }
  const given = optionsObject(options, where);
  checkOptionNames(given, OPTION_NAMES, where);
  const socketPath = validateSocketPath(given.socketPath, where);
  const socketMode = integerOption(given, "socketMode", SOCKET_MODE_DEFAULT, 0, where);
  if (socketMode > 0o777) throw new TypeError(`${where}: option socketMode must be permission bits from 0 to 0o777, got ${socketMode.toString(8)} (octal).`);
  const limits: ServerLimits & { connectionsMax: number; closeGraceMs: number } = {
    connectionsMax: integerOption(given, "connectionsMax", CONNECTIONS_MAX_DEFAULT, 1, where),
    requestsInFlightMax: integerOption(given, "requestsInFlightMax", SERVER_REQUESTS_IN_FLIGHT_MAX_DEFAULT, 1, where),
    subscriptionsMax: integerOption(given, "subscriptionsMax", SUBSCRIPTIONS_MAX_DEFAULT, 1, where),
    clientBufferBytesMax: integerOption(given, "clientBufferBytesMax", CLIENT_BUFFER_BYTES_MAX_DEFAULT, FRAME_BYTES_MIN, where),
    frameBytesMax: frameBytesMaxOption(given, where),
    handshakeTimeoutMs: integerOption(given, "handshakeTimeoutMs", HANDSHAKE_TIMEOUT_MS_DEFAULT, 1, where),
    closeGraceMs: integerOption(given, "closeGraceMs", CLOSE_GRACE_MS_DEFAULT, 0, where),
  };
  const onClientError = (functionOption(given, "onClientError", where) as ServeOptions["onClientError"]) ?? warn;
  const server = new SocketServer(store, socketPath, limits, onClientError, turnSettings(store, given, socketPath, where));
  await server.listen(socketMode);
  return server;
}

function turnSettings(store: KeyValueStore, given: Record<string, unknown>, socketPath: string, where: string): TurnSettings | undefined {
  const { turns = true, clock = systemClock } = given;
  if (typeof turns !== "boolean") throw new TypeError(`${where}: option turns must be true or false, got ${show(turns)}.`);
  assertClock(clock, `${where}: option clock`);
  const settings: TurnSettings = {
    store,
    clock,
    socketPath,
    turnMsMax: integerOption(given, "turnMsMax", TURN_MS_MAX_DEFAULT, 1, where),
    turnsMax: integerOption(given, "turnsMax", TURNS_MAX_DEFAULT, 1, where),
  };
  return turns ? settings : undefined;
}

function warn(error: StoreError<RemoteErrorCode>): void {
  process.emitWarning(error.message, { code: error.code });
}

class SocketServer implements RemoteServer {
  readonly socketPath: string;
  readonly #server: Server;
  readonly #connections = new Set<ServerConnection>();
  readonly #limits: ServerLimits & { connectionsMax: number; closeGraceMs: number };
  readonly #context: ConnectionContext;
  readonly #notices = new Map<string, Notice>();
  readonly #disconnects: Record<string, number> = {};
  #requests = 0;
  #connectionCount = 0;
  #identity: SocketIdentity | undefined;
  #closing: Promise<void> | undefined;

  constructor(
    store: KeyValueStore,
    socketPath: string,
    limits: ServerLimits & { connectionsMax: number; closeGraceMs: number },
    onClientError: (error: StoreError<RemoteErrorCode>, client: ClientInfo) => void,
    turns: TurnSettings | undefined,
  ) {
    this.socketPath = socketPath;
    this.#limits = limits;
    this.#context = {
      store,
      socketPath,
      serverId: randomUUID(),
      limits,
      takeNotice: (clientId) => {
        const notice = this.#notices.get(clientId);
        this.#notices.delete(clientId);
        return notice;
      },
      rememberNotice: (clientId, notice) => {
        this.#notices.delete(clientId);
        this.#notices.set(clientId, notice);
        if (this.#notices.size > DISCONNECT_NOTICES_MAX) this.#notices.delete(this.#notices.keys().next().value!);
      },
      reportError: (error, client) => {
        this.#disconnects[error.code] = (this.#disconnects[error.code] ?? 0) + 1;
        try {
          onClientError(error, client);
        } catch (hookError) {
          queueMicrotask(() => {
            throw hookError;
          });
        }
      },
      json: new JsonCache(),
      writes: new WritesInFlight(),
      turns,
      countRequest: () => {
        this.#requests += 1;
      },
      onClosed: (connection) => {
        this.#connections.delete(connection);
      },
    };
    this.#server = createServer((socket) => {
      this.#accept(socket);
    });
  }

  async listen(socketMode: number): Promise<void> {
    this.#identity = await bindSocket(this.#server, this.socketPath, socketMode);
  }

  stats(): RemoteServerStats {
    return {
      connections: this.#connections.size,
      requests: this.#requests,
      disconnects: { ...this.#disconnects },
      clients: [...this.#connections].map((connection) => ({ ...connection.info, ...connection.describe() })),
    };
  }

  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    const stopped = new Promise<void>((resolve) => {
      this.#server.close(() => {
        resolve();
      });
    });
    if (this.#identity !== undefined) removeSocketFile(this.socketPath, this.#identity);
    await Promise.all([...this.#connections].map((connection) => connection.close(this.#limits.closeGraceMs)));
    await stopped;
  }

  #accept(socket: Socket): void {
    this.#connectionCount += 1;
    if (this.#closing !== undefined || this.#connections.size >= this.#limits.connectionsMax) {
      const reason =
        this.#closing !== undefined
          ? `The store server at ${this.socketPath} is closing.`
          : `The store server at ${this.socketPath} has connectionsMax (${this.#limits.connectionsMax}) clients connected; try again later.`;
      const info: ClientInfo = { connection: this.#connectionCount, clientId: undefined, name: undefined, pid: undefined };
      this.#context.reportError(remoteError("STORE_UNAVAILABLE", `${describeClient(info)} was refused: ${reason}`), info);
      socket.on("error", () => undefined);
      socket.end(encodeFrame(encodeRefuse("STORE_UNAVAILABLE", reason)));
      socket.resume(); // read (and drop) until the peer's end, so that the socket closes
      // A peer that never reads the refusal must not hold the server open.
      setTimeout(() => socket.destroy(), this.#limits.closeGraceMs).unref();
      return;
    }
    this.#connections.add(new ServerConnection(socket, this.#context, this.#connectionCount));
  }
}
