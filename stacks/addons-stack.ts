import type { Construct } from "constructs";
import { ClusterAutoscaler, type AutoscaledGpuSize } from "../constructs/cluster-autoscaler";
import { ClusterProviders } from "../constructs/cluster-providers";
import { DefaultStorageClass } from "../constructs/default-storage-class";
import { Karpenter } from "../constructs/karpenter";
import { KarpenterGpuNodePools } from "../constructs/karpenter-gpu-node-pools";
import { NvidiaDevicePlugin } from "../constructs/nvidia-device-plugin";
import { GPU_TAINT } from "../lib/labels";
import { nodeUserData } from "../lib/node-user-data";
import { clusterAutoscalerVersions, NVIDIA_DEVICE_PLUGIN_CHART } from "../lib/versions";
import { BaseStack, type BaseStackProps } from "./base-stack";
import type { EksStackOutputs } from "./eks-stack";

export interface AddonsStackProps extends BaseStackProps {
  readonly cluster: EksStackOutputs;
  readonly gpuSizes: readonly AutoscaledGpuSize[];
  /** Karpenter mode: the node role's ARN (for PassRole) and name (for the EC2NodeClasses). */
  readonly karpenterNodeRole?: { readonly arn: string; readonly name: string };
  /** Always-on CPU node groups the autoscaler may also scale. */
  readonly cpuNodeGroupNames: readonly string[];
}

/**
 * Stage 02: what turns the eks stack's empty GPU groups into GPUs on demand: cluster-autoscaler
 * (Spot first, On-Demand on failure, idle nodes removed) and the NVIDIA device plugin; and the
 * cluster's default StorageClass (encrypted gp3 through the EBS CSI driver).
 *
 * No Spot interruption handler is installed: managed node groups enable Capacity Rebalancing
 * and EKS itself cordons and drains a Spot node on a rebalance recommendation or interruption
 * notice (see README, "How GPU autoscaling works").
 */
export class AddonsStack extends BaseStack {
  readonly clusterAutoscaler?: ClusterAutoscaler;
  readonly karpenter?: Karpenter;
  readonly gpuNodePools?: KarpenterGpuNodePools;
  readonly devicePlugin: NvidiaDevicePlugin;
  readonly providers: ClusterProviders;
  readonly storageClass: DefaultStorageClass;

  constructor(scope: Construct, id: string, props: AddonsStackProps) {
    super(scope, id, props);
    const config = props.config;
    this.providers = new ClusterProviders(this, "cluster", {
      cluster: props.cluster,
      region: config.region,
    });
    const helmProvider = this.providers.helm!;

    // Every claim that names no class (all of Kubeflow's) gets this one; the eks stack installed its driver.
    this.storageClass = new DefaultStorageClass(this, "default-storage-class", {
      provider: this.providers.kubernetes!,
      kmsKeyArn: props.cluster.volumeKeyArn,
      type: config.storage.type,
      iops: config.storage.iops,
      throughput: config.storage.throughput,
      reclaimPolicy: config.storage.reclaimPolicy,
    });

    const { accountId, partition } = this;
    if (config.autoscaler === "karpenter") {
      if (!props.karpenterNodeRole) throw new Error("Karpenter mode needs the eks stack's Karpenter node role");
      this.karpenter = new Karpenter(this, "karpenter", {
        clusterName: config.cluster.name,
        clusterEndpoint: props.cluster.clusterEndpoint,
        region: config.region,
        accountId,
        partition,
        nodeRoleArn: props.karpenterNodeRole.arn,
        helmProvider,
      });
      this.gpuNodePools = new KarpenterGpuNodePools(this, "gpu-node-pools", {
        clusterName: config.cluster.name,
        nodeRoleName: props.karpenterNodeRole.name,
        sizes: config.nodeGroups.gpu.map((g) => ({
          name: g.name,
          instanceTypes: g.instanceTypes,
          maxSize: g.maxSize,
          diskSizeGiB: g.diskSizeGiB,
          gpusPerNode: props.gpuSizes.find((s) => s.name === g.name)!.gpusPerNode,
        })),
        consolidateAfter: config.addons.karpenter.consolidateAfter,
        amiAlias: config.addons.karpenter.amiAlias,
        zone: config.fsx.pinGpuGroupsToFileSystemZone ? props.cluster.fileSystemZone : undefined,
        userData: nodeUserData(),
        helmProvider,
        dependsOn: [this.karpenter.controller.release],
      });
    } else {
      const versions = clusterAutoscalerVersions(config.cluster.kubernetesVersion);
      if (!versions) throw new Error(`no pinned cluster-autoscaler for Kubernetes ${config.cluster.kubernetesVersion}`);
      this.clusterAutoscaler = new ClusterAutoscaler(this, "cluster-autoscaler", {
        clusterName: config.cluster.name,
        region: config.region,
        accountId,
        partition,
        chartVersion: versions.chart,
        imageTag: versions.imageTag,
        gpuSizes: props.gpuSizes,
        cpuNodeGroupNames: props.cpuNodeGroupNames,
        settings: config.addons.clusterAutoscaler,
        helmProvider,
      });
    }
    this.devicePlugin = new NvidiaDevicePlugin(this, "nvidia-device-plugin", {
      chartVersion: NVIDIA_DEVICE_PLUGIN_CHART,
      gpuTaint: GPU_TAINT,
      helmProvider,
    });
  }
}
