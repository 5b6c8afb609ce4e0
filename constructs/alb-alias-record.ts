import { DataAwsLb } from "@cdktf/provider-aws/lib/data-aws-lb";
import { DataAwsRoute53Zone } from "@cdktf/provider-aws/lib/data-aws-route53-zone";
import { DataAwsLbs } from "@cdktf/provider-aws/lib/data-aws-lbs";
import { Route53Record } from "@cdktf/provider-aws/lib/route53-record";
import { Fn, Op } from "cdktf";
import { LBC_CLUSTER_TAG, LBC_INGRESS_STACK_TAG } from "../lib/kubeflow";
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

/** The plan-time error when the controller has not (yet) made exactly one load balancer for the Ingress. */
export function missingLoadBalancerMessage(clusterName: string, ingressStack: string): string {
  return (
    `No single load balancer carries the AWS Load Balancer Controller's tags ${LBC_CLUSTER_TAG}=${clusterName} and ` +
    `${LBC_INGRESS_STACK_TAG}=${ingressStack}: the Ingress it serves does not exist yet (or its ALB is still being ` +
    "created). Install Kubeflow first (npm run deploy -- --from kubeflow-install, or npm run kubeflow -- install), " +
    "check `kubectl -n istio-system get ingress kubeflow` shows an ADDRESS, then deploy dns again."
  );
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
    // Found in two steps so a missing ALB is a clear precondition failure, not aws_lb's bare
    // "no matching LB found": aws_lbs returns an empty list instead of failing.
    const matching = new DataAwsLbs(this, "matching-load-balancers", {
      tags: { [LBC_CLUSTER_TAG]: props.clusterName, [LBC_INGRESS_STACK_TAG]: props.ingressStack },
    });
    this.loadBalancer = new DataAwsLb(this, "load-balancer", {
      arn: Fn.element(matching.arns, 0),
      lifecycle: {
        precondition: [
          {
            condition: Op.eq(Fn.lengthOf(matching.arns), 1),
            errorMessage: missingLoadBalancerMessage(props.clusterName, props.ingressStack),
          },
        ],
      },
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
