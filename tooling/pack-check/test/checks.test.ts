import { describe, expect, it } from "vitest";
import { checkBin, checkEntryPoints, checkLicense, checkManifest, checkReadme, checkSourceMaps, linkTargets } from "../src/checks.js";
import { tarballOf } from "../src/pack.js";

// Each case is one of the defects a consumer met (issue 9, item 16), rebuilt as a tarball, so
// that the checks are shown to fail on it before they are trusted to pass on the real tarballs.

describe("checkLicense", () => {
  it("a tarball without LICENSE is refused", () => {
    expect(checkLicense(tarballOf({ "README.md": "" }), "MIT")).toEqual([
      expect.stringMatching(/^LICENSE is not in the tarball/),
    ]);
  });

  it("a LICENSE that differs from the repository's is refused", () => {
    expect(checkLicense(tarballOf({ LICENSE: "ISC" }), "MIT")).toEqual([expect.stringMatching(/differs/)]);
    expect(checkLicense(tarballOf({ LICENSE: "MIT" }), "MIT")).toEqual([]);
  });
});

describe("checkReadme", () => {
  it("a link leaving the package is refused: it breaks once installed", () => {
    const tarball = tarballOf({ "README.md": "the format: [`docs/format.md`](../../docs/format.md)." });
    expect(checkReadme(tarball)).toEqual([expect.stringMatching(/links "\.\.\/\.\.\/docs\/format\.md", outside the package/)]);
  });

  it("a link to a file that is not shipped is refused, one that is shipped passes", () => {
    const readme = "[format](dist/format.md) and [src](./src/index.ts#L3)";
    expect(checkReadme(tarballOf({ "README.md": readme, "src/index.ts": "" }))).toEqual([
      expect.stringMatching(/links "dist\/format\.md", which is not in the tarball/),
    ]);
    expect(checkReadme(tarballOf({ "README.md": readme, "src/index.ts": "", "dist/format.md": "" }))).toEqual([]);
  });

  it("reference links, images and HTML links are checked too", () => {
    const readme = "![chart](../chart.png)\n\n[ref]: ../../LICENSE\n\n<a href=\"../x.md\">x</a>\n";
    expect(checkReadme(tarballOf({ "README.md": readme }))).toHaveLength(3);
  });

  it("URLs, anchors and code are not links to check", () => {
    const readme = [
      "[site](https://example.com/a) [mail](mailto:a@b.c) [top](#api)",
      "`store[0](x)` is code",
      "```ts",
      "const f = fns[0](../../x);",
      "```",
    ].join("\n");
    expect(linkTargets(readme)).toEqual(["https://example.com/a", "mailto:a@b.c", "#api"]);
    expect(checkReadme(tarballOf({ "README.md": readme }))).toEqual([]);
  });

  it("a tarball without README.md is refused", () => {
    expect(checkReadme(tarballOf({ LICENSE: "" }))).toEqual([expect.stringMatching(/^README\.md is not in the tarball/)]);
  });
});

describe("checkEntryPoints", () => {
  const manifest = {
    name: "@store/x",
    main: "./dist/index.js",
    types: "./dist/index.d.ts",
    exports: {
      ".": { types: "./dist/index.d.ts", default: "./dist/index.js" },
      "./extra": { types: "./dist/extra/index.d.ts", default: "./dist/extra/index.js" },
      "./features/*": "./dist/features/*.js",
      "./internal": null,
      "./package.json": "./package.json",
    },
  };

  it("every exports target, main and types must be in the tarball", () => {
    const tarball = tarballOf({ "package.json": "", "dist/index.js": "", "dist/index.d.ts": "" });
    expect(checkEntryPoints(tarball, manifest)).toEqual([
      expect.stringMatching(/exports names "\.\/dist\/extra\/index\.d\.ts"/),
      expect.stringMatching(/exports names "\.\/dist\/extra\/index\.js"/),
      expect.stringMatching(/exports names "\.\/dist\/features\/\*\.js"/),
    ]);
  });

  it("passes when every target is there, a pattern matching at least one file", () => {
    const tarball = tarballOf({
      "package.json": "",
      "dist/index.js": "",
      "dist/index.d.ts": "",
      "dist/extra/index.js": "",
      "dist/extra/index.d.ts": "",
      "dist/features/a.js": "",
    });
    expect(checkEntryPoints(tarball, manifest)).toEqual([]);
  });
});

describe("checkSourceMaps", () => {
  const declarationMap = JSON.stringify({ version: 3, file: "index.d.ts", sourceRoot: "", sources: ["../src/index.ts"], mappings: "" });
  const files = {
    "dist/index.d.ts": "export {};\n//# sourceMappingURL=index.d.ts.map",
    "dist/index.d.ts.map": declarationMap,
  };

  it("a declaration map pointing at sources that are not shipped is refused", () => {
    expect(checkSourceMaps(tarballOf(files))).toEqual([
      expect.stringMatching(/dist\/index\.d\.ts\.map maps to "\.\.\/src\/index\.ts", which is not in the tarball/),
    ]);
  });

  it("passes once the sources are shipped", () => {
    expect(checkSourceMaps(tarballOf({ ...files, "src/index.ts": "export {};" }))).toEqual([]);
  });

  it("a sourceMappingURL naming a map that is not shipped is refused", () => {
    const tarball = tarballOf({ "dist/index.js": "export {};\n//# sourceMappingURL=index.js.map\n" });
    expect(checkSourceMaps(tarball)).toEqual([expect.stringMatching(/names the source map "index\.js\.map"/)]);
  });
});

describe("checkManifest", () => {
  const good = {
    name: "@store/x",
    description: "x",
    type: "module",
    license: "MIT",
    engines: { node: ">=20.19" },
    repository: { type: "git", url: "git+https://example.invalid/store.git", directory: "packages/x" },
    dependencies: { "@store/fs": "0.0.0" },
  };

  it("passes a complete manifest", () => {
    expect(checkManifest(good, "packages/x")).toEqual([]);
  });

  it("refuses workspace: and catalog: specifiers left in a packed manifest", () => {
    const manifest = { ...good, dependencies: { "@store/fs": "workspace:*" }, peerDependencies: { vitest: "catalog:" } };
    expect(checkManifest(manifest, "packages/x")).toEqual([
      expect.stringMatching(/dependencies "@store\/fs": "workspace:\*"/),
      expect.stringMatching(/peerDependencies "vitest": "catalog:"/),
    ]);
  });

  it("refuses a wrong license, type, directory, and missing engines or description", () => {
    const manifest = { name: "@store/x", license: "ISC", repository: { directory: "packages/y" } };
    expect(checkManifest(manifest, "packages/x")).toHaveLength(5);
  });
});

describe("checkBin", () => {
  const manifest = { name: "@store/cli", bin: { store: "./dist/main.js" } };

  it("a command whose file is not shipped is refused", () => {
    expect(checkBin(tarballOf({ "dist/other.js": "" }), manifest)).toEqual([expect.stringMatching(/^bin "store" names "\.\/dist\/main\.js", which is not in the tarball/)]);
  });

  it("a command without its #!/usr/bin/env node line is refused: a shell cannot run it", () => {
    expect(checkBin(tarballOf({ "dist/main.js": "import './x.js';\n" }), manifest)).toEqual([expect.stringMatching(/does not start with "#!\/usr\/bin\/env node"/)]);
    expect(checkBin(tarballOf({ "dist/main.js": "#!/usr/bin/env node\nimport './x.js';\n" }), manifest)).toEqual([]);
  });

  it("a string bin is named after the package, without its scope", () => {
    expect(checkBin(tarballOf({}), { name: "@store/tool", bin: "cli.js" })).toEqual([expect.stringMatching(/^bin "tool" names "cli\.js"/)]);
  });
});
