import { show } from "@store/fs";
import type { Entry, KeyTurn, ReadInTurnOptions, WriteOp, WriteResult } from "@store/kv";
import type { Link } from "./client-link.js";

/** What a turn needs from its client. */
export interface TurnOwner {
  /** A batch that ends turn `turn` of `link` on the server, if `link` is still the connection (else a plain batch). */
  batchInTurn(ops: readonly WriteOp[], link: Link, turn: number): Promise<WriteResult>;
  batch(ops: readonly WriteOp[]): Promise<WriteResult>;
  /** Tells the server to end turn `turn` of `link`, if `link` is still the connection (a lost one ended its turns). */
  releaseTurn(link: Link, turn: number): void;
  /** This turn no longer counts against the connection's `turnsMax`. */
  forgetTurn(turn: RemoteTurn): void;
}

/** A turn the server granted (`getMany` with `turn`, protocol version 3). */
export class RemoteTurn implements KeyTurn {
  readonly entries: ReadonlyArray<Entry | undefined>;
  readonly #owner: TurnOwner;
  readonly #link: Link;
  readonly #turn: number;
  #ended = false;

  constructor(owner: TurnOwner, link: Link, turn: number, entries: ReadonlyArray<Entry | undefined>) {
    this.#owner = owner;
    this.#link = link;
    this.#turn = turn;
    this.entries = entries;
  }

  batch(ops: readonly WriteOp[]): Promise<WriteResult> {
    if (this.#ended) return this.#owner.batch(ops);
    this.#end();
    return this.#owner.batchInTurn(ops, this.#link, this.#turn);
  }

  release(): void {
    if (this.#ended) return;
    this.#end();
    this.#owner.releaseTurn(this.#link, this.#turn);
  }

  #end(): void {
    this.#ended = true;
    this.#owner.forgetTurn(this);
  }
}

/** A turn that holds nothing (an older server, a server without turns): a read and a plain batch. */
export function plainTurn(owner: Pick<TurnOwner, "batch">, entries: ReadonlyArray<Entry | undefined>): KeyTurn {
  return { entries, batch: (ops) => owner.batch(ops), release: () => undefined };
}

/** The shared keys of `readInTurn`'s options, checked against the keys read. */
export function sharedKeysOf(options: ReadInTurnOptions | undefined, keys: readonly string[]): string[] {
  if (options === undefined) return [];
  if (typeof options !== "object" || (options as unknown) === null) throw new TypeError(`readInTurn() options must be an object, got ${show(options)}.`);
  for (const name of Object.keys(options)) {
    if (name !== "sharedKeys") throw new TypeError(`readInTurn() has no option ${JSON.stringify(name)}; the known one is sharedKeys.`);
  }
  const { sharedKeys = [] } = options;
  if (!Array.isArray(sharedKeys)) throw new TypeError(`readInTurn() sharedKeys must be an array of keys among those read, got ${show(sharedKeys)}.`);
  for (const key of sharedKeys as unknown[]) {
    if (typeof key !== "string" || !keys.includes(key)) throw new TypeError(`readInTurn() sharedKeys names ${show(key)}, which is not one of the keys read; list only keys of \`keys\`.`);
  }
  return [...new Set(sharedKeys as string[])];
}
