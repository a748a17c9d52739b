import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { atomicReplace, readToEnd, writeAll, type FileHandle, type FileSystem } from "@store/fs";

export interface ConformanceTarget {
  readonly fs: FileSystem;
  /** An existing, empty folder the suite may fill. */
  readonly root: string;
  cleanup(): Promise<void>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const text = (bytes: Uint8Array): string => decoder.decode(bytes);

async function readAt(handle: FileHandle, position: number, length: number): Promise<{ count: number; text: string }> {
  const into = new Uint8Array(length);
  const count = await handle.read(into, 0, length, position);
  return { count, text: text(into.subarray(0, count)) };
}

/**
 * Registers vitest tests proving that a FileSystem behaves as the seam promises (errno codes,
 * open flags, positions, links, renames), so the real and the simulated disk cannot drift apart.
 * Durability is not observable here; the simulated disk's own tests cover it.
 */
export function fileSystemConformance(name: string, makeFs: () => Promise<ConformanceTarget>): void {
  describe(`FileSystem conformance: ${name}`, () => {
    let target: ConformanceTarget;
    let fs: FileSystem;
    const at = (...parts: string[]): string => [target.root, ...parts].join("/");
    const put = async (path: string, content: string): Promise<void> => {
      const handle = await fs.open(path, "w");
      await writeAll(handle, encoder.encode(content), 0);
      await handle.close();
    };
    const contentOf = async (path: string): Promise<string> => text(await fs.readFile(path));

    beforeEach(async () => {
      target = await makeFs();
      fs = target.fs;
    });
    afterEach(async () => {
      await target.cleanup();
    });

    registerFileTests(() => ({ fs, at, put, contentOf }));
    registerNamespaceTests(() => ({ fs, at, put, contentOf }));
  });
}

interface Context {
  readonly fs: FileSystem;
  readonly at: (...parts: string[]) => string;
  readonly put: (path: string, content: string) => Promise<void>;
  readonly contentOf: (path: string) => Promise<string>;
}

function registerFileTests(context: () => Context): void {
  it("written bytes read back through a handle and through readFile", async () => {
    const { fs, at, contentOf } = context();
    const handle = await fs.open(at("f"), "w");
    expect(await handle.write(encoder.encode("xxhello"), 2, 5, 0)).toBe(5);
    expect(await handle.size()).toBe(5);
    await handle.sync();
    await handle.datasync();
    await handle.close();
    expect(await contentOf(at("f"))).toBe("hello");
    const reader = await fs.open(at("f"), "r");
    expect(await readAt(reader, 1, 3)).toEqual({ count: 3, text: "ell" });
    expect(await readToEnd(reader)).toEqual(encoder.encode("hello"));
    await reader.close();
  });

  it("a read at or past the end returns 0 and a read across it returns what exists", async () => {
    const { fs, at, put } = context();
    await put(at("f"), "abc");
    const handle = await fs.open(at("f"), "r");
    expect(await readAt(handle, 3, 4)).toEqual({ count: 0, text: "" });
    expect(await readAt(handle, 100, 4)).toEqual({ count: 0, text: "" });
    expect(await readAt(handle, 1, 10)).toEqual({ count: 2, text: "bc" });
    await handle.close();
  });

  it("a write past the end leaves a gap of zeros", async () => {
    const { fs, at } = context();
    const handle = await fs.open(at("f"), "w");
    await writeAll(handle, encoder.encode("z"), 4);
    await handle.close();
    expect(Array.from(await fs.readFile(at("f")))).toEqual([0, 0, 0, 0, 122]);
  });

  it("a write keeps its own copy: the caller may reuse or change its Buffer at once", async () => {
    const { fs, at } = context();
    const handle = await fs.open(at("f"), "w");
    const reused = Buffer.from("abc");
    await writeAll(handle, reused.subarray(0, 3), 0);
    reused.fill(0x78);
    await handle.sync();
    await handle.close();
    expect(new TextDecoder().decode(await fs.readFile(at("f")))).toBe("abc");
  });

  it("writes at position null on a w handle go one after another", async () => {
    const { fs, at, contentOf } = context();
    const handle = await fs.open(at("f"), "w");
    await writeAll(handle, encoder.encode("ab"), null);
    await writeAll(handle, encoder.encode("cd"), null);
    await handle.close();
    expect(await contentOf(at("f"))).toBe("abcd");
  });

  it("flag w truncates, r+ writes in place, wx refuses an existing file with EEXIST", async () => {
    const { fs, at, put, contentOf } = context();
    await put(at("f"), "0123456789");
    const inPlace = await fs.open(at("f"), "r+");
    await writeAll(inPlace, encoder.encode("AB"), 3);
    await inPlace.close();
    expect(await contentOf(at("f"))).toBe("012AB56789");
    await expect(fs.open(at("f"), "wx")).rejects.toMatchObject({ code: "EEXIST" });
    expect(await contentOf(at("f"))).toBe("012AB56789");
    await (await fs.open(at("f"), "w")).close();
    expect(await contentOf(at("f"))).toBe("");
  });

  it("flag a creates a missing file and always writes at the end, whatever position is given", async () => {
    const { fs, at, contentOf } = context();
    const handle = await fs.open(at("log"), "a");
    await writeAll(handle, encoder.encode("one"), null);
    await writeAll(handle, encoder.encode("two"), 0);
    await handle.close();
    const again = await fs.open(at("log"), "a");
    await writeAll(again, encoder.encode("3"), 1);
    await again.close();
    expect(await contentOf(at("log"))).toBe("onetwo3");
  });

  it("truncate shrinks a file and extends it with zeros", async () => {
    const { fs, at, put } = context();
    await put(at("f"), "abcdef");
    const handle = await fs.open(at("f"), "r+");
    await handle.truncate(2);
    expect(await handle.size()).toBe(2);
    await handle.truncate(4);
    await handle.close();
    expect(Array.from(await fs.readFile(at("f")))).toEqual([97, 98, 0, 0]);
  });

  it("a closed handle fails with EBADF; a handle cannot do what its flags forbid", async () => {
    const { fs, at, put } = context();
    await put(at("f"), "abc");
    const writer = await fs.open(at("f"), "a");
    await expect(writer.read(new Uint8Array(1), 0, 1, 0)).rejects.toMatchObject({ code: "EBADF" });
    await writer.close();
    await expect(writer.write(encoder.encode("x"), 0, 1, null)).rejects.toMatchObject({ code: "EBADF" });
    await expect(writer.sync()).rejects.toMatchObject({ code: "EBADF" });
    const reader = await fs.open(at("f"), "r");
    await expect(reader.write(encoder.encode("x"), 0, 1, 0)).rejects.toMatchObject({ code: "EBADF" });
    await reader.close();
    await expect(reader.read(new Uint8Array(1), 0, 1, 0)).rejects.toMatchObject({ code: "EBADF" });
  });

  it("atomicReplace creates and then replaces a file, leaving no temp file", async () => {
    const { fs, at, contentOf } = context();
    await atomicReplace(fs, at("state.json"), encoder.encode("old"));
    await atomicReplace(fs, at("state.json"), [encoder.encode("ne"), encoder.encode("w")]);
    expect(await contentOf(at("state.json"))).toBe("new");
    expect(await fs.readdir(at())).toEqual(["state.json"]);
  });
}

function registerNamespaceTests(context: () => Context): void {
  it("opening or reading a missing file fails with ENOENT, through a file with ENOTDIR", async () => {
    const { fs, at, put } = context();
    await expect(fs.open(at("missing"), "r")).rejects.toMatchObject({ code: "ENOENT" });
    await expect(fs.open(at("missing"), "r+")).rejects.toMatchObject({ code: "ENOENT" });
    await expect(fs.open(at("no-dir", "f"), "w")).rejects.toMatchObject({ code: "ENOENT" });
    await expect(fs.readFile(at("missing"))).rejects.toMatchObject({ code: "ENOENT" });
    await put(at("f"), "x");
    await expect(fs.open(at("f", "g"), "w")).rejects.toMatchObject({ code: "ENOTDIR" });
  });

  it("a folder cannot be opened for writing or read as a file (EISDIR)", async () => {
    const { fs, at } = context();
    await fs.mkdir(at("d"));
    await expect(fs.open(at("d"), "w")).rejects.toMatchObject({ code: "EISDIR" });
    await expect(fs.readFile(at("d"))).rejects.toMatchObject({ code: "EISDIR" });
    await expect(fs.unlink(at("d"))).rejects.toMatchObject({ code: "EISDIR" });
  });

  it("stat tells files from folders and returns undefined for a missing path", async () => {
    const { fs, at, put } = context();
    await put(at("f"), "abc");
    await fs.mkdir(at("d"));
    expect(await fs.stat(at("missing"))).toBeUndefined();
    expect(await fs.stat(at("f"))).toMatchObject({ size: 3, isFile: true, isDirectory: false });
    expect(await fs.stat(at("d"))).toMatchObject({ isFile: false, isDirectory: true });
  });

  it("mkdir creates parents and is a no-op on an existing folder; readdir lists sorted names", async () => {
    const { fs, at, put } = context();
    await fs.mkdir(at("a", "b", "c"));
    await fs.mkdir(at("a", "b"));
    await put(at("a", "z"), "");
    await put(at("a", "m"), "");
    expect(await fs.readdir(at("a"))).toEqual(["b", "m", "z"]);
    await expect(fs.mkdir(at("a", "z"))).rejects.toMatchObject({ code: "EEXIST" });
    await expect(fs.readdir(at("missing"))).rejects.toMatchObject({ code: "ENOENT" });
    await expect(fs.readdir(at("a", "z"))).rejects.toMatchObject({ code: "ENOTDIR" });
  });

  it("rename replaces the target, removes the source, and moves folders with their content", async () => {
    const { fs, at, put, contentOf } = context();
    await put(at("new"), "new");
    await put(at("old"), "old");
    await fs.rename(at("new"), at("old"));
    expect(await fs.readdir(at())).toEqual(["old"]);
    expect(await contentOf(at("old"))).toBe("new");
    await expect(fs.rename(at("new"), at("other"))).rejects.toMatchObject({ code: "ENOENT" });
    await fs.mkdir(at("d"));
    await expect(fs.rename(at("old"), at("d"))).rejects.toMatchObject({ code: "EISDIR" });
    await fs.rename(at("old"), at("d", "inner"));
    await fs.rename(at("d"), at("e"));
    expect(await contentOf(at("e", "inner"))).toBe("new");
  });

  it("rename refuses a non-empty target folder (ENOTEMPTY) and a move into itself (EINVAL)", async () => {
    const { fs, at, put } = context();
    await fs.mkdir(at("a", "sub"));
    await fs.mkdir(at("b"));
    await put(at("b", "f"), "x");
    await expect(fs.rename(at("a"), at("b"))).rejects.toMatchObject({ code: "ENOTEMPTY" });
    await expect(fs.rename(at("a"), at("a", "sub", "a"))).rejects.toMatchObject({ code: "EINVAL" });
    await fs.mkdir(at("empty"));
    await fs.rename(at("a"), at("empty"));
    expect(await fs.readdir(at("empty"))).toEqual(["sub"]);
  });

  it("link gives a file a second name sharing its bytes, and refuses an existing name with EEXIST", async () => {
    const { fs, at, put, contentOf } = context();
    await put(at("a"), "one");
    await fs.link(at("a"), at("b"));
    const handle = await fs.open(at("b"), "a");
    await writeAll(handle, encoder.encode("+two"), null);
    await handle.close();
    expect(await contentOf(at("a"))).toBe("one+two");
    await put(at("c"), "c");
    await expect(fs.link(at("a"), at("c"))).rejects.toMatchObject({ code: "EEXIST" });
    await expect(fs.link(at("missing"), at("d"))).rejects.toMatchObject({ code: "ENOENT" });
    await fs.unlink(at("a"));
    expect(await contentOf(at("b"))).toBe("one+two");
  });

  it("unlink removes a name; an open handle still reads the unlinked file", async () => {
    const { fs, at, put } = context();
    await put(at("f"), "kept");
    const handle = await fs.open(at("f"), "r");
    await fs.unlink(at("f"));
    expect(await fs.stat(at("f"))).toBeUndefined();
    await expect(fs.unlink(at("f"))).rejects.toMatchObject({ code: "ENOENT" });
    expect(await readAt(handle, 0, 10)).toEqual({ count: 4, text: "kept" });
    await handle.close();
  });

  it("fsyncDir succeeds on a folder and fails with ENOENT on a missing one", async () => {
    const { fs, at } = context();
    await fs.mkdir(at("d"));
    await fs.fsyncDir(at("d"));
    await fs.fsyncDir(at());
    await expect(fs.fsyncDir(at("missing"))).rejects.toMatchObject({ code: "ENOENT" });
  });
}
