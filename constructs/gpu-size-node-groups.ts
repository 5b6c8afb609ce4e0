import { Annotations, type ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { gpuInstanceType } from "../lib/instance-types";
import { CAPACITY_TYPE_LABEL, GPU_TAINT, gpuNodeLabels, type CapacityType } from "../lib/labels";
import { ManagedNodeGroup } from "./managed-node-group";

/** A zone a GPU size may run in. */
export interface GpuSizeZone {
  /** The zone's index in network.zones; it names the construct scope, so it is part of every address. */
  readonly index: number;
  readonly name: string;
  /** The zone's private subnet. */
  readonly subnetId: string;
  /** The size's types used in this zone (none: no group of the size there). */
  readonly instanceTypes: readonly string[];
}

export interface GpuSizeNodeGroupsProps {
  readonly clusterName: string;
  /** The cluster's Kubernetes minor, which the nodes follow. */
  readonly kubernetesVersion: string;
  /** The GPU size's name; its groups are `<name>-spot-<zone>` and `<name>-on-demand-<zone>`. */
  readonly name: string;
  /** Interchangeable GPU types with the same vCPUs, memory and GPU count. */
  readonly instanceTypes: readonly string[];
  /** Most Spot nodes and, separately, most On-Demand nodes of this size, over all its zones. */
  readonly maxSize: number;
  readonly diskSizeGiB: number;
  readonly nodeRoleArn: string;
  /** The zones the size may run in, in order, with the types it uses in each. */
  readonly zones: readonly GpuSizeZone[];
  /**
   * AL2023 nodeadm user data for every node of the size.
   * @default - none
   */
  readonly userData?: string;
  /**
   * Extra node-template labels for cluster-autoscaler: labels a node of the size gets after it
   * boots (not from the node group), which a pod may select or a volume may require.
   * @default - none
   */
  readonly templateLabels?: Readonly<Record<string, string>>;
  /**
   * Resources the groups must wait for.
   * @default - none
   */
  readonly dependsOn?: ITerraformDependable[];
}

/** Prefix of the node group names of one capacity type of a size; the zone name follows it. */
export function gpuNodeGroupPrefix(sizeName: string, capacityType: CapacityType): string {
  return `${sizeName}-${capacityType}`;
}

/** One zone's two groups. */
export interface GpuZoneGroups {
  readonly zone: GpuSizeZone;
  /** This zone's share of the size's maxSize, per capacity type. */
  readonly maxSize: number;
  readonly spot: ManagedNodeGroup;
  readonly onDemand: ManagedNodeGroup;
}

/**
 * Each placed zone's share of a size's maxSize: maxSize / zones each, the first maxSize mod zones
 * one more; zones past maxSize get 0.
 */
export function splitMaxSize(maxSize: number, zoneCount: number): number[] {
  return Array.from({ length: zoneCount }, (_v, rank) => Math.ceil((maxSize - rank) / zoneCount)).map((n) =>
    Math.max(n, 0),
  );
}

/**
 * One GPU size as a Spot and an On-Demand managed node group in each of its zones, all scaling from
 * and to zero. One zone per group is what cluster-autoscaler needs for zonal volumes: it builds a
 * group's template node from one zone, so a notebook whose EBS workspace lives in zone b scales up
 * the group of zone b (its AWS README: an ASG per AZ, with --balance-similar-node-groups).
 *
 * Everything that names or places a group comes from config, so what AWS offers never replaces one
 * (ZoneOfferings checks the offerings at plan time). The size's `maxSize` is split over the zones
 * that have types, per capacity type; a zone whose share is 0 (maxSize below the zone count) gets
 * no group.
 */
export class GpuSizeNodeGroups extends Construct {
  readonly gpusPerNode: number;
  readonly zoneGroups: readonly GpuZoneGroups[];

  constructor(scope: Construct, id: string, props: GpuSizeNodeGroupsProps) {
    super(scope, id);
    const facts = props.instanceTypes.map((type) => {
      const f = gpuInstanceType(type);
      if (!f) throw new Error(`GPU group ${props.name}: unknown GPU instance type "${type}"`);
      return f;
    });
    const gpuCounts = new Set(facts.map((f) => f.gpus));
    if (gpuCounts.size !== 1) {
      throw new Error(
        `GPU group ${props.name}: instance types have different GPU counts (${[...gpuCounts].join(", ")})`,
      );
    }
    this.gpusPerNode = facts[0].gpus;

    const placed = props.zones.filter((z) => z.instanceTypes.length > 0);
    const shares = splitMaxSize(props.maxSize, placed.length);
    const skipped = placed.filter((_z, rank) => shares[rank] === 0).map((z) => z.name);
    if (skipped.length > 0) {
      Annotations.of(this).addWarning(
        `GPU size ${props.name}: maxSize ${props.maxSize} is below its ${placed.length} zones, so ${skipped.join(", ")} ` +
          `get no group of it; a notebook whose workspace volume is there cannot get this size. Raise maxSize to ` +
          `${placed.length} to cover every zone.`,
      );
    }
    this.zoneGroups = placed.flatMap((zone, rank) => {
      if (shares[rank] === 0) return [];
      const scopeOfZone = new Construct(this, `zone-${zone.index}`);
      const build = (capacityType: CapacityType) =>
        new ManagedNodeGroup(scopeOfZone, capacityType, {
          clusterName: props.clusterName,
          nodeGroupName: `${gpuNodeGroupPrefix(props.name, capacityType)}-${zone.name}`,
          nodeRoleArn: props.nodeRoleArn,
          subnetIds: [zone.subnetId],
          zone: zone.name,
          capacityType,
          amiType: "AL2023_x86_64_NVIDIA",
          kubernetesVersion: props.kubernetesVersion,
          instanceTypes: zone.instanceTypes,
          minSize: 0,
          desiredSize: 0,
          maxSize: shares[rank],
          diskSizeGiB: props.diskSizeGiB,
          labels: { ...gpuNodeLabels(props.name, props.instanceTypes), [CAPACITY_TYPE_LABEL]: capacityType },
          templateLabels: props.templateLabels,
          taints: [GPU_TAINT],
          gpusPerNode: this.gpusPerNode,
          userData: props.userData,
          dependsOn: props.dependsOn,
        });
      return [{ zone, maxSize: shares[rank], spot: build("spot"), onDemand: build("on-demand") }];
    });
  }
}
