import { fileURLToPath } from "node:url";
import { driveWriter, spawnLines, type DrivenWriter, type LineChild } from "@store/testkit/children";

/** Runs `test/fixtures/<name>.ts` in a real child process (through tsx), collecting its stdout lines. */
export function runFixture(name: string, args: readonly string[]): LineChild {
  const script = fileURLToPath(new URL(`./fixtures/${name}.ts`, import.meta.url));
  return spawnLines(process.execPath, ["--import", "tsx", script, ...args], { stderr: "inherit" });
}

/** A writer process (fixtures/driven-writer.ts) beside the tools under test, driven line by line. */
export async function startWriter(dir: string, options: { segmentBytesMax?: number; backupsMax?: number } = {}): Promise<DrivenWriter> {
  const script = fileURLToPath(new URL("./fixtures/driven-writer.ts", import.meta.url));
  return driveWriter(spawnLines(process.execPath, ["--import", "tsx", script, dir, String(options.segmentBytesMax ?? 64 * 1024 * 1024), String(options.backupsMax ?? 3)], { stdin: true }));
}
