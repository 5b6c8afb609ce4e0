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
