import type { TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import { awsLoadBalancerControllerStatements } from "../lib/aws-load-balancer-controller-policy";
import { AWS_LOAD_BALANCER_CONTROLLER_CHART, AWS_LOAD_BALANCER_CONTROLLER_IMAGE_TAG } from "../lib/versions";
import { NODE_ROLE_LABEL } from "../lib/labels";
import { allowPolicyException } from "../policy/exceptions";
import { HelmChart } from "./helm-chart";
import { PodIdentityRole } from "./pod-identity-role";
import { LOAD_BALANCER_CONTROLLER_POD } from "../lib/system-requests";

export interface AwsLoadBalancerControllerProps {
  readonly clusterName: string;
  readonly region: string;
  readonly vpcId: string;
  readonly accountId: string;
  readonly partition: string;
  readonly helmProvider: TerraformProvider;
}

export const LB_CONTROLLER_NAMESPACE = "kube-system";
export const LB_CONTROLLER_SERVICE_ACCOUNT = "aws-load-balancer-controller";

/**
 * The AWS Load Balancer Controller, which turns Kubeflow's Ingress into an ALB. Its IAM policy is
 * the one published for the pinned release, bound to its service account through Pod Identity.
 * Region and VPC are passed explicitly: with an IMDS hop limit of 1 the pod cannot look them up.
 */
export class AwsLoadBalancerController extends Construct {
  readonly identity: PodIdentityRole;
  readonly chart: HelmChart;

  constructor(scope: Construct, id: string, props: AwsLoadBalancerControllerProps) {
    super(scope, id);
    this.identity = new PodIdentityRole(this, "identity", {
      roleName: `${props.clusterName}-aws-load-balancer-controller`,
      clusterName: props.clusterName,
      namespace: LB_CONTROLLER_NAMESPACE,
      serviceAccount: LB_CONTROLLER_SERVICE_ACCOUNT,
      accountId: props.accountId,
      statements: awsLoadBalancerControllerStatements(props.partition),
    });
    allowPolicyException(
      this.identity.permissions,
      "CKV_AWS_355",
      "the controller's published IAM policy, used as vendored so each upgrade brings its own; it creates security groups, " +
        "listeners and rules that do not exist yet, so IAM cannot scope those calls to ARNs in advance",
    );
    this.chart = new HelmChart(this, "chart", {
      provider: props.helmProvider,
      name: "aws-load-balancer-controller",
      namespace: LB_CONTROLLER_NAMESPACE,
      repository: "https://aws.github.io/eks-charts",
      chart: "aws-load-balancer-controller",
      version: AWS_LOAD_BALANCER_CONTROLLER_CHART,
      values: {
        clusterName: props.clusterName,
        region: props.region,
        vpcId: props.vpcId,
        image: { tag: AWS_LOAD_BALANCER_CONTROLLER_IMAGE_TAG },
        serviceAccount: { create: true, name: LB_CONTROLLER_SERVICE_ACCOUNT },
        replicaCount: LOAD_BALANCER_CONTROLLER_POD.replicaCount,
        podDisruptionBudget: { maxUnavailable: 1 },
        nodeSelector: { [NODE_ROLE_LABEL]: "system" },
        // What the system nodes must hold for it (lib/system-requests.ts, KF_SYSTEM_CAPACITY).
        resources: LOAD_BALANCER_CONTROLLER_POD.resources,
      },
      dependsOn: [this.identity.association],
    });
  }
}
