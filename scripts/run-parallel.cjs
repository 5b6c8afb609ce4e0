/**
 * Runs npm scripts at the same time and fails when any fails: `npm test` type-checks and lints
 * together (each uses one core) before jest takes both. Each script's output is printed whole when
 * it ends, so the two never interleave.
 */
const { spawn } = require("node:child_process");

const scripts = process.argv.slice(2);
const runs = scripts.map(
  (name) =>
    new Promise((resolve) => {
      const child = spawn("npm", ["run", "--silent", name], { stdio: ["ignore", "pipe", "pipe"] });
      let output = "";
      child.stdout.on("data", (d) => (output += d));
      child.stderr.on("data", (d) => (output += d));
      child.on("close", (code) => {
        process.stdout.write(`> ${name}${code === 0 ? "" : ` (failed, exit ${code})`}\n${output}`);
        resolve(code === 0);
      });
    }),
);
Promise.all(runs).then((ok) => process.exit(ok.every(Boolean) ? 0 : 1));
