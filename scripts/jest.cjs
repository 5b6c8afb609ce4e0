/**
 * jest, with a larger young generation for its workers (and every Node process the tests start):
 * building and synthesizing stacks allocates heavily, and with V8's default 16 MB semi-spaces the
 * scavenger ran often enough to cost about a tenth of npm test (measured in README, "Speed").
 */
const { spawnSync } = require("node:child_process");

const options = [process.env.NODE_OPTIONS, "--max-semi-space-size=64"].filter(Boolean).join(" ");
const result = spawnSync(process.execPath, [require.resolve("jest/bin/jest"), ...process.argv.slice(2)], {
  stdio: "inherit",
  env: { ...process.env, NODE_OPTIONS: options },
});
process.exit(result.status ?? 1);
