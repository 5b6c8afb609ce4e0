/**
 * What a node's root volume leaves for pods, for cluster-autoscaler's node template. The AWS
 * provider builds an empty group's node from its instance type and ASG tags and gives it no
 * ephemeral-storage at all unless the tag `k8s.io/cluster-autoscaler/node-template/resources/
 * ephemeral-storage` states it; it also takes the tag's value as allocatable, subtracting nothing
 * (cloudprovider/aws/aws_manager.go:288-297 at cluster-autoscaler-1.35.2). Without the tag a pod that
 * requests ephemeral-storage never scales a group from zero.
 *
 * The value is the node's own allocatable, by kubelet's rule allocatable = capacity - kube-reserved
 * - system-reserved - hard eviction, with the EKS AL2023 AMI's nodeadm defaults: kube-reserved
 * ephemeral-storage 1Gi, no system-reserved, eviction at nodefs.available 10%
 * (awslabs/amazon-eks-ami v20260724 nodeadm/internal/kubelet/config.go:110-114, 283-287).
 * Capacity is the root file system, a little smaller than the volume (partition table, boot
 * partitions, XFS metadata): counted as 99% of it, so the template never promises more than a
 * real node has.
 */
export const ROOT_FILESYSTEM_SHARE = 0.99;
export const KUBE_RESERVED_EPHEMERAL_GIB = 1;
export const EVICTION_NODEFS_AVAILABLE = 0.1;

/** The allocatable ephemeral storage of a node with a root volume of `diskSizeGiB`, whole GiB, rounded down. */
export function allocatableEphemeralGiB(diskSizeGiB: number): number {
  const capacity = diskSizeGiB * ROOT_FILESYSTEM_SHARE;
  return Math.floor(capacity * (1 - EVICTION_NODEFS_AVAILABLE) - KUBE_RESERVED_EPHEMERAL_GIB);
}

/** The template tag's value, a Kubernetes quantity. */
export function templateEphemeralStorage(diskSizeGiB: number): string {
  return `${allocatableEphemeralGiB(diskSizeGiB)}Gi`;
}

/**
 * What a system node leaves for pods: allocatable = capacity - kube-reserved - system-reserved - hard
 * eviction (kubelet's rule), with the EKS AL2023 AMI's nodeadm defaults (awslabs/amazon-eks-ami
 * v20260724 nodeadm/internal/kubelet/):
 * - CPU: kube-reserved 6% of the first core, 1% of the second, 0.5% of the third and fourth, 0.25% of
 *   the rest, in whole millicores (config.go:410-440); no system-reserved.
 * - Memory: kube-reserved 11 MiB per pod of max pods plus 255 MiB (config.go:283-287, 442-444), where
 *   max pods is nodeadm's own ENI formula, ENIs x (IPv4 addresses per ENI - 1) + 2
 *   (eni_max_pods.go:75-77, from instance-info.jsonl); hard eviction at 100Mi available (config.go:111).
 * - Memory capacity is what the kernel reports, less than the instance's nominal memory: counted as
 *   Karpenter does when it plans nodes, the nominal MiB less 7.5% rounded up (aws/karpenter-provider-aws
 *   v1.14.1 pkg/providers/instancetype/types.go:356-364, VM_MEMORY_OVERHEAD_PERCENT default 0.075 at
 *   pkg/operator/options/options.go:58), so the check never promises more than a node has.
 * - Pods: a managed node group without a custom AMI sets max pods itself, by the same ENI formula, at
 *   most 110 for types with fewer than 30 vCPUs (250 above), and the smallest over its types for the
 *   whole group (awsdocs/amazon-eks-user-guide 4d52b4d0 latest/ug/nodes/create-managed-node-group.adoc:23,103).
 * Karpenter's generated instance-type page applies the same arithmetic (m7i.xlarge: cpu 3920m, memory
 * 14162Mi, pods 58; website/content/en/docs/reference/instance-types.md:19506-19509 at v1.14.1).
 */
export const VM_MEMORY_OVERHEAD = 0.075;
export const EVICTION_MEMORY_AVAILABLE_MIB = 100;

export interface NodeResources {
  readonly cpuMillicores: number;
  readonly memoryMiB: number;
  readonly pods: number;
}

export interface NodeFacts {
  readonly vcpus: number;
  readonly memoryMiB: number;
  readonly maxEnis: number;
  readonly ipv4PerEni: number;
}

/** nodeadm's max pods: ENIs x (IPv4 per ENI - 1) + 2. */
export function eniMaxPods(facts: NodeFacts): number {
  return facts.maxEnis * (facts.ipv4PerEni - 1) + 2;
}

/** nodeadm's kube-reserved CPU for a node of `vcpus`. */
export function kubeReservedCpuMillicores(vcpus: number): number {
  const total = vcpus * 1000;
  const ranges = [0, 1000, 2000, 4000, total];
  const basisPoints = [600, 100, 50, 25];
  return basisPoints.reduce((reserved, bp, i) => {
    if (total <= ranges[i]) return reserved;
    return reserved + Math.floor(((Math.min(total, ranges[i + 1]) - ranges[i]) * bp) / 10000);
  }, 0);
}

/** nodeadm's kube-reserved memory for a node whose max pods (by its ENI formula) is `maxPods`. */
export function kubeReservedMemoryMiB(maxPods: number): number {
  return 11 * maxPods + 255;
}

/** The max pods a managed node group applies to every node of these types. */
export function nodeGroupMaxPods(types: readonly NodeFacts[]): number {
  return Math.min(...types.map((t) => Math.min(eniMaxPods(t), t.vcpus < 30 ? 110 : 250)));
}

/** A node's allocatable CPU, memory and pods; `groupMaxPods` is the group's max pods (nodeGroupMaxPods). */
export function nodeAllocatable(facts: NodeFacts, groupMaxPods: number = nodeGroupMaxPods([facts])): NodeResources {
  const capacityMiB = facts.memoryMiB - Math.ceil(facts.memoryMiB * VM_MEMORY_OVERHEAD);
  return {
    cpuMillicores: facts.vcpus * 1000 - kubeReservedCpuMillicores(facts.vcpus),
    memoryMiB: capacityMiB - kubeReservedMemoryMiB(eniMaxPods(facts)) - EVICTION_MEMORY_AVAILABLE_MIB,
    pods: groupMaxPods,
  };
}
