import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { README, referenceRows, withFreshReference } from "../scripts/config-reference";

/** Formats markdown with the project's prettier settings, as `npm run docs` does. */
function prettierFormat(text: string): string {
  const bin = require.resolve("prettier/bin/prettier.cjs");
  return execFileSync(process.execPath, [bin, "--stdin-filepath", README], { input: text, encoding: "utf8" });
}

describe("configuration reference in the README", () => {
  it("lists every key of the schema, nested ones included", () => {
    const keys = referenceRows().map((row) => /^\| `([^`]+)`/.exec(row)![1]);
    for (const key of [
      "environment",
      "cluster.endpointPublicAccessCidrs",
      "nodeGroups.gpu[].instanceTypes",
      "addons.clusterAutoscaler.maxNodeProvisionTime",
      "policy.exceptions[].reason",
    ]) {
      expect(keys).toContain(key);
    }
  });

  it("is what npm run docs generates from the schema", () => {
    const readme = readFileSync(README, "utf8");
    expect(prettierFormat(withFreshReference(readme))).toBe(readme);
  });
});
