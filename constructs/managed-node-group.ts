import { AutoscalingGroupTagA as AutoscalingGroupTag } from "@cdktf/provider-aws/lib/autoscaling-group-tag";
import { EksNodeGroup } from "@cdktf/provider-aws/lib/eks-node-group";
import { LaunchTemplate } from "@cdktf/provider-aws/lib/launch-template";
import { TerraformIterator, TerraformStack, Token, type ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { forgetResource } from "../lib/forget";
import { templateEphemeralStorage } from "../lib/node-capacity";
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
  /**
   * The Kubernetes minor of the nodes: the cluster's, so upgrading the cluster rolls the nodes to
   * the new minor's AMI in the same apply, after the control plane (UpdateNodegroupVersion, in place).
   * @default - the cluster's version when the group is created, never updated
   */
  readonly kubernetesVersion?: string;
  /** Interchangeable instance types. */
  readonly instanceTypes: readonly string[];
  readonly minSize: number;
  readonly desiredSize: number;
  /** Largest size. */
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
   * Write the cluster-autoscaler node-template tags onto the group's ASG.
   * @default true
   */
  readonly autoscalerTags?: boolean;
  /**
   * Labels a node of the group gets after boot rather than from the group (its user data sets
   * them), added to the autoscaler's node template only, so a pod or volume that requires them
   * still scales the group from zero.
   * @default - none
   */
  readonly templateLabels?: Readonly<Record<string, string>>;
  /**
   * The one zone the group's subnets lie in: its cluster-autoscaler template then carries that
   * zone's topology labels, so a pod bound to a zonal volume scales up the group of its zone.
   * @default - no zone labels in the template
   */
  readonly zone?: string;
  /**
   * Keep the subnets the group was created with: a group spanning zones would otherwise be replaced
   * (subnet_ids forces a new group) when a zone is appended to the network.
   * @default false
   */
  readonly keepSubnets?: boolean;
  /**
   * AL2023 nodeadm MIME multi-part user data (plain text). EKS adds its own NodeConfig part with
   * the cluster's details to it.
   * @default - none: EKS's bootstrap only
   */
  readonly userData?: string;
  /**
   * Resources the node group must wait for (e.g. the CNI add-on).
   * @default - none
   */
  readonly dependsOn?: ITerraformDependable[];
}

/** The topology labels a node of one zone carries: Kubernetes' own, and the EBS CSI driver's. */
export const ZONE_LABELS = ["topology.kubernetes.io/zone", "topology.ebs.csi.aws.com/zone"] as const;

const EKS_TAINT_EFFECT: Record<NodeTaint["effect"], string> = {
  NoSchedule: "NO_SCHEDULE",
  NoExecute: "NO_EXECUTE",
  PreferNoSchedule: "PREFER_NO_SCHEDULE",
};

const AUTOSCALER_TAG_PREFIX = "k8s.io/cluster-autoscaler";

export interface NodeTemplate {
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly NodeTaint[];
  readonly gpusPerNode: number;
  /** The node's root volume, from which its allocatable ephemeral storage follows. */
  readonly diskSizeGiB: number;
  readonly zone?: string;
}

/**
 * The node template cluster-autoscaler builds an empty group's node from (labels, taints, GPUs,
 * ephemeral storage), as ASG tags. Only the template: EKS itself tags every managed node group's
 * ASG for discovery (`k8s.io/cluster-autoscaler/enabled` and `k8s.io/cluster-autoscaler/<cluster>`),
 * so those stay EKS's, and deleting one of our tags never deletes one of EKS's.
 */
export function autoscalerTemplateTags(template: NodeTemplate): Record<string, string> {
  const tags: Record<string, string> = {};
  const templateLabels = {
    ...template.labels,
    ...(template.zone === undefined ? {} : Object.fromEntries(ZONE_LABELS.map((l) => [l, template.zone!]))),
  };
  for (const [key, value] of Object.entries(templateLabels))
    tags[`${AUTOSCALER_TAG_PREFIX}/node-template/label/${key}`] = value;
  for (const t of template.taints)
    tags[`${AUTOSCALER_TAG_PREFIX}/node-template/taint/${t.key}`] = `${t.value}:${t.effect}`;
  if (template.gpusPerNode > 0)
    tags[`${AUTOSCALER_TAG_PREFIX}/node-template/resources/nvidia.com/gpu`] = String(template.gpusPerNode);
  tags[`${AUTOSCALER_TAG_PREFIX}/node-template/resources/ephemeral-storage`] = templateEphemeralStorage(
    template.diskSizeGiB,
  );
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
      userData: props.userData === undefined ? undefined : Buffer.from(props.userData, "utf8").toString("base64"),
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
      version: props.kubernetesVersion,
      instanceTypes: [...props.instanceTypes],
      scalingConfig: { minSize: props.minSize, desiredSize: props.desiredSize, maxSize: props.maxSize },
      launchTemplate: { id: this.launchTemplate.id, version: Token.asString(this.launchTemplate.latestVersion) },
      labels: { ...props.labels },
      taint: taints.map((t) => ({ key: t.key, value: t.value, effect: EKS_TAINT_EFFECT[t.effect] })),
      updateConfig: { maxUnavailablePercentage: 33 },
      dependsOn: props.dependsOn,
      // The autoscaler owns the node count once the group exists.
      lifecycle: {
        ignoreChanges: ["scaling_config[0].desired_size", ...(props.keepSubnets ? ["subnet_ids"] : [])],
      },
    });

    this.autoscalingGroupName = `\${${this.nodeGroup.fqn}.resources[0].autoscaling_groups[0].name}`;
    this.templateTags =
      (props.autoscalerTags ?? true)
        ? autoscalerTemplateTags({
            labels: { ...props.labels, ...props.templateLabels },
            taints,
            gpusPerNode: props.gpusPerNode ?? 0,
            diskSizeGiB: props.diskSizeGiB,
            zone: props.zone,
          })
        : {};
    // Up to this version the tags lived in "asg-tags", EKS's discovery tags among them. Terraform
    // forgets that resource without deleting any tag (a removed block), so EKS's tags stay on the
    // ASG; "asg-template-tags" then owns the template tags alone.
    const oldTags = new Construct(this, "asg-tags");
    forgetResource(this, "aws_autoscaling_group_tag", TerraformStack.of(this).getLogicalId(oldTags.node));
    if (Object.keys(this.templateTags).length > 0) {
      // One resource per group, an instance per tag (for_each).
      const each = TerraformIterator.fromMap(this.templateTags);
      new AutoscalingGroupTag(this, "asg-template-tags", {
        forEach: each,
        autoscalingGroupName: this.autoscalingGroupName,
        tag: { key: each.key, value: each.value, propagateAtLaunch: false },
      });
    }
  }
}
