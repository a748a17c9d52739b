import { createConnection, createServer, type Server, type Socket } from "node:net";
import { encodeFrame, FrameReader } from "../src/frame.js";
import { FRAME_BYTES_MAX_DEFAULT, PROTOCOL_NAME } from "../src/limits.js";

/** A message as received: the parsed JSON object. */
export type Message = Record<string, unknown>;

/**
 * A socket that speaks frames by hand, for the tests that play a misbehaving client or a scripted
 * server: it records every frame it receives and lets a test wait for one (never for time).
 */
export class RawPeer {
  readonly socket: Socket;
  readonly received: Message[] = [];
  readonly closed: Promise<void>;
  readonly #reader = new FrameReader(FRAME_BYTES_MAX_DEFAULT);
  #waiters: Array<() => void> = [];
  #ended = false;

  constructor(socket: Socket) {
    this.socket = socket;
    socket.on("error", () => undefined);
    this.closed = new Promise((resolve) => {
      socket.once("close", () => {
        this.#ended = true;
        this.#wake();
        resolve();
      });
    });
    socket.on("data", (chunk: Buffer) => {
      this.#reader.push(chunk);
      for (let payload = this.#reader.next(); payload !== undefined; payload = this.#reader.next()) {
        this.received.push(JSON.parse(payload.toString("utf8")) as Message);
      }
      this.#wake();
    });
  }

  static connect(path: string): Promise<RawPeer> {
    return new Promise((resolve, reject) => {
      const socket = createConnection({ path });
      socket.once("connect", () => {
        resolve(new RawPeer(socket));
      });
      socket.once("error", reject);
    });
  }

  send(message: unknown): void {
    this.socket.write(encodeFrame(JSON.stringify(message)));
  }

  sendBytes(bytes: Buffer | string): void {
    this.socket.write(bytes);
  }

  hello(overrides: Message = {}): void {
    this.send({ t: "hello", protocol: PROTOCOL_NAME, versions: [1], frameBytesMax: FRAME_BYTES_MAX_DEFAULT, clientId: "raw-peer", ...overrides });
  }

  /** Resolves with the first message received that matches; rejects if the socket closes first. */
  async waitFor(predicate: (message: Message) => boolean): Promise<Message> {
    for (;;) {
      const found = this.received.find(predicate);
      if (found !== undefined) return found;
      if (this.#ended) throw new Error(`the socket closed first; received: ${JSON.stringify(this.received).slice(0, 400)}`);
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  /** Resolves once `count` messages matching `predicate` were received. */
  async waitForCount(predicate: (message: Message) => boolean, count: number): Promise<Message[]> {
    for (;;) {
      const found = this.received.filter(predicate);
      if (found.length >= count) return found;
      if (this.#ended) throw new Error(`the socket closed after ${found.length} of ${count} messages`);
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  #wake(): void {
    for (const wake of this.#waiters.splice(0)) wake();
  }
}

/** A scripted server: welcomes every hello (unless told otherwise) and hands each connection to the test. */
export class FakeServer {
  readonly server: Server;
  readonly peers: RawPeer[] = [];
  #waiters: Array<() => void> = [];

  private constructor(server: Server) {
    this.server = server;
  }

  static async listen(path: string, onHello: (peer: RawPeer) => void = welcome): Promise<FakeServer> {
    const fake = new FakeServer(createServer());
    fake.server.on("connection", (socket) => {
      const peer = new RawPeer(socket);
      fake.peers.push(peer);
      void peer.waitFor((message) => message.t === "hello").then(
        () => {
          onHello(peer);
          for (const wake of fake.#waiters.splice(0)) wake();
        },
        () => undefined,
      );
    });
    await new Promise<void>((resolve) => fake.server.listen(path, resolve));
    return fake;
  }

  /** The `index`th connection, once it said hello. */
  async peer(index: number): Promise<RawPeer> {
    while (this.peers.filter((peer) => peer.received.some((message) => message.t === "hello")).length <= index) {
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
    return this.peers[index]!;
  }

  close(): Promise<void> {
    for (const peer of this.peers) peer.socket.destroy();
    return new Promise((resolve) => this.server.close(() => { resolve(); }));
  }
}

export function welcome(peer: RawPeer): void {
  peer.send({ t: "welcome", version: 1, frameBytesMax: FRAME_BYTES_MAX_DEFAULT, serverId: "fake" });
}

/** Requests a peer received (everything after the hello). */
export function requests(peer: RawPeer): Message[] {
  return peer.received.filter((message) => message.t !== "hello");
}
