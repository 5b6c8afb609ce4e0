import { Manifest } from "@cdktf/provider-kubernetes/lib/manifest";
import type { ITerraformDependable, TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import type { GeneratedObject } from "../lib/generated-object";

export interface KubernetesObjectsProps {
  /** Objects from generated/ (rendered by `npm run generate`). */
  readonly objects: readonly GeneratedObject[];
  readonly provider: TerraformProvider;
  /**
   * Adjusts an object's manifest before it becomes a resource (returns a new object).
   * @default - objects are used as rendered
   */
  readonly transform?: (object: GeneratedObject) => Record<string, unknown>;
  /**
   * Resources the objects wait for.
   * @default - none
   */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * Declares each rendered Kubernetes object as its own `kubernetes_manifest` resource, addressed
 * by the object's kind, namespace and name, so a plan shows exactly which object changes.
 */
export class KubernetesObjects extends Construct {
  readonly manifests: ReadonlyMap<string, Manifest>;

  constructor(scope: Construct, id: string, props: KubernetesObjectsProps) {
    super(scope, id);
    const manifests = new Map<string, Manifest>();
    for (const object of props.objects) {
      manifests.set(
        object.address,
        new Manifest(this, object.address, {
          provider: props.provider,
          manifest: props.transform ? props.transform(object) : object.manifest,
          fieldManager: { name: "terraform", forceConflicts: false },
          dependsOn: props.dependsOn,
        }),
      );
    }
    this.manifests = manifests;
  }
}

/** A copy of a workload manifest with one env var added to the named container. */
export function withContainerEnv(
  manifest: Record<string, unknown>,
  container: string,
  env: { readonly name: string; readonly value: string },
): Record<string, unknown> {
  const copy = structuredClone(manifest) as {
    spec?: { template?: { spec?: { containers?: { name: string; env?: object[] }[] } } };
  };
  const target = copy.spec?.template?.spec?.containers?.find((c) => c.name === container);
  if (!target)
    throw new Error(`no container "${container}" in ${String((manifest.metadata as { name?: string })?.name)}`);
  target.env = [...(target.env ?? []), env];
  return copy as Record<string, unknown>;
}
