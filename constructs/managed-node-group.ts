import { AutoscalingGroupTagA as AutoscalingGroupTag } from "@cdktf/provider-aws/lib/autoscaling-group-tag";
import { EksNodeGroup } from "@cdktf/provider-aws/lib/eks-node-group";
import { LaunchTemplate } from "@cdktf/provider-aws/lib/launch-template";
import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import type { CapacityType, NodeTaint } from "../lib/labels";

export interface ManagedNodeGroupProps {
  readonly clusterName: string;
  /** EKS node group name; its ASG is named `eks-<name>-<uuid>`. */
  readonly nodeGroupName: string;
  readonly nodeRoleArn: string;
  readonly subnetIds: string[];
  readonly capacityType: CapacityType;
  /** EKS AMI type, e.g. AL2023_x86_64_STANDARD or AL2023_x86_64_NVIDIA. */
  readonly amiType: string;
  readonly instanceTypes: readonly string[];
  readonly minSize: number;
  readonly desiredSize: number;
  readonly maxSize: number;
  readonly diskSizeGiB: number;
  /** Kubernetes labels set on every node of the group. */
  readonly labels: Readonly<Record<string, string>>;
  /**
   * Taints set on every node of the group.
   * @default - none
   */
  readonly taints?: readonly NodeTaint[];
  /**
   * GPUs per node, written as the autoscaler's `resources/nvidia.com/gpu` template tag when above 0.
   * @default 0
   */
  readonly gpusPerNode?: number;
  /**
   * Write the cluster-autoscaler discovery and node-template tags onto the group's ASG.
   * @default true
   */
  readonly autoscalerTags?: boolean;
  /**
   * Resources the node group must wait for (e.g. the CNI add-on).
   * @default - none
   */
  readonly dependsOn?: ITerraformDependable[];
}

const EKS_TAINT_EFFECT: Record<NodeTaint["effect"], string> = {
  NoSchedule: "NO_SCHEDULE",
  NoExecute: "NO_EXECUTE",
  PreferNoSchedule: "PREFER_NO_SCHEDULE",
};

const AUTOSCALER_TAG_PREFIX = "k8s.io/cluster-autoscaler";

/**
 * The cluster-autoscaler tags an ASG needs: discovery and ownership, plus the node template
 * (labels, taints, GPUs) it uses to simulate a node when the group has none running.
 */
export function autoscalerTemplateTags(
  clusterName: string,
  labels: Readonly<Record<string, string>>,
  taints: readonly NodeTaint[],
  gpusPerNode: number,
): Record<string, string> {
  const tags: Record<string, string> = {
    [`${AUTOSCALER_TAG_PREFIX}/enabled`]: "true",
    [`${AUTOSCALER_TAG_PREFIX}/${clusterName}`]: "owned",
  };
  for (const [key, value] of Object.entries(labels))
    tags[`${AUTOSCALER_TAG_PREFIX}/node-template/label/${key}`] = value;
  for (const t of taints) tags[`${AUTOSCALER_TAG_PREFIX}/node-template/taint/${t.key}`] = `${t.value}:${t.effect}`;
  if (gpusPerNode > 0) tags[`${AUTOSCALER_TAG_PREFIX}/node-template/resources/nvidia.com/gpu`] = String(gpusPerNode);
  return tags;
}

/**
 * An EKS managed node group with its own launch template (IMDSv2 only, encrypted gp3 root, no
 * SSH) and the autoscaler tags written onto its ASG, because managed node groups do not pass
 * their own tags to the ASG they create.
 */
export class ManagedNodeGroup extends Construct {
  readonly nodeGroup: EksNodeGroup;
  readonly launchTemplate: LaunchTemplate;
  /** Name of the ASG EKS created for the group (known after apply). */
  readonly autoscalingGroupName: string;
  /** The tags written onto the ASG, by key. */
  readonly templateTags: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: ManagedNodeGroupProps) {
    super(scope, id);
    if (props.maxSize < props.minSize || props.desiredSize < props.minSize || props.desiredSize > props.maxSize) {
      throw new Error(
        `node group ${props.nodeGroupName}: sizes must satisfy min <= desired <= max, got ${props.minSize}/${props.desiredSize}/${props.maxSize}`,
      );
    }
    const taints = props.taints ?? [];

    this.launchTemplate = new LaunchTemplate(this, "launch-template", {
      namePrefix: `${props.clusterName}-${props.nodeGroupName}-`,
      description: `Nodes of the ${props.nodeGroupName} group of EKS cluster ${props.clusterName}`,
      updateDefaultVersion: true,
      // No image_id: EKS keeps supplying the AL2023 AMI and its nodeadm bootstrap user data.
      metadataOptions: {
        httpEndpoint: "enabled",
        httpTokens: "required",
        // Hop limit 1: a pod on the pod network cannot reach the node's instance role.
        // Add-ons get AWS access through EKS Pod Identity instead, and those on the host
        // network (vpc-cni, the Pod Identity agent) still reach IMDS.
        httpPutResponseHopLimit: 1,
        instanceMetadataTags: "disabled",
      },
      blockDeviceMappings: [
        {
          deviceName: "/dev/xvda",
          ebs: {
            volumeSize: props.diskSizeGiB,
            volumeType: "gp3",
            encrypted: "true",
            deleteOnTermination: "true",
          },
        },
      ],
      tagSpecifications: [
        { resourceType: "instance", tags: { Name: `${props.clusterName}-${props.nodeGroupName}` } },
        { resourceType: "volume", tags: { Name: `${props.clusterName}-${props.nodeGroupName}` } },
      ],
    });

    this.nodeGroup = new EksNodeGroup(this, "node-group", {
      clusterName: props.clusterName,
      nodeGroupName: props.nodeGroupName,
      nodeRoleArn: props.nodeRoleArn,
      subnetIds: props.subnetIds,
      capacityType: props.capacityType === "spot" ? "SPOT" : "ON_DEMAND",
      amiType: props.amiType,
      instanceTypes: [...props.instanceTypes],
      scalingConfig: { minSize: props.minSize, desiredSize: props.desiredSize, maxSize: props.maxSize },
      launchTemplate: { id: this.launchTemplate.id, version: `${this.launchTemplate.latestVersion}` },
      labels: { ...props.labels },
      taint: taints.map((t) => ({ key: t.key, value: t.value, effect: EKS_TAINT_EFFECT[t.effect] })),
      updateConfig: { maxUnavailablePercentage: 33 },
      dependsOn: props.dependsOn,
      // The autoscaler owns the node count once the group exists.
      lifecycle: { ignoreChanges: ["scaling_config[0].desired_size"] },
    });

    this.autoscalingGroupName = this.nodeGroup.resources.get(0).autoscalingGroups.get(0).name;
    this.templateTags =
      (props.autoscalerTags ?? true)
        ? autoscalerTemplateTags(props.clusterName, props.labels, taints, props.gpusPerNode ?? 0)
        : {};
    for (const [key, value] of Object.entries(this.templateTags)) {
      new AutoscalingGroupTag(this, `asg-tag-${key.replace(/[^A-Za-z0-9]+/g, "-")}`, {
        autoscalingGroupName: this.autoscalingGroupName,
        tag: { key, value, propagateAtLaunch: false },
      });
    }
  }
}
