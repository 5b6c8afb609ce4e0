import { DataAwsAvailabilityZones } from "@cdktf/provider-aws/lib/data-aws-availability-zones";
import { DataAwsEc2InstanceTypeOfferings } from "@cdktf/provider-aws/lib/data-aws-ec2-instance-type-offerings";
import { Fn, Op, TerraformLocal } from "cdktf";
import { Construct } from "constructs";

export interface OfferedZonesProps {
  /** Types every chosen zone must offer (the always-on system nodes). */
  readonly requiredInstanceTypes: readonly string[];
  /**
   * Types the zones are preferred for (the GPU sizes): zones offering all of these as well come first.
   * @default - none
   */
  readonly preferredInstanceTypes?: readonly string[];
  /** How many zones to choose. */
  readonly zoneCount: number;
}

/**
 * Chooses the cluster's availability zones at plan time from `aws_ec2_instance_type_offerings`:
 * standard zones offering every required type, those that also offer every preferred type first
 * (each group in name order), the first `zoneCount` of them. Where every zone offers everything,
 * that is simply the first `zoneCount` zones by name. The offerings stay available per type, so a
 * GPU size can be placed in exactly the chosen zones that offer it.
 */
export class OfferedZones extends Construct {
  /** The chosen zone names (a Terraform list expression). */
  readonly names: string[];
  /** The chosen zones' local, for expressions that need to name it. */
  readonly chosen: TerraformLocal;
  /** An expression that is true when enough zones qualify; use it as a precondition. */
  readonly enoughZonesCondition: unknown;
  readonly shortageMessage: string;
  private readonly offerings = new Map<string, string[]>();

  constructor(scope: Construct, id: string, props: OfferedZonesProps) {
    super(scope, id);
    const required = [...new Set(props.requiredInstanceTypes)].sort();
    const preferred = [...new Set(props.preferredInstanceTypes ?? [])].sort();
    if (required.length === 0) throw new Error("OfferedZones needs at least one required instance type");
    // Standard zones only: Local and Wavelength Zones need an opt-in and have few GPU types.
    const standardZones = new DataAwsAvailabilityZones(this, "standard-zones", {
      state: "available",
      filter: [{ name: "opt-in-status", values: ["opt-in-not-required"] }],
    });
    for (const type of [...new Set([...required, ...preferred])].sort()) {
      this.offerings.set(
        type,
        new DataAwsEc2InstanceTypeOfferings(this, `offered-${type.replace(/\./g, "-")}`, {
          locationType: "availability-zone",
          filter: [{ name: "instance-type", values: [type] }],
        }).locations,
      );
    }
    const offeredAll = (types: readonly string[]) =>
      Fn.sort(
        Fn.setintersection(
          standardZones.names,
          types.map((t) => this.locationsOf(t)),
        ),
      );
    // Locals keep the plan readable: subnets say element(local.<id>, i), not the whole expression.
    const qualifying = new TerraformLocal(this, "qualifying", offeredAll(required));
    const complete = new TerraformLocal(this, "complete", offeredAll([...required, ...preferred]));
    const ranked = Fn.distinct(Fn.concat([complete.asList, qualifying.asList]));
    // Never more than there are: slice() fails past the end, which would hide the shortage message.
    this.chosen = new TerraformLocal(
      this,
      "chosen",
      Fn.slice(ranked, 0, Fn.min([props.zoneCount, Fn.lengthOf(qualifying.asList)])),
    );
    this.names = this.chosen.asList;
    this.enoughZonesCondition = Op.gte(Fn.lengthOf(qualifying.asList), props.zoneCount);
    this.shortageMessage =
      `Fewer than ${props.zoneCount} availability zones offer all of ${required.join(", ")}. ` +
      "Lower network.azCount or change nodeGroups.system.instanceTypes to types offered in more zones.";
  }

  /** The zones offering an instance type (a Terraform list expression). */
  locationsOf(instanceType: string): string[] {
    const locations = this.offerings.get(instanceType);
    if (!locations) throw new Error(`OfferedZones: ${instanceType} was not among the instance types looked up`);
    return locations;
  }

  /** The chosen zone at `index` (a Terraform expression). */
  zone(index: number): string {
    return Fn.element(this.names, index) as string;
  }
}
