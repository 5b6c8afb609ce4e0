import type { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { Annotations, Fn, Op } from "cdktf";
import type { Construct } from "constructs";
import type { ClusterConnection } from "../constructs/cluster-providers";
import type { Config } from "../config/schema";
import { EbsCsiDriver } from "../constructs/ebs-csi-driver";
import { EksCluster, type ClusterAccess } from "../constructs/eks-cluster";
import { GpuSizeNodeGroups, gpuNodeGroupPrefix } from "../constructs/gpu-size-node-groups";
import { KARPENTER_DISCOVERY_TAG, KarpenterNodeIdentity } from "../constructs/karpenter-node-identity";
import { ManagedNodeGroup } from "../constructs/managed-node-group";
import { Network } from "../constructs/network";
import { NodeRole } from "../constructs/node-role";
import { OfferedZones } from "../constructs/offered-zones";
import { protectedKey } from "../constructs/protected-key";
import { gpuInstanceType } from "../lib/instance-types";
import { CAPACITY_TYPE_LABEL, NODE_ROLE_LABEL } from "../lib/labels";
import { nodeUserData } from "../lib/node-user-data";
import { EKS_MANAGED_ADDONS } from "../lib/versions";
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
  /** The customer-managed key the default StorageClass encrypts EBS volumes with. */
  readonly volumeKeyArn: string;
}

/** A GPU size as deployed: its config and, with cluster-autoscaler, its node groups. */
export interface GpuSize {
  readonly name: string;
  readonly gpusPerNode: number;
  /** Node group names of the size's Spot groups start with this; the zone name follows. */
  readonly spotNodeGroupPrefix: string;
  readonly onDemandNodeGroupPrefix: string;
  /** The managed node groups (cluster-autoscaler mode only; Karpenter launches its own nodes). */
  readonly nodeGroups?: GpuSizeNodeGroups;
}

/** The zones the cluster uses: those offering the system types, preferring those with the GPU types. */
export function clusterZones(scope: Construct, config: Config): OfferedZones {
  return new OfferedZones(scope, "zones", {
    requiredInstanceTypes: config.nodeGroups.system.instanceTypes,
    preferredInstanceTypes: config.nodeGroups.gpu.flatMap((g) => g.instanceTypes),
    zoneCount: config.network.azCount,
  });
}

/** The VPC: private subnets for nodes (and the file system), public ones for load balancers and NAT. */
export function clusterNetwork(scope: Construct, config: Config, zones: OfferedZones): Network {
  return new Network(scope, "network", {
    name: config.cluster.name,
    cidr: config.network.vpcCidr,
    zoneNames: zones.names,
    zoneCount: config.network.azCount,
    natGateways: config.network.natGateways,
    privateSubnetTags:
      config.autoscaler === "cluster-autoscaler" ? undefined : { [KARPENTER_DISCOVERY_TAG]: config.cluster.name },
    flowLogRetentionDays: config.cluster.logRetentionDays,
    preconditions: [{ condition: zones.enoughZonesCondition, errorMessage: zones.shortageMessage }],
  });
}

/** The key the default StorageClass (addons stack) encrypts every dynamically provisioned volume with. */
export function clusterVolumeKey(scope: Construct, config: Config): KmsKey {
  return protectedKey(scope, "volume-key", {
    description: `Encrypts the EBS volumes of EKS cluster ${config.cluster.name} (default StorageClass)`,
    alias: `alias/eks/${config.cluster.name}/volumes`,
    preventDestroy: config.protection.preventDestroy,
  });
}

/**
 * Stage 01: network, EKS control plane, IAM, the always-on system node group, the EBS CSI driver
 * and, per configured GPU size, a Spot and an On-Demand GPU node group in each of its zones, all
 * scaling from zero.
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
  readonly ebsCsiDriver: EbsCsiDriver;

  constructor(scope: Construct, id: string, props: BaseStackProps) {
    super(scope, id, props);
    const config: Config = props.config;
    const configFile = props.configFile ?? "the configuration file";
    const { partition, accountId: account } = this;
    const clusterAutoscaler = config.autoscaler === "cluster-autoscaler";
    const pinnedZone = config.fsx.pinGpuGroupsToFileSystemZone;
    const gpuZoneIndices = pinnedZone
      ? [config.fsx.zoneIndex]
      : Array.from({ length: config.network.azCount }, (_v, i) => i);

    this.zones = clusterZones(this, config);
    const userData = nodeUserData();

    this.network = clusterNetwork(this, config, this.zones);
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
    const pins = config.cluster.addonVersions;
    const vpcCni = this.eks.addAddon("vpc-cni", EKS_MANAGED_ADDONS.vpcCni, {
      version: pins.vpcCni,
      // Enforce NetworkPolicies (Kubeflow ships about 40); off by default in the add-on.
      configuration: { enableNetworkPolicy: "true" },
    });
    const kubeProxy = this.eks.addAddon("kube-proxy", EKS_MANAGED_ADDONS.kubeProxy, { version: pins.kubeProxy });
    const podIdentityAgent = this.eks.addAddon("pod-identity-agent", EKS_MANAGED_ADDONS.podIdentityAgent, {
      version: pins.podIdentityAgent,
    });
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
      autoscalerTags: clusterAutoscaler,
      userData,
      dependsOn: nodePrerequisites,
    });
    // CoreDNS needs a node to run on before the add-on reports healthy.
    this.eks.addAddon("coredns", EKS_MANAGED_ADDONS.coreDns, {
      version: pins.coreDns,
      dependsOn: [this.systemNodes.nodeGroup],
    });

    // The default StorageClass (addons stack) encrypts every dynamically provisioned volume with this key.
    const volumeKey = clusterVolumeKey(this, config);
    this.ebsCsiDriver = new EbsCsiDriver(this, "ebs-csi-driver", {
      cluster: this.eks,
      clusterName: config.cluster.name,
      accountId: account,
      partition,
      volumeKeyArn: volumeKey.arn,
      version: pins.ebsCsiDriver,
      dependsOn: [this.systemNodes.nodeGroup],
    });

    if (!clusterAutoscaler) {
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
        spotNodeGroupPrefix: gpuNodeGroupPrefix(gpu.name, "spot"),
        onDemandNodeGroupPrefix: gpuNodeGroupPrefix(gpu.name, "on-demand"),
      }));
    } else {
      this.gpuSizes = config.nodeGroups.gpu.map((gpu, index) => {
        const nodeGroups = new GpuSizeNodeGroups(this, `gpu-size-${gpu.name}`, {
          clusterName: config.cluster.name,
          name: gpu.name,
          instanceTypes: gpu.instanceTypes,
          maxSize: gpu.maxSize,
          diskSizeGiB: gpu.diskSizeGiB,
          nodeRoleArn: nodeRole.role.arn,
          zones: this.zones,
          subnetIds: privateSubnetIds,
          zoneIndices: gpuZoneIndices,
          userData,
          dependsOn: nodePrerequisites,
        });
        this.network.addPrecondition(
          sizePlacementPrecondition(configFile, index, gpu.instanceTypes, nodeGroups.placedZoneCount, this.zones),
        );
        if (gpu.maxSize < gpuZoneIndices.length) {
          Annotations.of(nodeGroups).addWarning(
            `nodeGroups.gpu[${index}] (${gpu.name}): maxSize ${gpu.maxSize} is below its ${gpuZoneIndices.length} zones, ` +
              `so only ${gpu.maxSize} zone(s) get its node groups; a notebook whose workspace volume is in another zone ` +
              `cannot get this size. Raise maxSize to ${gpuZoneIndices.length} to cover every zone.`,
          );
        }
        return {
          name: gpu.name,
          gpusPerNode: nodeGroups.gpusPerNode,
          spotNodeGroupPrefix: gpuNodeGroupPrefix(gpu.name, "spot"),
          onDemandNodeGroupPrefix: gpuNodeGroupPrefix(gpu.name, "on-demand"),
          nodeGroups,
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
      volumeKeyArn: volumeKey.arn,
    };
  }
}

/**
 * The plan-time check that a GPU size runs somewhere: a size none of whose types any chosen zone
 * offers is refused before anything is created, naming the config key and what to change.
 */
function sizePlacementPrecondition(
  configFile: string,
  index: number,
  instanceTypes: readonly string[],
  placedZoneCount: number,
  zones: OfferedZones,
): { condition: unknown; errorMessage: string } {
  return {
    condition: Op.gte(placedZoneCount, 1),
    errorMessage:
      `${configFile}: nodeGroups.gpu[${index}].instanceTypes (${instanceTypes.join(", ")}): none of them is offered in ` +
      `the cluster's zones (\${join(", ", local.${zones.chosen.friendlyUniqueId})}). Fix: add a type offered there, ` +
      "or remove this GPU size.",
  };
}
