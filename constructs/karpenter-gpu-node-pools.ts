import type { TerraformProvider, ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { GPU_TAINT, gpuNodeLabels } from "../lib/labels";
import { LUSTRE_TEMPLATE_LABELS } from "../lib/node-user-data";
import { HelmChart } from "./helm-chart";
import { KARPENTER_DISCOVERY_TAG } from "./karpenter-node-identity";

export interface KarpenterGpuSize {
  readonly name: string;
  readonly instanceTypes: readonly string[];
  /** Nodes of this size at most; with gpusPerNode it sets the NodePool's nvidia.com/gpu limit. */
  readonly maxSize: number;
  readonly gpusPerNode: number;
  readonly diskSizeGiB: number;
}

export interface KarpenterGpuNodePoolsProps {
  readonly clusterName: string;
  /** IAM role of Karpenter's nodes. */
  readonly nodeRoleName: string;
  readonly sizes: readonly KarpenterGpuSize[];
  /** How long a node must be empty before it goes, e.g. "5m". */
  readonly consolidateAfter: string;
  /** EKS AL2023 AMI alias, e.g. "al2023@latest" or "al2023@v20251117". */
  readonly amiAlias: string;
  /**
   * Keep nodes in this zone only (the FSx file system's).
   * @default - any zone of the discovered subnets
   */
  readonly zone?: string;
  /**
   * AL2023 nodeadm user data (MIME multi-part); Karpenter adds its own NodeConfig part to it.
   * @default - none
   */
  readonly userData?: string;
  readonly helmProvider: TerraformProvider;
  /** The Karpenter release (its CRDs must exist first). */
  readonly dependsOn: ITerraformDependable[];
}

export interface Requirement {
  readonly key: string;
  readonly operator: "In" | "NotIn" | "Exists";
  readonly values?: readonly string[];
}

/** The parts of karpenter.sh/v1 NodePool this project sets. */
export interface NodePool {
  readonly apiVersion: "karpenter.sh/v1";
  readonly kind: "NodePool";
  readonly metadata: { readonly name: string };
  readonly spec: {
    readonly weight: number;
    readonly template: {
      readonly metadata: { readonly labels: Readonly<Record<string, string>> };
      readonly spec: {
        readonly nodeClassRef: {
          readonly group: "karpenter.k8s.aws";
          readonly kind: "EC2NodeClass";
          readonly name: string;
        };
        readonly requirements: readonly Requirement[];
        readonly taints: readonly { readonly key: string; readonly value: string; readonly effect: string }[];
        readonly expireAfter: string;
      };
    };
    readonly disruption: {
      readonly consolidationPolicy: "WhenEmpty" | "WhenEmptyOrUnderutilized";
      readonly consolidateAfter: string;
    };
    readonly limits: Readonly<Record<string, string>>;
  };
}

/** The parts of karpenter.k8s.aws/v1 EC2NodeClass this project sets. */
export interface EC2NodeClass {
  readonly apiVersion: "karpenter.k8s.aws/v1";
  readonly kind: "EC2NodeClass";
  readonly metadata: { readonly name: string };
  readonly spec: {
    readonly role: string;
    readonly amiSelectorTerms: readonly { readonly alias: string }[];
    readonly subnetSelectorTerms: readonly { readonly tags: Readonly<Record<string, string>> }[];
    readonly securityGroupSelectorTerms: readonly { readonly tags: Readonly<Record<string, string>> }[];
    readonly metadataOptions: {
      readonly httpEndpoint: "enabled";
      readonly httpProtocolIPv6: "disabled";
      readonly httpPutResponseHopLimit: number;
      readonly httpTokens: "required" | "optional";
    };
    readonly blockDeviceMappings: readonly {
      readonly deviceName: string;
      readonly ebs: {
        readonly volumeSize: string;
        readonly volumeType: string;
        readonly encrypted: boolean;
        readonly deleteOnTermination: boolean;
      };
    }[];
    readonly tags: Readonly<Record<string, string>>;
    readonly userData?: string;
  };
}

/**
 * One Karpenter NodePool (with its EC2NodeClass) per GPU size: the size's instance types, Spot
 * and On-Demand both allowed (Karpenter tries Spot first and falls back when it has no capacity),
 * the same labels and taint as the node groups, a cap on GPUs, and empty nodes removed after
 * `consolidateAfter`. They reach the cluster through the raw-resources chart, so Terraform can
 * plan them before Karpenter's CRDs exist.
 */
export class KarpenterGpuNodePools extends Construct {
  readonly nodePools: readonly NodePool[];
  readonly nodeClasses: readonly EC2NodeClass[];
  readonly chart: HelmChart;

  constructor(scope: Construct, id: string, props: KarpenterGpuNodePoolsProps) {
    super(scope, id);
    const discovery = [{ tags: { [KARPENTER_DISCOVERY_TAG]: props.clusterName } }];
    // Smaller sizes first, as with the priority expander: a 1-GPU pod should not take a 4-GPU node.
    const ordered = [...props.sizes].sort((a, b) => a.gpusPerNode - b.gpusPerNode);
    this.nodeClasses = props.sizes.map((size) => ({
      apiVersion: "karpenter.k8s.aws/v1",
      kind: "EC2NodeClass",
      metadata: { name: size.name },
      spec: {
        role: props.nodeRoleName,
        amiSelectorTerms: [{ alias: props.amiAlias }],
        subnetSelectorTerms: discovery,
        securityGroupSelectorTerms: discovery,
        // As on the node groups: IMDSv2 only, and pods cannot reach the node's role.
        metadataOptions: {
          httpEndpoint: "enabled",
          httpProtocolIPv6: "disabled",
          httpPutResponseHopLimit: 1,
          httpTokens: "required",
        },
        blockDeviceMappings: [
          {
            deviceName: "/dev/xvda",
            ebs: { volumeSize: `${size.diskSizeGiB}Gi`, volumeType: "gp3", encrypted: true, deleteOnTermination: true },
          },
        ],
        tags: { Name: `${props.clusterName}-${size.name}` },
        ...(props.userData === undefined ? {} : { userData: props.userData }),
      },
    }));
    this.nodePools = props.sizes.map((size) => {
      const requirements: Requirement[] = [
        { key: "node.kubernetes.io/instance-type", operator: "In", values: [...size.instanceTypes] },
        // Both allowed: Karpenter prefers Spot and falls back to On-Demand within seconds.
        { key: "karpenter.sh/capacity-type", operator: "In", values: ["spot", "on-demand"] },
      ];
      if (props.zone !== undefined)
        requirements.push({ key: "topology.kubernetes.io/zone", operator: "In", values: [props.zone] });
      return {
        apiVersion: "karpenter.sh/v1",
        kind: "NodePool",
        metadata: { name: size.name },
        spec: {
          weight: 100 - 10 * ordered.indexOf(size),
          template: {
            // The Lustre label too: the shared volume requires it, and Karpenter only launches for a
            // requirement on a custom label the NodePool declares (see lib/node-user-data.ts).
            metadata: { labels: { ...gpuNodeLabels(size.name, size.instanceTypes), ...LUSTRE_TEMPLATE_LABELS } },
            spec: {
              nodeClassRef: { group: "karpenter.k8s.aws", kind: "EC2NodeClass", name: size.name },
              requirements,
              taints: [{ key: GPU_TAINT.key, value: GPU_TAINT.value, effect: GPU_TAINT.effect }],
              expireAfter: "720h",
            },
          },
          disruption: { consolidationPolicy: "WhenEmpty", consolidateAfter: props.consolidateAfter },
          // The cost cap: as many GPUs as maxSize nodes of this size.
          limits: { "nvidia.com/gpu": String(size.maxSize * size.gpusPerNode) },
        },
      };
    });
    this.chart = new HelmChart(this, "chart", {
      provider: props.helmProvider,
      name: "gpu-node-pools",
      namespace: "kube-system",
      // Terraform runs in cdktf.out/stacks/<stack>/; the chart lives in the repository.
      chart: "../../../charts/raw-resources",
      version: "0.1.0",
      values: { resources: [...this.nodeClasses, ...this.nodePools] },
      dependsOn: props.dependsOn,
    });
  }
}
