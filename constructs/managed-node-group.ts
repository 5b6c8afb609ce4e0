import { AutoscalingGroupTagA as AutoscalingGroupTag } from "@cdktf/provider-aws/lib/autoscaling-group-tag";
import { EksNodeGroup } from "@cdktf/provider-aws/lib/eks-node-group";
import { LaunchTemplate } from "@cdktf/provider-aws/lib/launch-template";
import {
  TerraformCount,
  TerraformIterator,
  TerraformLocal,
  Token,
  type ITerraformDependable,
  type TerraformResource,
} from "cdktf";
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
  /** Interchangeable instance types (may be a Terraform list expression). */
  readonly instanceTypes: readonly string[];
  readonly minSize: number;
  readonly desiredSize: number;
  /** Largest size (may be a Terraform number expression). */
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
   * The one zone the group's subnets lie in: its cluster-autoscaler template then carries that
   * zone's topology labels, so a pod bound to a zonal volume scales up the group of its zone.
   * @default - no zone labels in the template
   */
  readonly zone?: string;
  /**
   * AL2023 nodeadm MIME multi-part user data (plain text). EKS adds its own NodeConfig part with
   * the cluster's details to it.
   * @default - none: EKS's bootstrap only
   */
  readonly userData?: string;
  /**
   * A Terraform expression that is 1 to create the group and 0 not to, for groups whose existence
   * is only known at plan time (an instance type offered in a zone).
   * @default - always created
   */
  readonly count?: number;
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

/**
 * The cluster-autoscaler tags an ASG needs: discovery and ownership, plus the node template
 * (labels, taints, GPUs) it uses to simulate a node when the group has none running.
 */
export function autoscalerTemplateTags(
  clusterName: string,
  labels: Readonly<Record<string, string>>,
  taints: readonly NodeTaint[],
  gpusPerNode: number,
  zone?: string,
): Record<string, string> {
  const tags: Record<string, string> = {
    [`${AUTOSCALER_TAG_PREFIX}/enabled`]: "true",
    [`${AUTOSCALER_TAG_PREFIX}/${clusterName}`]: "owned",
  };
  const templateLabels = {
    ...labels,
    ...(zone === undefined ? {} : Object.fromEntries(ZONE_LABELS.map((l) => [l, zone]))),
  };
  for (const [key, value] of Object.entries(templateLabels))
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
    const maxKnown = !Token.isUnresolved(props.maxSize);
    if (
      (maxKnown && (props.maxSize < props.minSize || props.desiredSize > props.maxSize)) ||
      props.desiredSize < props.minSize
    ) {
      throw new Error(
        `node group ${props.nodeGroupName}: sizes must satisfy min <= desired <= max, got ${props.minSize}/${props.desiredSize}/${props.maxSize}`,
      );
    }
    const taints = props.taints ?? [];
    const count = props.count === undefined ? undefined : TerraformCount.of(props.count);

    this.launchTemplate = new LaunchTemplate(this, "launch-template", {
      count,
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
      count,
      clusterName: props.clusterName,
      nodeGroupName: props.nodeGroupName,
      nodeRoleArn: props.nodeRoleArn,
      subnetIds: props.subnetIds,
      capacityType: props.capacityType === "spot" ? "SPOT" : "ON_DEMAND",
      amiType: props.amiType,
      instanceTypes: [...props.instanceTypes],
      scalingConfig: { minSize: props.minSize, desiredSize: props.desiredSize, maxSize: props.maxSize },
      launchTemplate: {
        id: instanceAttribute(this.launchTemplate, "id", count),
        version: instanceAttribute(this.launchTemplate, "latest_version", count),
      },
      labels: { ...props.labels },
      taint: taints.map((t) => ({ key: t.key, value: t.value, effect: EKS_TAINT_EFFECT[t.effect] })),
      updateConfig: { maxUnavailablePercentage: 33 },
      dependsOn: props.dependsOn,
      // The autoscaler owns the node count once the group exists.
      lifecycle: { ignoreChanges: ["scaling_config[0].desired_size"] },
    });

    this.autoscalingGroupName = instanceAttribute(this.nodeGroup, "resources[0].autoscaling_groups[0].name", count);
    this.templateTags =
      (props.autoscalerTags ?? true)
        ? autoscalerTemplateTags(props.clusterName, props.labels, taints, props.gpusPerNode ?? 0, props.zone)
        : {};
    if (Object.keys(this.templateTags).length > 0) {
      // One resource per group, an instance per tag (for_each), created exactly when the group is.
      let tags: Record<string, string> | string = { ...this.templateTags };
      if (count !== undefined) {
        const all = new TerraformLocal(this, "asg-template-tags", this.templateTags);
        tags = `\${{ for key, value in local.${all.friendlyUniqueId} : key => value if length(${this.nodeGroup.fqn}) == 1 }}`;
      }
      const each = TerraformIterator.fromMap(typeof tags === "string" ? Token.asAnyMap(tags) : tags);
      new AutoscalingGroupTag(this, "asg-tags", {
        forEach: each,
        autoscalingGroupName: this.autoscalingGroupName,
        tag: { key: each.key, value: each.value, propagateAtLaunch: false },
      });
    }
  }
}

/**
 * A reference to an attribute of a resource, through its one instance when it has a count (cdktf's
 * typed getters leave out the `[0]` that Terraform then requires).
 */
function instanceAttribute(resource: TerraformResource, attribute: string, count: TerraformCount | undefined): string {
  const instance = count === undefined ? resource.fqn : `${resource.fqn}[0]`;
  return `\${${instance}.${attribute}}`;
}
