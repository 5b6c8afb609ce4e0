import { conditional, Fn, Op, TerraformLocal, Token, type ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { gpuInstanceType } from "../lib/instance-types";
import { CAPACITY_TYPE_LABEL, GPU_TAINT, gpuNodeLabels, type CapacityType } from "../lib/labels";
import { ManagedNodeGroup } from "./managed-node-group";
import type { OfferedZones } from "./offered-zones";

export interface GpuSizeNodeGroupsProps {
  readonly clusterName: string;
  /** The GPU size's name; its groups are `<name>-spot-<zone>` and `<name>-on-demand-<zone>`. */
  readonly name: string;
  /** Interchangeable GPU types with the same vCPUs, memory and GPU count. */
  readonly instanceTypes: readonly string[];
  /** Most Spot nodes and, separately, most On-Demand nodes of this size, over all its zones. */
  readonly maxSize: number;
  readonly diskSizeGiB: number;
  readonly nodeRoleArn: string;
  /** The cluster's chosen zones and who offers what there. */
  readonly zones: OfferedZones;
  /** The private subnet of each chosen zone, by zone index. */
  readonly subnetIds: readonly string[];
  /** Which chosen zones (indices) the size may run in: all of them, or the FSx file system's. */
  readonly zoneIndices: readonly number[];
  /**
   * AL2023 nodeadm user data for every node of the size.
   * @default - none
   */
  readonly userData?: string;
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
  readonly zoneIndex: number;
  readonly spot: ManagedNodeGroup;
  readonly onDemand: ManagedNodeGroup;
}

/**
 * One GPU size as a Spot and an On-Demand managed node group in each of its zones, all scaling from
 * and to zero. One zone per group is what cluster-autoscaler needs for zonal volumes: it builds a
 * group's template node from one zone, so a notebook whose EBS workspace lives in zone b scales up
 * the group of zone b (its AWS README: an ASG per AZ, with --balance-similar-node-groups).
 *
 * Which chosen zones offer the size is known at plan time only, so each group exists (count 1) in a
 * zone offering at least one of the size's types, with the types offered there. The size's
 * `maxSize` is split over those zones, per capacity type: each gets maxSize / zones, the first
 * maxSize mod zones one more; a zone whose share is 0 (maxSize below the zone count) gets no group.
 */
export class GpuSizeNodeGroups extends Construct {
  readonly gpusPerNode: number;
  readonly zoneGroups: readonly GpuZoneGroups[];
  /** How many zones the size runs in (a Terraform number expression). */
  readonly placedZoneCount: number;
  /** Per zone index: the instance types offered there (Terraform list expressions). */
  readonly zoneInstanceTypes: ReadonlyMap<number, string[]>;
  /** Per zone index: the zone's share of maxSize (Terraform number expressions). */
  readonly zoneMaxSizes: ReadonlyMap<number, number>;

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

    // Per zone, in the size's zone order: the types offered there ("" dropped by compact).
    const typesLocal = new TerraformLocal(
      this,
      "zone-instance-types",
      props.zoneIndices.map((z) =>
        Fn.compact(
          props.instanceTypes.map((t) =>
            Token.asString(conditional(Fn.contains(props.zones.locationsOf(t), props.zones.zone(z)), t, "")),
          ),
        ),
      ),
    );
    const placed = new TerraformLocal(
      this,
      "zone-placed",
      props.zoneIndices.map((_z, k) => conditional(Op.gte(Fn.lengthOf(Fn.element(typesLocal.asList, k)), 1), 1, 0)),
    );
    const placedCount = new TerraformLocal(this, "zone-count", Fn.sum(placed.asList));
    this.placedZoneCount = placedCount.asNumber;
    const zones = Fn.max([placedCount.asNumber, 1]);
    // The placed zone of rank r (0-based among placed zones) takes ceil((maxSize - r) / zones):
    // maxSize / zones each, and the first maxSize mod zones one more.
    const maxSizes = new TerraformLocal(
      this,
      "zone-max-size",
      props.zoneIndices.map((_z, k) => {
        const rank = k === 0 ? 0 : Fn.sum(Fn.slice(placed.asList, 0, k));
        const share = Fn.ceil(Op.div(k === 0 ? props.maxSize : Op.sub(props.maxSize, rank), zones));
        return conditional(Op.eq(Fn.element(placed.asList, k), 1), share, 0);
      }),
    );

    const typesByZone = new Map<number, string[]>();
    const maxByZone = new Map<number, number>();
    this.zoneGroups = props.zoneIndices.map((zoneIndex, k) => {
      const zone = props.zones.zone(zoneIndex);
      const instanceTypes = Token.asList(Fn.element(typesLocal.asList, k));
      const share = Token.asNumber(Fn.element(maxSizes.asList, k));
      typesByZone.set(zoneIndex, instanceTypes);
      maxByZone.set(zoneIndex, share);
      const scopeOfZone = new Construct(this, `zone-${zoneIndex}`);
      const build = (capacityType: CapacityType) =>
        new ManagedNodeGroup(scopeOfZone, capacityType, {
          clusterName: props.clusterName,
          nodeGroupName: `${gpuNodeGroupPrefix(props.name, capacityType)}-${zone}`,
          nodeRoleArn: props.nodeRoleArn,
          subnetIds: [props.subnetIds[zoneIndex]],
          zone,
          capacityType,
          amiType: "AL2023_x86_64_NVIDIA",
          instanceTypes,
          minSize: 0,
          desiredSize: 0,
          // A group that is not created still needs a valid value here.
          maxSize: Token.asNumber(Fn.max([share, 1])),
          count: Token.asNumber(conditional(Op.gte(share, 1), 1, 0)),
          diskSizeGiB: props.diskSizeGiB,
          labels: { ...gpuNodeLabels(props.name, props.instanceTypes), [CAPACITY_TYPE_LABEL]: capacityType },
          taints: [GPU_TAINT],
          gpusPerNode: this.gpusPerNode,
          userData: props.userData,
          dependsOn: props.dependsOn,
        });
      return { zoneIndex, spot: build("spot"), onDemand: build("on-demand") };
    });
    this.zoneInstanceTypes = typesByZone;
    this.zoneMaxSizes = maxByZone;
  }
}
