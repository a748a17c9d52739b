import type { FileHandle, FileSystem } from "@store/fs";

/**
 * Plain objects that forward every call to `fs` or `handle`: spread one and override what a test
 * wraps (a fault, a delay, a counter), without losing the private state of class-based ones.
 */
export function delegatingFs(fs: FileSystem): FileSystem {
  return {
    open: (path, flags) => fs.open(path, flags),
    readFile: (path) => fs.readFile(path),
    stat: (path) => fs.stat(path),
    readdir: (path) => fs.readdir(path),
    mkdir: (path) => fs.mkdir(path),
    rename: (from, to) => fs.rename(from, to),
    link: (existing, to) => fs.link(existing, to),
    unlink: (path) => fs.unlink(path),
    fsyncDir: (path) => fs.fsyncDir(path),
  };
}

export function delegatingHandle(handle: FileHandle): FileHandle {
  return {
    path: handle.path,
    write: (data, offset, length, position) => handle.write(data, offset, length, position),
    read: (into, offset, length, position) => handle.read(into, offset, length, position),
    size: () => handle.size(),
    truncate: (length) => handle.truncate(length),
    sync: () => handle.sync(),
    datasync: () => handle.datasync(),
    close: () => handle.close(),
  };
}
