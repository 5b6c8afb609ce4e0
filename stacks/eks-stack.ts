import { Fn } from "cdktf";
import type { Construct } from "constructs";
import type { ClusterConnection } from "../constructs/cluster-providers";
import type { Config } from "../config/schema";
import { EksCluster, type ClusterAccess } from "../constructs/eks-cluster";
import { GpuNodeGroupPair, gpuNodeGroupName } from "../constructs/gpu-node-group-pair";
import { KARPENTER_DISCOVERY_TAG, KarpenterNodeIdentity } from "../constructs/karpenter-node-identity";
import { ManagedNodeGroup } from "../constructs/managed-node-group";
import { Network } from "../constructs/network";
import { NodeRole } from "../constructs/node-role";
import { OfferedZones } from "../constructs/offered-zones";
import { gpuInstanceType } from "../lib/instance-types";
import { CAPACITY_TYPE_LABEL, NODE_ROLE_LABEL } from "../lib/labels";
import { eksAddonVersions } from "../lib/versions";
import { BaseStack, type BaseStackProps } from "./base-stack";

/** What later stacks need from this one. Values are tokens; cdktf wires them through remote state. */
export interface EksStackOutputs extends ClusterConnection {
  readonly clusterName: string;
  readonly clusterArn: string;
  readonly clusterEndpoint: string;
  readonly clusterCertificateAuthorityData: string;
  /** The cluster security group: EKS attaches it to the control plane and every managed node. */
  readonly clusterSecurityGroupId: string;
  readonly vpcId: string;
  readonly vpcCidr: string;
  readonly privateSubnetIds: string[];
  readonly publicSubnetIds: string[];
  readonly nodeRoleArn: string;
  /** The zone of the FSx file system (fsx.zoneIndex of the chosen zones). */
  readonly fileSystemZone: string;
  /** Karpenter mode: the IAM role Karpenter's nodes use. */
  readonly karpenterNodeRoleName?: string;
}

/** A GPU size as deployed: its config and, with cluster-autoscaler, its two node groups. */
export interface GpuSize {
  readonly name: string;
  readonly gpusPerNode: number;
  readonly spotNodeGroupName: string;
  readonly onDemandNodeGroupName: string;
  /** The managed node groups (cluster-autoscaler mode only; Karpenter launches its own nodes). */
  readonly pair?: GpuNodeGroupPair;
}

/**
 * Stage 01: network, EKS control plane, IAM, the always-on system node group and a Spot /
 * On-Demand pair of GPU node groups per configured GPU size, all scaling from zero.
 */
export class EksStack extends BaseStack {
  readonly outputs: EksStackOutputs;
  readonly zones: OfferedZones;
  readonly network: Network;
  readonly eks: EksCluster;
  readonly systemNodes: ManagedNodeGroup;
  readonly systemNodeGroupName = "system";
  readonly gpuSizes: readonly GpuSize[];
  readonly karpenterNodes?: KarpenterNodeIdentity;

  constructor(scope: Construct, id: string, props: BaseStackProps) {
    super(scope, id, props);
    const config: Config = props.config;
    const { partition, accountId: account } = this;
    const addonVersions = eksAddonVersions(config.cluster.kubernetesVersion);
    if (!addonVersions) throw new Error(`no pinned add-on versions for Kubernetes ${config.cluster.kubernetesVersion}`);

    this.zones = new OfferedZones(this, "zones", {
      instanceTypes: [
        ...config.nodeGroups.system.instanceTypes,
        ...config.nodeGroups.gpu.flatMap((g) => g.instanceTypes),
      ],
      zoneCount: config.network.azCount,
    });
    this.network = new Network(this, "network", {
      name: config.cluster.name,
      cidr: config.network.vpcCidr,
      zoneNames: this.zones.names,
      zoneCount: config.network.azCount,
      natGateways: config.network.natGateways,
      privateSubnetTags:
        config.autoscaler === "karpenter" ? { [KARPENTER_DISCOVERY_TAG]: config.cluster.name } : undefined,
      flowLogRetentionDays: config.cluster.logRetentionDays,
      zonePrecondition: { condition: this.zones.enoughZonesCondition, errorMessage: this.zones.shortageMessage },
    });
    const privateSubnetIds = this.network.privateSubnets.map((s) => s.id);

    const access: ClusterAccess[] = config.cluster.adminPrincipals.map((p) => ({
      principalArn: p.arn ?? `arn:${partition}:iam::${account}:role/${p.roleName}`,
      accessPolicy: p.accessPolicy,
    }));
    this.eks = new EksCluster(this, "cluster", {
      name: config.cluster.name,
      kubernetesVersion: config.cluster.kubernetesVersion,
      subnetIds: privateSubnetIds,
      publicAccessCidrs: config.cluster.endpointPublicAccessCidrs,
      partition,
      clusterCreatorAdmin: config.cluster.clusterCreatorAdmin,
      access,
      logRetentionDays: config.cluster.logRetentionDays,
      preventDestroy: config.protection.preventDestroy,
    });

    // Networking and identity add-ons come before any node, so nodes become Ready.
    // Workload identity is EKS Pod Identity: a role is bound to one namespace/service account
    // by an association, with no OIDC provider or per-cluster trust policy edits to manage.
    const vpcCni = this.eks.addAddon("vpc-cni", "vpc-cni", addonVersions.vpcCni);
    const kubeProxy = this.eks.addAddon("kube-proxy", "kube-proxy", addonVersions.kubeProxy);
    const podIdentityAgent = this.eks.addAddon(
      "pod-identity-agent",
      "eks-pod-identity-agent",
      addonVersions.podIdentityAgent,
    );
    // Node groups take the cluster name as a plain string (it also names ASG tag keys), so
    // these add-ons, which reference the cluster, are what orders nodes after the control plane.
    const nodePrerequisites = [vpcCni, kubeProxy, podIdentityAgent];

    const nodeRole = new NodeRole(this, "node-role", { name: `${config.cluster.name}-node`, partition });
    const system = config.nodeGroups.system;
    this.systemNodes = new ManagedNodeGroup(this, "system-nodes", {
      clusterName: config.cluster.name,
      nodeGroupName: this.systemNodeGroupName,
      nodeRoleArn: nodeRole.role.arn,
      subnetIds: privateSubnetIds,
      capacityType: "on-demand",
      amiType: "AL2023_x86_64_STANDARD",
      instanceTypes: system.instanceTypes,
      minSize: system.minSize,
      desiredSize: system.desiredSize,
      maxSize: system.maxSize,
      diskSizeGiB: system.diskSizeGiB,
      labels: { [NODE_ROLE_LABEL]: "system", [CAPACITY_TYPE_LABEL]: "on-demand" },
      // With Karpenter the system group is fixed-size infrastructure; nothing discovers it.
      autoscalerTags: config.autoscaler === "cluster-autoscaler",
      dependsOn: nodePrerequisites,
    });
    // CoreDNS needs a node to run on before the add-on reports healthy.
    this.eks.addAddon("coredns", "coredns", addonVersions.coreDns, [this.systemNodes.nodeGroup]);

    if (config.autoscaler === "karpenter") {
      // Karpenter launches GPU nodes itself (NodePools in the addons stack); no GPU node groups.
      this.karpenterNodes = new KarpenterNodeIdentity(this, "karpenter-nodes", {
        clusterName: config.cluster.name,
        partition,
        clusterSecurityGroupId: this.eks.cluster.vpcConfig.clusterSecurityGroupId,
        dependsOn: [this.eks.cluster],
      });
      this.gpuSizes = config.nodeGroups.gpu.map((gpu) => ({
        name: gpu.name,
        gpusPerNode: gpuInstanceType(gpu.instanceTypes[0])!.gpus,
        spotNodeGroupName: gpuNodeGroupName(gpu.name, "spot"),
        onDemandNodeGroupName: gpuNodeGroupName(gpu.name, "on-demand"),
      }));
    } else {
      // Optionally keep GPU nodes in the FSx file system's zone: no cross-zone traffic, fewer Spot pools.
      const gpuSubnetIds = config.fsx.pinGpuGroupsToFileSystemZone
        ? [privateSubnetIds[config.fsx.zoneIndex]]
        : privateSubnetIds;
      this.gpuSizes = config.nodeGroups.gpu.map((gpu) => {
        const pair = new GpuNodeGroupPair(this, `gpu-size-${gpu.name}`, {
          clusterName: config.cluster.name,
          name: gpu.name,
          instanceTypes: gpu.instanceTypes,
          maxSize: gpu.maxSize,
          diskSizeGiB: gpu.diskSizeGiB,
          nodeRoleArn: nodeRole.role.arn,
          subnetIds: gpuSubnetIds,
          dependsOn: nodePrerequisites,
        });
        return {
          name: gpu.name,
          gpusPerNode: pair.gpusPerNode,
          spotNodeGroupName: gpuNodeGroupName(gpu.name, "spot"),
          onDemandNodeGroupName: gpuNodeGroupName(gpu.name, "on-demand"),
          pair,
        };
      });
    }

    this.outputs = {
      clusterName: this.eks.cluster.name,
      clusterArn: this.eks.cluster.arn,
      clusterEndpoint: this.eks.cluster.endpoint,
      clusterCertificateAuthorityData: this.eks.cluster.certificateAuthority.get(0).data,
      clusterSecurityGroupId: this.eks.cluster.vpcConfig.clusterSecurityGroupId,
      vpcId: this.network.vpc.id,
      vpcCidr: this.network.vpc.cidrBlock,
      privateSubnetIds,
      publicSubnetIds: this.network.publicSubnets.map((s) => s.id),
      nodeRoleArn: nodeRole.role.arn,
      fileSystemZone: Fn.element(this.zones.names, config.fsx.zoneIndex) as string,
      karpenterNodeRoleName: this.karpenterNodes?.role.role.name,
    };
  }
}
