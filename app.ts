import { TerraformStack, type App } from "cdktf";
import { AppPolicyValidation, policyExceptions } from "./policy/aspect";
import type { Config } from "./config/schema";
import { AddonsStack } from "./stacks/addons-stack";
import { AuthStack } from "./stacks/auth-stack";
import { BootstrapStack } from "./stacks/bootstrap-stack";
import { DashboardStack } from "./stacks/dashboard-stack";
import { DnsStack } from "./stacks/dns-stack";
import { EksStack } from "./stacks/eks-stack";
import { FsxStack } from "./stacks/fsx-stack";
import { KubeflowStack } from "./stacks/kubeflow-stack";

export interface Stages {
  readonly bootstrap: BootstrapStack;
  readonly eks: EksStack;
  readonly addons: AddonsStack;
  readonly auth: AuthStack;
  readonly kubeflow: KubeflowStack;
  readonly dns: DnsStack;
  readonly dashboard: DashboardStack;
  readonly fsx: FsxStack;
}

/**
 * Creates every stack in stage order. Stack ids are fixed: they name state keys and output folders.
 * `configFile` is how messages that Terraform prints at plan time name the config file.
 */
export function buildStages(app: App, config: Config, configFile?: string): Stages {
  const bootstrap = new BootstrapStack(app, "bootstrap", { config });
  const eks = new EksStack(app, "eks", { config, configFile });
  const addons = new AddonsStack(app, "addons", {
    config,
    cluster: eks.outputs,
    gpuSizes: eks.gpuSizes.map(({ name, gpusPerNode, spotNodeGroupPrefix, onDemandNodeGroupPrefix }) => ({
      name,
      gpusPerNode,
      spotNodeGroupPrefix,
      onDemandNodeGroupPrefix,
    })),
    cpuNodeGroupNames: [eks.systemNodeGroupName],
    karpenterNodeRole: eks.karpenterNodes && {
      arn: eks.karpenterNodes.role.role.arn,
      name: eks.karpenterNodes.role.role.name,
    },
  });
  const auth = new AuthStack(app, "auth", { config });
  const kubeflow = new KubeflowStack(app, "kubeflow", { config, cluster: eks.outputs, auth: auth.outputs });
  // The load balancer controller runs on the system nodes, which the autoscaler also manages.
  kubeflow.addDependency(addons);
  const dns = new DnsStack(app, "dns", { config, clusterName: eks.outputs.clusterName });
  dns.addDependency(kubeflow);
  const dashboard = new DashboardStack(app, "dashboard", { config, cluster: eks.outputs });
  // The claim lives in the team's profile namespace, which exists once Kubeflow is installed.
  const fsx = new FsxStack(app, "fsx", { config, cluster: eks.outputs });
  fsx.addDependency(kubeflow);
  // Rules about the cluster as a whole (a default StorageClass), over every stack at synth.
  app.node.addValidation(
    new AppPolicyValidation(() => app.node.children.filter(TerraformStack.isStack), policyExceptions(config)),
  );
  return { bootstrap, eks, addons, auth, kubeflow, dns, dashboard, fsx };
}
