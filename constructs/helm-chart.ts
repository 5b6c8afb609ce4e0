import { Release } from "@cdktf/provider-helm/lib/release";
import type { ITerraformDependable, TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import { stringify } from "yaml";

export interface HelmChartProps {
  /** Release name. */
  readonly name: string;
  readonly namespace: string;
  /**
   * Chart repository URL (https:// or oci://).
   * @default - `chart` is a local chart directory
   */
  readonly repository?: string;
  /** Chart name in the repository, or a local chart's path. */
  readonly chart: string;
  /** Exact chart version. */
  readonly version: string;
  /** Values as a typed object; serialized to YAML here, never assembled from strings. */
  readonly values: object;
  readonly provider: TerraformProvider;
  /**
   * Seconds Helm waits for the release's resources to become ready.
   * @default 600
   */
  readonly timeoutSeconds?: number;
  /**
   * Create the namespace if missing.
   * @default false
   */
  readonly createNamespace?: boolean;
  /**
   * Leave the chart's crds/ folder alone (its CRDs come from elsewhere).
   * @default false
   */
  readonly skipCrds?: boolean;
  /**
   * Resources to wait for.
   * @default - none
   */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * A Helm release with a pinned chart version that either fully succeeds or rolls back
 * (`atomic`), so an interrupted apply never leaves a release stuck "in progress".
 */
export class HelmChart extends Construct {
  readonly release: Release;
  /** The values as passed to Helm. */
  readonly values: object;

  constructor(scope: Construct, id: string, props: HelmChartProps) {
    super(scope, id);
    if (!/^\d+\.\d+\.\d+$/.test(props.version))
      throw new Error(`chart ${props.chart}: pin an exact version, got "${props.version}"`);
    this.values = props.values;
    this.release = new Release(this, "release", {
      provider: props.provider,
      name: props.name,
      namespace: props.namespace,
      repository: props.repository,
      chart: props.chart,
      version: props.version,
      values: [stringify(props.values, { lineWidth: 0, aliasDuplicateObjects: false })],
      atomic: true,
      cleanupOnFail: true,
      wait: true,
      timeout: props.timeoutSeconds ?? 600,
      createNamespace: props.createNamespace ?? false,
      skipCrds: props.skipCrds ?? false,
      maxHistory: 10,
      dependsOn: props.dependsOn,
    });
  }
}
