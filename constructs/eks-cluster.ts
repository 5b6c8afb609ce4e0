import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DataAwsEksAddonVersion } from "@cdktf/provider-aws/lib/data-aws-eks-addon-version";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { EksAccessEntry } from "@cdktf/provider-aws/lib/eks-access-entry";
import { EksAccessPolicyAssociation } from "@cdktf/provider-aws/lib/eks-access-policy-association";
import { EksAddon } from "@cdktf/provider-aws/lib/eks-addon";
import { EksCluster as AwsEksCluster } from "@cdktf/provider-aws/lib/eks-cluster";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import type { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { conditional, TerraformCount, TerraformLocal, Token, type ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { protectedKey } from "./protected-key";

/** The control-plane log types; all of them, since audit and authenticator logs answer "who did what". */
export const CONTROL_PLANE_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"];

export type AccessPolicyName = "cluster-admin" | "admin" | "edit" | "view";

const ACCESS_POLICY: Record<AccessPolicyName, string> = {
  "cluster-admin": "AmazonEKSClusterAdminPolicy",
  admin: "AmazonEKSAdminPolicy",
  edit: "AmazonEKSEditPolicy",
  view: "AmazonEKSViewPolicy",
};

export interface ClusterAccess {
  /** IAM role or user ARN (may be a Terraform expression). */
  readonly principalArn: string;
  readonly accessPolicy: AccessPolicyName;
}

export interface EksClusterProps {
  readonly name: string;
  readonly kubernetesVersion: string;
  /** Subnets for the control plane's network interfaces (the private ones). */
  readonly subnetIds: string[];
  /** CIDRs allowed to reach the public endpoint; empty means private-only. */
  readonly publicAccessCidrs: readonly string[];
  readonly partition: string;
  /**
   * The IAM principal (a role or user ARN; for an assumed role, the role) that deploys the stack:
   * it gets a cluster-admin access entry of its own, which a later deploy by someone else leaves
   * alone and which switching this off deletes, the cluster staying as it is.
   * @default - no access entry for the deployer
   */
  readonly creatorAccess?: { readonly principalArn: string };
  /**
   * Access entries with a cluster-wide access policy each.
   * @default - none
   */
  readonly access?: readonly ClusterAccess[];
  /**
   * Days to keep control-plane logs.
   * @default 90
   */
  readonly logRetentionDays?: number;
  /**
   * Refuse `terraform destroy` of the secrets encryption key.
   * @default true
   */
  readonly preventDestroy?: boolean;
}

/**
 * The key that envelope-encrypts a cluster's Secrets, at `<scope>/secrets-key`. A function so a
 * teardown that keeps data can keep the key at the address the cluster gave it (see lib/stages.ts).
 */
export function clusterSecretsKey(scope: Construct, clusterName: string, preventDestroy?: boolean): KmsKey {
  return protectedKey(scope, "secrets-key", {
    description: `Envelope encryption of Kubernetes secrets in EKS cluster ${clusterName}`,
    alias: `alias/eks/${clusterName}/secrets`,
    preventDestroy,
  });
}

/**
 * An EKS control plane: secrets envelope-encrypted with a rotating KMS key, every log type,
 * a private endpoint (plus a public one only for the given CIDRs), and access entries instead
 * of the aws-auth ConfigMap.
 */
export class EksCluster extends Construct {
  readonly cluster: AwsEksCluster;
  readonly secretsKey: KmsKey;
  private readonly kubernetesVersion: string;

  constructor(scope: Construct, id: string, props: EksClusterProps) {
    super(scope, id);

    this.kubernetesVersion = props.kubernetesVersion;
    this.secretsKey = clusterSecretsKey(this, props.name, props.preventDestroy);

    // Created ahead of the cluster so retention is ours, not "never expire".
    const logGroup = new CloudwatchLogGroup(this, "control-plane-logs", {
      name: `/aws/eks/${props.name}/cluster`,
      retentionInDays: props.logRetentionDays ?? 90,
    });

    const trust = new DataAwsIamPolicyDocument(this, "cluster-trust", {
      statement: [
        {
          effect: "Allow",
          actions: ["sts:AssumeRole", "sts:TagSession"],
          principals: [{ type: "Service", identifiers: ["eks.amazonaws.com"] }],
        },
      ],
    });
    const role = new IamRole(this, "cluster-role", { name: `${props.name}-cluster`, assumeRolePolicy: trust.json });
    const clusterPolicy = new IamRolePolicyAttachment(this, "cluster-policy", {
      role: role.name,
      policyArn: `arn:${props.partition}:iam::aws:policy/AmazonEKSClusterPolicy`,
    });

    this.cluster = new AwsEksCluster(this, "cluster", {
      name: props.name,
      version: props.kubernetesVersion,
      roleArn: role.arn,
      vpcConfig: {
        subnetIds: props.subnetIds,
        endpointPrivateAccess: true,
        endpointPublicAccess: props.publicAccessCidrs.length > 0,
        publicAccessCidrs: props.publicAccessCidrs.length > 0 ? [...props.publicAccessCidrs] : undefined,
      },
      accessConfig: {
        authenticationMode: "API",
        // Never EKS's creator entry: this argument replaces the cluster when it changes. The
        // deployer's access is an access entry of ours instead (creatorAccess), removable any day.
        bootstrapClusterCreatorAdminPermissions: false,
      },
      encryptionConfig: { resources: ["secrets"], provider: { keyArn: this.secretsKey.arn } },
      enabledClusterLogTypes: CONTROL_PLANE_LOG_TYPES,
      // Standard support only: extended support costs six times as much per cluster hour.
      upgradePolicy: { supportType: "STANDARD" },
      // We install vpc-cni, kube-proxy and CoreDNS as managed add-ons ourselves.
      bootstrapSelfManagedAddons: false,
      dependsOn: [logGroup, clusterPolicy],
      lifecycle: {
        ignoreChanges: [
          // A cluster created by an earlier version with EKS's creator entry keeps it, unreplaced.
          "access_config[0].bootstrap_cluster_creator_admin_permissions",
          // EKS takes new subnets only "in the same set of AZs as originally provided when you created
          // the cluster" (EKS user guide, network requirements): a zone appended later gets nodes,
          // not control-plane interfaces.
          "vpc_config[0].subnet_ids",
        ],
      },
    });

    if (props.creatorAccess) {
      // Not on a cluster whose creator entry EKS made (an earlier version's): that principal has it.
      const count = TerraformCount.of(
        Token.asNumber(conditional(this.cluster.accessConfig.bootstrapClusterCreatorAdminPermissions, 0, 1)),
      );
      const entry = new EksAccessEntry(this, "creator-access", {
        count,
        clusterName: this.cluster.name,
        principalArn: props.creatorAccess.principalArn,
        type: "STANDARD",
        // The first deployer keeps it: a deploy by someone else never moves the entry to them.
        lifecycle: { ignoreChanges: ["principal_arn"] },
      });
      // The entry's own (kept) principal, through its one instance: the first deployer's. The check
      // compares that principal, not whoever deploys now (who may rightly be an admin principal).
      const kept = `aws_eks_access_entry.${entry.friendlyUniqueId}[0].principal_arn`;
      // A local, so the principals' own references render as references inside the condition below.
      const admins = new TerraformLocal(
        this,
        "admin-principal-arns",
        (props.access ?? []).map((a) => a.principalArn),
      );
      new EksAccessPolicyAssociation(this, "creator-access-policy", {
        count,
        clusterName: this.cluster.name,
        principalArn: `\${${kept}}`,
        policyArn: `arn:${props.partition}:eks::aws:cluster-access-policy/${ACCESS_POLICY["cluster-admin"]}`,
        accessScope: { type: "cluster" },
        lifecycle: {
          precondition: [
            {
              condition: `\${!contains(local.${admins.friendlyUniqueId}, ${kept})}`,
              errorMessage:
                `\${${kept}} holds the deployer's access entry (it deployed eks first) and is also listed in ` +
                "cluster.adminPrincipals, and EKS takes one access entry per principal. Remove it from adminPrincipals " +
                "while clusterCreatorAdmin is true (that entry gives it cluster-admin), or set clusterCreatorAdmin: " +
                "false, deploy, and then add it (README, Cluster access).",
            },
          ],
        },
      });
    }

    (props.access ?? []).forEach((access, index) => {
      const entry = new EksAccessEntry(this, `access-${index}`, {
        clusterName: this.cluster.name,
        principalArn: access.principalArn,
        type: "STANDARD",
      });
      new EksAccessPolicyAssociation(this, `access-${index}-policy`, {
        clusterName: this.cluster.name,
        principalArn: entry.principalArn,
        policyArn: `arn:${props.partition}:eks::aws:cluster-access-policy/${ACCESS_POLICY[access.accessPolicy]}`,
        accessScope: { type: "cluster" },
      });
    });
  }

  /**
   * Installs an EKS managed add-on. Its build is `options.version` when pinned, else EKS's default
   * build for the cluster's Kubernetes minor, read at plan time (`aws_eks_addon_version`), so the
   * build follows the minor and a plan shows when it moves. The add-on keeps the id `id` in this
   * construct (its Terraform address), the version lookup is `<id>-version`.
   */
  addAddon(id: string, addonName: string, options: AddonOptions = {}): EksAddon {
    const version =
      options.version ??
      new DataAwsEksAddonVersion(this, `${id}-version`, {
        addonName,
        kubernetesVersion: this.kubernetesVersion,
      }).version;
    return new EksAddon(this, id, {
      clusterName: this.cluster.name,
      addonName,
      addonVersion: version,
      configurationValues: options.configuration ? JSON.stringify(options.configuration) : undefined,
      resolveConflictsOnCreate: "OVERWRITE",
      resolveConflictsOnUpdate: "OVERWRITE",
      dependsOn: options.dependsOn,
    });
  }
}

export interface AddonOptions {
  /**
   * An exact build, e.g. "v1.21.1-eksbuild.3".
   * @default - EKS's default build for the cluster's Kubernetes minor
   */
  readonly version?: string;
  /**
   * The add-on's configuration, as `aws eks describe-addon-configuration` describes it.
   * @default - the add-on's defaults
   */
  readonly configuration?: Readonly<Record<string, unknown>>;
  /**
   * Resources the add-on waits for (nodes to run on, its Pod Identity association).
   * @default - none
   */
  readonly dependsOn?: ITerraformDependable[];
}
