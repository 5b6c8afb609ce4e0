import type { Construct } from "constructs";
import { AlbAliasRecord } from "../constructs/alb-alias-record";
import { INGRESS_GROUP_NAME } from "../lib/kubeflow";
import { BaseStack, type BaseStackProps } from "./base-stack";

export interface DnsStackProps extends BaseStackProps {
  /** The cluster's name, from the eks stack. */
  readonly clusterName: string;
}

/**
 * Stage 05: the Kubeflow host's DNS record, an alias to the ALB created for Kubeflow's Ingress.
 * This stack is the only owner of that record. Apply it after the Kubeflow install has created
 * the Ingress (the ALB must exist when this stack plans).
 */
export class DnsStack extends BaseStack {
  readonly alias: AlbAliasRecord;

  constructor(scope: Construct, id: string, props: DnsStackProps) {
    super(scope, id, props);
    this.alias = new AlbAliasRecord(this, "kubeflow-host", {
      hostName: props.config.domain.kubeflowHost,
      zoneName: props.config.domain.hostedZone,
      clusterName: props.clusterName,
      ingressStack: INGRESS_GROUP_NAME,
    });
  }
}
