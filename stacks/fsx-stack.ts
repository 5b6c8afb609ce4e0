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
import { allowPolicyException } from "../policy/exceptions";
import { BaseStack, type BaseStackProps } from "./base-stack";
import type { EksStackOutputs } from "./eks-stack";

export interface FsxStackProps extends BaseStackProps {
  readonly cluster: EksStackOutputs;
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
    const { accountId: account, partition } = this;
    let dataBucket: SecureBucket | undefined;
    if (fsx.dataBucket.create) {
      dataBucket = new SecureBucket(this, "data-bucket", {
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
      });
    }

    this.lustre = new LustreFileSystem(this, "lustre", {
      name: `${config.cluster.name}-shared`,
      vpcId: props.cluster.vpcId,
      subnetId: props.cluster.privateSubnetIds[fsx.zoneIndex],
      clientSecurityGroupId: props.cluster.clusterSecurityGroupId,
      deploymentType: fsx.deploymentType,
      storageCapacityGiB: fsx.storageCapacityGiB,
      throughputPerTiB: fsx.throughputPerTiB,
      bucketName: fsx.dataBucket.name,
      s3Prefix: fsx.s3Prefix,
      exportPrefix: fsx.exportPrefix,
      logRetentionDays: config.cluster.logRetentionDays,
      preventDestroy: config.protection.preventDestroy,
      dataRepositoryDependsOn: dataBucket ? [dataBucket.bucket, dataBucket.encryption, dataBucket.key] : undefined,
    });

    if (fsx.deploymentType === "SCRATCH_2") {
      allowPolicyException(
        this.lustre.fileSystem,
        "CKV_AWS_190",
        "SCRATCH_2 cannot use a customer-managed key; FSx encrypts it at rest with a key it owns (chosen in config for cost)",
      );
    }

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

    this.volume = new SharedVolume(this, "notebook-volume", {
      provider: providers.kubernetes!,
      fileSystemId: this.lustre.fileSystem.id,
      dnsName: this.lustre.fileSystem.dnsName,
      mountName: this.lustre.fileSystem.mountName,
      capacityGiB: fsx.storageCapacityGiB,
      namespace: config.kubeflow.profile.name,
      dependsOn: [...this.driver.manifests.values(), ...(this.lustre.association ? [this.lustre.association] : [])],
    });
  }
}
