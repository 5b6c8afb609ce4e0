/** Node labels and taints shared by the node groups and everything that schedules onto them. */
import { gpuInstanceType } from "./instance-types";

/** Our own label prefix; `eks.amazonaws.com/` and `kubernetes.io/` are reserved for their owners. */
export const LABEL_PREFIX = "kubeflow-eks";

/** "spot" or "on-demand": the values Karpenter uses for its own capacity-type label. */
export const CAPACITY_TYPE_LABEL = `${LABEL_PREFIX}/capacity-type`;
/** "system" on the always-on CPU group; add-ons select it. */
export const NODE_ROLE_LABEL = `${LABEL_PREFIX}/node-role`;
/** The GPU size (the configured group name), so a workload can ask for a size explicitly. */
export const GPU_SIZE_LABEL = `${LABEL_PREFIX}/gpu-size`;
/** NVIDIA's label for nodes with a GPU; the device plugin's chart selects it by default. */
export const GPU_PRESENT_LABEL = "nvidia.com/gpu.present";
/** cluster-autoscaler's GPU label on AWS: it waits for such nodes to report their GPUs. */
export const AUTOSCALER_GPU_LABEL = "k8s.amazonaws.com/accelerator";

/**
 * GPU nodes are tainted so only pods that ask for a GPU land there. The key is the resource
 * name, so the ExtendedResourceToleration admission plugin adds the toleration automatically
 * to any pod requesting `nvidia.com/gpu`.
 */
export const GPU_TAINT = { key: "nvidia.com/gpu", value: "true", effect: "NoSchedule" } as const;

export type CapacityType = "spot" | "on-demand";

export interface NodeTaint {
  readonly key: string;
  readonly value: string;
  readonly effect: "NoSchedule" | "NoExecute" | "PreferNoSchedule";
}

/**
 * The labels every GPU node of a size carries, whichever autoscaler launched it (node groups add
 * their capacity type; Karpenter sets karpenter.sh/capacity-type itself).
 */
export function gpuNodeLabels(sizeName: string, instanceTypes: readonly string[]): Record<string, string> {
  const models = new Set(instanceTypes.map((t) => gpuInstanceType(t)?.gpuModel));
  // The autoscaler only needs the label to be present; a size mixing models says "nvidia".
  const accelerator = models.size === 1 ? ([...models][0] ?? "nvidia") : "nvidia";
  return { [GPU_PRESENT_LABEL]: "true", [AUTOSCALER_GPU_LABEL]: accelerator, [GPU_SIZE_LABEL]: sizeName };
}
