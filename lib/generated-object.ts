/** One Kubernetes object rendered by `npm run generate` (see generated/). */
export interface GeneratedObject {
  /** Stable Terraform-safe address from kind, namespace and name, e.g. daemonset_kube_system_fsx_csi_node. */
  readonly address: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
  /** The app.kubernetes.io/component label: "node", "controller", or "shared". */
  readonly component: string;
  readonly manifest: Record<string, unknown>;
}
