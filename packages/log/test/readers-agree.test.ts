import { mkdir, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { encodeRecord, followLog, openStore, readLog, verifyFolder, type WriteRecord } from "../src/index.js";
import { tempDir } from "./helpers.js";

/**
 * The cases where the readers of a folder disagreed before they shared one classifier
 * (replay-rules.ts): each folder here is read by all of them, and they must give one verdict.
 */

const TS = 1_795_632_524_485;

function header(kind: "segment" | "base", seq: number, extra: Record<string, unknown> = {}): Buffer {
  return encodeRecord({ op: "header", format: "store-log", v: 1, kind, seq, ts: TS, ...extra });
}

const set = (seq: number): Buffer => encodeRecord({ op: "set", seq, key: `k/${seq}`, value: seq, ts: TS } satisfies WriteRecord);
const records = (from: number, to: number): Buffer[] => Array.from({ length: to - from + 1 }, (_, index) => set(from + index));
/** What a segment creation of an earlier version left when it stopped in the header. */
const tornHeader = (): Buffer => header("segment", 0).subarray(0, 30);

async function folderOf(files: Record<string, readonly Buffer[]>): Promise<string> {
  const dir = await tempDir();
  for (const [name, lines] of Object.entries(files)) {
    await mkdir(join(dir, name, ".."), { recursive: true });
    await writeFile(join(dir, name), Buffer.concat(lines));
  }
  return dir;
}

const codeOf = (error: unknown): string => (error as { code?: string }).code ?? String(error);

interface Verdicts {
  readonly readOnlyOpen: string;
  readonly readLog: string;
  readonly verify: string;
  readonly follow: string;
}

/** Each reader's verdict: "ok" or its error code; `follow` reads from `followAfterSeq`. */
async function verdicts(dir: string, followAfterSeq = 0): Promise<Verdicts & { seq: number | undefined }> {
  let seq: number | undefined;
  const readOnlyOpen = await openStore(dir, { readOnly: true }).then(
    async (store) => {
      seq = store.seq;
      await store.close();
      return "ok";
    },
    codeOf,
  );
  const readLogVerdict = await (async () => {
    for await (const _ of readLog(dir));
  })().then(() => "ok", codeOf);
  const verify = await verifyFolder(dir).then((report) => (report.ok ? "ok" : `damage: ${report.findings.filter((finding) => finding.severity === "damage").map((finding) => finding.what).join("; ")}`), codeOf);
  const follow = await (async () => {
    for await (const _ of followLog(dir, { afterSeq: followAfterSeq, follow: false }));
  })().then(() => "ok", codeOf);
  return { readOnlyOpen, readLog: readLogVerdict, verify, follow, seq };
}

const allOk = { readOnlyOpen: "ok", readLog: "ok", verify: "ok", follow: "ok" };

describe("the readers of a folder agree", () => {
  it("a half-written segment that is not the last (a header cut short) never held a record: every reader accepts it", async () => {
    const dir = await folderOf({ "000001.log": [header("segment", 0), ...records(1, 3)], "000002.log": [tornHeader()], "000003.log": [header("segment", 3), ...records(4, 5)] });
    expect(await verdicts(dir)).toEqual({ ...allOk, seq: 5 });
  });

  it("a salvage of a deleted segment opens again afterwards, for every reader (it refused every later open)", async () => {
    const dir = await folderOf({ "000001.log": [header("segment", 0), ...records(1, 2)], "000003.log": [header("segment", 4), ...records(5, 6)] });
    expect((await verdicts(dir)).readOnlyOpen).toBe("STORE_CORRUPTED");
    const salvaged = await openStore(dir, { onCorruption: "salvage" });
    expect(salvaged.recovery.salvaged.map((file) => file.path)).toEqual([join(dir, "000003.log")]);
    await salvaged.close();
    expect(await verdicts(dir)).toEqual({ ...allOk, seq: 6 });
    const reopened = await openStore(dir);
    expect(reopened.recovery.salvaged).toEqual([]);
    await reopened.close();
  });

  it("a segment cut back into its header after a salvaged file hides lost records: every reader refuses (readLog and verify accepted)", async () => {
    const dir = await folderOf({
      "000001.log": [header("segment", 0, { salvaged: true }), ...records(1, 3)],
      "000002.log": [tornHeader()], // held seqs 4 to 6
      "000003.log": [header("segment", 6), ...records(7, 8)],
    });
    const found = await verdicts(dir);
    expect(found.readOnlyOpen).toBe("STORE_CORRUPTED");
    expect(found.readLog).toBe("STORE_CORRUPTED");
    expect(found.verify).toMatch(/^damage: the segment starts after seq 6, but the files before it end at seq 3/);
    expect(found.follow).toBe("STORE_HISTORY_GONE");
  });

  it("a gap right after a salvaged segment is accepted by every reader, followLog included (it accepted only a gap before a salvaged one)", async () => {
    const dir = await folderOf({ "000001.log": [header("segment", 0, { salvaged: true }), ...records(1, 2)], "000002.log": [header("segment", 4), ...records(5, 6)] });
    expect(await verdicts(dir)).toEqual({ ...allOk, seq: 6 });
  });

  it("an empty base is refused by every reader (readLog read it as a base without entries)", async () => {
    const dir = await folderOf({ "000002.base": [], "000002.log": [header("segment", 0), ...records(1, 2)] });
    const found = await verdicts(dir);
    expect(found.readOnlyOpen).toBe("STORE_CORRUPTED");
    expect(found.readLog).toBe("STORE_CORRUPTED");
    expect(found.verify).toMatch(/^damage: an empty base file/);
  });

  it("a header-less segment retired to backups/ by an open is not damage to verify, nor to followLog", async () => {
    const dir = await folderOf({
      "000001.log": [header("segment", 0), ...records(1, 2)],
      "000002.log": [tornHeader()],
      "000003.log": [header("segment", 2), ...records(3, 4)],
    });
    const store = await openStore(dir);
    await store.compact(); // retires all three to backups/, the header-less one as it is
    await store.set("k/5", 5);
    await store.close();
    expect((await readdir(join(dir, "backups"))).filter((name) => name.endsWith("-000002.log.gz"))).toHaveLength(1);
    const found = await verdicts(dir);
    expect(found).toEqual({ ...allOk, seq: 5 });
    const report = await verifyFolder(dir);
    expect(report.findings.filter((finding) => finding.path.endsWith("-000002.log.gz"))).toMatchObject([{ severity: "note" }]);
  });

  it("a gzipped backup that does not decompress stays damage, even of a segment", async () => {
    const dir = await folderOf({ "000002.base": [header("base", 0), encodeRecord({ op: "end", entries: 0 })], "000002.log": [header("segment", 0)] });
    await mkdir(join(dir, "backups"));
    await writeFile(join(dir, "backups", "000002-000001.log.gz"), gzipSync(tornHeader()).subarray(0, 12));
    expect((await verifyFolder(dir)).findings).toMatchObject([{ severity: "damage", what: expect.stringMatching(/does not decompress/) as unknown }]);
  });

  it("a folder that is not a store is refused by readLog and verify as by opening (they read it as an empty store)", async () => {
    const dir = await folderOf({ "notes.txt": [Buffer.from("my notes\n")], "000001.log": [Buffer.alloc(64)] });
    const found = await verdicts(dir);
    expect(found.readOnlyOpen).toBe("STORE_NOT_A_STORE");
    expect(found.readLog).toBe("STORE_NOT_A_STORE");
    expect(found.verify).toBe("STORE_NOT_A_STORE");
  });

  it("an empty folder is an empty store to every reader (followLog without follow returned only when a segment came)", async () => {
    const dir = await tempDir();
    expect(await verdicts(dir)).toEqual({ ...allOk, seq: 0 });
  });
});
