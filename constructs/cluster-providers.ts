import { HelmProvider } from "@cdktf/provider-helm/lib/provider";
import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { Fn } from "cdktf";
import { Construct } from "constructs";

/** How to reach a cluster's API (the eks stack's outputs satisfy it). */
export interface ClusterConnection {
  readonly clusterName: string;
  readonly clusterEndpoint: string;
  /** Base64 certificate authority data, as EKS returns it. */
  readonly clusterCertificateAuthorityData: string;
}

export interface ClusterProvidersProps {
  readonly cluster: ClusterConnection;
  readonly region: string;
  /**
   * Configure the Helm provider.
   * @default true
   */
  readonly helm?: boolean;
  /**
   * Configure the Kubernetes provider.
   * @default true
   */
  readonly kubernetes?: boolean;
}

/** The exec credential plugin API that `aws eks get-token` speaks. */
export const EXEC_API_VERSION = "client.authentication.k8s.io/v1beta1";

/**
 * Kubernetes and Helm providers for an EKS cluster. Both fetch a fresh token through
 * `aws eks get-token` whenever they need one, so a long apply never fails with an expired
 * token (a token from `aws_eks_cluster_auth` lives 15 minutes).
 */
export class ClusterProviders extends Construct {
  readonly helm?: HelmProvider;
  readonly kubernetes?: KubernetesProvider;

  constructor(scope: Construct, id: string, props: ClusterProvidersProps) {
    super(scope, id);
    const exec = {
      apiVersion: EXEC_API_VERSION,
      command: "aws",
      args: ["eks", "get-token", "--cluster-name", props.cluster.clusterName, "--region", props.region],
    };
    const caCertificate = Fn.base64decode(props.cluster.clusterCertificateAuthorityData);
    const host = props.cluster.clusterEndpoint;
    if (props.kubernetes ?? true) {
      this.kubernetes = new KubernetesProvider(this, "kubernetes", {
        host,
        clusterCaCertificate: caCertificate,
        exec: [exec],
      });
    }
    if (props.helm ?? true) {
      this.helm = new HelmProvider(this, "helm", {
        kubernetes: { host, clusterCaCertificate: caCertificate, exec },
      });
    }
  }
}
