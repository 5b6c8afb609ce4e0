import { DataAwsEksCluster } from "@cdktf/provider-aws/lib/data-aws-eks-cluster";
import type { Construct } from "constructs";
import { ClusterProviders } from "../constructs/cluster-providers";
import { BaseStack, type BaseStackProps } from "./base-stack";
import { sharedData } from "./fsx-stack";

export interface FsxKeptStackProps extends BaseStackProps {
  /** The kept network's VPC and private subnets (EksKeptStack). */
  readonly vpcId: string;
  readonly privateSubnetIds: string[];
}

/**
 * What the fsx stage keeps when it is torn down with the data kept: the data bucket and the Lustre
 * file system with its key, logs, security group (without the rules naming the cluster's group,
 * which goes with the cluster) and S3 link, built by the same code at the same paths as in FsxStack.
 * Deploying it in place of the full stack deletes the CSI driver, the volume and its claim. The
 * Kubernetes provider stays so Terraform can delete those objects; it finds the cluster by name
 * (the cluster still exists: this stage is torn down before eks).
 */
export class FsxKeptStack extends BaseStack {
  constructor(scope: Construct, id: string, props: FsxKeptStackProps) {
    super(scope, id, props);
    const config = props.config;
    const cluster = new DataAwsEksCluster(this, "cluster-for-teardown", { name: config.cluster.name });
    new ClusterProviders(this, "cluster", {
      cluster: {
        clusterName: config.cluster.name,
        clusterEndpoint: cluster.endpoint,
        clusterCertificateAuthorityData: cluster.certificateAuthority.get(0).data,
      },
      region: config.region,
      helm: false,
    });
    sharedData(this, config, {
      vpcId: props.vpcId,
      subnetId: props.privateSubnetIds[config.fsx.zoneIndex],
      accountId: this.accountId,
      partition: this.partition,
    });
  }
}
