import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { App } from "cdktf";
import { buildStages } from "../app";
import { ConfigError, parseConfig } from "../config/load";
import type { Config } from "../config/schema";
import { allowPolicyException } from "../policy/exceptions";
import { ALL_RULES, APP_RULES } from "../policy/rules";
import { runPolicy } from "../scripts/policy";
import { buildApp, configWith, DEFAULT_CONFIG_TEXT, REPO_ROOT, resource, resources } from "./helpers";

const openEndpoint = (c: Config): Config => ({
  ...c,
  cluster: { ...c.cluster, endpointPublicAccessCidrs: ["0.0.0.0/0"] },
});

describe("policy pack", () => {
  it("passes every rule (25 or more) on the shipped default config, printing the summary line last", () => {
    const result = runPolicy(configWith((c) => c));
    expect(result.failed).toBe(0);
    expect(result.passed).toBeGreaterThanOrEqual(25);
    expect(result.lines[result.lines.length - 1]).toBe(`${result.passed} passed, 0 failed`);
    expect(result.lines.filter((l) => l.startsWith("PASS")).length).toBe(result.passed);
  });

  it("is described in the README with its real size", () => {
    const readme = readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");
    expect(readme).toContain(`A policy pack of ${ALL_RULES.length + APP_RULES.length} rules`);
  });

  it("reports a violation with the rule, the resource and the fix, and counts it", () => {
    const result = runPolicy(configWith(openEndpoint));
    expect(result.failed).toBe(1);
    expect(result.lines.join("\n")).toMatch(
      /FAIL {2}CKV_AWS_39[^\n]*\n\s+\[CKV_AWS_39 [^\]]*\] eks\.aws_eks_cluster\.cluster_[A-F0-9]+: public_access_cidrs contains 0\.0\.0\.0\/0\. Fix: set cluster\.endpointPublicAccessCidrs/,
    );
    expect(result.lines[result.lines.length - 1]).toBe(`${result.passed} passed, 1 failed`);
  });

  it("fails synth on a violation", () => {
    const app = new App({ outdir: mkdtempSync(path.join(tmpdir(), "policy-synth-")) });
    buildStages(app, configWith(openEndpoint));
    expect(() => app.synth()).toThrow(
      /CKV_AWS_39[^\n]*eks\.aws_eks_cluster\.cluster_[A-F0-9]+: public_access_cidrs contains 0\.0\.0\.0\/0\. Fix:/,
    );
  });

  it("fails synth when the app has no encrypted default StorageClass (an app rule, over every stack)", () => {
    const app = new App({ outdir: mkdtempSync(path.join(tmpdir(), "policy-storage-")) });
    const stages = buildStages(
      app,
      configWith((c) => c),
    );
    const sc = stages.addons.storageClass.storageClass;
    sc.addOverride("parameters.encrypted", "false");
    expect(() => app.synth()).toThrow(
      /KF_DEFAULT_STORAGE_CLASS[^\n]*addons\.kubernetes_storage_class_v1\.default-storage-class_[A-F0-9]+: StorageClass ebs-encrypted does not encrypt with a customer-managed key[^\n]*Fix:/,
    );
  });

  it("waives a rule for a resource named in config, and prints the reason at synth", () => {
    const reason = "the API must be reachable from CI runners without fixed egress addresses";
    const waived = configWith((c) => ({
      ...openEndpoint(c),
      policy: { exceptions: [{ rule: "CKV_AWS_39", resource: "eks.aws_eks_cluster.*", reason }] },
    }));
    expect(runPolicy(waived).failed).toBe(0);
    const app = new App({ outdir: mkdtempSync(path.join(tmpdir(), "policy-waived-")) });
    const stages = buildStages(app, waived);
    app.synth();
    const warnings = stages.eks.node
      .findAll()
      .flatMap((n) => n.node.metadata.filter((m) => m.type === "@cdktf/warn").map((m) => String(m.data)));
    expect(warnings).toContainEqual(expect.stringContaining(`exception for eks.aws_eks_cluster.cluster_`));
    expect(warnings.join("\n")).toContain(reason);
  });

  it("rejects a config exception without a reason", () => {
    const text = DEFAULT_CONFIG_TEXT.replace(
      "  exceptions: []",
      "  exceptions:\n    - rule: CKV_AWS_39\n      resource: eks.*",
    );
    expect(() => parseConfig(text, "x.yaml")).toThrow(ConfigError);
    expect(() => parseConfig(text, "x.yaml")).toThrow(/policy\.exceptions\[0\]\.reason .*an exception needs a reason/);
    const short = DEFAULT_CONFIG_TEXT.replace(
      "  exceptions: []",
      "  exceptions:\n    - rule: CKV_AWS_39\n      resource: eks.*\n      reason: because",
    );
    expect(() => parseConfig(short, "x.yaml")).toThrow(/at least 20 characters/);
  });

  it("rejects a code exception without a reason", () => {
    expect(() => allowPolicyException(new App(), "CKV_K8S_16", " ")).toThrow(
      /needs a reason of at least 20 characters/,
    );
  });
});

describe("safe destroy", () => {
  it("guards buckets, KMS keys, the file system and the user pool by default", () => {
    const { stages, json } = buildApp();
    for (const stack of [stages.bootstrap, stages.eks, stages.fsx]) {
      for (const type of ["aws_s3_bucket", "aws_kms_key", "aws_fsx_lustre_file_system"]) {
        for (const [id, r] of resources(json(stack), type))
          expect({ id, lifecycle: r.lifecycle }).toEqual({
            id,
            lifecycle: expect.objectContaining({ prevent_destroy: true }),
          });
      }
    }
    expect(resource(json(stages.auth), "aws_cognito_user_pool", "user-pool").deletion_protection).toBe("ACTIVE");
  });

  it("lifts the guards only when protection.preventDestroy is set false, with the rule excepted and said why", () => {
    const off = configWith((c) => ({ ...c, protection: { preventDestroy: false } }));
    const { stages, json } = buildApp(off);
    expect(resource(json(stages.fsx), "aws_fsx_lustre_file_system", "file-system").lifecycle).toEqual({
      prevent_destroy: false,
    });
    expect(resource(json(stages.auth), "aws_cognito_user_pool", "user-pool").deletion_protection).toBe("INACTIVE");
    const report = runPolicy(off);
    expect(report.failed).toBe(0);
    expect(report.lines.join("\n")).toMatch(
      /exception for fsx\.aws_fsx_lustre_file_system[^\n]*protection\.preventDestroy is false/,
    );
  });
});
