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
