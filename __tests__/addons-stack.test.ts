import { randomUUID } from "node:crypto";
import { UPSTREAM } from "../lib/versions";
import { parse } from "yaml";
import type { Config } from "../config/schema";
import { buildApp, configWith, dataSources, resource, resources, type SynthJson } from "./helpers";

type Body = Record<string, unknown>;
interface Statement {
  sid?: string;
  effect: string;
  actions: string[];
  resources?: string[];
  condition?: { test: string; variable: string; values: string[] }[];
}

function releaseValues(json: SynthJson, name: string): Record<string, unknown> {
  const [[, release]] = resources(json, "helm_release").filter(([, r]) => r.name === name);
  return parse((release.values as string[])[0]) as Record<string, unknown>;
}

/** The priority the expander would give an ASG: the highest whose patterns match it (Go's regexp is unanchored). */
function priorityOf(priorities: Record<string, string[]>, asgName: string): number | undefined {
  const matching = Object.entries(priorities)
    .filter(([, patterns]) => patterns.some((p) => new RegExp(p).test(asgName)))
    .map(([priority]) => Number(priority));
  return matching.length > 0 ? Math.max(...matching) : undefined;
}

const asg = (nodeGroup: string) => `eks-${nodeGroup}-${randomUUID()}`;
const ZONES = ["us-west-2a", "us-west-2b", "us-west-2c", "us-west-2d"];
/** A node group name as EKS will see it, with the plan-time zone filled in (zone index i is ZONES[i]). */
const concrete = (name: string) =>
  name.replace(/\$\{element\(local\.zones_chosen_[^,]+, (\d)\)\}/, (_m, i: string) => ZONES[Number(i)]);

function addonsOf(config?: Config) {
  const { stages, json } = buildApp(config);
  return { stages, addons: json(stages.addons), eks: json(stages.eks) };
}

const { stages, addons, eks } = addonsOf();
const autoscaler = releaseValues(addons, "cluster-autoscaler");
const priorities = autoscaler.expanderPriorities as Record<string, string[]>;
const sizes = stages.eks.config.nodeGroups.gpu.map((g) => g.name);

describe("addons stack: priority expander", () => {
  it.each(sizes.map((s) => [s]))(
    "ranks every Spot group of %s above every On-Demand group of it, in any zones",
    (size) => {
      for (const spotZone of ZONES) {
        for (const onDemandZone of ZONES) {
          const spot = priorityOf(priorities, asg(`${size}-spot-${spotZone}`));
          const onDemand = priorityOf(priorities, asg(`${size}-on-demand-${onDemandZone}`));
          expect(spot).toBeDefined();
          expect(onDemand).toBeDefined();
          expect(spot!).toBeGreaterThan(onDemand!);
        }
      }
    },
  );

  it("gives one size and capacity type the same priority in every zone (zones tie: least-waste, then balancing)", () => {
    for (const size of sizes) {
      for (const capacity of ["spot", "on-demand"]) {
        const ranks = new Set(ZONES.map((z) => priorityOf(priorities, asg(`${size}-${capacity}-${z}`))));
        expect(ranks.size).toBe(1);
      }
    }
  });

  it("has a rule for every node group the eks stack creates, matching that group's ASG only", () => {
    const groupNames = resources(eks, "aws_eks_node_group").map(([, g]) => concrete(String(g.node_group_name)));
    expect(groupNames).toHaveLength(13);
    for (const group of groupNames) {
      const own = Object.entries(priorities).filter(([, ps]) => ps.some((p) => new RegExp(p).test(asg(group))));
      expect({ group, rules: own.length }).toEqual({ group, rules: 1 });
      const [, patterns] = own[0];
      const sameRule = (other: string) =>
        other.replace(/-us-west-2[a-z]$/, "") === group.replace(/-us-west-2[a-z]$/, "");
      for (const other of groupNames.filter((g) => !sameRule(g))) {
        expect(patterns.some((p) => new RegExp(p).test(asg(other)))).toBe(false);
      }
    }
  });

  it("does not match names that are not managed-node-group ASGs of these groups", () => {
    for (const name of [
      "gpu-1x-spot-us-west-2a", // no eks- prefix or uuid
      `eks-gpu-1x-spot-us-west-2a-${randomUUID()}-extra`,
      `eks-gpu-1x-spot-us-west-2a-copy-${randomUUID()}`,
      `my-eks-gpu-1x-spot-us-west-2a-${randomUUID()}`,
      `eks-gpu-1x-spot-us-west-2a-${randomUUID().toUpperCase()}`,
      `eks-gpu-1x-spot-${randomUUID()}`, // the old, zone-less group
      `eks-gpu-1x-spot-us-east-1a-${randomUUID()}`, // another region's zone
      `eks-gpu-1x-${randomUUID()}`,
    ]) {
      expect({ name, priority: priorityOf(priorities, name) }).toEqual({ name, priority: undefined });
    }
  });

  it("orders sizes smallest first, each Spot then On-Demand, and CPU last", () => {
    const order = [
      "gpu-1x-spot-us-west-2b",
      "gpu-1x-on-demand-us-west-2a",
      "gpu-4x-spot-us-west-2c",
      "gpu-4x-on-demand-us-west-2b",
      "system",
    ].map((g) => priorityOf(priorities, asg(g)));
    expect(order).toEqual([...order].sort((a, b) => b! - a!));
    expect(new Set(order).size).toBe(order.length);
  });

  it("follows the configured GPU groups", () => {
    const threeSizes = configWith((c) => ({
      ...c,
      nodeGroups: {
        ...c.nodeGroups,
        gpu: [
          { name: "big", instanceTypes: ["p4d.24xlarge"], maxSize: 1, diskSizeGiB: 200, zoneInstanceTypes: {} },
          { name: "small", instanceTypes: ["g6.xlarge"], maxSize: 3, diskSizeGiB: 100, zoneInstanceTypes: {} },
          { name: "wide", instanceTypes: ["g6e.12xlarge"], maxSize: 1, diskSizeGiB: 100, zoneInstanceTypes: {} },
        ],
      },
    }));
    const other = addonsOf(threeSizes);
    const p = releaseValues(other.addons, "cluster-autoscaler").expanderPriorities as Record<string, string[]>;
    const ranks = ["small-spot", "small-on-demand", "wide-spot", "wide-on-demand", "big-spot", "big-on-demand"].map(
      (g) => priorityOf(p, asg(`${g}-us-west-2a`)),
    );
    expect(ranks.every((r) => r !== undefined)).toBe(true);
    expect(ranks).toEqual([...ranks].sort((a, b) => b! - a!));
    expect(priorityOf(p, asg("gpu-1x-spot-us-west-2a"))).toBeUndefined();
  });
});

describe("addons stack: default StorageClass", () => {
  const classes = resources(addons, "kubernetes_storage_class_v1");

  it("is the one class: gp3 from the EBS CSI driver, encrypted with the eks stack's key, zone of the first consumer, expandable", () => {
    expect(classes).toHaveLength(1);
    const [[, sc]] = classes;
    expect(sc).toMatchObject({
      metadata: { name: "ebs-encrypted", annotations: { "storageclass.kubernetes.io/is-default-class": "true" } },
      storage_provisioner: "ebs.csi.aws.com",
      volume_binding_mode: "WaitForFirstConsumer",
      allow_volume_expansion: true,
      reclaim_policy: "Delete",
    });
    const parameters = sc.parameters as Record<string, string>;
    expect(Object.keys(parameters).sort()).toEqual(["csi.storage.k8s.io/fstype", "encrypted", "kmsKeyId", "type"]);
    expect(parameters).toMatchObject({ type: "gp3", encrypted: "true", "csi.storage.k8s.io/fstype": "ext4" });
    // The key travels from the eks stack through remote state: the volume key's ARN.
    expect(parameters.kmsKeyId).toMatch(
      /^\$\{data\.terraform_remote_state\.cross-stack-reference-input-eks\.outputs\./,
    );
    const output = Object.entries(eks.output ?? {}).find(([id]) => parameters.kmsKeyId.includes(id))!;
    expect(String(output[1].value)).toMatch(/^\$\{aws_kms_key\.volume-key\.arn\}$/);
  });

  it("takes type, IOPS, throughput and reclaim policy from config", () => {
    const tuned = addonsOf(
      configWith((c) => ({ ...c, storage: { type: "gp3", iops: 6000, throughput: 500, reclaimPolicy: "Retain" } })),
    );
    const [[, sc]] = resources(tuned.addons, "kubernetes_storage_class_v1");
    expect(sc.reclaim_policy).toBe("Retain");
    expect(sc.parameters).toMatchObject({ type: "gp3", iops: "6000", throughput: "500", encrypted: "true" });
    const io2 = addonsOf(configWith((c) => ({ ...c, storage: { type: "io2", iops: 20000, reclaimPolicy: "Delete" } })));
    const [[, ioClass]] = resources(io2.addons, "kubernetes_storage_class_v1");
    expect(ioClass.parameters).toMatchObject({ type: "io2", iops: "20000" });
    expect(ioClass.parameters).not.toHaveProperty("throughput");
  });
});

describe("addons stack: cluster-autoscaler", () => {
  const args = autoscaler.extraArgs as Record<string, unknown>;

  it("uses the priority expander with least-waste for ties, and the configured provision time", () => {
    expect(args.expander).toBe("priority,least-waste");
    expect(args["max-node-provision-time"]).toBe("8m");
    const faster = addonsOf(
      configWith((c) => ({
        ...c,
        addons: { ...c.addons, clusterAutoscaler: { ...c.addons.clusterAutoscaler, maxNodeProvisionTime: "10m" } },
      })),
    );
    expect((releaseValues(faster.addons, "cluster-autoscaler").extraArgs as Body)["max-node-provision-time"]).toBe(
      "10m",
    );
  });

  it("balances similar groups and scales down idle GPU nodes by the configured thresholds", () => {
    expect(args).toMatchObject({
      "balance-similar-node-groups": true,
      "scale-down-unneeded-time": "5m",
      "scale-down-delay-after-add": "5m",
      "scale-down-gpu-utilization-threshold": 0.5,
      "scale-down-utilization-threshold": 0.5,
    });
  });

  it("discovers the ASGs by the tag keys EKS writes onto every managed node group's ASG, in the configured region", () => {
    expect(autoscaler).toMatchObject({
      cloudProvider: "aws",
      awsRegion: "us-west-2",
      autoDiscovery: {
        clusterName: "kubeflow",
        tags: ["k8s.io/cluster-autoscaler/enabled", "k8s.io/cluster-autoscaler/kubeflow"],
      },
    });
    // EKS's tags, not ours: the eks stack writes only the node template.
    const ours = resources(eks, "aws_autoscaling_group_tag").flatMap(([, t]) => Object.keys(t.for_each as Body));
    for (const tag of (autoscaler.autoDiscovery as { tags: string[] }).tags) expect(ours).not.toContain(tag);
  });

  it("builds a group that scaled to zero from its ASG tags again: the real-node cache expires after a minute", () => {
    // mixed_nodeinfos_processor.go:136-146 (cluster-autoscaler-1.35.2) uses a cached real node for a
    // group with no good node until the entry is older than this flag (default 87600h, flags.go:186).
    const ttl = String(args["node-info-cache-expire-time"]);
    expect(ttl).toBe("1m");
    // --balancing-label would drop the AWS template provider that restores GPU counts (main.go:247-260).
    expect(Object.keys(args).some((k) => k.split("_")[0] === "balancing-label")).toBe(false);
  });

  it("balances a size's zonal groups despite the labels that only name the group or the boot", () => {
    const ignored = Object.entries(args)
      .filter(([k]) => k.split("_")[0] === "balancing-ignore-label")
      .map(([, v]) => v);
    expect(ignored.sort()).toEqual(
      [
        "amiType",
        "cluster-name",
        "eks.amazonaws.com/nodegroup-image",
        "eks.amazonaws.com/sourceLaunchTemplateId",
        "eks.amazonaws.com/sourceLaunchTemplateVersion",
        "k8sVersion",
        "kubeflow-eks/lustre-install-seconds",
        "nodegroup-name",
      ].sort(),
    );
    // Labels that tell sizes or capacity types apart are never ignored.
    for (const label of ["kubeflow-eks/gpu-size", "kubeflow-eks/capacity-type", "node.kubernetes.io/instance-type"])
      expect(ignored).not.toContain(label);
  });

  it("runs the image matching the cluster's Kubernetes minor, on the system nodes", () => {
    expect(autoscaler.image).toEqual({ tag: UPSTREAM.clusterAutoscaler.images[0].tag });
    expect(UPSTREAM.clusterAutoscaler.images[0].tag).toBe(`v${UPSTREAM.clusterAutoscaler.version}`);
    expect(autoscaler.nodeSelector).toEqual({ "kubeflow-eks/node-role": "system" });
    const [, system] = resources(eks, "aws_eks_node_group").find(([, g]) => g.node_group_name === "system")!;
    expect((system.labels as Body)["kubeflow-eks/node-role"]).toBe("system");
  });

  describe("AWS permissions", () => {
    const permissions = dataSources(addons, "aws_iam_policy_document").find(([id]) =>
      id.includes("autoscaler_identity_permissions"),
    )!;
    const statements = permissions[1].statement as Statement[];
    const actions = statements.flatMap((s) => s.actions);

    it("can read scaling activities (early abort on a failed Spot launch)", () => {
      expect(actions).toContain("autoscaling:DescribeScalingActivities");
      for (const read of [
        "autoscaling:DescribeAutoScalingGroups",
        "ec2:DescribeInstanceTypes",
        "eks:DescribeNodegroup",
      ]) {
        expect(actions).toContain(read);
      }
    });

    it("may only scale ASGs carrying the cluster's ownership tag", () => {
      const writes = ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"];
      const writing = statements.filter((s) => s.actions.some((a) => writes.includes(a)));
      expect(writing).toHaveLength(1);
      expect(writing[0].actions.sort()).toEqual(writes.sort());
      // The keys EKS writes (documented) must be on the ASG; their values EKS does not document.
      expect(writing[0].condition).toEqual([
        { test: "Null", variable: "aws:ResourceTag/k8s.io/cluster-autoscaler/kubeflow", values: ["false"] },
        { test: "Null", variable: "aws:ResourceTag/k8s.io/cluster-autoscaler/enabled", values: ["false"] },
      ]);
      expect(writing[0].resources).toEqual([
        expect.stringMatching(/:autoScalingGroup:\*:autoScalingGroupName\/eks-\*$/),
      ]);
    });

    it("has no wildcard action", () => {
      for (const action of actions) expect(action).not.toMatch(/\*/);
    });

    it("is bound to the autoscaler's service account only", () => {
      const association = resource(addons, "aws_eks_pod_identity_association", "cluster-autoscaler");
      expect(association).toMatchObject({ namespace: "kube-system", service_account: "cluster-autoscaler" });
      expect((autoscaler.rbac as Body).serviceAccount).toEqual({ create: true, name: "cluster-autoscaler" });
      const trust = dataSources(addons, "aws_iam_policy_document").find(([id]) =>
        id.includes("autoscaler_identity_trust"),
      )![1];
      const [statement] = trust.statement as (Statement & { principals: unknown })[];
      expect(statement.principals).toEqual([{ type: "Service", identifiers: ["pods.eks.amazonaws.com"] }]);
      expect(statement.condition).toEqual(
        expect.arrayContaining([
          { test: "StringEquals", variable: "aws:RequestTag/kubernetes-namespace", values: ["kube-system"] },
          {
            test: "StringEquals",
            variable: "aws:RequestTag/kubernetes-service-account",
            values: ["cluster-autoscaler"],
          },
          { test: "StringEquals", variable: "aws:RequestTag/eks-cluster-name", values: ["kubeflow"] },
        ]),
      );
    });
  });
});

describe("addons stack: NVIDIA device plugin", () => {
  const plugin = releaseValues(addons, "nvidia-device-plugin");
  const gpuGroups = resources(eks, "aws_eks_node_group").filter(([, g]) => g.ami_type === "AL2023_x86_64_NVIDIA");

  it("tolerates exactly the taint the eks stack puts on GPU nodes", () => {
    const effects: Record<string, string> = { NO_SCHEDULE: "NoSchedule" };
    const taints = new Set(
      gpuGroups.flatMap(([, g]) =>
        (g.taint as Body[]).map((t) => JSON.stringify([t.key, t.value, effects[String(t.effect)]])),
      ),
    );
    expect(taints.size).toBe(1);
    const tolerations = plugin.tolerations as Body[];
    expect(tolerations).toHaveLength(1);
    const [t] = tolerations;
    expect(t.operator).toBe("Equal");
    expect(JSON.stringify([t.key, t.value, t.effect])).toBe([...taints][0]);
  });

  it("selects only GPU nodes", () => {
    const selector = plugin.nodeSelector as Record<string, string>;
    expect(Object.keys(selector)).toHaveLength(1);
    const [[key, value]] = Object.entries(selector);
    for (const [, group] of resources(eks, "aws_eks_node_group")) {
      const labels = group.labels as Record<string, string>;
      expect({ group: group.node_group_name, selected: labels[key] === value }).toEqual({
        group: group.node_group_name,
        selected: group.ami_type === "AL2023_x86_64_NVIDIA",
      });
    }
    const terms = (
      plugin.affinity as {
        nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: Body[] } };
      }
    ).nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms;
    expect(terms).toEqual([{ matchExpressions: [{ key, operator: "In", values: [value] }] }]);
  });
});

describe("addons stack: Helm and providers", () => {
  it("pins every chart and makes every release atomic with a timeout", () => {
    const releases = resources(addons, "helm_release").map(([, r]) => r);
    expect(releases.map((r) => [r.chart, r.version])).toEqual([
      ["cluster-autoscaler", UPSTREAM.clusterAutoscalerChart.version],
      ["nvidia-device-plugin", UPSTREAM.nvidiaDevicePlugin.version],
    ]);
    for (const r of releases) {
      expect(r).toMatchObject({ atomic: true, cleanup_on_fail: true, wait: true });
      expect(Number(r.timeout)).toBeGreaterThanOrEqual(300);
    }
  });

  it("installs no node termination handler: managed node groups drain Spot nodes themselves", () => {
    expect(resources(addons, "helm_release").map(([, r]) => r.chart)).not.toContain("aws-node-termination-handler");
  });

  it("authenticates Helm with the aws eks get-token exec plugin, not a stored token", () => {
    const [helm] = (addons.provider?.helm ?? []) as { kubernetes: Body }[];
    expect(helm.kubernetes).not.toHaveProperty("token");
    expect(helm.kubernetes.exec).toEqual({
      api_version: "client.authentication.k8s.io/v1beta1",
      command: "aws",
      args: [
        "eks",
        "get-token",
        "--cluster-name",
        expect.stringContaining("terraform_remote_state"),
        "--region",
        "us-west-2",
      ],
    });
    expect(String(helm.kubernetes.host)).toContain("terraform_remote_state");
    expect(dataSources(addons, "aws_eks_cluster_auth")).toEqual([]);
  });
});
