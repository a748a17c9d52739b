import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

// The README's examples are what a new user copies first: each ```ts block is type-checked, as its
// own module importing "@store/log" (mapped to this package's source), with the package's strict
// settings. A block that stops compiling after an API change fails here, not in a user's editor.

const packageDir = join(dirname(fileURLToPath(import.meta.url)), "..");

function readmeBlocks(): string[] {
  const readme = readFileSync(join(packageDir, "README.md"), "utf8");
  return [...readme.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((match) => match[1]!);
}

function typeErrors(blocks: readonly string[]): string[] {
  const configPath = join(packageDir, "tsconfig.json");
  const config = ts.getParsedCommandLineOfConfigFile(configPath, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined });
  if (config === undefined) throw new Error(`cannot read ${configPath}`);
  const files = new Map(blocks.map((text, index) => [join(packageDir, "test", `readme-example-${index + 1}.ts`), text]));
  const options: ts.CompilerOptions = { ...config.options, noEmit: true, baseUrl: packageDir, paths: { "@store/log": ["./src/index.ts"] } };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, languageVersion, ...rest) => {
    const text = files.get(fileName);
    return text === undefined ? getSourceFile(fileName, languageVersion, ...rest) : ts.createSourceFile(fileName, text, languageVersion, true);
  };
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (fileName) => files.has(fileName) || fileExists(fileName);
  const program = ts.createProgram([...files.keys()], options, host);
  return [...files.keys()].flatMap((fileName) => {
    const source = program.getSourceFile(fileName);
    return ts.getPreEmitDiagnostics(program, source).map((diagnostic) => {
      const where = diagnostic.start === undefined || source === undefined ? "" : `:${source.getLineAndCharacterOfPosition(diagnostic.start).line + 1}`;
      return `${fileName.slice(packageDir.length + 1)}${where}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n")}`;
    });
  });
}

describe("README examples", () => {
  it("every ts block of the README type-checks against the package", () => {
    const blocks = readmeBlocks();
    expect(blocks.length).toBeGreaterThanOrEqual(2);
    expect(typeErrors(blocks)).toEqual([]);
  });

  it("a block with a type error is reported (the check can fail)", () => {
    expect(typeErrors(['import { openStore } from "@store/log";\nconst store = await openStore("./data");\nconst n: number = store.get("k");\n'])).toEqual([
      expect.stringMatching(/^test\/readme-example-1\.ts:3: Type 'JsonValue \| undefined' is not assignable to type 'number'/) as unknown,
    ]);
  });
});
