import { ClusterRoleBindingV1 } from "@cdktf/provider-kubernetes/lib/cluster-role-binding-v1";
import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { ServiceAccountV1 } from "@cdktf/provider-kubernetes/lib/service-account-v1";
import type { TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import { NODE_ROLE_LABEL } from "../lib/labels";
import { HelmChart } from "./helm-chart";

export interface ReadOnlyDashboardProps {
  readonly helmProvider: TerraformProvider;
  readonly kubernetesProvider: TerraformProvider;
  readonly chartVersion: string;
  /**
   * Namespace for the dashboard.
   * @default "headlamp"
   */
  readonly namespace?: string;
}

/** The built-in read-only role: everything except Secrets and RBAC objects. */
export const VIEW_CLUSTER_ROLE = "view";
export const VIEWER_SERVICE_ACCOUNT = "dashboard-viewer";

/**
 * Headlamp, the maintained successor of the archived Kubernetes Dashboard, with no permissions
 * of its own: it acts with the token the user signs in with. The token comes from a dedicated
 * service account bound to the `view` role, issued short-lived with `kubectl create token`. The
 * service stays ClusterIP; users reach it with `kubectl port-forward`.
 */
export class ReadOnlyDashboard extends Construct {
  readonly chart: HelmChart;
  readonly viewer: ServiceAccountV1;
  readonly binding: ClusterRoleBindingV1;
  readonly namespace: string;

  constructor(scope: Construct, id: string, props: ReadOnlyDashboardProps) {
    super(scope, id);
    this.namespace = props.namespace ?? "headlamp";
    const namespace = new NamespaceV1(this, "namespace", {
      provider: props.kubernetesProvider,
      metadata: {
        name: this.namespace,
        labels: { "pod-security.kubernetes.io/enforce": "restricted" },
      },
    });
    this.viewer = new ServiceAccountV1(this, "viewer", {
      provider: props.kubernetesProvider,
      metadata: { name: VIEWER_SERVICE_ACCOUNT, namespace: namespace.metadata.name },
      automountServiceAccountToken: false,
    });
    this.binding = new ClusterRoleBindingV1(this, "viewer-binding", {
      provider: props.kubernetesProvider,
      metadata: { name: `${VIEWER_SERVICE_ACCOUNT}-view` },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: VIEW_CLUSTER_ROLE },
      subject: [{ kind: "ServiceAccount", name: this.viewer.metadata.name, namespace: this.namespace }],
    });
    this.chart = new HelmChart(this, "chart", {
      provider: props.helmProvider,
      name: "headlamp",
      namespace: this.namespace,
      repository: "https://kubernetes-sigs.github.io/headlamp/",
      chart: "headlamp",
      version: props.chartVersion,
      values: {
        // The chart binds its service account to cluster-admin unless told not to.
        clusterRoleBinding: { create: false },
        serviceAccount: { create: true },
        service: { type: "ClusterIP", port: 80 },
        ingress: { enabled: false },
        nodeSelector: { [NODE_ROLE_LABEL]: "system" },
        podSecurityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
        securityContext: {
          runAsNonRoot: true,
          runAsUser: 100,
          runAsGroup: 101,
          privileged: false,
          allowPrivilegeEscalation: false,
          capabilities: { drop: ["ALL"] },
        },
      },
      dependsOn: [namespace],
    });
  }
}
