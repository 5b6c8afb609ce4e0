import { DataAwsLb } from "@cdktf/provider-aws/lib/data-aws-lb";
import { DataAwsRoute53Zone } from "@cdktf/provider-aws/lib/data-aws-route53-zone";
import { Route53Record } from "@cdktf/provider-aws/lib/route53-record";
import { Construct } from "constructs";

export interface AlbAliasRecordProps {
  /** The record's name (a host inside the zone). */
  readonly hostName: string;
  /** Public hosted zone name. */
  readonly zoneName: string;
  /** EKS cluster name the AWS Load Balancer Controller tags its load balancers with. */
  readonly clusterName: string;
  /** The IngressGroup (or `namespace/name` of a lone Ingress) the load balancer serves. */
  readonly ingressStack: string;
  /**
   * Also create an AAAA alias (only for a dual-stack load balancer).
   * @default false
   */
  readonly dualStack?: boolean;
}

/**
 * Route 53 alias record(s) for a host, pointing at the ALB the AWS Load Balancer Controller made
 * for an Ingress. The ALB is found by the tags the controller sets on it, not by its generated
 * name or DNS name.
 */
export class AlbAliasRecord extends Construct {
  readonly loadBalancer: DataAwsLb;
  readonly records: Route53Record[];

  constructor(scope: Construct, id: string, props: AlbAliasRecordProps) {
    super(scope, id);
    this.loadBalancer = new DataAwsLb(this, "load-balancer", {
      tags: { "elbv2.k8s.aws/cluster": props.clusterName, "ingress.k8s.aws/stack": props.ingressStack },
    });
    const zone = new DataAwsRoute53Zone(this, "zone", { name: props.zoneName, privateZone: false });
    const types = props.dualStack ? ["A", "AAAA"] : ["A"];
    this.records = types.map(
      (type) =>
        new Route53Record(this, type.toLowerCase(), {
          zoneId: zone.zoneId,
          name: props.hostName,
          type,
          alias: { name: this.loadBalancer.dnsName, zoneId: this.loadBalancer.zoneId, evaluateTargetHealth: true },
        }),
    );
  }
}
