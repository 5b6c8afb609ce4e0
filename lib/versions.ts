/**
 * Pinned versions, in one place so an upgrade is one reviewed diff.
 *
 * EKS managed add-on builds (vpc-cni, kube-proxy, CoreDNS, the Pod Identity agent, the EBS CSI
 * driver) are not pinned here: nothing offline can prove which builds AWS publishes for a
 * Kubernetes minor. The eks stack resolves each at plan time with `aws_eks_addon_version` (the
 * default build for the cluster's minor) unless `cluster.addonVersions` pins one. See what a
 * plan would pick with:
 *   aws eks describe-addon-versions --kubernetes-version 1.35 --addon-name vpc-cni \
 *     --query 'addons[].addonVersions[?compatibilities[?defaultVersion]].addonVersion'
 */

/** The EKS managed add-ons the eks stack installs, by config key (`cluster.addonVersions.<key>`). */
export const EKS_MANAGED_ADDONS = {
  vpcCni: "vpc-cni",
  kubeProxy: "kube-proxy",
  podIdentityAgent: "eks-pod-identity-agent",
  coreDns: "coredns",
  ebsCsiDriver: "aws-ebs-csi-driver",
} as const;

export type EksAddonKey = keyof typeof EKS_MANAGED_ADDONS;

/**
 * cluster-autoscaler's minor must match the cluster's Kubernetes minor. Chart 9.59.0 is the
 * newest release of the official chart (kubernetes.github.io/autoscaler) for 1.35; its default
 * image is v1.35.0; we pin the v1.35.1 patch (promoted to registry.k8s.io by kubernetes/k8s.io
 * PR #9676), explicitly, so a chart default can never move it.
 */
export interface ClusterAutoscalerVersions {
  readonly chart: string;
  readonly imageTag: string;
}

export const CLUSTER_AUTOSCALER_VERSIONS: Readonly<Record<string, ClusterAutoscalerVersions>> = {
  "1.35": { chart: "9.59.0", imageTag: "v1.35.1" },
};

export function clusterAutoscalerVersions(kubernetesVersion: string): ClusterAutoscalerVersions | undefined {
  return Object.prototype.hasOwnProperty.call(CLUSTER_AUTOSCALER_VERSIONS, kubernetesVersion)
    ? CLUSTER_AUTOSCALER_VERSIONS[kubernetesVersion]
    : undefined;
}

/** NVIDIA k8s-device-plugin chart (nvidia.github.io/k8s-device-plugin); image tag = chart appVersion. */
export const NVIDIA_DEVICE_PLUGIN_CHART = "0.20.0";

/** Headlamp chart (kubernetes-sigs.github.io/headlamp), the Kubernetes Dashboard's maintained successor. */
export const HEADLAMP_CHART = "0.40.1";

/** Karpenter (oci://public.ecr.aws/karpenter, charts karpenter and karpenter-crd); 1.9+ supports Kubernetes 1.35. */
export const KARPENTER_VERSION = "1.15.0";
