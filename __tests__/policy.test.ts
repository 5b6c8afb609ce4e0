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
import { stackView } from "../policy/engine";
import { systemWorkloadsOf } from "../policy/rules/system-capacity";
import { readRequestsSummary } from "../lib/kubeflow-requests";
import { systemWorkloads } from "../lib/system-requests";
import { buildApp, configWith, defaultConfig, DEFAULT_CONFIG_TEXT, REPO_ROOT, resource, resources } from "./helpers";

/** The shipped config, built once for the tests below that read its synthesized stacks. */
const shipped = defaultConfig();

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
    const { stages, json } = buildApp(shipped);
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

describe("KF_SYSTEM_CAPACITY on the synthesized stacks", () => {
  it("reads from them what npm run cost reads from the config: every workload, its pods and its requests", () => {
    const { stages, json } = buildApp(shipped);
    const stacks = [stages.eks, stages.addons, stages.kubeflow, stages.fsx, stages.dashboard];
    const found = systemWorkloadsOf(stacks.flatMap((s) => stackView(s, json(s)).resources));
    if ("stale" in found) throw new Error(found.stale);
    const key = (w: {
      name: string;
      pods: number;
      cpuMillicoresPerPod: number;
      memoryMiBPerPod: number;
      perNode: boolean;
    }) => `${w.name} ${w.perNode ? "per node" : w.pods} ${w.cpuMillicoresPerPod}m ${w.memoryMiBPerPod}Mi`;
    const fromStacks = found.workloads.map(key).sort();
    expect(fromStacks).toEqual(systemWorkloads(shipped, readRequestsSummary()).map(key).sort());
    // The Helm values as synthesized: cluster-autoscaler 1 x 100m/600Mi, the load balancer controller
    // 2 x 100m/128Mi, Headlamp 1 pod asking nothing; the FSx CSI node plugin from its manifest.
    expect(fromStacks).toEqual(
      expect.arrayContaining([
        "cluster-autoscaler 1 100m 600Mi",
        "aws-load-balancer-controller 2 100m 128Mi",
        "headlamp 1 0m 0Mi",
        "fsx-csi-node per node 30m 104Mi",
      ]),
    );
    expect(found.params).toEqual({ components: ["notebooks", "pipelines", "katib"], version: "26.03" });
  });

  it("stops synth when minSize nodes cannot hold it, naming the requests, the capacity and the fix", () => {
    const app = new App({ outdir: mkdtempSync(path.join(tmpdir(), "policy-capacity-")) });
    buildStages(
      app,
      configWith((c) => ({
        ...c,
        nodeGroups: { ...c.nodeGroups, system: { ...c.nodeGroups.system, minSize: 1, desiredSize: 1 } },
      })),
    );
    // 43 pods, 2202m, 7986 MiB over the nodes; one m6a.large leaves 1620m, 6467 MiB and 23 pods after the
    // agents (1930m - 310m, 6903 - 436 MiB, 29 - 6 pods).
    expect(() => app.synth()).toThrow(
      /KF_SYSTEM_CAPACITY\] eks\.aws_eks_node_group\.system-nodes_node-group_[A-F0-9]+: the system group's minSize 1 x m6a\.large cannot hold what runs on it: 43 pods requesting 2202m CPU and 7986 MiB .* so 1 leaves 1620m CPU, 6467 MiB and 23 pods after the agents: CPU: .*Smallest that fits: minSize 2 of m6a\.large, or instanceTypes \[m6a\.xlarge\] with minSize 2\. Fix: raise nodeGroups\.system\.minSize/,
    );
  });
});
