import type { Construct } from "constructs";
import { AwsLoadBalancerController } from "../constructs/aws-load-balancer-controller";
import { ClusterProviders } from "../constructs/cluster-providers";
import { CREDENTIALS_CONSTRUCT_ID } from "../constructs/kubeflow-credentials";
import { KubeflowInstallInputs } from "../constructs/kubeflow-install-inputs";
import { paramsFromConfig, type KubeflowInstallParams } from "../lib/kubeflow-overlay";
import type { AuthStackOutputs } from "./auth-stack";
import { BaseStack, type BaseStackProps } from "./base-stack";
import type { EksStackOutputs } from "./eks-stack";

export interface KubeflowStackProps extends BaseStackProps {
  readonly cluster: EksStackOutputs;
  readonly auth: AuthStackOutputs;
}

/**
 * Stage 04: what Kubeflow needs from Terraform. The AWS Load Balancer Controller (so Kubeflow's
 * Ingress becomes an ALB), and, for the install step, the overlay's parameters (a ConfigMap) and
 * the Cognito app client's credentials (a Secret, sensitive in state), and this install's generated
 * database and artifact-store credentials (random_password, and a Secret). Kubeflow itself is
 * installed by `npm run kubeflow -- install`, which renders the pinned upstream release with
 * our overlay (kustomize/kubeflow) and applies it until it settles: thousands of objects and
 * CRDs that do not exist at plan time are no job for Terraform resources.
 */
export class KubeflowStack extends BaseStack {
  readonly loadBalancerController: AwsLoadBalancerController;
  readonly installParams: KubeflowInstallParams;
  readonly providers: ClusterProviders;

  constructor(scope: Construct, id: string, props: KubeflowStackProps) {
    super(scope, id, props);
    const config = props.config;
    this.providers = new ClusterProviders(this, "cluster", {
      cluster: props.cluster,
      region: config.region,
    });

    this.loadBalancerController = new AwsLoadBalancerController(this, "aws-load-balancer-controller", {
      clusterName: config.cluster.name,
      region: config.region,
      vpcId: props.cluster.vpcId,
      accountId: this.accountId,
      partition: this.partition,
      helmProvider: this.providers.helm!,
    });

    this.installParams = paramsFromConfig(config, {
      issuerUrl: props.auth.issuerUrl,
      clientId: props.auth.clientId,
      certificateArn: props.auth.certificateArn,
      vpcCidr: props.cluster.vpcCidr,
      loginHost: props.auth.loginHost,
    });
    // Its credentials are what a teardown that keeps the data keeps (KubeflowKeptStack, same id).
    new KubeflowInstallInputs(this, CREDENTIALS_CONSTRUCT_ID, {
      provider: this.providers.kubernetes!,
      params: this.installParams,
      clientId: props.auth.clientId,
      clientSecret: props.auth.clientSecret,
    });
  }
}
