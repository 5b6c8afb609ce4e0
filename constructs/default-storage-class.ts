import { StorageClassV1 } from "@cdktf/provider-kubernetes/lib/storage-class-v1";
import type { TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import { DEFAULT_CLASS_ANNOTATION, EBS_CSI_PROVISIONER, type EbsVolumeType } from "../lib/ebs";

/** The class's name unless told otherwise. */
export const DEFAULT_CLASS_NAME = "ebs-encrypted";

export interface DefaultStorageClassProps {
  readonly provider: TerraformProvider;
  /** The customer-managed key every volume is encrypted with (full ARN, as the driver requires). */
  readonly kmsKeyArn: string;
  /**
   * EBS volume type.
   * @default "gp3"
   */
  readonly type?: EbsVolumeType;
  /**
   * Provisioned IOPS per volume.
   * @default - the type's baseline (gp3: 3000)
   */
  readonly iops?: number;
  /**
   * gp3 throughput per volume, MiB/s.
   * @default - 125, gp3's baseline
   */
  readonly throughput?: number;
  /**
   * What happens to a volume when its claim goes.
   * @default "Delete"
   */
  readonly reclaimPolicy?: "Delete" | "Retain";
  /**
   * The class's name.
   * @default "ebs-encrypted"
   */
  readonly name?: string;
}

/**
 * The cluster's one default StorageClass: EBS volumes from the EBS CSI driver, encrypted with a
 * customer-managed key, created in the zone of the pod that first uses them (WaitForFirstConsumer,
 * so the scheduler and autoscaler pick the zone, not the provisioner), and expandable. Parameter
 * names are the driver's (aws-ebs-csi-driver docs/parameters.md at v1.64.0). Since 1.30 EKS marks
 * no class default, and Kubeflow's claims (KFP's MySQL and SeaweedFS, Katib's MySQL, notebook
 * workspaces) name none: without this they stay Pending.
 */
export class DefaultStorageClass extends Construct {
  readonly storageClass: StorageClassV1;
  readonly parameters: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: DefaultStorageClassProps) {
    super(scope, id);
    const parameters: Record<string, string> = {
      type: props.type ?? "gp3",
      encrypted: "true",
      kmsKeyId: props.kmsKeyArn,
      "csi.storage.k8s.io/fstype": "ext4",
    };
    if (props.iops !== undefined) parameters.iops = String(props.iops);
    if (props.throughput !== undefined) parameters.throughput = String(props.throughput);
    this.parameters = parameters;
    this.storageClass = new StorageClassV1(this, "class", {
      provider: props.provider,
      metadata: {
        name: props.name ?? DEFAULT_CLASS_NAME,
        annotations: { [DEFAULT_CLASS_ANNOTATION]: "true" },
      },
      storageProvisioner: EBS_CSI_PROVISIONER,
      parameters,
      reclaimPolicy: props.reclaimPolicy ?? "Delete",
      volumeBindingMode: "WaitForFirstConsumer",
      allowVolumeExpansion: true,
    });
  }
}
