/**
 * What the EBS volume types of the default StorageClass accept, so a bad config fails at synth and
 * not at the first claim.
 *
 * - IOPS: gp3 3,000 baseline to 80,000 (the EBS CSI driver v1.64.0 reads the live maximum with a
 *   dry-run CreateVolume, pkg/cloud/cloud.go, whose error example is "maximum is 80000"); io2
 *   100-256,000 and required (the same file's io2 limits; EC2 CreateVolume "Iops").
 * - Throughput: gp3 only, 125-2,000 MiB/s (EC2 CreateVolume "Throughput", valid range 125-2000),
 *   at most 0.25 MiB/s per provisioned IOPS (EBS user guide, gp3 volumes).
 *
 * st1/sc1 are left out (their 125 GiB minimum fails Kubeflow's 5-20 GiB claims), gp2 and io1 too
 * (superseded by gp3 and io2 at a lower or equal price).
 */
export interface VolumeTypeLimits {
  readonly iops: { readonly min: number; readonly max: number };
  readonly iopsRequired: boolean;
  /** Provisioned throughput, MiB/s; absent when the type has none to set. */
  readonly throughput?: { readonly min: number; readonly max: number; readonly perIops: number };
}

export const EBS_VOLUME_LIMITS = {
  gp3: {
    iops: { min: 3000, max: 80000 },
    iopsRequired: false,
    throughput: { min: 125, max: 2000, perIops: 0.25 },
  },
  io2: { iops: { min: 100, max: 256000 }, iopsRequired: true },
} as const satisfies Record<string, VolumeTypeLimits>;

export type EbsVolumeType = keyof typeof EBS_VOLUME_LIMITS;

/** The provisioner name of the EBS CSI driver (its CSIDriver object and StorageClass provisioner). */
export const EBS_CSI_PROVISIONER = "ebs.csi.aws.com";

/** The annotation Kubernetes reads to pick the class of a claim that names none. */
export const DEFAULT_CLASS_ANNOTATION = "storageclass.kubernetes.io/is-default-class";
