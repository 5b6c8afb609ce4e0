import type { Construct } from "constructs";
import { BaseStack, type BaseStackProps } from "./base-stack";
import { providersOfClusterIfPresent } from "./cluster-if-present";
import { sharedData } from "./fsx-stack";

export interface FsxKeptStackProps extends BaseStackProps {
  /** The kept network's VPC and private subnets (EksKeptStack). */
  readonly vpcId: string;
  readonly privateSubnetIds: string[];
  /**
   * Let the data bucket go with its objects: the delete-data teardown destroys the stage from this
   * stack (app.ts), whose only references to the eks stage (the VPC and subnet ids) exist in its
   * state both as deployed and after a keep-data teardown.
   * @default false
   */
  readonly forceDestroyBucket?: boolean;
}

/**
 * What the fsx stage keeps when it is torn down with the data kept: the data bucket and the Lustre
 * file system with its key, logs, security group (without the rules naming the cluster's group,
 * which goes with the cluster) and S3 link, built by the same code at the same paths as in FsxStack.
 * Deploying it in place of the full stack deletes the CSI driver, the volume and its claim.
 *
 * The Kubernetes provider stays so Terraform can delete those objects while the cluster exists. It
 * must not need the cluster otherwise: the kept resources stay in this stage's state, so a teardown
 * run again after the eks stage is gone plans this stack once more. The cluster is therefore looked
 * up only if `aws_eks_clusters` lists it; without it the provider has no endpoint, which is fine
 * while no Kubernetes object is left in state (scripts/deploy.ts forgets those of a deleted cluster).
 */
export class FsxKeptStack extends BaseStack {
  constructor(scope: Construct, id: string, props: FsxKeptStackProps) {
    super(scope, id, props);
    const config = props.config;
    providersOfClusterIfPresent(this, config, { helm: false });
    sharedData(this, config, {
      vpcId: props.vpcId,
      subnetId: props.privateSubnetIds[config.fsx.zoneIndex],
      accountId: this.accountId,
      partition: this.partition,
      forceDestroyBucket: props.forceDestroyBucket,
    });
  }
}
