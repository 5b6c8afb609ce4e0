import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { gpuInstanceType } from "../lib/instance-types";
import { CAPACITY_TYPE_LABEL, GPU_TAINT, gpuNodeLabels, type CapacityType } from "../lib/labels";
import { ManagedNodeGroup } from "./managed-node-group";

export interface GpuNodeGroupPairProps {
  readonly clusterName: string;
  /** The GPU size's name; the groups are `<name>-spot` and `<name>-on-demand`. */
  readonly name: string;
  /** Interchangeable GPU types with the same vCPUs, memory and GPU count. */
  readonly instanceTypes: readonly string[];
  /** Upper bound of each of the two groups. */
  readonly maxSize: number;
  readonly diskSizeGiB: number;
  readonly nodeRoleArn: string;
  readonly subnetIds: string[];
  /**
   * Resources the groups must wait for.
   * @default - none
   */
  readonly dependsOn?: ITerraformDependable[];
}

/** Node group name of one capacity type of a GPU size; the priority expander matches on it. */
export function gpuNodeGroupName(sizeName: string, capacityType: CapacityType): string {
  return `${sizeName}-${capacityType}`;
}

/**
 * One GPU size as a Spot group and an On-Demand twin with the same instance types, both
 * scaling from and to zero. The autoscaler's priority expander tries the Spot group first.
 */
export class GpuNodeGroupPair extends Construct {
  readonly spot: ManagedNodeGroup;
  readonly onDemand: ManagedNodeGroup;
  readonly gpusPerNode: number;

  constructor(scope: Construct, id: string, props: GpuNodeGroupPairProps) {
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

    const build = (capacityType: CapacityType) =>
      new ManagedNodeGroup(this, capacityType, {
        clusterName: props.clusterName,
        nodeGroupName: gpuNodeGroupName(props.name, capacityType),
        nodeRoleArn: props.nodeRoleArn,
        subnetIds: props.subnetIds,
        capacityType,
        amiType: "AL2023_x86_64_NVIDIA",
        instanceTypes: props.instanceTypes,
        minSize: 0,
        desiredSize: 0,
        maxSize: props.maxSize,
        diskSizeGiB: props.diskSizeGiB,
        labels: { ...gpuNodeLabels(props.name, props.instanceTypes), [CAPACITY_TYPE_LABEL]: capacityType },
        taints: [GPU_TAINT],
        gpusPerNode: this.gpusPerNode,
        dependsOn: props.dependsOn,
      });
    this.spot = build("spot");
    this.onDemand = build("on-demand");
  }
}
