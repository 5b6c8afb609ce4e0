// The app command's TypeScript loader: strips types with swc, file by file. No type-check (npm
// test does that once) and no source maps: turning on Node's source-map support (as tsx does)
// makes it decode the large inline maps of every provider binding, a third of synth time.
"use strict";
const { readFileSync } = require("node:fs");
const { transformSync } = require("@swc/core");

require.extensions[".ts"] = function compileTypeScript(module, filename) {
  const { code } = transformSync(readFileSync(filename, "utf8"), {
    filename,
    swcrc: false,
    jsc: { parser: { syntax: "typescript" }, target: "es2022" },
    module: { type: "commonjs" },
    sourceMaps: false,
  });
  module._compile(code, filename);
};
