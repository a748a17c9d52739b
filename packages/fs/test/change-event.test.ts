import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, expectTypeOf, it } from "vitest";
import type { ChangeEvent, ChangeListener, ChangeOp, JsonValue } from "../src/index.js";

const repo = join(dirname(fileURLToPath(import.meta.url)), "../../..");

/** Every TypeScript source file of every package and app (tests and dist excluded). */
function sources(): string[] {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === "node_modules" || entry.name === "dist") continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) files.push(path);
    }
  };
  for (const group of ["packages", "apps"]) {
    for (const name of readdirSync(join(repo, group))) walk(join(repo, group, name, "src"));
  }
  return files;
}

describe("the change event shape", () => {
  it("is declared once, in @store/fs, and every other package imports it", () => {
    const declaration = /^\s*export\s+(?:interface|type)\s+(ChangeEvent|ChangeOp|ChangeListener)\b(?!\s*[,}])/gm;
    const found: string[] = [];
    for (const file of sources()) {
      for (const match of readFileSync(file, "utf8").matchAll(declaration)) found.push(`${match[1]!} in ${relative(repo, file)}`);
    }
    expect(found.sort()).toEqual(["ChangeEvent in packages/fs/src/change-event.ts", "ChangeListener in packages/fs/src/change-event.ts", "ChangeOp in packages/fs/src/change-event.ts"]);
  });

  it("has a seq and set or delete operations", () => {
    expectTypeOf<ChangeEvent["seq"]>().toEqualTypeOf<number>();
    expectTypeOf<ChangeOp>().toEqualTypeOf<{ readonly type: "set"; readonly key: string; readonly value: JsonValue } | { readonly type: "delete"; readonly key: string }>();
    expectTypeOf<ChangeListener>().parameters.toEqualTypeOf<[ChangeEvent]>();
  });
});
