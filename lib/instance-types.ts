/**
 * Facts about the EC2 instance types this project knows how to schedule GPUs on.
 *
 * cluster-autoscaler builds a node group's template from one of its instance types, so every
 * type in a group must have the same vCPUs, memory and GPU count; the config validation uses
 * this table to check that, and the eks stack uses it to write the
 * `node-template/resources/nvidia.com/gpu` ASG tag. Figures from the EC2 accelerated-computing
 * instance type pages. Add a row here to use another type.
 */
export interface InstanceTypeFacts {
  readonly vcpus: number;
  readonly memoryGiB: number;
  /** NVIDIA GPUs per instance; 0 for CPU types. */
  readonly gpus: number;
  /** Value for the `k8s.amazonaws.com/accelerator` label (cluster-autoscaler's GPU label on AWS). */
  readonly gpuModel?: string;
}

const gpu = (vcpus: number, memoryGiB: number, gpus: number, gpuModel: string): InstanceTypeFacts => ({
  vcpus,
  memoryGiB,
  gpus,
  gpuModel,
});

export const GPU_INSTANCE_TYPES: Readonly<Record<string, InstanceTypeFacts>> = {
  // G6: NVIDIA L4, 24 GB
  "g6.xlarge": gpu(4, 16, 1, "nvidia-l4"),
  "g6.2xlarge": gpu(8, 32, 1, "nvidia-l4"),
  "g6.4xlarge": gpu(16, 64, 1, "nvidia-l4"),
  "g6.8xlarge": gpu(32, 128, 1, "nvidia-l4"),
  "g6.12xlarge": gpu(48, 192, 4, "nvidia-l4"),
  "g6.24xlarge": gpu(96, 384, 4, "nvidia-l4"),
  "g6.48xlarge": gpu(192, 768, 8, "nvidia-l4"),
  // G5: NVIDIA A10G, 24 GB
  "g5.xlarge": gpu(4, 16, 1, "nvidia-a10g"),
  "g5.2xlarge": gpu(8, 32, 1, "nvidia-a10g"),
  "g5.4xlarge": gpu(16, 64, 1, "nvidia-a10g"),
  "g5.8xlarge": gpu(32, 128, 1, "nvidia-a10g"),
  "g5.12xlarge": gpu(48, 192, 4, "nvidia-a10g"),
  "g5.24xlarge": gpu(96, 384, 4, "nvidia-a10g"),
  "g5.48xlarge": gpu(192, 768, 8, "nvidia-a10g"),
  // G6e: NVIDIA L40S, 48 GB
  "g6e.xlarge": gpu(4, 32, 1, "nvidia-l40s"),
  "g6e.2xlarge": gpu(8, 64, 1, "nvidia-l40s"),
  "g6e.12xlarge": gpu(48, 384, 4, "nvidia-l40s"),
  "g6e.24xlarge": gpu(96, 768, 4, "nvidia-l40s"),
  "g6e.48xlarge": gpu(192, 1536, 8, "nvidia-l40s"),
  // G4dn: NVIDIA T4, 16 GB
  "g4dn.xlarge": gpu(4, 16, 1, "nvidia-t4"),
  "g4dn.2xlarge": gpu(8, 32, 1, "nvidia-t4"),
  "g4dn.12xlarge": gpu(48, 192, 4, "nvidia-t4"),
  // P4d / P5: A100 40 GB, H100 80 GB
  "p4d.24xlarge": gpu(96, 1152, 8, "nvidia-a100"),
  "p5.48xlarge": gpu(192, 2048, 8, "nvidia-h100"),
};

/** Facts for a GPU instance type, or undefined when the table does not know it. */
export function gpuInstanceType(instanceType: string): InstanceTypeFacts | undefined {
  return Object.prototype.hasOwnProperty.call(GPU_INSTANCE_TYPES, instanceType)
    ? GPU_INSTANCE_TYPES[instanceType]
    : undefined;
}

/**
 * CPU types for the system group: what the capacity check (lib/node-capacity.ts) needs of each. The
 * vCPUs and memory are Karpenter's labels karpenter.k8s.aws/instance-cpu and instance-memory (MiB), and
 * the network figures nodeadm's own table of the default network card's ENIs and IPv4 addresses per ENI,
 * from which it derives max pods and kube-reserved memory:
 * - aws/karpenter-provider-aws v1.14.1 website/content/en/docs/reference/instance-types.md (m6a.large
 *   :16625,16633; m6a.xlarge :16653,16661; m6i.large :17451,17459; m6i.xlarge :17479,17487; m6i.2xlarge
 *   :17507,17515; m7i.large :19461,19469; m7i.xlarge :19489,19497; m7i.2xlarge :19517,19525)
 * - awslabs/amazon-eks-ami v20260724 nodeadm/internal/kubelet/instance-info.jsonl (m6a.large :612,
 *   m6a.xlarge :614, m6i.2xlarge :636, m6i.large :640, m6i.xlarge :642, m7i.2xlarge :713, m7i.large
 *   :717, m7i.xlarge :720)
 * Add a row, with its figures from those two files, to use another type in the system group.
 */
export interface SystemInstanceTypeFacts {
  readonly vcpus: number;
  readonly memoryMiB: number;
  /** Network interfaces of the default network card (nodeadm's defaultMaxENIs). */
  readonly maxEnis: number;
  /** IPv4 addresses per interface (nodeadm's ipv4AddressesPerInterface). */
  readonly ipv4PerEni: number;
}

const cpu = (vcpus: number, memoryMiB: number, maxEnis: number, ipv4PerEni: number): SystemInstanceTypeFacts => ({
  vcpus,
  memoryMiB,
  maxEnis,
  ipv4PerEni,
});

export const SYSTEM_INSTANCE_TYPES: Readonly<Record<string, SystemInstanceTypeFacts>> = {
  // m6a: AMD EPYC 3rd generation
  "m6a.large": cpu(2, 8192, 3, 10),
  "m6a.xlarge": cpu(4, 16384, 4, 15),
  // m6i: Intel Xeon 3rd generation
  "m6i.large": cpu(2, 8192, 3, 10),
  "m6i.xlarge": cpu(4, 16384, 4, 15),
  "m6i.2xlarge": cpu(8, 32768, 4, 15),
  // m7i: Intel Xeon 4th generation
  "m7i.large": cpu(2, 8192, 3, 10),
  "m7i.xlarge": cpu(4, 16384, 4, 15),
  "m7i.2xlarge": cpu(8, 32768, 4, 15),
};

/** Facts for a system instance type, or undefined when the table does not know it. */
export function systemInstanceType(instanceType: string): SystemInstanceTypeFacts | undefined {
  return Object.prototype.hasOwnProperty.call(SYSTEM_INSTANCE_TYPES, instanceType)
    ? SYSTEM_INSTANCE_TYPES[instanceType]
    : undefined;
}
