import { DataKubernetesResources } from "@cdktf/provider-kubernetes/lib/data-kubernetes-resources";
import { Fn, Op, TerraformOutput, TerraformVariable } from "cdktf";
import type { Construct } from "constructs";
import { FSX_CSI_DRIVER_OBJECTS } from "../generated/fsx-csi-driver";
import { ClusterProviders } from "../constructs/cluster-providers";
import { KubernetesObjects, withContainerEnv } from "../constructs/kubernetes-objects";
import { fsxDataRepositoryKeyStatement, LustreFileSystem } from "../constructs/lustre-file-system";
import { PodIdentityRole } from "../constructs/pod-identity-role";
import { SecureBucket } from "../constructs/secure-bucket";
import { SharedVolume } from "../constructs/shared-volume";
import { fsxCsiControllerStatements } from "../lib/fsx-csi-policy";
import type { GeneratedObject } from "../lib/generated-object";
import type { Config } from "../config/schema";
import { LUSTRE_CLIENT_FAILED_LABEL, LUSTRE_CLIENT_LABEL } from "../lib/node-user-data";
import { FSX_CLAIM_NAME, FSX_PARKED_OUTPUT, FSX_SKIP_FINAL_BACKUP_VARIABLE } from "../lib/stages";
import { allowPolicyException } from "../policy/exceptions";
import { BaseStack, type BaseStackProps } from "./base-stack";
import type { EksStackOutputs } from "./eks-stack";

export interface FsxStackProps extends BaseStackProps {
  readonly cluster: EksStackOutputs;
  /**
   * Let a destroy delete the data bucket with its objects (`npm run destroy -- --delete-data` only).
   * @default false
   */
  readonly forceDestroyBucket?: boolean;
}

/** Where the shared data goes and who may reach it. */
export interface SharedDataPlacement {
  readonly vpcId: string;
  readonly subnetId: string;
  /** @default - no client rules (see LustreFileSystemProps.clientSecurityGroupId) */
  readonly clientSecurityGroupId?: string;
  readonly accountId: string;
  readonly partition: string;
  /** @default false */
  readonly forceDestroyBucket?: boolean;
  /**
   * Build the file system and its S3 link; false leaves them out (a parked stage, FsxParkedStack).
   * @default true
   */
  readonly withFileSystem?: boolean;
}

/** The shared volume's claim in the team's profile namespace (kubeflow.profile.name). */
export const SHARED_CLAIM_NAME = FSX_CLAIM_NAME;

/**
 * The output that says whether the file system is parked (npm run fsx -- park): false here, true
 * from FsxParkedStack, absent from FsxKeptStack. `npm run deploy` reads it before the stage
 * (lib/stages.ts, readFsxState), so a parked file system stays parked.
 */
export const PARKED_OUTPUT = FSX_PARKED_OUTPUT;

/**
 * The variable `npm run fsx -- park` sets (only there, in a plan targeting the file system alone)
 * so the deletion that follows skips the final backup. The provider's delete reads
 * `skip_final_backup` from state (terraform-provider-aws v6.25.0, resourceLustreFileSystemDelete
 * lines 44-46 in lonegunmanb/terraform-provider-aws-index), so it must be true there before the
 * resource leaves the configuration; changing it is a state-only update (the vendored
 * upstream/terraform-provider-aws/index/internal/service/fsx/func.resourceLustreFileSystemUpdate.goindex:62-64
 * leaves it out of UpdateFileSystem).
 */
export const SKIP_FINAL_BACKUP_VARIABLE = FSX_SKIP_FINAL_BACKUP_VARIABLE;

/**
 * The fsx stage's data: the data bucket (when the config creates it) and the Lustre file system
 * linked to it. Built by FsxStack and, at the same construct paths, by FsxKeptStack (so a teardown
 * that keeps the data leaves them untouched) and, without the file system, by FsxParkedStack.
 */
export function sharedData(
  scope: Construct,
  config: Config,
  placement: SharedDataPlacement,
): { readonly dataBucket?: SecureBucket; readonly lustre: LustreFileSystem } {
  const fsx = config.fsx;
  const { accountId: account, partition } = placement;
  let dataBucket: SecureBucket | undefined;
  if (fsx.dataBucket.create) {
    dataBucket = new SecureBucket(scope, "data-bucket", {
      bucketName: fsx.dataBucket.name,
      purpose: "the team's data sets",
      preventDestroy: config.protection.preventDestroy,
      // FSx imports and exports through its S3 service-linked role, which needs the bucket's key.
      keyPolicyStatements: [
        fsxDataRepositoryKeyStatement({
          partition,
          accountId: account,
          region: config.region,
          bucketName: fsx.dataBucket.name,
        }),
      ],
      account: { id: account, partition },
      forceDestroy: placement.forceDestroyBucket,
    });
  }

  const withFileSystem = placement.withFileSystem ?? true;
  const skipFinalBackup = withFileSystem
    ? new TerraformVariable(scope, SKIP_FINAL_BACKUP_VARIABLE, {
        type: "bool",
        // FSx takes no backups of a file system linked to S3 (constructs/lustre-file-system.ts), so
        // a deletion never takes a final one; park still makes sure of it in state.
        default: true,
        description:
          "Skip the final backup when the file system is deleted (FSx takes no backups of a file system linked to S3)",
      })
    : undefined;
  const lustre = new LustreFileSystem(scope, "lustre", {
    name: `${config.cluster.name}-shared`,
    vpcId: placement.vpcId,
    subnetId: placement.subnetId,
    clientSecurityGroupId: placement.clientSecurityGroupId,
    deploymentType: fsx.deploymentType,
    storageCapacityGiB: fsx.storageCapacityGiB,
    throughputPerTiB: fsx.throughputPerTiB,
    bucketName: fsx.dataBucket.name,
    s3Prefix: fsx.s3Prefix,
    exportPrefix: fsx.exportPrefix,
    logRetentionDays: config.cluster.logRetentionDays,
    preventDestroy: config.protection.preventDestroy,
    dataRepositoryDependsOn: dataBucket ? [dataBucket.bucket, dataBucket.encryption, dataBucket.key] : undefined,
    withFileSystem,
    skipFinalBackup: skipFinalBackup?.booleanValue,
  });

  if (fsx.deploymentType === "SCRATCH_2" && lustre.fileSystem) {
    allowPolicyException(
      lustre.fileSystem,
      "CKV_AWS_190",
      "SCRATCH_2 cannot use a customer-managed key; FSx encrypts it at rest with a key it owns (chosen in config for cost)",
    );
  }
  return { dataBucket, lustre };
}

/**
 * Where a pod mounting the file system may run: on a node whose Lustre client install succeeded
 * (lib/node-user-data.ts). `installed` is what the autoscalers' templates promise (ASG tags,
 * NodePool labels); the failure label is the node's own word, which Karpenter does not overwrite.
 */
export const LUSTRE_NODE_REQUIREMENTS = [
  { key: LUSTRE_CLIENT_LABEL, operator: "In", values: ["installed"] },
  { key: LUSTRE_CLIENT_FAILED_LABEL, operator: "DoesNotExist" },
] as const;

/** What the fsx stage says when the team's profile namespace does not exist yet. */
export function profileNamespaceMissingMessage(namespace: string, configFile = "the configuration file"): string {
  return (
    `The namespace "${namespace}" (kubeflow.profile.name in ${configFile}) does not exist yet. The fsx stage puts the ` +
    "shared volume's claim there, and the Kubeflow install creates it with the team's profile. Install Kubeflow " +
    "first (npm run deploy -- --from kubeflow-install, or npm run kubeflow -- install), then deploy fsx again."
  );
}

/** The CSI driver's objects for the chosen mode: the node plugin always, the controller only for dynamic provisioning. */
export function csiDriverObjects(dynamicProvisioning: boolean): readonly GeneratedObject[] {
  return FSX_CSI_DRIVER_OBJECTS.filter((o) => o.component !== "controller" || dynamicProvisioning);
}

/**
 * Stage 07: FSx for Lustre linked to the team's S3 bucket, the FSx CSI driver (objects rendered by
 * `npm run generate` from kustomize/fsx-csi-driver), and a static volume and claim in the team's
 * Kubeflow profile namespace. Apply after the Kubeflow install has created that namespace.
 */
export class FsxStack extends BaseStack {
  readonly lustre: LustreFileSystem;
  readonly volume: SharedVolume;
  readonly dataBucketName: string;
  readonly driver: KubernetesObjects;

  constructor(scope: Construct, id: string, props: FsxStackProps) {
    super(scope, id, props);
    const config = props.config;
    const fsx = config.fsx;
    const providers = new ClusterProviders(this, "cluster", {
      cluster: props.cluster,
      region: config.region,
      helm: false,
    });

    this.dataBucketName = fsx.dataBucket.name;
    const data = sharedData(this, config, {
      vpcId: props.cluster.vpcId,
      subnetId: props.cluster.privateSubnetIds[fsx.zoneIndex],
      clientSecurityGroupId: props.cluster.clusterSecurityGroupId,
      accountId: this.accountId,
      partition: this.partition,
      forceDestroyBucket: props.forceDestroyBucket,
    });
    this.lustre = data.lustre;
    const fileSystem = this.lustre.fileSystem;
    if (!fileSystem) throw new Error("FsxStack builds the file system");
    const { accountId: account, partition } = this;

    if (fsx.dynamicProvisioning) {
      const controllerIdentity = new PodIdentityRole(this, "csi-controller-identity", {
        roleName: `${config.cluster.name}-fsx-csi-controller`,
        clusterName: config.cluster.name,
        namespace: "kube-system",
        serviceAccount: "fsx-csi-controller-sa",
        accountId: account,
        statements: fsxCsiControllerStatements(partition, account),
      });
      allowPolicyException(
        controllerIdentity.permissions,
        "CKV_AWS_355",
        "the CSI controller creates file systems on demand; they do not exist yet, so fsx:CreateFileSystem cannot be scoped to an ARN",
      );
    }

    // Pods cannot read the region from IMDS (hop limit 1), and the driver needs it.
    const region = { name: "AWS_REGION", value: config.region };
    this.driver = new KubernetesObjects(this, "fsx-csi-driver", {
      objects: csiDriverObjects(fsx.dynamicProvisioning),
      provider: providers.kubernetes!,
      transform: (o) =>
        o.kind === "DaemonSet" || o.kind === "Deployment"
          ? withContainerEnv(o.manifest, "fsx-plugin", region)
          : o.manifest,
    });

    const nodePlugin = this.driver.manifests.get("daemonset_kube_system_fsx_csi_node");
    if (nodePlugin) {
      const why = "the FSx CSI node plugin mounts Lustre into pods from the host: it needs a privileged container";
      allowPolicyException(nodePlugin, "CKV_K8S_16", why);
      allowPolicyException(nodePlugin, "KSV023", `${why} and the kubelet's pod, plugin and registration directories`);
    }

    // The claim goes into the team's profile namespace, which the Kubeflow install creates: say so at
    // plan time instead of failing deep in the apply with a bare "namespaces not found".
    const namespace = config.kubeflow.profile.name;
    const profileNamespace = new DataKubernetesResources(this, "profile-namespace", {
      provider: providers.kubernetes!,
      apiVersion: "v1",
      kind: "Namespace",
      fieldSelector: `metadata.name=${namespace}`,
    });
    this.volume = new SharedVolume(this, "notebook-volume", {
      claimPreconditions: [
        {
          condition: Op.eq(Fn.lengthOf(profileNamespace.objects), 1),
          errorMessage: profileNamespaceMissingMessage(namespace, props.configFile),
        },
      ],
      provider: providers.kubernetes!,
      fileSystemId: fileSystem.id,
      dnsName: fileSystem.dnsName,
      mountName: fileSystem.mountName,
      capacityGiB: fsx.storageCapacityGiB,
      namespace: config.kubeflow.profile.name,
      claimName: SHARED_CLAIM_NAME,
      nodeRequirements: LUSTRE_NODE_REQUIREMENTS,
      dependsOn: [...this.driver.manifests.values(), ...(this.lustre.association ? [this.lustre.association] : [])],
    });

    new TerraformOutput(this, PARKED_OUTPUT, {
      value: false,
      description: "Whether the file system is parked (npm run fsx -- park): never, in this form of the stage",
    });
  }
}
