/**
 * Pinned versions, in one place so an upgrade is one reviewed diff.
 *
 * EKS managed add-on builds per Kubernetes minor, from the EKS user guide's add-on pages
 * (managing-kube-proxy, managing-coredns) and published pairings for vpc-cni and the Pod Identity
 * agent. Check a pairing before an upgrade with:
 *   aws eks describe-addon-versions --kubernetes-version 1.35 --addon-name vpc-cni \
 *     --query 'addons[].addonVersions[].addonVersion'
 */
export interface EksAddonVersions {
  readonly vpcCni: string;
  readonly coreDns: string;
  readonly kubeProxy: string;
  readonly podIdentityAgent: string;
}

export const EKS_ADDON_VERSIONS: Readonly<Record<string, EksAddonVersions>> = {
  "1.35": {
    vpcCni: "v1.21.1-eksbuild.3",
    coreDns: "v1.13.2-eksbuild.4",
    kubeProxy: "v1.35.3-eksbuild.2",
    podIdentityAgent: "v1.3.10-eksbuild.2",
  },
};

export function eksAddonVersions(kubernetesVersion: string): EksAddonVersions | undefined {
  return Object.prototype.hasOwnProperty.call(EKS_ADDON_VERSIONS, kubernetesVersion)
    ? EKS_ADDON_VERSIONS[kubernetesVersion]
    : undefined;
}

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
