/**
 * The day-2 changes: every config change the README or config/default.yaml presents as something to
 * do on a running platform, with the replacements each causes (README, "Day-2 changes", is generated
 * from this list). conformance/day-two.ts checks them against synthesized stacks. No cdktf here, so
 * the docs step reads it cheaply.
 */
import type { Config } from "../config/schema";

/** Resources whose replacement loses data or takes the platform down. */
export const STATEFUL_TYPES = [
  "aws_eks_cluster",
  "aws_vpc",
  "aws_subnet",
  "aws_fsx_lustre_file_system",
  "aws_s3_bucket",
  "aws_kms_key",
  "aws_cognito_user_pool",
  "aws_cognito_user_pool_domain",
  "aws_acm_certificate",
  "aws_eks_node_group",
] as const;
export type StatefulType = (typeof STATEFUL_TYPES)[number];

/**
 * Resources a stateful one names in an argument that replaces it (a node group's launch template and
 * role, the file system's security group, the cluster's role): replacing one of these replaces the
 * stateful resource at apply, though its own arguments did not change.
 */
export const REFERENCED_TYPES = ["aws_launch_template", "aws_security_group", "aws_iam_role"] as const;
export type CheckedType = StatefulType | (typeof REFERENCED_TYPES)[number];

/** What a change does to a stateful resource, as declared by a day-2 change. */
export interface Replacement {
  readonly type: StatefulType;
  /** The argument whose change replaces the resource, or "removed" when the resource goes away. */
  readonly argument: string;
  /** What the README says about it (one sentence). */
  readonly consequence: string;
}

export interface DayTwoChange {
  /** The config key, as the README names it. */
  readonly key: string;
  /** What the user changes, in a few words. */
  readonly edit: string;
  readonly change: (config: Config) => Config;
  /**
   * The replacements (or removals) it causes; none means everything stateful updates in place.
   * @default - none
   */
  readonly replaces?: readonly Replacement[];
}

const gpu = (c: Config, index: number, edit: Partial<Config["nodeGroups"]["gpu"][number]>): Config => ({
  ...c,
  nodeGroups: { ...c.nodeGroups, gpu: c.nodeGroups.gpu.map((g, i) => (i === index ? { ...g, ...edit } : g)) },
});
const cluster = (c: Config, edit: Partial<Config["cluster"]>): Config => ({ ...c, cluster: { ...c.cluster, ...edit } });
const fsx = (c: Config, edit: Partial<Config["fsx"]>): Config => ({ ...c, fsx: { ...c.fsx, ...edit } });

const NODE_GROUP_TYPES: Replacement = {
  type: "aws_eks_node_group",
  argument: "instance_types",
  consequence:
    "replaces the size's node groups (EKS cannot change a group's types): their nodes are drained and terminated",
};

/** Every change the README or the config file invites on a running platform, and the ones it warns about. */
export const DAY_TWO_CHANGES: readonly DayTwoChange[] = [
  {
    key: "cluster.adminPrincipals",
    edit: "add an administrator",
    change: (c) => cluster(c, { adminPrincipals: [{ roleName: "PlatformAdmins", accessPolicy: "cluster-admin" }] }),
  },
  {
    key: "cluster.clusterCreatorAdmin",
    edit: "turn the deployer's access off",
    change: (c) => cluster(c, { clusterCreatorAdmin: false }),
  },
  {
    key: "cluster.endpointPublicAccessCidrs",
    edit: "change who reaches the API",
    change: (c) => cluster(c, { endpointPublicAccessCidrs: ["198.51.100.0/24"] }),
  },
  {
    key: "cluster.logRetentionDays",
    edit: "keep logs longer",
    change: (c) => cluster(c, { logRetentionDays: 365 }),
  },
  {
    key: "cluster.addonVersions",
    edit: "pin an add-on build",
    change: (c) => cluster(c, { addonVersions: { ...c.cluster.addonVersions, vpcCni: "v1.21.1-eksbuild.3" } }),
  },
  {
    key: "nodeGroups.gpu[].maxSize",
    edit: "raise a GPU size's cap",
    change: (c) => gpu(c, 0, { maxSize: 6 }),
  },
  {
    key: "nodeGroups.gpu[].maxSize",
    edit: "lower a cap below the size's zone count",
    change: (c) => gpu(c, 1, { maxSize: 2 }),
    replaces: [
      {
        type: "aws_eks_node_group",
        argument: "removed",
        consequence: "removes the size's groups in the last zones (a zone's share of the cap is then 0)",
      },
    ],
  },
  {
    key: "nodeGroups.gpu[].instanceTypes",
    edit: "change a GPU size's types",
    change: (c) => gpu(c, 0, { instanceTypes: ["g6.xlarge", "g5.xlarge"] }),
    replaces: [NODE_GROUP_TYPES],
  },
  {
    key: "nodeGroups.gpu[].zoneInstanceTypes",
    edit: "narrow a zone's types",
    change: (c) => gpu(c, 0, { zoneInstanceTypes: { "us-west-2c": ["g5.xlarge", "g4dn.xlarge"] } }),
    replaces: [{ ...NODE_GROUP_TYPES, consequence: "replaces that zone's groups of the size" }],
  },
  {
    key: "nodeGroups.gpu[].diskSizeGiB",
    edit: "grow a GPU size's disks",
    change: (c) => gpu(c, 0, { diskSizeGiB: 150 }),
  },
  {
    key: "nodeGroups.gpu",
    edit: "add a GPU size",
    change: (c) => ({
      ...c,
      nodeGroups: {
        ...c.nodeGroups,
        gpu: [
          ...c.nodeGroups.gpu,
          { name: "gpu-8x", instanceTypes: ["p4d.24xlarge"], maxSize: 3, diskSizeGiB: 300, zoneInstanceTypes: {} },
        ],
      },
    }),
  },
  {
    key: "nodeGroups.system.maxSize",
    edit: "resize the system group",
    change: (c) => ({
      ...c,
      nodeGroups: { ...c.nodeGroups, system: { ...c.nodeGroups.system, minSize: 3, desiredSize: 3, maxSize: 8 } },
    }),
  },
  {
    key: "nodeGroups.system.instanceTypes",
    edit: "change the system types",
    change: (c) => ({
      ...c,
      nodeGroups: { ...c.nodeGroups, system: { ...c.nodeGroups.system, instanceTypes: ["m7i.2xlarge"] } },
    }),
    replaces: [
      {
        ...NODE_GROUP_TYPES,
        consequence:
          "replaces the system group: every system node goes before the new ones come, so Kubeflow is down for minutes",
      },
    ],
  },
  {
    key: "nodeGroups.system.diskSizeGiB",
    edit: "grow the system disks",
    change: (c) => ({ ...c, nodeGroups: { ...c.nodeGroups, system: { ...c.nodeGroups.system, diskSizeGiB: 80 } } }),
  },
  {
    key: "network.natGateways",
    edit: "one NAT gateway per zone",
    change: (c) => ({ ...c, network: { ...c.network, natGateways: "per-az" } }),
  },
  {
    key: "network.zones",
    edit: "append a zone",
    change: (c) => ({ ...c, network: { ...c.network, zones: [...c.network.zones, "us-west-2d"] } }),
  },
  {
    key: "fsx.pinGpuGroupsToFileSystemZone",
    edit: "keep GPU nodes in the file system's zone",
    change: (c) => fsx(c, { pinGpuGroupsToFileSystemZone: true }),
    replaces: [
      {
        type: "aws_eks_node_group",
        argument: "removed",
        consequence: "removes the GPU groups of the other zones",
      },
    ],
  },
  {
    key: "fsx.throughputPerTiB",
    edit: "raise the file system's throughput",
    change: (c) => fsx(c, { throughputPerTiB: 250 }),
  },
  {
    key: "fsx.storageCapacityGiB",
    edit: "grow the file system",
    change: (c) => fsx(c, { storageCapacityGiB: 2400 }),
  },
  {
    key: "fsx.dynamicProvisioning",
    edit: "let claims create file systems",
    change: (c) => fsx(c, { dynamicProvisioning: true }),
  },
  {
    key: "storage.iops",
    edit: "provision IOPS and throughput",
    change: (c) => ({ ...c, storage: { ...c.storage, iops: 6000, throughput: 250 } }),
  },
  {
    key: "storage.reclaimPolicy",
    edit: "keep volumes of deleted claims",
    change: (c) => ({ ...c, storage: { ...c.storage, reclaimPolicy: "Retain" } }),
  },
  {
    key: "kubeflow.culling",
    edit: "cull idle notebooks sooner",
    change: (c) => ({ ...c, kubeflow: { ...c.kubeflow, culling: { ...c.kubeflow.culling, idleMinutes: 30 } } }),
  },
  {
    key: "auth.mfa",
    edit: "make MFA optional",
    change: (c) => ({ ...c, auth: { ...c.auth, mfa: "optional" } }),
  },
  {
    key: "auth.featurePlan",
    edit: "move to the Essentials plan",
    change: (c) => ({ ...c, auth: { ...c.auth, featurePlan: "essentials" } }),
  },
  {
    key: "auth.allowedEmailDomains",
    edit: "admit another email domain",
    change: (c) => ({ ...c, auth: { ...c.auth, allowedEmailDomains: [...c.auth.allowedEmailDomains, "example.org"] } }),
  },
  {
    key: "dashboard.enabled",
    edit: "turn the dashboard off",
    change: (c) => ({ ...c, dashboard: { enabled: false } }),
  },
  {
    key: "protection.preventDestroy",
    edit: "lift the destroy guards",
    change: (c) => ({ ...c, protection: { preventDestroy: false } }),
  },
  {
    key: "addons.clusterAutoscaler",
    edit: "tune the autoscaler",
    change: (c) => ({
      ...c,
      addons: { ...c.addons, clusterAutoscaler: { ...c.addons.clusterAutoscaler, scaleDownUnneededTime: "10m" } },
    }),
  },
  // Changes the README warns replace something: declared here so the warning stays true.
  {
    key: "fsx.deploymentType",
    edit: "switch to SCRATCH_2",
    change: (c) => fsx(c, { deploymentType: "SCRATCH_2" }),
    replaces: [
      {
        type: "aws_fsx_lustre_file_system",
        argument: "deployment_type",
        consequence: "replaces the file system: prevent_destroy stops the plan; export the data first",
      },
      {
        type: "aws_kms_key",
        argument: "removed",
        consequence: "removes the file system's key (SCRATCH_2 takes no key of ours); prevent_destroy stops the plan",
      },
    ],
  },
  {
    key: "fsx.zoneIndex",
    edit: "move the file system to another zone",
    change: (c) => fsx(c, { zoneIndex: 1 }),
    replaces: [
      {
        type: "aws_fsx_lustre_file_system",
        argument: "subnet_ids",
        consequence: "replaces the file system: prevent_destroy stops the plan",
      },
    ],
  },
  {
    key: "auth.cognitoDomain.prefix",
    edit: "rename the login domain",
    change: (c) => ({ ...c, auth: { ...c.auth, cognitoDomain: { prefix: "example-kubeflow-login" } } }),
    replaces: [
      {
        type: "aws_cognito_user_pool_domain",
        argument: "domain",
        consequence: "replaces the login domain (the old login URL stops working)",
      },
    ],
  },
];
