import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { readProvenance } from "../lib/provenance";
import { scanText } from "../policy/secret-scan";
import { buildApp, REPO_ROOT } from "./helpers";

/** The one file allowed to hold secret-looking text: the planted fixture this test scans. */
const PLANTED = "__tests__/fixtures/planted-secrets.txt";

/**
 * Secret-looking text in files vendored byte for byte from upstream (and checksummed in
 * upstream/PROVENANCE.json), each with why it may stay. Every exemption must still match something,
 * and the file must be a recorded upstream file, so an exemption cannot outlive its reason.
 */
const UPSTREAM_PUBLISHED: readonly { readonly file: RegExp; readonly why: string }[] = [
  {
    file: /^kustomize-out\/kubeflow\/[^/]+\/secret-oauth2-proxy-oauth2-proxy-[a-z0-9]+\.yaml$/,
    why: "oauth2-proxy's published example client and cookie secrets; the overlay deletes the Secret (kubeflow-overlay.test.ts)",
  },
  {
    file: /^upstream\/headlamp\/charts\/headlamp\/values\.yaml$/,
    why: "a commented OIDC example in the chart's values, its value the key's own name; we set no OIDC values",
  },
];
const exempt = (file: string) => UPSTREAM_PUBLISHED.some((e) => e.file.test(file));

describe("secrets hygiene", () => {
  it("catches the literals planted in a test fixture", () => {
    const findings = scanText(PLANTED, readFileSync(path.join(REPO_ROOT, PLANTED), "utf8"));
    expect(findings.map((f) => f.kind).sort()).toEqual([
      "AWS access key id",
      "AWS account id in an ARN",
      "credential literal",
    ]);
    // Reports mask what they found.
    expect(JSON.stringify(findings)).not.toMatch(/AKIA[A-Z0-9]{16}/);
  });

  it("finds no secret-looking literal in the repository", () => {
    const files = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard"], {
      cwd: REPO_ROOT,
      encoding: "utf8",
    })
      .split("\n")
      // Files deleted but not yet committed are still listed as cached: skip what is gone.
      .filter((f) => f && f !== PLANTED && f !== "package-lock.json" && existsSync(path.join(REPO_ROOT, f)));
    expect(files.length).toBeGreaterThan(50);
    const findings = files.flatMap((f) => scanText(f, readFileSync(path.join(REPO_ROOT, f), "utf8")));
    expect(findings.filter((f) => !exempt(f.file))).toEqual([]);
    const recorded = new Set(readProvenance().flatMap((e) => e.files.map((f) => f.path)));
    for (const exemption of UPSTREAM_PUBLISHED) {
      const matched = findings.filter((f) => exemption.file.test(f.file));
      expect({ exemption: exemption.why, matched: matched.length > 0 }).toEqual({
        exemption: exemption.why,
        matched: true,
      });
      for (const f of matched) expect(recorded.has(f.file)).toBe(true);
    }
  });

  const { stages, json } = buildApp();
  const stacks = Object.entries(stages);

  it.each(stacks)("finds no secret-looking literal in the synthesized %s stack", (id, stack) => {
    expect(scanText(`${id}/cdk.tf.json`, JSON.stringify(json(stack), null, 1))).toEqual([]);
  });

  it.each(stacks)("marks every output of the %s stack that carries a secret as sensitive", (_id, stack) => {
    for (const [name, output] of Object.entries(json(stack).output ?? {})) {
      if (/client_secret|secret_string|password|token/i.test(String(output.value)))
        expect({ name, sensitive: output.sensitive }).toEqual({ name, sensitive: true });
    }
  });
});
