// The app command's module loader, tuned for synth time (README, "Speed").
//
// - TypeScript: types stripped with swc, file by file. No type-check (npm test does that once)
//   and no source maps: turning on Node's source-map support (as tsx does) makes it decode the
//   large inline maps of every provider binding, a third of synth time. The output is cached in
//   node_modules/.cache/, keyed by the source, so a warm synth loads no swc at all.
// - The prebuilt provider bindings end in an inline source map, about 70% of each file (a 0.8 MB
//   binding carries 0.58 MB of it); nothing reads it with source maps off, so it is cut before
//   Node compiles the file. The code itself is untouched.
"use strict";
const { createHash } = require("node:crypto");
const { mkdirSync, readFileSync, renameSync, writeFileSync } = require("node:fs");
const Module = require("node:module");
const path = require("node:path");

const SWC_OPTIONS = {
  swcrc: false,
  jsc: { parser: { syntax: "typescript" }, target: "es2022" },
  module: { type: "commonjs" },
  sourceMaps: false,
};
const CACHE_DIR = path.join(__dirname, "..", "node_modules", ".cache", "register-ts");
let swc;

function compiledTypeScript(filename) {
  const source = readFileSync(filename, "utf8");
  const swcVersion = require("@swc/core/package.json").version;
  const key = createHash("sha256")
    .update(`${swcVersion}\0${JSON.stringify(SWC_OPTIONS)}\0${filename}\0${source}`)
    .digest("hex");
  const cached = path.join(CACHE_DIR, `${key}.js`);
  try {
    return readFileSync(cached, "utf8");
  } catch {
    swc ??= require("@swc/core");
    const { code } = swc.transformSync(source, { ...SWC_OPTIONS, filename });
    try {
      mkdirSync(CACHE_DIR, { recursive: true });
      // Written aside and renamed, so a parallel run never reads half a file.
      const partial = `${cached}.${process.pid}`;
      writeFileSync(partial, code);
      renameSync(partial, cached);
    } catch {
      // A read-only checkout still synthesizes, just without the cache.
    }
    return code;
  }
}

require.extensions[".ts"] = function compileTypeScript(module, filename) {
  module._compile(compiledTypeScript(filename), filename);
};

const INLINE_MAP = "\n//# sourceMappingURL=data:";
const compileJavaScript = Module._extensions[".js"];
Module._extensions[".js"] = function compileWithoutInlineMap(module, filename) {
  if (!filename.includes(`${path.sep}@cdktf${path.sep}provider-`)) return compileJavaScript(module, filename);
  const code = readFileSync(filename, "utf8");
  const at = code.lastIndexOf(INLINE_MAP);
  module._compile(at > 0 ? code.slice(0, at) : code, filename);
};
