import { DataAwsEksCluster } from "@cdktf/provider-aws/lib/data-aws-eks-cluster";
import { DataAwsEksClusters } from "@cdktf/provider-aws/lib/data-aws-eks-clusters";
import { conditional, Fn, TerraformCount, TerraformLocal, Token, type TerraformStack } from "cdktf";
import type { Config } from "../config/schema";
import { ClusterProviders } from "../constructs/cluster-providers";

/**
 * The Kubernetes (and, with `helm`, Helm) providers of a stage torn down by deploying its kept stack
 * (FsxKeptStack, KubeflowKeptStack): they let Terraform delete the stage's objects while the cluster
 * exists, and must not need the cluster otherwise, since the kept resources stay in the stage's
 * state and a teardown run again after the eks stage is gone plans the stack once more. So the
 * cluster is looked up by name only if `aws_eks_clusters` lists it; without it the providers have no
 * endpoint, which is fine while no Kubernetes object or Helm release is left in state (Terraform
 * prunes a provider no resource uses before configuring it, and scripts/deploy.ts forgets the objects
 * of a deleted cluster). Reads no other stage's outputs, which a kept eks stage no longer has.
 * Creates its data sources and locals in `stack` itself, at ids both kept stacks share.
 */
export function providersOfClusterIfPresent(
  stack: TerraformStack,
  config: Config,
  options: { readonly helm: boolean },
): ClusterProviders {
  const name = config.cluster.name;
  const clusters = new DataAwsEksClusters(stack, "clusters-for-teardown");
  const cluster = new DataAwsEksCluster(stack, "cluster-for-teardown", {
    name,
    count: TerraformCount.of(Token.asNumber(conditional(Fn.contains(clusters.names, name), 1, 0))),
  });
  const found = `data.${cluster.terraformResourceType}.${cluster.friendlyUniqueId}[0]`;
  // Locals, so they reach the provider blocks (and their base64decode) as references, not text.
  const orNone = (localId: string, attribute: string) =>
    new TerraformLocal(stack, localId, `\${try(${found}.${attribute}, "")}`).asString;
  return new ClusterProviders(stack, "cluster", {
    cluster: {
      clusterName: name,
      clusterEndpoint: orNone("cluster-endpoint", "endpoint"),
      clusterCertificateAuthorityData: orNone("cluster-certificate-authority", "certificate_authority[0].data"),
    },
    region: config.region,
    helm: options.helm,
  });
}
