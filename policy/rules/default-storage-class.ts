import { DEFAULT_CLASS_ANNOTATION, EBS_CSI_PROVISIONER } from "../../lib/ebs";
import type { AppFinding, AppPolicyRule, ResourceView } from "../rule";

interface StorageClassView {
  readonly resource: ResourceView;
  readonly name: string;
  readonly provisioner?: string;
  readonly parameters: Readonly<Record<string, string>>;
  readonly isDefault: boolean;
}

function classOf(r: ResourceView): StorageClassView | undefined {
  if (r.type === "kubernetes_manifest") {
    const m = r.config.manifest as
      | {
          kind?: string;
          metadata?: { name?: string; annotations?: Record<string, string> };
          provisioner?: string;
          parameters?: Record<string, string>;
        }
      | undefined;
    if (m?.kind !== "StorageClass") return undefined;
    return {
      resource: r,
      name: m.metadata?.name ?? r.name,
      provisioner: m.provisioner,
      parameters: m.parameters ?? {},
      isDefault: m.metadata?.annotations?.[DEFAULT_CLASS_ANNOTATION] === "true",
    };
  }
  const metadata = ([] as { name?: string; annotations?: Record<string, string> }[]).concat(
    (r.config.metadata as never) ?? [],
  )[0];
  return {
    resource: r,
    name: metadata?.name ?? r.name,
    provisioner: r.config.storage_provisioner as string | undefined,
    parameters: (r.config.parameters as Record<string, string> | undefined) ?? {},
    isDefault: metadata?.annotations?.[DEFAULT_CLASS_ANNOTATION] === "true",
  };
}

const encrypted = (c: StorageClassView) =>
  c.parameters.encrypted === "true" && typeof c.parameters.kmsKeyId === "string" && c.parameters.kmsKeyId.length > 0;

/**
 * Ours (and AwsSolutions-EC26 for dynamically provisioned volumes): the cluster has exactly one
 * default StorageClass, it encrypts with a customer-managed key, and so does every EBS class.
 */
export const defaultStorageClass: AppPolicyRule = {
  id: "KF_DEFAULT_STORAGE_CLASS / AwsSolutions-EC26",
  title: "Exactly one default StorageClass, and every EBS StorageClass encrypts with a customer-managed KMS key",
  fix: 'keep the addons stack\'s DefaultStorageClass (parameters encrypted: "true" and kmsKeyId), and no other class annotated default',
  appliesTo: ["kubernetes_storage_class_v1", "kubernetes_storage_class", "kubernetes_manifest"],
  check: (resources) => {
    const classes = resources.map(classOf).filter((c): c is StorageClassView => c !== undefined);
    const findings: AppFinding[] = [];
    for (const c of classes) {
      if ((c.provisioner === EBS_CSI_PROVISIONER || c.isDefault) && !encrypted(c)) {
        findings.push({
          address: c.resource.address,
          construct: c.resource.construct,
          message: `StorageClass ${c.name} does not encrypt with a customer-managed key (parameters encrypted/kmsKeyId)`,
        });
      }
    }
    const defaults = classes.filter((c) => c.isDefault);
    if (defaults.length === 0) {
      findings.push({
        address: "app",
        message:
          "no default StorageClass: claims that name no class (all of Kubeflow's: KFP's MySQL and SeaweedFS, Katib's MySQL, notebook workspaces) stay Pending",
      });
    } else if (defaults.length > 1) {
      for (const c of defaults.slice(1)) {
        findings.push({
          address: c.resource.address,
          construct: c.resource.construct,
          message: `${defaults.length} default StorageClasses (${defaults.map((d) => d.name).join(", ")}); claims get whichever is newest`,
        });
      }
    }
    return findings;
  },
};
