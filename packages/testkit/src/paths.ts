import { posix } from "node:path";
import { errnoError } from "@store/fs";
import { Folder, type Node } from "./model.js";

/** The components of an absolute POSIX path; `[]` is the root. */
export function splitPath(path: string): string[] {
  if (typeof path !== "string" || !path.startsWith("/")) {
    throw new TypeError(`The simulated disk needs absolute POSIX paths, got ${JSON.stringify(path)}`);
  }
  return posix
    .normalize(path)
    .split("/")
    .filter((part) => part.length > 0);
}

/** The node at `path`, or an ENOENT / ENOTDIR error the way the kernel reports it. */
export function lookup(root: Folder, path: string, syscall: string): Node {
  let node: Node = root;
  for (const part of splitPath(path)) {
    if (!(node instanceof Folder)) throw errnoError("ENOTDIR", syscall, path);
    const child: Node | undefined = node.current.get(part);
    if (child === undefined) throw errnoError("ENOENT", syscall, path);
    node = child;
  }
  return node;
}

export interface ParentEntry {
  readonly folder: Folder;
  readonly name: string;
}

/** The folder that holds (or would hold) `path`, and the entry's name in it. */
export function lookupParent(root: Folder, path: string, syscall: string): ParentEntry {
  const parts = splitPath(path);
  const name = parts.pop();
  if (name === undefined) throw errnoError("EBUSY", syscall, path);
  const folder = lookup(root, `/${parts.join("/")}`, syscall);
  if (!(folder instanceof Folder)) throw errnoError("ENOTDIR", syscall, path);
  return { folder, name };
}

/** True when `inner` is `outer` or lies somewhere below it (a folder cannot move into itself). */
export function contains(outer: Folder, inner: Node): boolean {
  if (inner === outer) return true;
  for (const child of outer.current.values()) {
    if (child instanceof Folder && contains(child, inner)) return true;
  }
  return false;
}
