import type { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import type { Construct } from "constructs";
import type { ClusterConnection } from "../constructs/cluster-providers";
import { gpuTypesInZone, gpuZoneIndices, type Config } from "../config/schema";
import { EbsCsiDriver } from "../constructs/ebs-csi-driver";
import { EksCluster, type ClusterAccess } from "../constructs/eks-cluster";
import { GpuSizeNodeGroups, gpuNodeGroupPrefix } from "../constructs/gpu-size-node-groups";
import { KARPENTER_DISCOVERY_TAG, KarpenterNodeIdentity } from "../constructs/karpenter-node-identity";
import { ManagedNodeGroup } from "../constructs/managed-node-group";
import { Network } from "../constructs/network";
import { NodeRole } from "../constructs/node-role";
import { protectedKey } from "../constructs/protected-key";
import { ZoneOfferings, type OfferingRequirement } from "../constructs/zone-offerings";
import { gpuInstanceType } from "../lib/instance-types";
import { CAPACITY_TYPE_LABEL, NODE_ROLE_LABEL } from "../lib/labels";
import { LUSTRE_TEMPLATE_LABELS, nodeUserData } from "../lib/node-user-data";
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
  /** The zone of the FSx file system (fsx.zoneIndex of network.zones). */
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

/**
 * The plan-time check that network.zones exist and offer what runs there: the system types in
 * every zone, each GPU size's types in each of its zones.
 */
export function zoneOfferings(scope: Construct, config: Config, configFile?: string): ZoneOfferings {
  const zones = config.network.zones;
  const requirements: OfferingRequirement[] = config.nodeGroups.system.instanceTypes.map((type) => ({
    instanceType: type,
    zones,
    key: "nodeGroups.system.instanceTypes",
    fix: "use system types offered in every zone of network.zones",
  }));
  // Karpenter launches GPU nodes from what is offered at launch time; only node groups need it now.
  if (config.autoscaler === "cluster-autoscaler")
    config.nodeGroups.gpu.forEach((gpu, index) => {
      for (const type of gpu.instanceTypes) {
        const where = gpuZoneIndices(config)
          .map((z) => zones[z])
          .filter((zone) => gpuTypesInZone(gpu, zone).includes(type));
        if (where.length === 0) continue;
        requirements.push({
          instanceType: type,
          zones: where,
          key: `nodeGroups.gpu[${index}] (${gpu.name})`,
          fix: `list the types of ${gpu.name} offered there under nodeGroups.gpu[${index}].zoneInstanceTypes.<zone> (or [] for no ${gpu.name} group there)`,
        });
      }
    });
  return new ZoneOfferings(scope, "zones", { zones, requirements, configFile });
}

/** The VPC: private subnets for nodes (and the file system), public ones for load balancers and NAT. */
export function clusterNetwork(
  scope: Construct,
  config: Config,
  preconditions: readonly { readonly condition: unknown; readonly errorMessage: string }[] = [],
): Network {
  return new Network(scope, "network", {
    name: config.cluster.name,
    cidr: config.network.vpcCidr,
    zoneNames: config.network.zones,
    natGateways: config.network.natGateways,
    privateSubnetTags:
      config.autoscaler === "cluster-autoscaler" ? undefined : { [KARPENTER_DISCOVERY_TAG]: config.cluster.name },
    flowLogRetentionDays: config.cluster.logRetentionDays,
    preconditions,
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
  readonly zoneOfferings: ZoneOfferings;
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
    const { partition, accountId: account } = this;
    const clusterAutoscaler = config.autoscaler === "cluster-autoscaler";

    // The zones and types are config; what AWS offers only stops a plan that no longer fits it.
    this.zoneOfferings = zoneOfferings(this, config, props.configFile);
    const userData = nodeUserData();

    this.network = clusterNetwork(this, config, [this.zoneOfferings.precondition]);
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
      creatorAccess: config.cluster.clusterCreatorAdmin ? { principalArn: this.deployerArn } : undefined,
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
      kubernetesVersion: config.cluster.kubernetesVersion,
      instanceTypes: system.instanceTypes,
      minSize: system.minSize,
      desiredSize: system.desiredSize,
      maxSize: system.maxSize,
      diskSizeGiB: system.diskSizeGiB,
      labels: { [NODE_ROLE_LABEL]: "system", [CAPACITY_TYPE_LABEL]: "on-demand" },
      // Appending a zone must not replace the always-on group (every system pod at once).
      keepSubnets: true,
      templateLabels: LUSTRE_TEMPLATE_LABELS,
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
      this.gpuSizes = config.nodeGroups.gpu.map((gpu) => {
        const nodeGroups = new GpuSizeNodeGroups(this, `gpu-size-${gpu.name}`, {
          clusterName: config.cluster.name,
          kubernetesVersion: config.cluster.kubernetesVersion,
          name: gpu.name,
          instanceTypes: gpu.instanceTypes,
          maxSize: gpu.maxSize,
          diskSizeGiB: gpu.diskSizeGiB,
          nodeRoleArn: nodeRole.role.arn,
          zones: gpuZoneIndices(config).map((index) => ({
            index,
            name: config.network.zones[index],
            subnetId: privateSubnetIds[index],
            instanceTypes: gpuTypesInZone(gpu, config.network.zones[index]),
          })),
          userData,
          templateLabels: LUSTRE_TEMPLATE_LABELS,
          dependsOn: nodePrerequisites,
        });
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
      fileSystemZone: config.network.zones[config.fsx.zoneIndex],
      karpenterNodeRoleName: this.karpenterNodes?.role.role.name,
      volumeKeyArn: volumeKey.arn,
    };
  }
}
