import { randomUUID } from "node:crypto";
import { StoreError, show } from "@store/fs";
import {
  validateKey,
  validateKeys,
  validateScanOptions,
  validateSubscribe,
  validateWriteOps,
  type ChangeListener,
  type Entry,
  type KeyTurn,
  type KeyValueStats,
  type KeyValueStore,
  type ReadInTurnOptions,
  type ScanOptions,
  type SubscribeOptions,
  type Subscription,
  type WriteOp,
  type WriteResult,
} from "@store/kv";
import { reconnectDelayMs } from "./backoff.js";
import { Link, type LinkLoss, type LinkOptions } from "./client-link.js";
import { RemoteSubscription, type SubscriptionOwner } from "./client-subscription.js";
import { plainTurn, RemoteTurn, sharedKeysOf, type TurnOwner } from "./client-turn.js";
import { asStoreError, codeOf, fromWireError, remoteError, type RemoteErrorCode } from "./errors.js";
import {
  CLIENT_NAME_CHARS_MAX,
  CLIENT_REQUESTS_IN_FLIGHT_MAX_DEFAULT,
  CONNECT_TIMEOUT_MS_DEFAULT,
  RECONNECT_ATTEMPTS_MAX_DEFAULT,
  RECONNECT_DELAY_MS_MAX_DEFAULT,
  RECONNECT_DELAY_MS_MIN_DEFAULT,
} from "./limits.js";
import { decodeEntry, encodeBatch, encodeCaughtUp, encodeGet, encodeGetMany, encodeRelease, encodeScan, encodeStats, encodeSubscribe, encodeUnsubscribe, type Notice, type ServerMessage } from "./messages.js";
import { checkOptionNames, frameBytesMaxOption, functionOption, integerOption, optionsObject } from "./options.js";
import { validateSocketPath } from "./socket-file.js";

export interface ConnectOptions {
  /** Path of the server's Unix socket. */
  readonly socketPath: string;
  /** Shown in the server's reports (a shard's number, say). At most 100 characters. */
  readonly name?: string;
  /** Requests sent and unanswered at once; later calls wait their turn, in order. Default 1,024. */
  readonly requestsInFlightMax?: number;
  /** First reconnection wait, in ms. Default 50. */
  readonly reconnectDelayMsMin?: number;
  /** Longest reconnection wait, in ms. Default 2,000. */
  readonly reconnectDelayMsMax?: number;
  /** Failed reconnection attempts in a row before the client gives up for good. Default Infinity. */
  readonly reconnectAttemptsMax?: number;
  /** Time one connection attempt (connect, hello, welcome) may take, in ms. Default 10,000. */
  readonly connectTimeoutMs?: number;
  /** Largest frame accepted from the server, in bytes. Default and minimum: FRAME_BYTES_MAX_DEFAULT, FRAME_BYTES_MIN. */
  readonly frameBytesMax?: number;
  /** Told when the connection is lost, comes back, or is given up. */
  readonly onConnectionChange?: (change: ConnectionChange) => void;
}

export type ConnectionState = "connected" | "reconnecting" | "failed" | "closing" | "closed";

export interface ConnectionChange {
  readonly state: "connected" | "disconnected" | "failed";
  /** Why it was lost or given up. */
  readonly error?: StoreError<RemoteErrorCode>;
  /** On "connected": why the server disconnected this client last time, if it did (`STORE_SLOW_CONSUMER`). */
  readonly notice?: Notice;
}

/** A `KeyValueStore` served by another process, and the state of the connection to it. */
export interface RemoteStore extends KeyValueStore {
  readonly socketPath: string;
  readonly state: ConnectionState;
  /** Resolves once connected (at once if it is); rejects if the client gave up or was closed. */
  whenConnected(): Promise<void>;
  /**
   * `getMany` in a turn the server queues with every other connection's turns on these keys (one
   * round trip, like `getMany`); `update()` uses it. Against a server older than protocol version 3,
   * or one serving with `turns: false`, or past the server's `turnsMax` turns open on this client, it
   * reads with a plain `getMany` and its turn holds nothing.
   */
  readInTurn(keys: readonly string[], options?: ReadInTurnOptions): Promise<KeyTurn>;
}

type RequestKind = "read" | "write" | "sub" | "resub" | "unsub" | "release";

interface Pending {
  readonly id: number;
  readonly kind: RequestKind;
  items: unknown[] | undefined;
  flushed: boolean;
  settle(result: unknown, items: readonly unknown[], turn?: number): void;
  reject(error: Error): void;
}

const OPTION_NAMES = ["socketPath", "name", "requestsInFlightMax", "reconnectDelayMsMin", "reconnectDelayMsMax", "reconnectAttemptsMax", "connectTimeoutMs", "frameBytesMax", "onConnectionChange"];

/**
 * Connects to a store served by `serveStore` and resolves a `KeyValueStore` once the first
 * handshake is done (rejecting with `STORE_UNAVAILABLE` if no server answers, `STORE_PROTOCOL` if it
 * speaks no common version). After that the client reconnects on its own when the connection is
 * lost, and resumes its subscriptions from the last seq each delivered.
 */
export async function connectStore(options: ConnectOptions): Promise<RemoteStore> {
  const where = "connectStore()";
  const given = optionsObject(options, where);
  checkOptionNames(given, OPTION_NAMES, where);
  const name = given.name;
  if (name !== undefined && (typeof name !== "string" || name.length > CLIENT_NAME_CHARS_MAX)) {
    throw new TypeError(`${where}: option name must be a string of at most ${CLIENT_NAME_CHARS_MAX} characters, got ${show(name)}.`);
  }
  const settings: ClientSettings = {
    link: {
      socketPath: validateSocketPath(given.socketPath, where),
      frameBytesMax: frameBytesMaxOption(given, where),
      clientId: randomUUID(),
      name,
      connectTimeoutMs: integerOption(given, "connectTimeoutMs", CONNECT_TIMEOUT_MS_DEFAULT, 1, where),
    },
    requestsInFlightMax: integerOption(given, "requestsInFlightMax", CLIENT_REQUESTS_IN_FLIGHT_MAX_DEFAULT, 1, where),
    reconnectDelayMsMin: integerOption(given, "reconnectDelayMsMin", RECONNECT_DELAY_MS_MIN_DEFAULT, 0, where),
    reconnectDelayMsMax: integerOption(given, "reconnectDelayMsMax", RECONNECT_DELAY_MS_MAX_DEFAULT, 0, where),
    reconnectAttemptsMax: integerOption(given, "reconnectAttemptsMax", RECONNECT_ATTEMPTS_MAX_DEFAULT, 0, where, true),
    onConnectionChange: functionOption(given, "onConnectionChange", where) as ConnectOptions["onConnectionChange"],
  };
  if (settings.reconnectDelayMsMax < settings.reconnectDelayMsMin) {
    throw new TypeError(`${where}: reconnectDelayMsMax (${settings.reconnectDelayMsMax}) is below reconnectDelayMsMin (${settings.reconnectDelayMsMin}).`);
  }
  const client = new RemoteClient(settings);
  await client.connect();
  return client;
}

interface ClientSettings {
  readonly link: LinkOptions;
  readonly requestsInFlightMax: number;
  readonly reconnectDelayMsMin: number;
  readonly reconnectDelayMsMax: number;
  readonly reconnectAttemptsMax: number;
  readonly onConnectionChange: ((change: ConnectionChange) => void) | undefined;
}

class RemoteClient implements RemoteStore, SubscriptionOwner, TurnOwner {
  readonly socketPath: string;
  readonly #settings: ClientSettings;
  readonly #pending = new Map<number, Pending>();
  readonly #queue: Array<{ pending: Pending; text: string }> = [];
  readonly #subscriptions = new Set<RemoteSubscription>();
  readonly #byServerId = new Map<number, RemoteSubscription>();
  /** Callers' requests not yet settled, so that close() can wait for them. */
  readonly #calls = new Set<Promise<unknown>>();
  /** Turns granted or asked for on the current connection, not yet ended (kept under the server's turnsMax). */
  readonly #turns = new Set<RemoteTurn | object>();
  #link: Link | undefined;
  #opening: Promise<unknown> | undefined;
  #state: ConnectionState = "reconnecting";
  #nextId = 0;
  /** The highest seq of a batch this client saw acknowledged: close() delivers the events up to it. */
  #ackedSeq = 0;
  #attempt = 0;
  #timer: NodeJS.Timeout | undefined;
  #lastLoss: StoreError<RemoteErrorCode> | undefined;
  #failure: StoreError | undefined;
  #closing: Promise<void> | undefined;
  #connectedWaiters: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];

  constructor(settings: ClientSettings) {
    this.#settings = settings;
    this.socketPath = settings.link.socketPath;
  }

  get state(): ConnectionState {
    return this.#state;
  }

  async connect(): Promise<void> {
    this.#onConnected(await this.#open());
  }

  async get(key: string): Promise<Entry | undefined> {
    this.#assertOpen("get");
    const checked = validateKey(key);
    return this.#call("read", (id) => encodeGet(id, checked), (result) => decodeEntry(result));
  }

  async getMany(keys: readonly string[]): Promise<Array<Entry | undefined>> {
    this.#assertOpen("getMany");
    const checked = validateKeys(keys);
    return this.#call("read", (id) => encodeGetMany(id, checked), decodeEntries);
  }

  async scan(options?: ScanOptions): Promise<Entry[]> {
    this.#assertOpen("scan");
    const checked = validateScanOptions(options);
    return this.#call("read", (id) => encodeScan(id, checked), (result, items) => decodeEntries(result, items).map((entry) => entry ?? missingInScan()));
  }

  async readInTurn(keys: readonly string[], options?: ReadInTurnOptions): Promise<KeyTurn> {
    this.#assertOpen("readInTurn");
    const checked = validateKeys(keys);
    const shared = sharedKeysOf(options, checked);
    const link = this.#link;
    if (link === undefined || this.#turns.size >= link.turnsMax) return plainTurn(this, await this.getMany(checked));
    const asking = {};
    this.#turns.add(asking);
    try {
      const { entries, turn } = await this.#call("read", (id) => encodeGetMany(id, checked, { shared }), (result, items, turn) => {
        try {
          return { entries: decodeEntries(result, items), turn };
        } catch (error) {
          // A malformed answer that granted a turn: nobody will write in it.
          if (turn !== undefined) this.releaseTurn(link, turn);
          throw error;
        }
      });
      if (turn === undefined) return plainTurn(this, entries);
      const granted = new RemoteTurn(this, link, turn, entries);
      if (this.#link === link) this.#turns.add(granted);
      return granted;
    } finally {
      this.#turns.delete(asking);
    }
  }

  async batch(ops: readonly WriteOp[]): Promise<WriteResult> {
    this.#assertOpen("batch");
    return this.#batch(ops, undefined);
  }

  batchInTurn(ops: readonly WriteOp[], link: Link, turn: number): Promise<WriteResult> {
    // A batch refused before it was sent (bad ops, too large, the client closed) never reached the
    // server, which would hold the turn until turnMsMax: give it back. After a batch the server
    // did get, the turn is already over there and the release is ignored.
    const giveBack = (error: unknown): Promise<never> => {
      this.releaseTurn(link, turn);
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    };
    try {
      this.#assertOpen("batch");
      return this.#batch(ops, this.#link === link ? turn : undefined).catch(giveBack);
    } catch (error) {
      return giveBack(error);
    }
  }

  releaseTurn(link: Link, turn: number): void {
    // A lost connection ended its turns on the server; a closing client ends its connection.
    if (this.#link !== link || this.#closing !== undefined) return;
    this.#call("release", (id) => encodeRelease(id, turn), () => undefined).catch(() => undefined);
  }

  forgetTurn(turn: RemoteTurn): void {
    this.#turns.delete(turn);
  }

  #batch(ops: readonly WriteOp[], turn: number | undefined): Promise<WriteResult> {
    const checked = validateWriteOps(ops);
    return this.#call(
      "write",
      (id) => encodeBatch(id, checked, turn),
      (result) => {
        const seq = (result as { seq?: unknown } | null)?.seq;
        if (typeof seq !== "number") throw remoteError("STORE_PROTOCOL", `The server answered a batch with ${JSON.stringify(result)} instead of { seq }.`);
        this.#ackedSeq = Math.max(this.#ackedSeq, seq);
        return { seq };
      },
    );
  }

  async subscribe(listener: ChangeListener, options?: SubscribeOptions): Promise<Subscription> {
    this.#assertOpen("subscribe");
    const checked = validateSubscribe(listener, options);
    const subscription = new RemoteSubscription(this, checked.listener, checked);
    try {
      await this.#call(
        "sub",
        (id) => this.#registerSubscription(subscription, id, checked.afterSeq),
        (result) => {
          subscription.started(afterSeqOf(result));
          // Kept from this moment (not after an await) so that a connection lost right after still resubscribes it.
          this.#subscriptions.add(subscription);
        },
      );
    } catch (error) {
      if (subscription.serverId !== undefined) this.#byServerId.delete(subscription.serverId);
      subscription.end();
      throw error;
    }
    return subscription;
  }

  async stats(): Promise<KeyValueStats> {
    this.#assertOpen("stats");
    return this.#call("read", encodeStats, (result) => {
      const { seq, keys } = (result ?? {}) as { seq?: unknown; keys?: unknown };
      if (typeof seq !== "number" || typeof keys !== "number") throw remoteError("STORE_PROTOCOL", `The server answered stats with ${(JSON.stringify(result) as string | undefined ?? "undefined").slice(0, 80)}.`);
      return result as KeyValueStats;
    });
  }

  whenConnected(): Promise<void> {
    if (this.#closing !== undefined) return Promise.reject(this.#closedError("whenConnected"));
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    if (this.#link !== undefined) return Promise.resolve();
    return new Promise((resolve, reject) => this.#connectedWaiters.push({ resolve, reject }));
  }

  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async unsubscribe(subscription: RemoteSubscription): Promise<void> {
    if (subscription.closed) return;
    const serverId = subscription.serverId;
    subscription.end();
    this.#subscriptions.delete(subscription);
    if (serverId === undefined) return;
    this.#byServerId.delete(serverId);
    // Closing ends the connection, and with it every subscription on the server.
    if (this.#link === undefined || this.#closing !== undefined) return;
    await this.#call("unsub", (id) => encodeUnsubscribe(id, serverId), () => undefined).catch(() => undefined);
  }

  /**
   * Protocol 3: a caughtUp request, answered after the server sent the subscription's events up to
   * the store's seq (on the same ordered connection, so they were delivered before the answer).
   * An older server: its stats() seq, then the events up to it, which it sends unfiltered.
   */
  async caughtUp(subscription: RemoteSubscription): Promise<number> {
    const ended = subscription.endError;
    if (ended !== undefined) throw ended;
    const link = this.#link;
    if (link === undefined || subscription.serverId === undefined) throw this.#notConnectedError();
    let seq: number;
    if (link.version >= 3) {
      const serverId = subscription.serverId;
      seq = await this.#call("read", (id) => encodeCaughtUp(id, serverId), (result) => {
        const answer = (result as { seq?: unknown } | null)?.seq;
        if (typeof answer !== "number") throw remoteError("STORE_PROTOCOL", `The server answered caughtUp with ${JSON.stringify(result)} instead of { seq }.`);
        return answer;
      });
      // Every change up to it was sent or skipped: a resubscription after a lost connection starts
      // there, not at the last change that matched (maybe older than the history the server keeps).
      subscription.passed(seq);
    } else {
      ({ seq } = await this.stats());
      await subscription.waitFor(seq);
      // Woken without the events (the connection was lost while the client closes): not caught up.
      if (subscription.lastSeq < seq) throw subscription.endError ?? this.#notConnectedError();
    }
    const endedMeanwhile = subscription.endError;
    if (endedMeanwhile !== undefined) throw endedMeanwhile;
    return Math.max(seq, subscription.lastSeq);
  }

  async #close(): Promise<void> {
    clearTimeout(this.#timer);
    this.#state = "closing";
    // Writes in flight settle; then the events of every write this client saw acknowledged are delivered.
    await Promise.allSettled([...this.#calls]);
    if (this.#link !== undefined) await Promise.all([...this.#subscriptions].map((subscription) => subscription.waitFor(this.#ackedSeq)));
    for (const subscription of this.#subscriptions) subscription.end();
    this.#subscriptions.clear();
    this.#byServerId.clear();
    await this.#opening;
    await this.#link?.end();
    this.#state = "closed";
    for (const waiter of this.#connectedWaiters.splice(0)) waiter.reject(this.#closedError("whenConnected"));
  }

  #assertOpen(method: string): void {
    if (this.#closing !== undefined) throw this.#closedError(method);
  }

  #closedError(method: string): StoreError {
    return new StoreError("STORE_CLOSED", `${method}() was called on a closed client of the store server at ${this.socketPath}. Connect again.`);
  }

  /**
   * Sends one request. `encode` runs now, during the caller's call (so a batch's values are taken as
   * they are now). Beyond `requestsInFlightMax` unanswered requests, the frame waits its turn.
   */
  #call<T>(kind: RequestKind, encode: (id: number) => string, decode: (result: unknown, items: readonly unknown[], turn: number | undefined) => T): Promise<T> {
    const link = this.#link;
    if (link === undefined) return Promise.reject(this.#notConnectedError());
    const id = (this.#nextId += 1);
    const text = encode(id);
    // UTF-8 takes at most 3 bytes per UTF-16 code unit: only a text near the limit is measured.
    if (text.length * 3 > link.serverFrameBytesMax) {
      const bytes = Buffer.byteLength(text, "utf8");
      if (bytes > link.serverFrameBytesMax) {
        return Promise.reject(remoteError("STORE_TOO_LARGE", `The request is ${bytes} bytes, over the frameBytesMax (${link.serverFrameBytesMax}) of the store server at ${this.socketPath}.`));
      }
    }
    const promise = new Promise<T>((resolve, reject) => {
      const pending: Pending = {
        id,
        kind,
        items: undefined,
        flushed: false,
        settle: (result, items, turn) => {
          try {
            resolve(decode(result, items, turn));
          } catch (error) {
            reject(error instanceof Error ? error : new Error(String(error)));
          }
        },
        reject,
      };
      if (this.#queue.length === 0 && this.#pending.size < this.#settings.requestsInFlightMax) this.#send(link, pending, text);
      else this.#queue.push({ pending, text });
    });
    if (kind === "read" || kind === "write" || kind === "sub") {
      this.#calls.add(promise);
      const forget = (): void => {
        this.#calls.delete(promise);
      };
      promise.then(forget, forget);
    }
    return promise;
  }

  #send(link: Link, pending: Pending, text: string): void {
    this.#pending.set(pending.id, pending);
    // Only a batch needs to know whether its frame reached the kernel (an unknown outcome, or none).
    link.write(text, pending.kind === "write" ? pending : undefined);
  }

  #sendQueued(): void {
    const link = this.#link;
    if (link === undefined) return;
    while (this.#queue.length > 0 && this.#pending.size < this.#settings.requestsInFlightMax) {
      const { pending, text } = this.#queue.shift()!;
      this.#send(link, pending, text);
    }
  }

  #registerSubscription(subscription: RemoteSubscription, id: number, afterSeq: number | undefined): string {
    subscription.serverId = id;
    this.#byServerId.set(id, subscription);
    // Only a server of protocol 3 knows prefixes; an older one sends everything, filtered here.
    return encodeSubscribe(id, afterSeq, this.#link !== undefined && this.#link.version >= 3 ? subscription.prefixes : undefined);
  }

  #onMessage(message: ServerMessage): void {
    switch (message.t) {
      case "ok":
      case "err": {
        const pending = this.#take(message.id);
        if (message.t === "ok") pending.settle(message.result, pending.items ?? [], message.turn);
        else pending.reject(fromWireError(message.error));
        this.#sendQueued();
        return;
      }
      case "part": {
        const pending = this.#pending.get(message.id);
        if (pending === undefined) throw remoteError("STORE_PROTOCOL", `The server sent part of an answer to request ${message.id}, which is not waiting for one.`);
        pending.items ??= [];
        for (const item of message.items) pending.items.push(item);
        return;
      }
      case "ev":
        // An event of a subscription closed meanwhile is dropped: the unsubscribe crossed it.
        this.#byServerId.get(message.sub)?.deliver(message.seq, message.ops);
        return;
      case "end": {
        const subscription = this.#byServerId.get(message.sub);
        if (subscription === undefined) return;
        this.#byServerId.delete(message.sub);
        this.#subscriptions.delete(subscription);
        subscription.fail(asStoreError(fromWireError(message.error)));
        return;
      }
      default:
        throw remoteError("STORE_PROTOCOL", `The server sent an unexpected ${message.t} message.`);
    }
  }

  #take(id: number): Pending {
    const pending = this.#pending.get(id);
    if (pending === undefined) throw remoteError("STORE_PROTOCOL", `The server answered request ${id}, which is not waiting for an answer.`);
    this.#pending.delete(id);
    return pending;
  }

  async #open(): Promise<Link> {
    // onClose comes only after the welcome, once `opened.link` is set.
    const opened: { link?: Link } = {};
    const opening = Link.open(this.#settings.link, {
      onMessage: (message) => {
        this.#onMessage(message);
      },
      onClose: (loss) => {
        this.#onLinkClosed(opened.link, loss);
      },
    });
    this.#opening = opening.catch(() => undefined);
    opened.link = await opening;
    return opened.link;
  }

  #onConnected(link: Link): void {
    if (this.#closing !== undefined) {
      void link.end();
      return;
    }
    this.#link = link;
    this.#attempt = 0;
    this.#state = "connected";
    this.#notify({ state: "connected", ...(link.notice === undefined ? {} : { notice: link.notice }) });
    for (const subscription of this.#subscriptions) this.#resubscribe(subscription);
    for (const waiter of this.#connectedWaiters.splice(0)) waiter.resolve();
  }

  // From the last seq delivered: the events missed while disconnected, then new ones; none twice.
  #resubscribe(subscription: RemoteSubscription): void {
    this.#call(
      "resub",
      (id) => this.#registerSubscription(subscription, id, subscription.lastSeq),
      (result) => {
        subscription.started(afterSeqOf(result));
      },
    ).catch((error: unknown) => {
      // The server refused (history gone, the store closed): the subscription ends, with onError.
      if (subscription.serverId !== undefined) this.#byServerId.delete(subscription.serverId);
      this.#subscriptions.delete(subscription);
      subscription.fail(codeOf(error) === undefined ? remoteError("STORE_PROTOCOL", String(error)) : (error as StoreError<string>));
    });
  }

  #onLinkClosed(link: Link | undefined, loss: LinkLoss): void {
    if (link === undefined || link !== this.#link) return;
    this.#link = undefined;
    this.#lastLoss = loss.error;
    this.#turns.clear();
    const sent = [...this.#pending.values()];
    this.#pending.clear();
    const queued = this.#queue.splice(0).map(({ pending }) => pending);
    for (const pending of sent) this.#abandon(pending, loss, true);
    for (const pending of queued) this.#abandon(pending, loss, false);
    this.#byServerId.clear();
    for (const subscription of this.#subscriptions) subscription.serverId = undefined;
    if (this.#closing !== undefined) {
      for (const subscription of this.#subscriptions) subscription.release();
      return;
    }
    this.#state = "reconnecting";
    this.#notify({ state: "disconnected", error: loss.error });
    this.#scheduleReconnect();
  }

  /** What a request in flight becomes when its connection is lost. */
  #abandon(pending: Pending, loss: LinkLoss, sent: boolean): void {
    const reason = loss.error.message;
    switch (pending.kind) {
      case "resub":
        return; // done again at the next connection
      case "unsub":
      case "release":
        pending.settle(null, []); // the server drops a lost connection's subscriptions and turns
        return;
      case "write": {
        const neverRead = loss.lastId !== undefined && pending.id > loss.lastId;
        if (sent && pending.flushed && !neverRead) {
          pending.reject(
            remoteError(
              "STORE_UNKNOWN_OUTCOME",
              `The connection to the store server at ${this.socketPath} was lost after this batch was sent (${reason}): it may or may not have been applied. Retry it only with the same idempotency key, after reading its keys again.`,
              { cause: loss.error },
            ),
          );
        } else {
          pending.reject(remoteError("STORE_UNAVAILABLE", `The store server at ${this.socketPath} is unreachable (${reason}); this batch never reached it, so nothing was written. Retry once whenConnected() resolves.`, { cause: loss.error }));
        }
        return;
      }
      default:
        pending.reject(remoteError("STORE_UNAVAILABLE", `The store server at ${this.socketPath} is unreachable (${reason}); this ${pending.kind === "sub" ? "subscribe" : "read"} got no answer. Retry once whenConnected() resolves.`, { cause: loss.error }));
    }
  }

  #scheduleReconnect(): void {
    this.#attempt += 1;
    if (this.#attempt > this.#settings.reconnectAttemptsMax) {
      this.#giveUp();
      return;
    }
    const delayMs = reconnectDelayMs(this.#attempt, this.#settings.reconnectDelayMsMin, this.#settings.reconnectDelayMsMax);
    this.#timer = setTimeout(() => {
      this.#open().then(
        (link) => {
          this.#onConnected(link);
        },
        (error: unknown) => {
          if (this.#closing !== undefined) return;
          this.#lastLoss = error as StoreError<RemoteErrorCode>;
          // A server that speaks no common version will not start to: give up now.
          if ((error as { code?: unknown }).code === "STORE_PROTOCOL") this.#giveUp();
          else this.#scheduleReconnect();
        },
      );
    }, delayMs);
  }

  #giveUp(): void {
    const reason = this.#lastLoss?.message ?? "the connection was lost";
    this.#failure = new StoreError(
      "STORE_UNAVAILABLE",
      `Gave up on the store server at ${this.socketPath} after ${this.#attempt - 1} reconnection attempts (reconnectAttemptsMax ${this.#settings.reconnectAttemptsMax}); last: ${reason}. Connect again.`,
      { cause: this.#lastLoss },
    );
    this.#state = "failed";
    this.#notify({ state: "failed", error: this.#failure });
    for (const subscription of [...this.#subscriptions]) subscription.fail(this.#failure);
    this.#subscriptions.clear();
    for (const waiter of this.#connectedWaiters.splice(0)) waiter.reject(this.#failure);
  }

  #notConnectedError(): StoreError<RemoteErrorCode> {
    if (this.#failure !== undefined) return this.#failure;
    const reason = this.#lastLoss === undefined ? "" : ` (${this.#lastLoss.message})`;
    return remoteError(
      "STORE_UNAVAILABLE",
      `Not connected to the store server at ${this.socketPath}${reason}; reconnecting (attempt ${this.#attempt}). Nothing was sent. Retry once whenConnected() resolves.`,
      { cause: this.#lastLoss },
    );
  }

  #notify(change: ConnectionChange): void {
    const hook = this.#settings.onConnectionChange;
    if (hook === undefined) return;
    try {
      hook(change);
    } catch (error) {
      queueMicrotask(() => {
        throw error;
      });
    }
  }
}

function decodeEntries(result: unknown, items: readonly unknown[]): Array<Entry | undefined> {
  if (!Array.isArray(result)) throw remoteError("STORE_PROTOCOL", "The server answered a list request without a list.");
  const entries: Array<Entry | undefined> = [];
  for (const item of items) entries.push(decodeEntry(item));
  for (const item of result as unknown[]) entries.push(decodeEntry(item));
  return entries;
}

function missingInScan(): never {
  throw remoteError("STORE_PROTOCOL", "The server answered a scan with a missing entry.");
}

function afterSeqOf(result: unknown): number {
  const afterSeq = (result as { afterSeq?: unknown } | null)?.afterSeq;
  if (typeof afterSeq !== "number") throw remoteError("STORE_PROTOCOL", `The server answered a subscribe with ${JSON.stringify(result)} instead of { afterSeq }.`);
  return afterSeq;
}
