import { parse } from "yaml";
import { INSTALL_PARAMS_CONFIGMAP, PARAM_KEYS } from "../../lib/kubeflow-overlay";
import { KUBEFLOW_COMPONENTS, type KubeflowComponent } from "../../lib/kubeflow-components";
import { KubeflowRequestsError, readRequestsSummary, type KubeflowRequestsSummary } from "../../lib/kubeflow-requests";
import { SYSTEM_INSTANCE_TYPES } from "../../lib/instance-types";
import { NODE_ROLE_LABEL } from "../../lib/labels";
import {
  checkFit,
  cpu,
  eksAddonWorkloads,
  fewestNodes,
  fittingConfigs,
  helmWorkloads,
  kubeflowWorkloads,
  manifestWorkloads,
  mib,
  systemDemand,
  SystemRequestsError,
  type SystemWorkload,
} from "../../lib/system-requests";
import type { AppFinding, AppPolicyRule, ResourceView } from "../rule";

/** The committed Kubeflow requests summary, read once per process (synth reads only this file, never the render). */
let summary: KubeflowRequestsSummary | undefined;
const committedSummary = () => (summary ??= readRequestsSummary());

const first = <T>(value: unknown): T | undefined => ([] as T[]).concat((value as T | T[] | undefined) ?? [])[0];

interface SystemGroup {
  readonly resource: ResourceView;
  readonly instanceTypes: readonly string[];
  readonly minSize: number;
}

function systemGroup(r: ResourceView): SystemGroup | undefined {
  if (r.type !== "aws_eks_node_group") return undefined;
  const labels = r.config.labels as Record<string, string> | undefined;
  if (labels?.[NODE_ROLE_LABEL] !== "system") return undefined;
  const scaling = first<{ min_size?: number }>(r.config.scaling_config);
  return {
    resource: r,
    instanceTypes: (r.config.instance_types as string[] | undefined) ?? [],
    minSize: Number(scaling?.min_size ?? 0),
  };
}

/** The install parameters' components and release, from the ConfigMap the kubeflow stack writes. */
function installParams(r: ResourceView): { components: KubeflowComponent[]; version: string } | undefined {
  if (r.type !== "kubernetes_config_map_v1") return undefined;
  const metadata = first<{ name?: string; namespace?: string }>(r.config.metadata);
  if (metadata?.name !== INSTALL_PARAMS_CONFIGMAP.name || metadata.namespace !== INSTALL_PARAMS_CONFIGMAP.namespace)
    return undefined;
  const data = (r.config.data as Record<string, string> | undefined) ?? {};
  const components = (data[PARAM_KEYS.components] ?? "")
    .split(",")
    .map((c) => c.trim())
    .filter((c): c is KubeflowComponent => (KUBEFLOW_COMPONENTS as readonly string[]).includes(c));
  return { components, version: data[PARAM_KEYS.manifestsVersion] ?? "" };
}

/** The system-node workloads a resource brings (none for most). */
function workloadsOf(r: ResourceView): SystemWorkload[] {
  if (r.type === "helm_release") {
    const values = (parse(String(first<string>(r.config.values) ?? "")) ?? {}) as Parameters<typeof helmWorkloads>[1];
    return helmWorkloads(String(r.config.chart ?? ""), values);
  }
  if (r.type === "aws_eks_addon") return eksAddonWorkloads(String(r.config.addon_name ?? ""));
  if (r.type === "kubernetes_manifest")
    return manifestWorkloads(
      (r.config.manifest ?? {}) as Parameters<typeof manifestWorkloads>[0],
      `${r.address} (kubernetes_manifest)`,
    );
  if (["kubernetes_deployment_v1", "kubernetes_daemon_set_v1", "kubernetes_stateful_set_v1"].includes(r.type))
    throw new SystemRequestsError(
      `${r.address}: a ${r.type}, which policy/rules/system-capacity.ts does not count; apply it as a kubernetes_manifest or count it here`,
    );
  return [];
}

/**
 * What runs on the system nodes, read from the synthesized resources of every stack: our Helm
 * releases, EKS's add-ons, the Kubernetes objects we apply, and the Kubeflow components the install
 * parameters name (from the committed summary). `stale` when the summary is of another release.
 */
export function systemWorkloadsOf(
  resources: readonly ResourceView[],
): { workloads: SystemWorkload[]; params?: { components: KubeflowComponent[]; version: string } } | { stale: string } {
  const workloads = resources.flatMap(workloadsOf);
  const params = resources.map(installParams).find((p) => p !== undefined);
  if (!params) return { workloads };
  const s = committedSummary();
  if (s.version !== params.version)
    return {
      stale: `generated/kubeflow-requests.json is of Kubeflow ${s.version}, and the install applies ${params.version}: run \`npm run generate\``,
    };
  return { workloads: [...workloads, ...kubeflowWorkloads(s, params.components)], params };
}

/**
 * Ours: the system group's minSize nodes hold what runs on them with no GPU workload, by their
 * allocatable (EKS AL2023's kube-reserved, eviction threshold and max pods), not their capacity: the
 * Kubeflow core and selected components (generated/kubeflow-requests.json), our Helm releases (our
 * values over the charts' defaults), EKS's add-ons and the per-node agents (lib/system-requests.ts).
 */
export const systemCapacity: AppPolicyRule = {
  id: "KF_SYSTEM_CAPACITY",
  title: "The system node group's minSize nodes hold the CPU, memory and pods the platform requests",
  fix: "raise nodeGroups.system.minSize or choose larger nodeGroups.system.instanceTypes (`npm run cost` lists the configurations that fit, with their prices)",
  appliesTo: [
    "aws_eks_node_group",
    "helm_release",
    "aws_eks_addon",
    "kubernetes_manifest",
    "kubernetes_config_map_v1",
    "kubernetes_deployment_v1",
    "kubernetes_daemon_set_v1",
    "kubernetes_stateful_set_v1",
  ],
  check: (resources) => {
    const group = resources.map(systemGroup).find((g) => g !== undefined);
    if (!group) return [];
    const at = (message: string): AppFinding => ({
      address: group.resource.address,
      construct: group.resource.construct,
      message,
    });
    try {
      const found = systemWorkloadsOf(resources);
      if ("stale" in found) return [at(found.stale)];
      const { workloads, params } = found;
      const demand = systemDemand(workloads);
      const fit = checkFit(demand, group.instanceTypes, group.minSize);
      if ("unknownType" in fit)
        return [
          at(
            `nodeGroups.system.instanceTypes: ${fit.unknownType} has no row in SYSTEM_INSTANCE_TYPES (lib/instance-types.ts), so ` +
              "its allocatable CPU, memory and pods cannot be checked; add it with its figures from the files named there",
          ),
        ];
      if (fit.problems.length === 0) return [];
      const c = demand.cluster;
      const n = demand.perNode;
      const cap = fit.capacity;
      const more = fewestNodes(demand, group.instanceTypes, group.minSize + 1);
      // A larger type than the group's smallest (fittingConfigs lists the smallest first without prices).
      const smallest = SYSTEM_INSTANCE_TYPES[cap.instanceType];
      const larger = fittingConfigs(demand, {}, Math.max(2, group.minSize)).find((f) => {
        const t = SYSTEM_INSTANCE_TYPES[f.instanceType];
        return t.vcpus > smallest.vcpus || t.memoryMiB > smallest.memoryMiB;
      });
      const fixes = [
        ...(more !== undefined ? [`minSize ${more} of ${cap.instanceType}`] : []),
        ...(larger ? [`instanceTypes [${larger.instanceType}] with minSize ${larger.count}`] : []),
      ];
      return [
        at(
          `the system group's minSize ${group.minSize} x ${cap.instanceType} cannot hold what runs on it: ` +
            `${c.pods} pods requesting ${cpu(c.cpuMillicores)} and ${mib(c.memoryMiB)} (Kubeflow core` +
            `${params && params.components.length > 0 ? ` + ${params.components.join(", ")}` : ""}, add-ons, EKS add-ons), ` +
            `plus on every node ${n.pods} agent${n.pods === 1 ? "" : "s"} requesting ${cpu(n.cpuMillicores)} and ${mib(n.memoryMiB)}; ` +
            `one ${cap.instanceType} allocates ${cpu(cap.node.cpuMillicores)}, ${mib(cap.node.memoryMiB)} and ${cap.node.pods} pods ` +
            `(EKS AL2023 kube-reserved, eviction threshold and max pods), so ${group.minSize} ` +
            `${group.minSize === 1 ? "leaves" : "leave"} ` +
            `${cpu(cap.free.cpuMillicores)}, ${mib(cap.free.memoryMiB)} and ${cap.free.pods} pods after the agents: ` +
            `${fit.problems.join("; ")}${fixes.length > 0 ? `. Smallest that fits: ${fixes.join(", or ")}` : ""}`,
        ),
      ];
    } catch (err) {
      if (err instanceof SystemRequestsError || err instanceof KubeflowRequestsError)
        return [at((err as Error).message)];
      throw err;
    }
  },
};
