import type { Construct } from "constructs";
import { CREDENTIALS_CONSTRUCT_ID, KubeflowGeneratedCredentials } from "../constructs/kubeflow-credentials";
import { BaseStack, type BaseStackProps } from "./base-stack";
import { providersOfClusterIfPresent } from "./cluster-if-present";

/**
 * What the kubeflow stage keeps when it is torn down with the data kept: this install's generated
 * credentials (the four random_password resources), built by the same construct at the same path as
 * in KubeflowStack. Deploying it in place of the full stack deletes the rest of the stage (the load
 * balancer controller's Helm release, IAM role and pod identity, the ConfigMap and Secrets in
 * kube-system) and leaves the passwords in state, so the next deploy writes the same ones into
 * kube-system/kubeflow-credentials and databases kept on Retain volumes still accept them. The
 * passwords exist only in state: keeping them costs nothing.
 *
 * The Kubernetes and Helm providers stay so Terraform can delete those objects while the cluster
 * exists; the cluster is looked up by name, and only if `aws_eks_clusters` lists it, so the stack
 * still plans once the eks stage is gone (as FsxKeptStack does). Nothing here reads another stage's
 * outputs, which a kept eks stage no longer has. Without the cluster the providers have no endpoint,
 * which is fine while no Kubernetes object or Helm release is left in state: Terraform prunes a
 * provider no resource uses before configuring it (terraform v1.11.4,
 * internal/terraform/transform_provider.go:381-406), and scripts/deploy.ts forgets the objects of a
 * deleted cluster before planning this stage.
 */
export class KubeflowKeptStack extends BaseStack {
  readonly credentials: KubeflowGeneratedCredentials;

  constructor(scope: Construct, id: string, props: BaseStackProps) {
    super(scope, id, props);
    const config = props.config;
    providersOfClusterIfPresent(this, config, { helm: true });
    this.credentials = new KubeflowGeneratedCredentials(this, CREDENTIALS_CONSTRUCT_ID);
  }
}
