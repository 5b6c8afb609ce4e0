import { DataAwsAvailabilityZones } from "@cdktf/provider-aws/lib/data-aws-availability-zones";
import { DataAwsEc2InstanceTypeOfferings } from "@cdktf/provider-aws/lib/data-aws-ec2-instance-type-offerings";
import { Fn, Op, TerraformLocal } from "cdktf";
import { Construct } from "constructs";

export interface OfferedZonesProps {
  /** Every instance type that must be launchable in each chosen zone. */
  readonly instanceTypes: readonly string[];
  /** How many zones to choose. */
  readonly zoneCount: number;
}

/**
 * Chooses availability zones where every given instance type is offered, so no node group can
 * point at a subnet where its types cannot launch. The choice happens at plan time from
 * `aws_ec2_instance_type_offerings`; the first `zoneCount` zones in name order are taken.
 */
export class OfferedZones extends Construct {
  /** The chosen zone names (a Terraform list expression). */
  readonly names: string[];
  /** An expression that is true when enough zones qualify; use it as a precondition. */
  readonly enoughZonesCondition: unknown;
  readonly shortageMessage: string;

  constructor(scope: Construct, id: string, props: OfferedZonesProps) {
    super(scope, id);
    const types = [...new Set(props.instanceTypes)].sort();
    if (types.length === 0) throw new Error("OfferedZones needs at least one instance type");
    // Standard zones only: Local and Wavelength Zones need an opt-in and have few GPU types.
    const standardZones = new DataAwsAvailabilityZones(this, "standard-zones", {
      state: "available",
      filter: [{ name: "opt-in-status", values: ["opt-in-not-required"] }],
    });
    const offered = types.map(
      (type) =>
        new DataAwsEc2InstanceTypeOfferings(this, `offered-${type.replace(/\./g, "-")}`, {
          locationType: "availability-zone",
          filter: [{ name: "instance-type", values: [type] }],
        }).locations,
    );
    // Locals keep the plan readable: subnets say element(local.<id>, i), not the whole expression.
    const qualifying = new TerraformLocal(
      this,
      "qualifying",
      Fn.sort(Fn.setintersection(standardZones.names, offered)),
    );
    const chosen = new TerraformLocal(this, "chosen", Fn.slice(qualifying.asList, 0, props.zoneCount));
    this.names = chosen.asList;
    this.enoughZonesCondition = Op.gte(Fn.lengthOf(qualifying.asList), props.zoneCount);
    this.shortageMessage =
      `Fewer than ${props.zoneCount} availability zones offer all of ${types.join(", ")}. ` +
      "Lower network.azCount or remove the instance types that are missing from some zones.";
  }
}
