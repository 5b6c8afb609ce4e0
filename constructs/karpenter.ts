import type { TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import { karpenterControllerStatements } from "../lib/karpenter-policy";
import { NODE_ROLE_LABEL } from "../lib/labels";
import { KARPENTER_CHART } from "../lib/versions";
import { HelmChart } from "./helm-chart";
import { InterruptionQueue } from "./interruption-queue";
import { PodIdentityRole } from "./pod-identity-role";
import { KARPENTER_POD } from "../lib/system-requests";

export interface KarpenterProps {
  readonly clusterName: string;
  readonly clusterEndpoint: string;
  readonly region: string;
  readonly accountId: string;
  readonly partition: string;
  readonly nodeRoleArn: string;
  readonly helmProvider: TerraformProvider;
}

export const KARPENTER_NAMESPACE = "kube-system";
export const KARPENTER_SERVICE_ACCOUNT = "karpenter";

/**
 * The Karpenter controller from its official charts (CRDs as their own release so upgrades update
 * them), on the system node group it never manages, with its IAM through Pod Identity and the
 * interruption queue it drains nodes from.
 */
export class Karpenter extends Construct {
  readonly interruption: InterruptionQueue;
  readonly identity: PodIdentityRole;
  readonly crds: HelmChart;
  readonly controller: HelmChart;

  constructor(scope: Construct, id: string, props: KarpenterProps) {
    super(scope, id);
    this.interruption = new InterruptionQueue(this, "interruption", { name: `${props.clusterName}-karpenter` });
    this.identity = new PodIdentityRole(this, "identity", {
      roleName: `${props.clusterName}-karpenter`,
      clusterName: props.clusterName,
      namespace: KARPENTER_NAMESPACE,
      serviceAccount: KARPENTER_SERVICE_ACCOUNT,
      accountId: props.accountId,
      statements: karpenterControllerStatements({
        partition: props.partition,
        region: props.region,
        accountId: props.accountId,
        clusterName: props.clusterName,
        nodeRoleArn: props.nodeRoleArn,
        queueArn: this.interruption.queue.arn,
      }),
    });
    const common = {
      provider: props.helmProvider,
      namespace: KARPENTER_NAMESPACE,
      repository: "oci://public.ecr.aws/karpenter",
      version: KARPENTER_CHART,
    };
    this.crds = new HelmChart(this, "crds", { ...common, name: "karpenter-crd", chart: "karpenter-crd", values: {} });
    this.controller = new HelmChart(this, "controller", {
      ...common,
      name: "karpenter",
      chart: "karpenter",
      values: {
        settings: {
          clusterName: props.clusterName,
          clusterEndpoint: props.clusterEndpoint,
          interruptionQueue: this.interruption.queue.name,
        },
        serviceAccount: { create: true, name: KARPENTER_SERVICE_ACCOUNT },
        // The pod cannot read the region from IMDS (hop limit 1), and Karpenter stops without it.
        controller: {
          env: [{ name: "AWS_REGION", value: props.region }],
          // What the system nodes must hold for it (lib/system-requests.ts, KF_SYSTEM_CAPACITY).
          resources: KARPENTER_POD.resources,
        },
        // Never on a node Karpenter manages: on the system managed node group.
        nodeSelector: { "kubernetes.io/os": "linux", [NODE_ROLE_LABEL]: "system" },
        replicas: KARPENTER_POD.replicas,
      },
      // The CRDs come from the crd chart, not the controller chart's crds/ folder (Helm installs those once, never upgrades them).
      skipCrds: true,
      dependsOn: [this.crds.release, this.identity.association],
    });
  }
}
