/**
 * What the always-on system nodes must hold, and whether a node group holds it: the CPU, memory and
 * pods of everything that runs there with no GPU workload (the Kubeflow core and the selected
 * components, our add-ons, EKS's add-ons, the per-node agents), against the group's allocatable
 * (lib/node-capacity.ts). The policy rule KF_SYSTEM_CAPACITY reads the same figures from the
 * synthesized stacks (policy/rules/system-capacity.ts); `npm run cost` from the config.
 *
 * Every figure comes from a file at the version we run or the build EKS installs by default, cited
 * where it is used. GPU nodes are tainted, so every pod that does not tolerate the taint lands on a
 * system node; the per-node agents (DaemonSets) run on every node, each system node included. What
 * runs only on GPU nodes (the NVIDIA device plugin: nodeSelector nvidia.com/gpu.present=true, a label
 * nodeadm sets only where it finds an NVIDIA device, amazon-eks-ami v20260724
 * nodeadm/internal/kubelet/labels.go:15-23) is left out. Users' pods (notebooks without a GPU, pipeline
 * steps) come on top: the autoscaler adds system nodes for them up to maxSize.
 */
import type { Config } from "../config/schema";
import { FSX_CSI_DRIVER_OBJECTS } from "../generated/fsx-csi-driver";
import type { KubeflowComponent, ResourceOwner } from "./kubeflow-components";
import type { KubeflowRequestsSummary } from "./kubeflow-requests";
import { CAPACITY_TYPE_LABEL, NODE_ROLE_LABEL } from "./labels";
import { selects, type LabelSelector } from "./network-policy";
import { nodeAllocatable, nodeGroupMaxPods, type NodeResources } from "./node-capacity";
import { systemInstanceType, SYSTEM_INSTANCE_TYPES } from "./instance-types";
import {
  containersRequestingNothing,
  longRunningContainers,
  MIB,
  podRequests,
  type ContainerSpec,
  type PodSpecLike,
} from "./pod-requests";

/** Pods of one kind on the system nodes. */
export interface SystemWorkload {
  /** What it is, e.g. "cluster-autoscaler" or "istiod". */
  readonly name: string;
  /** The report's heading it goes under, e.g. "Kubeflow core", "add-ons", "per-node agents". */
  readonly group: string;
  /** true: one pod on every node (a DaemonSet); false: `pods` pods in the cluster. */
  readonly perNode: boolean;
  readonly pods: number;
  readonly cpuMillicoresPerPod: number;
  readonly memoryMiBPerPod: number;
  readonly containersPerPod: number;
  readonly containersRequestingNothingPerPod: number;
  /** Where the figures come from. */
  readonly source: string;
  /** Set when a figure is not published anywhere we can read: why, and what is counted instead. */
  readonly unknown?: string;
}

export class SystemRequestsError extends Error {}

/** Labels every system node carries: the group's own (stacks/eks-stack.ts) and the kubelet's well-known ones. */
export const SYSTEM_NODE_LABELS: Readonly<Record<string, string>> = {
  [NODE_ROLE_LABEL]: "system",
  [CAPACITY_TYPE_LABEL]: "on-demand",
  "kubernetes.io/os": "linux",
  "kubernetes.io/arch": "amd64",
};

interface NodeSelectorTerm {
  readonly matchExpressions?: LabelSelector["matchExpressions"];
}

/** Whether a pod with this nodeSelector and required node affinity can run on a node with `labels`. */
export function schedulesOn(
  spec: {
    readonly nodeSelector?: Readonly<Record<string, string>>;
    readonly affinity?: {
      readonly nodeAffinity?: {
        readonly requiredDuringSchedulingIgnoredDuringExecution?: {
          readonly nodeSelectorTerms?: readonly NodeSelectorTerm[];
        };
      };
    };
  },
  labels: Readonly<Record<string, string>>,
): boolean {
  if (!selects({ matchLabels: spec.nodeSelector ?? {} }, labels)) return false;
  const terms = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  return (
    terms === undefined ||
    terms.length === 0 ||
    terms.some((t) => selects({ matchExpressions: t.matchExpressions }, labels))
  );
}

function workloadOf(
  name: string,
  group: string,
  perNode: boolean,
  pods: number,
  spec: PodSpecLike,
  source: string,
  unknown?: string,
): SystemWorkload {
  const requests = podRequests(spec);
  return {
    name,
    group,
    perNode,
    pods,
    cpuMillicoresPerPod: requests.cpuMillicores,
    memoryMiBPerPod: requests.memoryBytes / MIB,
    containersPerPod: longRunningContainers(spec).length,
    containersRequestingNothingPerPod: containersRequestingNothing(spec),
    source,
    ...(unknown ? { unknown } : {}),
  };
}

// ---------------------------------------------------------------------------------------------------
// Kubeflow: the committed summary (generated/kubeflow-requests.json).

const COMPONENT_GROUP = (owner: ResourceOwner) => (owner === "core" ? "Kubeflow core" : `Kubeflow ${owner}`);

/** The Kubeflow core's and the selected components' workloads, from the summary. */
export function kubeflowWorkloads(
  summary: KubeflowRequestsSummary,
  components: readonly KubeflowComponent[],
): SystemWorkload[] {
  return (["core", ...components] as ResourceOwner[]).flatMap((owner) => {
    const c = summary.components[owner];
    if (!c)
      throw new SystemRequestsError(
        `generated/kubeflow-requests.json (Kubeflow ${summary.version}) has no "${owner}"; run \`npm run generate\``,
      );
    const source = `generated/kubeflow-requests.json (Kubeflow ${summary.version}, the install's build)`;
    return [...c.workloads.map((w) => [w, false] as const), ...c.daemonSets.map((w) => [w, true] as const)].map(
      ([w, perNode]) => ({
        name: w.name,
        group: perNode ? "per-node agents" : COMPONENT_GROUP(owner),
        perNode,
        pods: w.pods,
        cpuMillicoresPerPod: w.cpuMillicoresPerPod,
        memoryMiBPerPod: w.memoryMiBPerPod,
        containersPerPod: w.containersPerPod,
        containersRequestingNothingPerPod: w.containersRequestingNothingPerPod,
        source,
      }),
    );
  });
}

// ---------------------------------------------------------------------------------------------------
// Our Helm releases: the values we set (these constants, which the constructs use) over the chart's
// defaults at the vendored version (upstream/, see upstream/PROVENANCE.json).

type Resources = ContainerSpec["resources"];

/** cluster-autoscaler (constructs/cluster-autoscaler.ts). */
export const CLUSTER_AUTOSCALER_POD = {
  replicaCount: 1,
  resources: { requests: { cpu: "100m", memory: "600Mi" }, limits: { memory: "600Mi" } },
} as const;
/** Karpenter's controller (constructs/karpenter.ts). */
export const KARPENTER_POD = {
  replicas: 2,
  resources: { requests: { cpu: "1", memory: "1Gi" }, limits: { cpu: "1", memory: "1Gi" } },
} as const;
/** The AWS Load Balancer Controller (constructs/aws-load-balancer-controller.ts). */
export const LOAD_BALANCER_CONTROLLER_POD = {
  replicaCount: 2,
  resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } },
} as const;

interface ChartValues {
  readonly replicaCount?: number;
  readonly replicas?: number;
  readonly resources?: Resources;
  readonly controller?: { readonly resources?: Resources };
  readonly nodeSelector?: Readonly<Record<string, string>>;
  readonly affinity?: Parameters<typeof schedulesOn>[0]["affinity"];
}

interface ChartPods {
  /** Pods of the release's Deployment, and its one container's resources. */
  readonly deployment?: (v: ChartValues) => { replicas: number; resources: Resources };
  /** A release that runs a DaemonSet this module does not model: refused if it would land on system nodes. */
  readonly daemonSet?: true;
  readonly source: string;
}

/** The charts we install, by chart name (or local path), and how their values make pods. */
export const CHART_PODS: Readonly<Record<string, ChartPods>> = {
  "cluster-autoscaler": {
    // One container (templates/deployment.yaml:61-62, resources from .Values.resources); defaults
    // replicaCount 1 and resources {} (values.yaml:406, 409).
    deployment: (v) => ({ replicas: v.replicaCount ?? 1, resources: v.resources ?? {} }),
    source:
      "our values; the chart's defaults: upstream/cluster-autoscaler-chart/cluster-autoscaler/charts/cluster-autoscaler/values.yaml:406,409",
  },
  karpenter: {
    // One container, "controller" (templates/deployment.yaml:63, 226-227: .Values.controller.resources);
    // defaults replicas 2 and controller.resources {} (values.yaml:49, 145).
    deployment: (v) => ({ replicas: v.replicas ?? 2, resources: v.controller?.resources ?? {} }),
    source: "our values; the chart's defaults: upstream/karpenter-chart/charts/karpenter/values.yaml:49,145",
  },
  "aws-load-balancer-controller": {
    // One container (templates/deployment.yaml:64, 253-254); defaults replicaCount 2, resources {} (values.yaml:5, 62).
    deployment: (v) => ({ replicas: v.replicaCount ?? 2, resources: v.resources ?? {} }),
    source:
      "our values; the chart's defaults: upstream/aws-load-balancer-controller-chart/stable/aws-load-balancer-controller/values.yaml:5,62",
  },
  headlamp: {
    // One container (templates/deployment.yaml:422-423); the plugin manager's is off by default
    // (values.yaml:459); defaults replicaCount 1, resources {} (values.yaml:6, 387).
    deployment: (v) => ({ replicas: v.replicaCount ?? 1, resources: v.resources ?? {} }),
    source: "the chart's defaults: upstream/headlamp/charts/headlamp/values.yaml:6,387,459",
  },
  "nvidia-device-plugin": {
    daemonSet: true,
    source: "our values: nodeSelector nvidia.com/gpu.present=true (constructs/nvidia-device-plugin.ts)",
  },
  // CRDs only.
  "karpenter-crd": { source: "CRDs only" },
  // Karpenter's NodePools and EC2NodeClasses (constructs/karpenter-gpu-node-pools.ts).
  "charts/raw-resources": { source: "Karpenter NodePools and EC2NodeClasses" },
};

/** The system-node workloads of one Helm release, from its chart and values. */
export function helmWorkloads(chart: string, values: ChartValues): SystemWorkload[] {
  const key = Object.keys(CHART_PODS).find((k) => chart === k || chart.endsWith(`/${k}`));
  if (!key)
    throw new SystemRequestsError(
      `Helm chart ${chart}: its pods' requests are not known to lib/system-requests.ts (CHART_PODS); add the chart there with its defaults`,
    );
  const pods = CHART_PODS[key];
  if (!schedulesOn(values, SYSTEM_NODE_LABELS)) return [];
  if (pods.daemonSet)
    throw new SystemRequestsError(
      `Helm chart ${chart} would run its DaemonSet on the system nodes; lib/system-requests.ts does not count it`,
    );
  if (!pods.deployment) return [];
  const { replicas, resources } = pods.deployment(values);
  return [workloadOf(key, "add-ons", false, replicas, { containers: [{ resources }] }, pods.source)];
}

// ---------------------------------------------------------------------------------------------------
// EKS managed add-ons. Their builds are EKS's defaults for the cluster's minor, not pinned offline
// (lib/versions.ts); the figures are those of the upstream charts the builds come from, at the versions
// named, or where no manifest is published, an allowance that says so.

const req = (cpu?: string, memory?: string): ContainerSpec => ({
  resources: { requests: { ...(cpu ? { cpu } : {}), ...(memory ? { memory } : {}) } },
});
const none: ContainerSpec = { resources: {} };

/**
 * What kube-proxy is counted at, its requests being published nowhere: no less than any per-node agent
 * whose requests are (a test holds it to that).
 */
export const KUBE_PROXY_ALLOWANCE = { cpu: "100m", memory: "128Mi" } as const;

/** The pods each EKS add-on runs on the system nodes, by add-on name. */
export const EKS_ADDON_PODS: Readonly<Record<string, readonly Omit<SystemWorkload, "group">[]>> = {
  // aws/eks-charts 27a920d (aws-vpc-cni 1.22.4) stable/aws-vpc-cni: the aws-node container requests
  // .Values.resources, cpu 25m (values.yaml:190-192; templates/daemonset.yaml:109-112); the network
  // policy agent (nodeAgent.enabled, values.yaml:30) and the init container take .Values.resources too,
  // their own being {} (values.yaml:27, 57; templates/daemonset.yaml:52, 160).
  "vpc-cni": [
    workloadOf(
      "aws-node",
      "",
      true,
      1,
      { initContainers: [req("25m")], containers: [req("25m"), req("25m")] },
      "aws/eks-charts 27a920d stable/aws-vpc-cni values.yaml:27,57,190-192; templates/daemonset.yaml:52,109,160",
    ),
  ],
  // EKS publishes no manifest of its kube-proxy build, and Kubernetes' own (kubernetes/kubernetes
  // cluster/addons/kube-proxy/kube-proxy-ds.yaml) leaves its CPU request to a template parameter:
  // KUBE_PROXY_ALLOWANCE stands in for it.
  "kube-proxy": [
    workloadOf(
      "kube-proxy",
      "",
      true,
      1,
      { containers: [req(KUBE_PROXY_ALLOWANCE.cpu, KUBE_PROXY_ALLOWANCE.memory)] },
      "allowance",
      `EKS publishes no manifest of its kube-proxy build: counted at an allowance of ${KUBE_PROXY_ALLOWANCE.cpu} CPU and ` +
        `${KUBE_PROXY_ALLOWANCE.memory}, no less than any per-node agent here that publishes its requests asks for ` +
        "(100m CPU: istio-cni-node; 104Mi: ebs-csi-node, fsx-csi-node)",
    ),
  ],
  // aws/eks-pod-identity-agent v0.1.37 charts/eks-pod-identity-agent: resources {} (values.yaml:165;
  // templates/daemonset.yaml:134-135); the init container runs once.
  "eks-pod-identity-agent": [
    workloadOf(
      "eks-pod-identity-agent",
      "",
      true,
      1,
      { initContainers: [none], containers: [none] },
      "aws/eks-pod-identity-agent v0.1.37 charts/eks-pod-identity-agent/values.yaml:165",
    ),
  ],
  // Two replicas (EKS user guide, awsdocs/amazon-eks-user-guide 4d52b4d0
  // latest/ug/networking/eks-networking-add-ons.adoc:4149). EKS publishes no manifest of its CoreDNS
  // build: counted at Kubernetes' own CoreDNS add-on's requests, cpu 100m and memory 70Mi
  // (kubernetes/kubernetes 008b3652 cluster/addons/dns/coredns/coredns.yaml.base).
  coredns: [
    workloadOf(
      "coredns",
      "",
      false,
      2,
      { containers: [req("100m", "70Mi")] },
      "kubernetes/kubernetes 008b3652 cluster/addons/dns/coredns/coredns.yaml.base; 2 replicas: EKS user guide",
      "EKS publishes no manifest of its CoreDNS build: counted at Kubernetes' own CoreDNS add-on's requests",
    ),
  ],
  // kubernetes-sigs/aws-ebs-csi-driver v1.64.0 (chart 2.63.1) charts/aws-ebs-csi-driver: the controller,
  // controller.replicaCount 2 (values.yaml:290), runs ebs-plugin with controller.resources (cpu 10m,
  // memory 40Mi, values.yaml:302-305; templates/controller.yaml:207) and the provisioner, attacher,
  // snapshotter (only where the snapshot API exists: counted) and resizer with the same by default
  // (controller.yaml:287, 360, 369-421, 612), plus the liveness probe, 10m and 32Mi (controller.yaml:646-655).
  // The node plugin: ebs-plugin with node.resources (10m, 40Mi, values.yaml:415-418; templates/_node.tpl:181),
  // the registrar and the liveness probe, 10m and 32Mi each (_node.tpl:238-246, 269-277).
  "aws-ebs-csi-driver": [
    workloadOf(
      "ebs-csi-controller",
      "",
      false,
      2,
      {
        containers: [
          req("10m", "40Mi"),
          req("10m", "40Mi"),
          req("10m", "40Mi"),
          req("10m", "40Mi"),
          req("10m", "40Mi"),
          req("10m", "32Mi"),
        ],
      },
      "kubernetes-sigs/aws-ebs-csi-driver v1.64.0 charts/aws-ebs-csi-driver values.yaml:290,302-305; templates/controller.yaml",
    ),
    workloadOf(
      "ebs-csi-node",
      "",
      true,
      1,
      { containers: [req("10m", "40Mi"), req("10m", "32Mi"), req("10m", "32Mi")] },
      "kubernetes-sigs/aws-ebs-csi-driver v1.64.0 charts/aws-ebs-csi-driver values.yaml:415-418; templates/_node.tpl",
    ),
  ],
};

/** The system-node workloads of an EKS add-on. */
export function eksAddonWorkloads(addonName: string): SystemWorkload[] {
  const pods = Object.prototype.hasOwnProperty.call(EKS_ADDON_PODS, addonName) ? EKS_ADDON_PODS[addonName] : undefined;
  if (!pods)
    throw new SystemRequestsError(
      `EKS add-on ${addonName}: its pods' requests are not known to lib/system-requests.ts (EKS_ADDON_PODS); add them there`,
    );
  return pods.map((p) => ({ ...p, group: p.perNode ? "per-node agents" : "EKS add-ons" }));
}

// ---------------------------------------------------------------------------------------------------
// Kubernetes objects the stacks apply themselves (the FSx CSI driver's, generated/fsx-csi-driver.ts).

interface ManifestLike {
  readonly kind?: string;
  readonly metadata?: { readonly name?: string };
  readonly spec?: {
    readonly replicas?: number;
    readonly template?: { readonly spec?: PodSpecLike & Parameters<typeof schedulesOn>[0] };
  };
}

/** The system-node workload of a Deployment, StatefulSet or DaemonSet manifest; none for other kinds (a Job runs once). */
export function manifestWorkloads(manifest: ManifestLike, source: string): SystemWorkload[] {
  const kind = manifest.kind ?? "";
  const spec = manifest.spec?.template?.spec;
  if (!["Deployment", "StatefulSet", "DaemonSet"].includes(kind) || !spec) return [];
  if (!schedulesOn(spec, SYSTEM_NODE_LABELS)) return [];
  const perNode = kind === "DaemonSet";
  return [
    workloadOf(
      manifest.metadata?.name ?? kind,
      perNode ? "per-node agents" : "add-ons",
      perNode,
      perNode ? 1 : (manifest.spec?.replicas ?? 1),
      spec,
      source,
    ),
  ];
}

/** The FSx CSI driver's objects the fsx stack applies (stacks/fsx-stack.ts csiDriverObjects: the controller only with dynamic provisioning). */
function fsxCsiWorkloads(dynamicProvisioning: boolean): SystemWorkload[] {
  return FSX_CSI_DRIVER_OBJECTS.filter((o) => o.component !== "controller" || dynamicProvisioning).flatMap((o) =>
    manifestWorkloads(o.manifest as ManifestLike, "generated/fsx-csi-driver.ts (kustomize/fsx-csi-driver)"),
  );
}

/** Every workload the config puts on the system nodes, with `summary` for Kubeflow's. */
export function systemWorkloads(config: Config, summary: KubeflowRequestsSummary): SystemWorkload[] {
  const autoscaler =
    config.autoscaler === "karpenter"
      ? helmWorkloads("karpenter", {
          replicas: KARPENTER_POD.replicas,
          controller: { resources: KARPENTER_POD.resources },
        })
      : helmWorkloads("cluster-autoscaler", CLUSTER_AUTOSCALER_POD);
  return [
    ...kubeflowWorkloads(summary, config.kubeflow.components),
    ...autoscaler,
    ...helmWorkloads("aws-load-balancer-controller", LOAD_BALANCER_CONTROLLER_POD),
    ...(config.dashboard.enabled ? helmWorkloads("headlamp", {}) : []),
    ...["vpc-cni", "kube-proxy", "eks-pod-identity-agent", "coredns", "aws-ebs-csi-driver"].flatMap(eksAddonWorkloads),
    ...fsxCsiWorkloads(config.fsx.dynamicProvisioning),
  ];
}

// ---------------------------------------------------------------------------------------------------
// Demand and fit.

export interface Demand {
  readonly pods: number;
  readonly cpuMillicores: number;
  readonly memoryMiB: number;
  readonly containersRequestingNothing: number;
}

const ZERO: Demand = { pods: 0, cpuMillicores: 0, memoryMiB: 0, containersRequestingNothing: 0 };

export function demandOf(workloads: readonly SystemWorkload[]): Demand {
  return workloads.reduce<Demand>(
    (d, w) => ({
      pods: d.pods + w.pods,
      cpuMillicores: d.cpuMillicores + w.pods * w.cpuMillicoresPerPod,
      memoryMiB: d.memoryMiB + w.pods * w.memoryMiBPerPod,
      containersRequestingNothing: d.containersRequestingNothing + w.pods * w.containersRequestingNothingPerPod,
    }),
    ZERO,
  );
}

export interface SystemDemand {
  /** Deployments and StatefulSets, spread over the nodes. */
  readonly cluster: Demand;
  /** DaemonSets, on each node. */
  readonly perNode: Demand;
  /** The pods spread over the nodes, largest first: each must fit on one node beside the agents. */
  readonly podSizes: readonly SystemWorkload[];
  /** Workloads counted at an allowance, not a published figure. */
  readonly unknowns: readonly SystemWorkload[];
}

export function systemDemand(workloads: readonly SystemWorkload[]): SystemDemand {
  const cluster = workloads.filter((w) => !w.perNode);
  return {
    cluster: demandOf(cluster),
    perNode: demandOf(workloads.filter((w) => w.perNode)),
    podSizes: [...cluster].sort(
      (a, b) => b.memoryMiBPerPod - a.memoryMiBPerPod || b.cpuMillicoresPerPod - a.cpuMillicoresPerPod,
    ),
    unknowns: workloads.filter((w) => w.unknown),
  };
}

/** What `count` nodes hold, each of `types` (the group's; a node may be any of them), after the agents. */
export interface GroupCapacity {
  readonly instanceType: string;
  readonly count: number;
  /** One node's allocatable. */
  readonly node: NodeResources;
  /** All nodes' allocatable, the agents' share taken off. */
  readonly free: NodeResources;
}

/** The capacity of `count` nodes of the smallest of `types`, or the first type no table row describes. */
export function groupCapacity(
  types: readonly string[],
  count: number,
  perNode: Demand,
): GroupCapacity | { unknownType: string } {
  const facts = types.map((t) => ({ t, f: systemInstanceType(t) }));
  const missing = facts.find((x) => !x.f);
  if (missing) return { unknownType: missing.t };
  const maxPods = nodeGroupMaxPods(facts.map((x) => x.f!));
  const nodes = facts
    .map(({ t, f }) => ({ t, node: nodeAllocatable(f!, maxPods) }))
    .sort((a, b) => a.node.memoryMiB - b.node.memoryMiB || a.node.cpuMillicores - b.node.cpuMillicores);
  const { t, node } = nodes[0];
  return {
    instanceType: t,
    count,
    node,
    free: {
      cpuMillicores: count * (node.cpuMillicores - perNode.cpuMillicores),
      memoryMiB: count * (node.memoryMiB - perNode.memoryMiB),
      pods: count * (node.pods - perNode.pods),
    },
  };
}

/** Why the capacity does not hold the demand: one line per resource short (empty when it does). */
export function shortfalls(demand: SystemDemand, capacity: GroupCapacity): string[] {
  const problems: string[] = [];
  const c = demand.cluster;
  const f = capacity.free;
  if (c.cpuMillicores > f.cpuMillicores)
    problems.push(`CPU: ${cpu(c.cpuMillicores)} requested, ${cpu(f.cpuMillicores)} free`);
  if (c.memoryMiB > f.memoryMiB) problems.push(`memory: ${mib(c.memoryMiB)} requested, ${mib(f.memoryMiB)} free`);
  if (c.pods > f.pods) problems.push(`pods: ${c.pods} to run, room for ${f.pods}`);
  const perNodeFree = {
    cpuMillicores: capacity.node.cpuMillicores - demand.perNode.cpuMillicores,
    memoryMiB: capacity.node.memoryMiB - demand.perNode.memoryMiB,
  };
  const tooBig = demand.podSizes.find(
    (p) => p.cpuMillicoresPerPod > perNodeFree.cpuMillicores || p.memoryMiBPerPod > perNodeFree.memoryMiB,
  );
  if (tooBig)
    problems.push(
      `a pod of ${tooBig.name} (${cpu(tooBig.cpuMillicoresPerPod)}, ${mib(tooBig.memoryMiBPerPod)}) exceeds what one node ` +
        `has free after the agents, ${cpu(perNodeFree.cpuMillicores)} and ${mib(perNodeFree.memoryMiB)}`,
    );
  return problems;
}

export const cpu = (millicores: number) => `${Math.round(millicores)}m CPU`;
export const mib = (m: number) => `${Number(m.toFixed(1))} MiB`;

/** The system group's configuration and whether it holds the demand. */
export interface FitCheck {
  readonly capacity: GroupCapacity;
  readonly problems: readonly string[];
}

export function checkFit(
  demand: SystemDemand,
  types: readonly string[],
  count: number,
): FitCheck | { unknownType: string } {
  const capacity = groupCapacity(types, count, demand.perNode);
  if ("unknownType" in capacity) return capacity;
  return { capacity, problems: shortfalls(demand, capacity) };
}

/** The fewest nodes of `types` that hold the demand, at least `atLeast`; undefined past `limit`. */
export function fewestNodes(
  demand: SystemDemand,
  types: readonly string[],
  atLeast: number,
  limit = 20,
): number | undefined {
  for (let n = atLeast; n <= limit; n++) {
    const fit = checkFit(demand, types, n);
    if ("unknownType" in fit) return undefined;
    if (fit.problems.length === 0) return n;
  }
  return undefined;
}

/** A configuration that holds the demand, and its price per hour when the source has one. */
export interface Candidate {
  readonly instanceType: string;
  readonly count: number;
  readonly hourly?: number;
}

/**
 * For each type the table knows (SYSTEM_INSTANCE_TYPES), the fewest nodes of it that hold the demand,
 * at least `atLeast` (2: two nodes in two zones); the cheapest first where `prices` has the type,
 * then by size.
 */
export function fittingConfigs(
  demand: SystemDemand,
  prices: Readonly<Record<string, number>>,
  atLeast = 2,
): Candidate[] {
  const size = (t: string) => SYSTEM_INSTANCE_TYPES[t].memoryMiB * 1000 + SYSTEM_INSTANCE_TYPES[t].vcpus;
  return Object.keys(SYSTEM_INSTANCE_TYPES)
    .flatMap((t) => {
      const count = fewestNodes(demand, [t], atLeast);
      if (count === undefined) return [];
      const price = Object.prototype.hasOwnProperty.call(prices, t) ? prices[t] : undefined;
      return [{ instanceType: t, count, ...(price !== undefined ? { hourly: count * price } : {}) }];
    })
    .sort(
      (a, b) =>
        (a.hourly ?? Infinity) - (b.hourly ?? Infinity) ||
        a.count * size(a.instanceType) - b.count * size(b.instanceType) ||
        a.instanceType.localeCompare(b.instanceType),
    );
}
