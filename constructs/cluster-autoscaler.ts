import type { TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import { NODE_ROLE_LABEL } from "../lib/labels";
import { LUSTRE_INSTALL_SECONDS_LABEL } from "../lib/node-user-data";
import { HelmChart } from "./helm-chart";
import { PodIdentityRole } from "./pod-identity-role";
import { CLUSTER_AUTOSCALER_POD } from "../lib/system-requests";

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
 * A group that has scaled to zero builds its node from its ASG tags again. The autoscaler keeps the
 * last good real node of each group in a cache and, for a group with no good node, uses that cached
 * node before the ASG template (processors/nodeinfosprovider/mixed_nodeinfos_processor.go:136-157
 * at cluster-autoscaler-1.35.2); the default lifetime is 87600h (config/flags/flags.go:186). A node
 * cached with fewer usable GPUs than its type has (a device plugin that lost a GPU, a GPU-requesting
 * DaemonSet) would then keep every later scale-up of its group from fitting ("Insufficient
 * nvidia.com/gpu", kubernetes/autoscaler#8799, #8123). One minute after a group's last good node
 * the cache entry expires and the group's template comes from its tags, as on the first scale-up.
 */
export const SCALE_FROM_ZERO_ARGS = { "node-info-cache-expire-time": "1m" } as const;

/**
 * Labels that say nothing about what fits, so --balance-similar-node-groups can still treat a GPU
 * size's zonal groups as one set (the chart turns "key_n" into a repeated flag). Real nodes carry
 * their group's launch template and AMI (EKS user guide, managed node update behavior) and our
 * Lustre install time; templates built from an ASG carry `nodegroup-name` and `cluster-name` from
 * EKS's `eks:` tags (cloudprovider/aws/aws_manager.go:412-419 at cluster-autoscaler-1.35.2) and
 * `amiType` and `k8sVersion` from DescribeNodegroup (aws_wrapper.go:94-104). The AWS comparator
 * already ignores eks.amazonaws.com/nodegroup and the zone labels (processors/nodegroupset/
 * aws_nodegroups.go:28-36). A real node may still carry labels no template has, so a group with
 * nodes and one at zero may not pair; least-waste then decides.
 */
export const BALANCING_IGNORED_LABELS = [
  "eks.amazonaws.com/nodegroup-image",
  "eks.amazonaws.com/sourceLaunchTemplateId",
  "eks.amazonaws.com/sourceLaunchTemplateVersion",
  "nodegroup-name",
  "cluster-name",
  "amiType",
  "k8sVersion",
  LUSTRE_INSTALL_SECONDS_LABEL,
] as const;
const BALANCING_ARGS = Object.fromEntries(
  BALANCING_IGNORED_LABELS.map((label, i) => [`balancing-ignore-label_${i + 1}`, label]),
);

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
          // EKS writes both discovery tags onto every managed node group's ASG ("automatically tagged
          // for auto-discovery", EKS user guide, managed node groups) but documents no values, and the
          // autoscaler discovers by key alone: the condition asks that the keys are there.
          condition: [
            { test: "Null", variable: `aws:ResourceTag/${ownershipTag}`, values: ["false"] },
            { test: "Null", variable: "aws:ResourceTag/k8s.io/cluster-autoscaler/enabled", values: ["false"] },
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
      ...SCALE_FROM_ZERO_ARGS,
      ...BALANCING_ARGS,
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
        replicaCount: CLUSTER_AUTOSCALER_POD.replicaCount,
        priorityClassName: "system-cluster-critical",
        // What the system nodes must hold for it (lib/system-requests.ts, KF_SYSTEM_CAPACITY).
        resources: CLUSTER_AUTOSCALER_POD.resources,
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
