import { TerraformOutput } from "cdktf";
import type { Construct } from "constructs";
import { BaseStack, type BaseStackProps } from "./base-stack";
import { providersOfClusterIfPresent } from "./cluster-if-present";
import { PARKED_OUTPUT, sharedData } from "./fsx-stack";

export interface FsxParkedStackProps extends BaseStackProps {
  /** The VPC and private subnets (the eks stage's outputs, which its kept stack has too). */
  readonly vpcId: string;
  readonly privateSubnetIds: string[];
}

/**
 * The fsx stage while its file system is parked (npm run fsx -- park, scripts/fsx.ts): what
 * FsxKeptStack keeps (the data bucket and its key, the file system's key, security group and logs,
 * built by the same code at the same construct paths) without the file system and its S3 link, and
 * nothing in the cluster. Deploying it in place of FsxStack deletes the file system, its S3 link,
 * the volume, its claim and the CSI driver; the bucket and the keys stay as they are.
 *
 * The file system is removed from the configuration, not destroyed by a plan that still declares
 * it: Terraform checks prevent_destroy against a resource's configuration, and a resource no longer
 * in the configuration has none (terraform v1.11.4 internal/terraform/node_resource_abstract_instance.go:182-183,
 * checkPreventDestroy returns nil without n.Config), as in a teardown that keeps the data.
 *
 * Its output `parked = true` tells everyone who reads the stage (npm run deploy, npm run destroy,
 * `terraform output`) that the file system is parked, not missing. Like the kept stacks it finds the
 * cluster by name only if it exists, so it plans before and after a teardown alike.
 */
export class FsxParkedStack extends BaseStack {
  constructor(scope: Construct, id: string, props: FsxParkedStackProps) {
    super(scope, id, props);
    const config = props.config;
    providersOfClusterIfPresent(this, config, { helm: false });
    sharedData(this, config, {
      vpcId: props.vpcId,
      subnetId: props.privateSubnetIds[config.fsx.zoneIndex],
      accountId: this.accountId,
      partition: this.partition,
      withFileSystem: false,
    });
    new TerraformOutput(this, PARKED_OUTPUT, {
      value: true,
      description: "Whether the file system is parked: npm run fsx -- unpark creates it again",
    });
  }
}
