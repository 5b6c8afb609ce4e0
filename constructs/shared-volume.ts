import { JobV1 } from "@cdktf/provider-kubernetes/lib/job-v1";
import { PersistentVolumeClaimV1 } from "@cdktf/provider-kubernetes/lib/persistent-volume-claim-v1";
import { PersistentVolumeV1 } from "@cdktf/provider-kubernetes/lib/persistent-volume-v1";
import type { ITerraformDependable, TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import { BUSYBOX_IMAGE } from "../lib/versions";

export interface SharedVolumeProps {
  readonly provider: TerraformProvider;
  /** FSx file system id (the volume handle). */
  readonly fileSystemId: string;
  readonly dnsName: string;
  readonly mountName: string;
  readonly capacityGiB: number;
  /** The Kubeflow profile namespace the claim lives in. */
  readonly namespace: string;
  /**
   * Name of the PersistentVolume and of its claim.
   * @default "fsx-pv" and "fsx-claim"
   */
  readonly volumeName?: string;
  readonly claimName?: string;
  /**
   * Resources (the CSI node plugin) the volume waits for.
   * @default - none
   */
  readonly dependsOn?: ITerraformDependable[];
  /**
   * Plan-time checks on the claim (e.g. that its namespace exists), each with the message Terraform shows.
   * @default - none
   */
  readonly claimPreconditions?: { readonly condition: unknown; readonly errorMessage: string }[];
  /**
   * Node label requirements every pod mounting the volume must meet (the volume's node affinity,
   * which the scheduler and both autoscalers honour), e.g. that the node has the Lustre client.
   * @default - any node
   */
  readonly nodeRequirements?: readonly NodeRequirement[];
}

/** One match expression of a node selector term. */
export interface NodeRequirement {
  readonly key: string;
  readonly operator: "In" | "NotIn" | "Exists" | "DoesNotExist";
  /** @default - none (Exists and DoesNotExist take none) */
  readonly values?: readonly string[];
}

/** Kubeflow notebook images run as jovyan, uid 1000 in group users (gid 100). */
export const NOTEBOOK_UID = 1000;
export const NOTEBOOK_GID = 100;
/** A small, pinned image for the one-time permission fix (busybox, upstream/PROVENANCE.json). */
export const PERMISSIONS_IMAGE = BUSYBOX_IMAGE;

/**
 * A statically provisioned FSx for Lustre volume and its claim in the team's namespace, so it
 * shows up as an existing volume when a notebook server is created. The volume is Retain: deleting
 * the claim never deletes data. A one-time Job gives notebook users write access to the root.
 */
export class SharedVolume extends Construct {
  readonly volume: PersistentVolumeV1;
  readonly claim: PersistentVolumeClaimV1;
  readonly permissions: JobV1;

  constructor(scope: Construct, id: string, props: SharedVolumeProps) {
    super(scope, id);
    const volumeName = props.volumeName ?? "fsx-pv";
    const claimName = props.claimName ?? "fsx-claim";
    const size = `${props.capacityGiB}Gi`;

    this.volume = new PersistentVolumeV1(this, "volume", {
      provider: props.provider,
      metadata: { name: volumeName },
      spec: [
        {
          capacity: { storage: size },
          volumeMode: "Filesystem",
          accessModes: ["ReadWriteMany"],
          persistentVolumeReclaimPolicy: "Retain",
          storageClassName: "",
          mountOptions: ["flock"],
          nodeAffinity:
            props.nodeRequirements && props.nodeRequirements.length > 0
              ? {
                  required: {
                    nodeSelectorTerm: [
                      {
                        matchExpressions: props.nodeRequirements.map((r) => ({
                          key: r.key,
                          operator: r.operator,
                          values: r.values ? [...r.values] : undefined,
                        })),
                      },
                    ],
                  },
                }
              : undefined,
          persistentVolumeSource: {
            csi: {
              driver: "fsx.csi.aws.com",
              volumeHandle: props.fileSystemId,
              volumeAttributes: { dnsname: props.dnsName, mountname: props.mountName },
            },
          },
        },
      ],
      dependsOn: props.dependsOn,
    });

    this.claim = new PersistentVolumeClaimV1(this, "claim", {
      provider: props.provider,
      metadata: { name: claimName, namespace: props.namespace },
      spec: {
        accessModes: ["ReadWriteMany"],
        storageClassName: "",
        volumeName: this.volume.metadata.name,
        resources: { requests: { storage: size } },
      },
      waitUntilBound: true,
      lifecycle: {
        // A claim without a StorageClass cannot be resized (the API server's PersistentVolumeClaimResize
        // admission refuses it), so a grown file system grows the volume's capacity only: the claim
        // keeps the size it was bound with, which the volume still satisfies.
        ignoreChanges: ["spec[0].resources[0].requests"],
        precondition: props.claimPreconditions ? [...props.claimPreconditions] : undefined,
      },
    });

    this.permissions = new JobV1(this, "permissions", {
      provider: props.provider,
      metadata: { name: `${claimName}-permissions`, namespace: props.namespace },
      spec: {
        backoffLimit: 3,
        template: {
          metadata: { annotations: { "sidecar.istio.io/inject": "false" } },
          spec: {
            restartPolicy: "Never",
            securityContext: { seccompProfile: { type: "RuntimeDefault" } },
            container: [
              {
                name: "permissions",
                image: PERMISSIONS_IMAGE,
                // Root only for chown; every other capability dropped. chmod runs first, while
                // root still owns the directory. setgid keeps new files in the users group.
                command: ["sh", "-c", `chmod 2775 /data && chown ${NOTEBOOK_UID}:${NOTEBOOK_GID} /data`],
                securityContext: {
                  runAsUser: "0",
                  runAsNonRoot: false,
                  allowPrivilegeEscalation: false,
                  readOnlyRootFilesystem: true,
                  capabilities: { drop: ["ALL"], add: ["CHOWN"] },
                },
                volumeMount: [{ name: "data", mountPath: "/data" }],
                resources: { limits: { cpu: "100m", memory: "32Mi" } },
              },
            ],
            volume: [{ name: "data", persistentVolumeClaim: { claimName: this.claim.metadata.name } }],
          },
        },
      },
      waitForCompletion: true,
      timeouts: { create: "10m", update: "10m" },
    });
  }
}
