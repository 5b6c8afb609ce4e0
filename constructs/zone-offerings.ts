import { DataAwsAvailabilityZones } from "@cdktf/provider-aws/lib/data-aws-availability-zones";
import { DataAwsEc2InstanceTypeOfferings } from "@cdktf/provider-aws/lib/data-aws-ec2-instance-type-offerings";
import { TerraformLocal } from "cdktf";
import { Construct } from "constructs";

/** An instance type that must be offered in some of the configured zones. */
export interface OfferingRequirement {
  readonly instanceType: string;
  /** The zones (names) it is used in. */
  readonly zones: readonly string[];
  /** The config key it comes from, e.g. "nodeGroups.gpu[0] (gpu-1x)". */
  readonly key: string;
  /** What to change when it is not offered in a zone; "<zone>" stands for that zone. */
  readonly fix: string;
}

export interface ZoneOfferingsProps {
  /** The configured zones (network.zones). */
  readonly zones: readonly string[];
  readonly requirements: readonly OfferingRequirement[];
  /**
   * The file the zones and types come from, for messages.
   * @default "the configuration file"
   */
  readonly configFile?: string;
}

const hcl = (value: unknown) => JSON.stringify(value);

/**
 * Checks at plan time that the configured zones exist and offer the configured instance types,
 * reading `aws_availability_zones` and `aws_ec2_instance_type_offerings`. The zones and types
 * themselves come from config, never from these lookups: every argument that would replace a
 * subnet or a node group (its zone, its types, its name) stays the same whatever AWS offers. What
 * AWS no longer offers only stops the plan (nothing is changed), with a message per zone and type.
 */
export class ZoneOfferings extends Construct {
  /** The problems found (a Terraform list of strings; empty when everything is offered). */
  readonly problems: TerraformLocal;
  /** A precondition for a resource of the stage: false, and the plan stops with every problem. */
  readonly precondition: { readonly condition: unknown; readonly errorMessage: string };

  constructor(scope: Construct, id: string, props: ZoneOfferingsProps) {
    super(scope, id);
    // Standard zones only (Local and Wavelength Zones need an opt-in and have few GPU types), in
    // any state: a zone AWS marks impaired for a while must not stop every plan of the stage.
    const standardZones = new DataAwsAvailabilityZones(this, "standard-zones", {
      filter: [{ name: "opt-in-status", values: ["opt-in-not-required"] }],
    });
    // Raw addresses: these go inside one hand-written expression, not through cdktf's tokens.
    const address = (d: DataAwsAvailabilityZones | DataAwsEc2InstanceTypeOfferings) =>
      `data.${d.terraformResourceType}.${d.friendlyUniqueId}`;
    const offered = new Map<string, string>();
    for (const type of [...new Set(props.requirements.map((r) => r.instanceType))].sort()) {
      const lookup = new DataAwsEc2InstanceTypeOfferings(this, `offered-${type.replace(/\./g, "-")}`, {
        locationType: "availability-zone",
        filter: [{ name: "instance-type", values: [type] }],
      });
      offered.set(type, address(lookup));
    }
    for (const r of props.requirements) {
      if (/["\\$]/.test(r.key + r.fix))
        throw new Error(`ZoneOfferings: keep quotes, backslashes and $ out of "${r.key}" and "${r.fix}"`);
    }
    const standard = `${address(standardZones)}.names`;
    const lists = [
      `[for z in ${hcl(props.zones)} : "network.zones: \${z} is not a standard zone of this region in this account ` +
        `(those are \${join(", ", sort(${standard}))}); list zones from that set" if !contains(${standard}, z)]`,
      ...props.requirements.map((r) => {
        const locations = `${offered.get(r.instanceType)!}.locations`;
        const fix = r.fix.replace(/<zone>/g, "${z}");
        return (
          `[for z in ${hcl(r.zones)} : "${r.key}: ${r.instanceType} is not offered in \${z} ` +
          `(it is offered in \${join(", ", sort(setintersection(${locations}, ${standard})))}). Fix: ${fix}" ` +
          // A zone the account lacks is reported once, above, not for every type.
          `if contains(${standard}, z) && !contains(${locations}, z)]`
        );
      }),
    ];
    this.problems = new TerraformLocal(this, "problems", `\${concat(${lists.join(", ")})}`);
    const file = props.configFile ?? "the configuration file";
    this.precondition = {
      // Written out: cdktf's Op.eq(x, 0) renders the 0 as "undefined".
      condition: `\${length(local.${this.problems.friendlyUniqueId}) == 0}`,
      errorMessage:
        `The zones and instance types in ${file} do not match what AWS offers in this account and region, so nothing ` +
        `was planned:\n- \${join("\\n- ", local.${this.problems.friendlyUniqueId})}\n` +
        "Zone names map to different physical zones in each account. Subnets never move, so for a deployed network " +
        "change the types, not network.zones.",
    };
  }
}
