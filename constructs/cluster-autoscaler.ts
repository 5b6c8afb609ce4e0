import type { TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import { NODE_ROLE_LABEL } from "../lib/labels";
import { HelmChart } from "./helm-chart";
import { PodIdentityRole } from "./pod-identity-role";

/** A GPU size as the autoscaler sees it: its node groups (one per zone and capacity type) and the GPUs per node. */
export interface AutoscaledGpuSize {
  readonly name: string;
  readonly gpusPerNode: number;
  /** The Spot groups are named `<prefix>-<zone>`. */
  readonly spotNodeGroupPrefix: string;
  readonly onDemandNodeGroupPrefix: string;
}

export interface ClusterAutoscalerSettings {
  readonly maxNodeProvisionTime: string;
  readonly scaleDownUnneededTime: string;
  readonly scaleDownDelayAfterAdd: string;
  readonly scaleDownGpuUtilizationThreshold: number;
  readonly scaleDownUtilizationThreshold: number;
}

export interface ClusterAutoscalerProps {
  readonly clusterName: string;
  readonly region: string;
  readonly accountId: string;
  readonly partition: string;
  readonly chartVersion: string;
  readonly imageTag: string;
  readonly gpuSizes: readonly AutoscaledGpuSize[];
  /** Node groups of always-on CPU nodes (lowest priority; only CPU pods fit them). */
  readonly cpuNodeGroupNames: readonly string[];
  readonly settings: ClusterAutoscalerSettings;
  readonly helmProvider: TerraformProvider;
}

export const AUTOSCALER_NAMESPACE = "kube-system";
export const AUTOSCALER_SERVICE_ACCOUNT = "cluster-autoscaler";

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

/** A managed node group's ASG name is `eks-<node group name>-<node group uuid>`. */
export function nodeGroupAsgPattern(nodeGroupName: string): string {
  return `^eks-${escapeRegExp(nodeGroupName)}-${UUID}$`;
}

/**
 * The ASGs of the groups `<prefix>-<zone>` in every zone of a region: zone names are the region's
 * name and one letter ("us-west-2a"), so a size named "gpu" never matches "gpu-spot"'s groups.
 */
export function zonalNodeGroupAsgPattern(prefix: string, region: string): string {
  return `^eks-${escapeRegExp(prefix)}-${escapeRegExp(region)}[a-z]-${UUID}$`;
}

/**
 * The priority expander's table: priority -> ASG name patterns, higher wins.
 *
 * The expander only chooses among groups whose node would fit the pending pod, so the order
 * matters where several fit. GPU sizes go smallest first (a 1-GPU pod should not take a 4-GPU
 * node), and within a size Spot comes before its On-Demand twin. When the Spot group cannot
 * deliver, the autoscaler backs it off and the next fitting group, the same size On-Demand,
 * wins. CPU groups come last: GPU nodes are tainted, so only CPU pods fit them anyway.
 */
export function expanderPriorities(
  gpuSizes: readonly AutoscaledGpuSize[],
  cpuNodeGroupNames: readonly string[],
  region: string,
): Record<number, string[]> {
  const ordered = gpuSizes
    .map((size, index) => ({ size, index }))
    .sort((a, b) => a.size.gpusPerNode - b.size.gpusPerNode || a.index - b.index)
    .flatMap(({ size }) => [size.spotNodeGroupPrefix, size.onDemandNodeGroupPrefix]);
  const priorities: Record<number, string[]> = {};
  const step = 10;
  // One rule per size and capacity type matches that size's groups in every zone: all its Spot
  // groups rank above all its On-Demand ones, and zones tie (least-waste, then balancing).
  ordered.forEach((prefix, i) => {
    priorities[(ordered.length - i + 1) * step] = [zonalNodeGroupAsgPattern(prefix, region)];
  });
  if (cpuNodeGroupNames.length > 0) priorities[step] = cpuNodeGroupNames.map(nodeGroupAsgPattern);
  return priorities;
}

/**
 * cluster-autoscaler from its official chart, on the system nodes, discovering the ASGs the eks
 * stack tagged, choosing groups with the priority expander, and holding AWS permissions through
 * EKS Pod Identity for its own service account only.
 */
export class ClusterAutoscaler extends Construct {
  readonly chart: HelmChart;
  readonly identity: PodIdentityRole;
  readonly priorities: Record<number, string[]>;
  readonly extraArgs: Record<string, string | number | boolean>;

  constructor(scope: Construct, id: string, props: ClusterAutoscalerProps) {
    super(scope, id);
    const ownershipTag = `k8s.io/cluster-autoscaler/${props.clusterName}`;
    this.identity = new PodIdentityRole(this, "identity", {
      roleName: `${props.clusterName}-cluster-autoscaler`,
      clusterName: props.clusterName,
      namespace: AUTOSCALER_NAMESPACE,
      serviceAccount: AUTOSCALER_SERVICE_ACCOUNT,
      accountId: props.accountId,
      statements: [
        {
          sid: "DiscoverGroupsAndInstanceTypes",
          effect: "Allow",
          // The autoscaler's published policy (upstream/cluster-autoscaler/.../aws/README.md, checked
          // by the conformance checks), with writes scoped below. Describe/Get calls have no
          // resource-level permissions, hence "*".
          actions: [
            "autoscaling:DescribeAutoScalingGroups",
            "autoscaling:DescribeAutoScalingInstances",
            "autoscaling:DescribeLaunchConfigurations",
            // Lets the autoscaler see a failed Spot launch within a minute instead of waiting
            // out max-node-provision-time; without it the fallback silently slows down.
            "autoscaling:DescribeScalingActivities",
            "ec2:DescribeImages",
            "ec2:DescribeInstanceTypes",
            "ec2:DescribeLaunchTemplateVersions",
            "ec2:GetInstanceTypesFromInstanceRequirements",
          ],
          resources: ["*"],
        },
        {
          sid: "ReadOwnNodeGroups",
          effect: "Allow",
          actions: ["eks:DescribeNodegroup"],
          resources: [
            `arn:${props.partition}:eks:${props.region}:${props.accountId}:nodegroup/${props.clusterName}/*/*`,
          ],
        },
        {
          sid: "ScaleOwnGroupsOnly",
          effect: "Allow",
          actions: ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"],
          resources: [
            `arn:${props.partition}:autoscaling:${props.region}:${props.accountId}:autoScalingGroup:*:autoScalingGroupName/eks-*`,
          ],
          condition: [
            { test: "StringEquals", variable: `aws:ResourceTag/${ownershipTag}`, values: ["owned"] },
            { test: "StringEquals", variable: "aws:ResourceTag/k8s.io/cluster-autoscaler/enabled", values: ["true"] },
          ],
        },
      ],
    });

    this.priorities = expanderPriorities(props.gpuSizes, props.cpuNodeGroupNames, props.region);
    const s = props.settings;
    this.extraArgs = {
      logtostderr: true,
      stderrthreshold: "info",
      v: 4,
      // Priority decides; least-waste breaks ties between groups of equal priority.
      expander: "priority,least-waste",
      "max-node-provision-time": s.maxNodeProvisionTime,
      "balance-similar-node-groups": true,
      "scale-down-unneeded-time": s.scaleDownUnneededTime,
      "scale-down-delay-after-add": s.scaleDownDelayAfterAdd,
      "scale-down-gpu-utilization-threshold": s.scaleDownGpuUtilizationThreshold,
      "scale-down-utilization-threshold": s.scaleDownUtilizationThreshold,
      "skip-nodes-with-system-pods": true,
      // A notebook's scratch data in emptyDir is not moved for consolidation; an idle node
      // (nothing but DaemonSets) is still removed.
      "skip-nodes-with-local-storage": true,
    };

    this.chart = new HelmChart(this, "chart", {
      provider: props.helmProvider,
      name: "cluster-autoscaler",
      namespace: AUTOSCALER_NAMESPACE,
      repository: "https://kubernetes.github.io/autoscaler",
      chart: "cluster-autoscaler",
      version: props.chartVersion,
      values: {
        cloudProvider: "aws",
        awsRegion: props.region,
        autoDiscovery: {
          clusterName: props.clusterName,
          tags: ["k8s.io/cluster-autoscaler/enabled", ownershipTag],
        },
        image: { tag: props.imageTag },
        rbac: { serviceAccount: { create: true, name: AUTOSCALER_SERVICE_ACCOUNT } },
        extraArgs: this.extraArgs,
        expanderPriorities: this.priorities,
        nodeSelector: { [NODE_ROLE_LABEL]: "system" },
        replicaCount: 1,
        priorityClassName: "system-cluster-critical",
        resources: { requests: { cpu: "100m", memory: "600Mi" }, limits: { memory: "600Mi" } },
        securityContext: {
          runAsNonRoot: true,
          runAsUser: 65534,
          fsGroup: 65534,
          seccompProfile: { type: "RuntimeDefault" },
        },
        containerSecurityContext: {
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ["ALL"] },
        },
      },
      // The role must be bound before the pod starts, or its first calls fail without credentials.
      dependsOn: [this.identity.association],
    });
  }
}
