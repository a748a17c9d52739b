import { errnoError, type FileHandle, type FileStat, type FileSystem, type OpenFlags } from "@store/fs";
import type { DiskCore } from "./core.js";
import { SimulatedFileHandle, type HandleMode } from "./handle.js";
import { Folder, Inode } from "./model.js";
import { contains, lookup, lookupParent, splitPath } from "./paths.js";

const MODES: Readonly<Record<OpenFlags, HandleMode>> = {
  r: { readable: true, writable: false, append: false },
  "r+": { readable: true, writable: true, append: false },
  a: { readable: false, writable: true, append: true },
  wx: { readable: false, writable: true, append: false },
  w: { readable: false, writable: true, append: false },
};

/**
 * The FileSystem seam over a simulated disk. Every call of a mutating method counts as one
 * operation (whether it then succeeds or fails with an errno), except that `open` counts only
 * when it may create or truncate (`w`, `wx`, or `a` on a missing file).
 */
export class SimulatedFileSystem implements FileSystem {
  readonly #core: DiskCore;

  constructor(core: DiskCore) {
    this.#core = core;
  }

  async open(path: string, flags: OpenFlags): Promise<FileHandle> {
    const mode = MODES[flags] as HandleMode | undefined;
    if (mode === undefined) throw new TypeError(`Unknown open flags ${JSON.stringify(flags)}`);
    const core = this.#core;
    core.assertPower();
    const { folder, name } = lookupParent(core.root, path, "open");
    const existing = folder.current.get(name);
    const mayCreate = flags === "w" || flags === "wx" || (flags === "a" && existing === undefined);
    if (mayCreate) core.beginMutation();
    core.failIfFaulted("open", "open", path);
    if (existing instanceof Folder) throw errnoError("EISDIR", "open", path);
    if (existing !== undefined && flags === "wx") throw errnoError("EEXIST", "open", path);
    if (existing === undefined && !mayCreate) throw errnoError("ENOENT", "open", path);
    let inode = existing;
    if (inode === undefined) {
      inode = new Inode(new Uint8Array(0), core.nowMs);
      folder.current.set(name, inode);
      folder.mtimeMs = core.nowMs;
    } else if (flags === "w" && inode.current.size > 0) {
      inode.truncate(0, core.nowMs);
    }
    return new SimulatedFileHandle(core, path, inode, mode);
  }

  async readFile(path: string): Promise<Uint8Array> {
    this.#core.assertPower();
    const node = lookup(this.#core.root, path, "open");
    if (node instanceof Folder) throw errnoError("EISDIR", "read", path);
    this.#core.failIfFaulted("read", "read", path);
    return node.current.copy();
  }

  async stat(path: string): Promise<FileStat | undefined> {
    this.#core.assertPower();
    let node;
    try {
      node = lookup(this.#core.root, path, "stat");
    } catch (error) {
      if ((error as { code?: unknown }).code === "ENOENT") return undefined;
      throw error;
    }
    const isFile = node instanceof Inode;
    return { size: isFile ? node.current.size : 4096, isFile, isDirectory: !isFile, mtimeMs: node.mtimeMs };
  }

  async readdir(path: string): Promise<string[]> {
    this.#core.assertPower();
    const node = lookup(this.#core.root, path, "scandir");
    if (!(node instanceof Folder)) throw errnoError("ENOTDIR", "scandir", path);
    return [...node.current.keys()].sort();
  }

  async mkdir(path: string): Promise<void> {
    const core = this.#core;
    const parts = splitPath(path);
    core.beginMutation();
    let folder = core.root;
    for (const [index, part] of parts.entries()) {
      const child = folder.current.get(part);
      if (child instanceof Inode) throw errnoError(index === parts.length - 1 ? "EEXIST" : "ENOTDIR", "mkdir", path);
      if (child !== undefined) {
        folder = child;
        continue;
      }
      const created = new Folder(core.nowMs);
      folder.current.set(part, created);
      folder.mtimeMs = core.nowMs;
      folder = created;
    }
  }

  async rename(from: string, to: string): Promise<void> {
    const core = this.#core;
    splitPath(from);
    splitPath(to);
    core.beginMutation();
    const source = lookupParent(core.root, from, "rename");
    const node = source.folder.current.get(source.name);
    if (node === undefined) throw errnoError("ENOENT", "rename", from);
    const target = lookupParent(core.root, to, "rename");
    core.failIfFaulted("rename", "rename", from, to);
    const replaced = target.folder.current.get(target.name);
    if (replaced === node) return; // POSIX: renaming a file onto another name of itself does nothing
    if (node instanceof Inode && replaced instanceof Folder) throw errnoError("EISDIR", "rename", to);
    if (node instanceof Folder && replaced instanceof Inode) throw errnoError("ENOTDIR", "rename", to);
    if (replaced instanceof Folder && replaced.current.size > 0) throw errnoError("ENOTEMPTY", "rename", to);
    if (node instanceof Folder && contains(node, target.folder)) throw errnoError("EINVAL", "rename", to);
    source.folder.current.delete(source.name);
    target.folder.current.set(target.name, node);
    source.folder.mtimeMs = core.nowMs;
    target.folder.mtimeMs = core.nowMs;
  }

  async link(existing: string, to: string): Promise<void> {
    const core = this.#core;
    splitPath(existing);
    splitPath(to);
    core.beginMutation();
    const node = lookup(core.root, existing, "link");
    if (node instanceof Folder) throw errnoError("EPERM", "link", existing);
    const target = lookupParent(core.root, to, "link");
    if (target.folder.current.has(target.name)) throw errnoError("EEXIST", "link", to);
    core.failIfFaulted("link", "link", existing, to);
    target.folder.current.set(target.name, node);
    target.folder.mtimeMs = core.nowMs;
  }

  async unlink(path: string): Promise<void> {
    const core = this.#core;
    splitPath(path);
    core.beginMutation();
    const { folder, name } = lookupParent(core.root, path, "unlink");
    const node = folder.current.get(name);
    if (node === undefined) throw errnoError("ENOENT", "unlink", path);
    if (node instanceof Folder) throw errnoError("EISDIR", "unlink", path);
    core.failIfFaulted("unlink", "unlink", path);
    folder.current.delete(name);
    folder.mtimeMs = core.nowMs;
  }

  async fsyncDir(path: string): Promise<void> {
    const core = this.#core;
    splitPath(path);
    core.beginMutation();
    const node = lookup(core.root, path, "open");
    if (!(node instanceof Folder)) throw errnoError("ENOTDIR", "fsync", path);
    core.failIfFaulted("fsyncDir", "fsync", path);
    node.fsync();
  }
}
