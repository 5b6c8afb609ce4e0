import type { Construct } from "constructs";
import { ClusterProviders } from "../constructs/cluster-providers";
import { ReadOnlyDashboard } from "../constructs/read-only-dashboard";
import { HEADLAMP_CHART } from "../lib/versions";
import { BaseStack, type BaseStackProps } from "./base-stack";
import type { EksStackOutputs } from "./eks-stack";

export interface DashboardStackProps extends BaseStackProps {
  readonly cluster: EksStackOutputs;
}

/** Stage 06: a read-only cluster dashboard (Headlamp), reached through kubectl port-forward. */
export class DashboardStack extends BaseStack {
  readonly dashboard?: ReadOnlyDashboard;

  constructor(scope: Construct, id: string, props: DashboardStackProps) {
    super(scope, id, props);
    if (!props.config.dashboard.enabled) return;
    const providers = new ClusterProviders(this, "cluster", {
      cluster: props.cluster,
      region: props.config.region,
    });
    this.dashboard = new ReadOnlyDashboard(this, "headlamp", {
      helmProvider: providers.helm!,
      kubernetesProvider: providers.kubernetes!,
      chartVersion: HEADLAMP_CHART,
    });
  }
}
