import type { Socket } from "node:net";
import { StoreError } from "@store/fs";
import type { ChangeEvent, Entry, KeyValueStore, ScanOptions, Subscription, WriteOp } from "@store/kv";
import { codeOf, remoteError, toWireError, type RemoteErrorCode } from "./errors.js";
import { encodeFrame, FrameReader } from "./frame.js";
import { FrameWriter } from "./frame-writer.js";
import type { JsonCache } from "./json-cache.js";
import type { WritesInFlight } from "./writes-in-flight.js";
import { ConnectionTurns, type TurnSettings } from "./key-turns.js";
import { FRAME_BYTES_MIN, FRAME_HEADER_BYTES, PART_CHARS_TARGET, PROTOCOL_NAME, PROTOCOL_VERSIONS } from "./limits.js";
import { encodeBye, encodeEnd, encodeError, encodeOk, encodePart, encodeRefuse, encodeWelcome, eventHead, parseHello, parseRequest, type Notice, type Request } from "./messages.js";

/** Who is connected, as the server's reports name them. */
export interface ClientInfo {
  /** This server's number for the connection, from 1. */
  readonly connection: number;
  /** The id the client sends in its hello; the same across its reconnections. */
  readonly clientId: string | undefined;
  readonly name: string | undefined;
  readonly pid: number | undefined;
}

export interface ServerLimits {
  readonly frameBytesMax: number;
  readonly requestsInFlightMax: number;
  readonly subscriptionsMax: number;
  readonly clientBufferBytesMax: number;
  readonly handshakeTimeoutMs: number;
}

/** What a connection needs from its server. */
export interface ConnectionContext {
  readonly store: KeyValueStore;
  readonly socketPath: string;
  readonly serverId: string;
  readonly limits: ServerLimits;
  /** The reason this server last disconnected the client id, told once at its next hello. */
  takeNotice(clientId: string): Notice | undefined;
  rememberNotice(clientId: string, notice: Notice): void;
  reportError(error: StoreError<RemoteErrorCode>, client: ClientInfo): void;
  /** JSON of values, entries and events, each made once. */
  readonly json: JsonCache;
  /** Batches in flight by key, which reads of those keys wait for. */
  readonly writes: WritesInFlight;
  /** Turns on keys across connections; undefined: this server gives none (reads asking for one go without). */
  readonly turns: TurnSettings | undefined;
  countRequest(): void;
  onClosed(connection: ServerConnection): void;
}

interface ServedSubscription {
  readonly id: number;
  open: boolean;
  subscription: Subscription | undefined;
  /** Settles once the store answered the subscribe: a caughtUp request read meanwhile waits for it. */
  readonly made: Promise<unknown>;
}

/**
 * One client's connection: the handshake, then requests read in order and answered as they settle
 * (pipelined), and the events of its subscriptions pushed as they come.
 *
 * Backpressure. Requests: the connection reads no further frame while `requestsInFlightMax` requests
 * are unanswered or while its output waits for the client to read (`writableNeedDrain`); the kernel's
 * socket buffer then fills and the client's writes wait. Long answers (scan, getMany) are sent in
 * parts, each after the previous one drained. Events cannot wait (the store does not hold them for
 * us), so a client that does not read them is cut off once its unread output would pass
 * `clientBufferBytesMax`: memory per client stays bounded, and the client resumes its subscriptions
 * from its last seq when it reconnects (`STORE_SLOW_CONSUMER`, told at its next hello).
 */
export class ServerConnection {
  readonly #socket: Socket;
  readonly #context: ConnectionContext;
  readonly #reader: FrameReader;
  readonly #out: FrameWriter;
  readonly #subscriptions = new Map<number, ServedSubscription>();
  readonly #turns: ConnectionTurns | undefined;
  readonly #closed: Promise<void>;
  #info: ClientInfo;
  #state: "hello" | "open" | "draining" | "closed" = "hello";
  #inFlight = 0;
  #lastId = 0;
  /** The protocol version the handshake chose. */
  #version = 1;
  #handshakeTimer: NodeJS.Timeout | undefined;
  #waiters: Array<() => void> = [];

  constructor(socket: Socket, context: ConnectionContext, connection: number) {
    this.#socket = socket;
    this.#context = context;
    this.#reader = new FrameReader(context.limits.frameBytesMax);
    this.#out = new FrameWriter(socket);
    this.#info = { connection, clientId: undefined, name: undefined, pid: undefined };
    this.#turns = context.turns === undefined ? undefined : new ConnectionTurns(context.turns);
    this.#closed = new Promise((resolve) => {
      socket.once("close", () => {
        this.#onClose();
        resolve();
      });
    });
    socket.on("data", (chunk: Buffer) => {
      // After the last frame (bye, refuse) the socket keeps flowing so that the peer's end is seen,
      // but what it still sends is dropped.
      if (this.#state === "closed") return;
      this.#reader.push(chunk);
      this.#pump();
    });
    socket.on("drain", () => {
      this.#wake();
      this.#pump();
    });
    // A reset or a write after the peer left: 'close' follows and cleans up.
    socket.on("error", () => undefined);
    this.#handshakeTimer = setTimeout(() => {
      this.#refuse("STORE_PROTOCOL", `No hello within handshakeTimeoutMs (${context.limits.handshakeTimeoutMs} ms) of connecting to the store server at ${context.socketPath}.`);
    }, context.limits.handshakeTimeoutMs);
    this.#handshakeTimer.unref();
  }

  get info(): ClientInfo {
    return this.#info;
  }

  describe(): { requestsInFlight: number; subscriptions: number; turns: number; unsentBytes: number } {
    return { requestsInFlight: this.#inFlight, subscriptions: this.#subscriptions.size, turns: this.#turns?.size ?? 0, unsentBytes: this.#socket.writableLength + this.#out.stagedBytes };
  }

  /**
   * Ends the connection for a server that is closing: reads no more requests, lets those in flight
   * be answered, ends the subscriptions, says bye (with the id of the last request read, so the
   * client knows the later ones were never read), and waits for the socket to close.
   * `destroyAfterMs` bounds it all: a client that does not read is cut off then.
   */
  async close(destroyAfterMs: number): Promise<void> {
    if (this.#state === "closed") return this.#closed;
    const timer = setTimeout(() => this.#socket.destroy(), destroyAfterMs);
    try {
      if (this.#state === "hello") {
        this.#refuse("STORE_UNAVAILABLE", `The store server at ${this.#context.socketPath} is closing.`);
      } else {
        this.#state = "draining";
        this.#socket.pause();
        while (this.#inFlight > 0 && !this.#socket.destroyed) await new Promise<void>((resolve) => this.#waiters.push(resolve));
        await this.#endSubscriptions();
        this.#end(encodeBye("STORE_UNAVAILABLE", `The store server at ${this.#context.socketPath} is closing.`, this.#lastId));
      }
      await this.#closed;
    } finally {
      clearTimeout(timer);
    }
  }

  #pump(): void {
    while (this.#state === "hello" || this.#state === "open") {
      if (this.#state === "open" && (this.#inFlight >= this.#context.limits.requestsInFlightMax || this.#socket.writableNeedDrain)) {
        this.#socket.pause();
        return;
      }
      let payload: Buffer | undefined;
      try {
        payload = this.#reader.next();
        if (payload === undefined) {
          this.#socket.resume();
          return;
        }
        if (this.#state === "hello") this.#onHello(payload);
        else this.#onRequest(parseRequest(payload));
      } catch (error) {
        this.#protocolError(error);
        return;
      }
    }
  }

  #onHello(payload: Buffer): void {
    clearTimeout(this.#handshakeTimer);
    const hello = parseHello(payload);
    this.#info = { connection: this.#info.connection, clientId: hello.clientId, name: hello.name, pid: hello.pid };
    const path = this.#context.socketPath;
    if (hello.protocol !== PROTOCOL_NAME) {
      this.#refuse("STORE_PROTOCOL", `The server at ${path} speaks ${PROTOCOL_NAME}, not ${JSON.stringify(hello.protocol)}.`);
      return;
    }
    const version = Math.max(0, ...hello.versions.filter((offered) => PROTOCOL_VERSIONS.includes(offered)));
    if (version === 0) {
      this.#refuse(
        "STORE_PROTOCOL",
        `Protocol version mismatch: the store server at ${path} speaks ${PROTOCOL_NAME} version ${PROTOCOL_VERSIONS.join(", ")}, the client offered version ${hello.versions.join(", ")}. Upgrade @store/remote on the older side so that both share a version.`,
      );
      return;
    }
    if (hello.frameBytesMax < FRAME_BYTES_MIN) {
      this.#refuse("STORE_PROTOCOL", `The client's frameBytesMax (${hello.frameBytesMax} bytes) is under ${FRAME_BYTES_MIN}, too small for the changes the server must send.`);
      return;
    }
    this.#state = "open";
    this.#version = version;
    const turnsMax = this.#context.turns?.turnsMax ?? 0;
    this.#write(encodeWelcome(version, this.#context.limits.frameBytesMax, this.#context.serverId, this.#context.takeNotice(hello.clientId), turnsMax));
  }

  #onRequest(request: Request): void {
    if (request.id <= this.#lastId) {
      throw remoteError("STORE_PROTOCOL", `Request ids must increase on a connection: ${request.id} came after ${this.#lastId}.`);
    }
    this.#lastId = request.id;
    this.#inFlight += 1;
    this.#context.countRequest();
    void this.#serve(request).finally(() => {
      this.#inFlight -= 1;
      this.#wake();
      this.#pump();
    });
  }

  // The store is called before the first await, so requests reach it in the order they were read.
  async #serve(request: Request): Promise<void> {
    const store = this.#context.store;
    try {
      switch (request.t) {
        case "get": {
          const waiting = this.#context.writes.settledOn([request.key]);
          if (waiting !== undefined) await waiting;
          this.#write(encodeOk(request.id, this.#context.json.entry(await store.get(request.key as string))));
          return;
        }
        case "getMany": {
          if (request.turn !== undefined && this.#turns !== undefined && this.#version >= 3) {
            await this.#getManyInTurn(this.#turns, request.id, request.keys, request.turn.shared);
            return;
          }
          const waiting = this.#context.writes.settledOn(request.keys);
          if (waiting !== undefined) await waiting;
          await this.#writeList(request.id, await store.getMany(request.keys as string[]));
          return;
        }
        case "scan":
          await this.#writeList(request.id, await store.scan(request.options as ScanOptions));
          return;
        case "batch": {
          const written = store.batch(request.ops as WriteOp[]);
          this.#context.writes.track(request.ops, written);
          // In flight now: the next holder's read waits for this batch, so the turn can go before the commit.
          if (request.turn !== undefined) this.#turns?.end(request.turn);
          this.#write(encodeOk(request.id, `{"seq":${(await written).seq}}`));
          return;
        }
        case "stats":
          this.#write(encodeOk(request.id, JSON.stringify(await store.stats())));
          return;
        case "sub":
          await this.#subscribe(request.id, request.afterSeq, request.prefixes);
          return;
        case "caughtUp":
          this.#write(encodeOk(request.id, `{"seq":${await this.#caughtUp(request.sub)}}`));
          return;
        case "unsub":
          await this.#unsubscribe(request.sub);
          this.#write(encodeOk(request.id, "null"));
          return;
        case "release":
          this.#turns?.end(request.turn);
          this.#write(encodeOk(request.id, "null"));
          return;
      }
    } catch (error) {
      this.#write(encodeError(request.id, toWireError(error)));
    }
  }

  /** A getMany that first waits for a turn on its keys (key-turns.ts); the answer names the turn granted. */
  async #getManyInTurn(turns: ConnectionTurns, id: number, keys: unknown, shared: unknown): Promise<void> {
    const turn = await turns.take(keys, shared);
    try {
      const waiting = this.#context.writes.settledOn(keys);
      if (waiting !== undefined) await waiting;
      await this.#writeList(id, await this.#context.store.getMany(keys as string[]), turn);
    } catch (error) {
      if (turn !== undefined) turns.end(turn);
      throw error;
    }
  }

  /** Entries in parts of about `PART_CHARS_TARGET` characters, each sent once the previous one drained. */
  async #writeList(id: number, entries: ReadonlyArray<Entry | undefined>, turn?: number): Promise<void> {
    let items: string[] = [];
    let chars = 0;
    for (const entry of entries) {
      const item = this.#context.json.entry(entry);
      if (items.length > 0 && chars + item.length > PART_CHARS_TARGET) {
        this.#write(encodePart(id, items));
        this.#out.flush();
        items = [];
        chars = 0;
        while (this.#socket.writableNeedDrain && !this.#socket.destroyed) await new Promise<void>((resolve) => this.#waiters.push(resolve));
        if (this.#socket.destroyed) return;
      }
      items.push(item);
      chars += item.length;
    }
    this.#write(encodeOk(id, `[${items.join(",")}]`, turn));
  }

  async #subscribe(id: number, afterSeq: unknown, prefixes: unknown): Promise<void> {
    const { store, limits } = this.#context;
    if (this.#subscriptions.size >= limits.subscriptionsMax) {
      throw remoteError("STORE_TOO_LARGE", `This connection has ${this.#subscriptions.size} subscriptions, subscriptionsMax of the store server at ${this.#context.socketPath}. Close some first.`);
    }
    let made = (): void => undefined;
    const served: ServedSubscription = { id, open: true, subscription: undefined, made: new Promise<void>((resolve) => (made = resolve)) };
    // Known from the start, so that a caughtUp request read before the store answered finds it.
    this.#subscriptions.set(id, served);
    try {
      if (typeof afterSeq === "number") {
        // A seq the store never reached: the client followed another store (or one that lost writes).
        const { seq } = await store.stats();
        if (afterSeq > seq) {
          throw remoteError(
            "STORE_HISTORY_GONE",
            `Cannot resume after seq ${afterSeq}: the store served at ${this.#context.socketPath} is at seq ${seq}, so it is not the store this subscription followed (another folder, or one restored from a backup). Read the state again (scan), then subscribe from its seq.`,
          );
        }
      }
      // The store filters by the prefixes (and checks them) before the server's listener sees an
      // event: what no prefix matches is never encoded nor sent.
      served.subscription = await store.subscribe(
        (event) => {
          this.#onEvent(served, event);
        },
        {
          ...(afterSeq === undefined ? {} : { afterSeq: afterSeq as number }),
          ...(prefixes === undefined ? {} : { prefixes: prefixes as string[] }),
          onError: (error) => {
            this.#onSubscriptionError(served, error);
          },
        },
      );
    } catch (error) {
      if (this.#subscriptions.get(id) === served) this.#subscriptions.delete(id);
      served.open = false;
      throw error;
    } finally {
      made();
    }
    if (!served.open) {
      await served.subscription.close();
      return;
    }
    this.#write(encodeOk(id, `{"afterSeq":${served.subscription.afterSeq}}`));
  }

  /**
   * The store's subscription resolves `caughtUp()` once it has called the server's listener with
   * every change up to its seq, and the listener writes each event to the connection as it is
   * called: so this answer follows those events on the connection, in order.
   */
  async #caughtUp(id: number): Promise<number> {
    const served = this.#subscriptions.get(id);
    if (served !== undefined) await served.made;
    if (served === undefined || !served.open || served.subscription === undefined) {
      throw new StoreError("STORE_CLOSED", `caughtUp: subscription ${id} is not open on this connection to the store server at ${this.#context.socketPath} (closed, ended, or never made).`);
    }
    return served.subscription.caughtUp();
  }

  async #unsubscribe(id: number): Promise<void> {
    const served = this.#subscriptions.get(id);
    if (served === undefined) return;
    served.open = false;
    this.#subscriptions.delete(id);
    await served.subscription?.close();
  }

  #onEvent(served: ServedSubscription, event: ChangeEvent): void {
    if (!served.open || this.#state === "closed") return;
    try {
      // The ops' bytes are shared by every subscriber: only the small head differs.
      const ops = this.#context.json.eventOps(event, this.#version);
      const head = eventHead(served.id, event.seq);
      if (this.#socket.writableLength + this.#out.stagedBytes + FRAME_HEADER_BYTES + head.length + ops.length + 1 > this.#context.limits.clientBufferBytesMax) {
        this.#slowConsumer();
        return;
      }
      this.#out.writeEvent(head, ops);
    } catch (error) {
      // Only a bug gets here (an event too large to encode): end this subscription and say why.
      this.#onSubscriptionError(served, error);
    }
  }

  #onSubscriptionError(served: ServedSubscription, error: unknown): void {
    if (!served.open) return;
    served.open = false;
    this.#subscriptions.delete(served.id);
    this.#write(encodeEnd(served.id, toWireError(error)));
  }

  #slowConsumer(): void {
    const { limits, socketPath } = this.#context;
    const error = remoteError(
      "STORE_SLOW_CONSUMER",
      `${describeClient(this.#info)} was disconnected from the store server at ${socketPath}: ${this.#socket.writableLength} bytes of frames it had not read, and the next change would pass clientBufferBytesMax (${limits.clientBufferBytesMax} bytes). It resumes its subscriptions from its last seq when it reconnects.`,
    );
    if (this.#info.clientId !== undefined) this.#context.rememberNotice(this.#info.clientId, { code: error.code, message: error.message });
    this.#context.reportError(error, this.#info);
    this.#state = "closed";
    this.#out.discard();
    this.#socket.destroy();
  }

  #protocolError(error: unknown): void {
    const code = codeOf(error);
    const message = error instanceof Error ? error.message : String(error);
    const reported = code === "STORE_PROTOCOL" ? (error as StoreError<RemoteErrorCode>) : remoteError("STORE_PROTOCOL", message, { cause: error });
    this.#context.reportError(remoteError("STORE_PROTOCOL", `${describeClient(this.#info)} was disconnected: ${reported.message}`), this.#info);
    if (this.#state === "hello") this.#end(encodeRefuse("STORE_PROTOCOL", reported.message));
    else this.#end(encodeBye("STORE_PROTOCOL", reported.message, this.#lastId));
  }

  #refuse(code: RemoteErrorCode, message: string): void {
    clearTimeout(this.#handshakeTimer);
    this.#context.reportError(remoteError(code, `${describeClient(this.#info)} was refused: ${message}`), this.#info);
    this.#end(encodeRefuse(code, message));
  }

  /** Sends a last frame and half-closes; reads nothing more (but lets the peer's end through, so the socket closes). */
  #end(text: string): void {
    if (this.#state === "closed") return;
    this.#state = "closed";
    this.#out.flush();
    if (this.#socket.writable) this.#socket.end(encodeFrame(text));
    this.#socket.resume();
  }

  // Frames of one turn of the event loop go to the kernel together, in one write (FrameWriter).
  #write(text: string): void {
    this.#out.write(text);
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }

  async #endSubscriptions(): Promise<void> {
    const subscriptions = [...this.#subscriptions.values()];
    this.#subscriptions.clear();
    for (const served of subscriptions) served.open = false;
    await Promise.all(subscriptions.flatMap((served) => (served.subscription === undefined ? [] : [served.subscription.close().catch(() => undefined)])));
  }

  #onClose(): void {
    this.#state = "closed";
    clearTimeout(this.#handshakeTimer);
    this.#wake();
    this.#turns?.close();
    void this.#endSubscriptions();
    this.#context.onClosed(this);
  }
}

export function describeClient(info: ClientInfo): string {
  const parts = [`connection ${info.connection}`];
  if (info.name !== undefined) parts.push(`"${info.name}"`);
  if (info.pid !== undefined) parts.push(`pid ${info.pid}`);
  return `Client ${parts.join(", ")}`;
}
