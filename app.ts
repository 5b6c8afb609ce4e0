import { TerraformStack, type App } from "cdktf";
import { AppPolicyValidation, policyExceptions } from "./policy/aspect";
import type { Config } from "./config/schema";
import { AddonsStack } from "./stacks/addons-stack";
import { AuthStack } from "./stacks/auth-stack";
import { BootstrapStack } from "./stacks/bootstrap-stack";
import { DashboardStack } from "./stacks/dashboard-stack";
import { BaseStack } from "./stacks/base-stack";
import { DnsStack } from "./stacks/dns-stack";
import { EksKeptStack } from "./stacks/eks-kept-stack";
import { FsxKeptStack } from "./stacks/fsx-kept-stack";
import { FsxParkedStack } from "./stacks/fsx-parked-stack";
import { EksStack } from "./stacks/eks-stack";
import { FsxStack } from "./stacks/fsx-stack";
import { KubeflowKeptStack } from "./stacks/kubeflow-kept-stack";
import { KubeflowStack } from "./stacks/kubeflow-stack";

export interface Stages {
  readonly bootstrap: BootstrapStack;
  readonly eks: EksStack;
  readonly addons: AddonsStack;
  readonly auth: AuthStack;
  /** KubeflowStack, or in a delete-data teardown KubeflowKeptStack (see buildTeardownStages). */
  readonly kubeflow: KubeflowStack | KubeflowKeptStack;
  /** DnsStack, or in a delete-data teardown an empty stack (see buildTeardownStages). */
  readonly dns: DnsStack | BaseStack;
  readonly dashboard: DashboardStack;
  /** FsxStack, or in a delete-data teardown FsxKeptStack (see buildTeardownStages). */
  readonly fsx: FsxStack | FsxKeptStack;
}

/**
 * Creates every stack in stage order. Stack ids are fixed: they name state keys and output folders.
 * `configFile` is how messages that Terraform prints at plan time name the config file.
 */
export function buildStages(app: App, config: Config, configFile?: string): Stages {
  const stages = buildStageStacks(app, config, configFile);
  // Rules about the cluster as a whole (a default StorageClass), over every stack at synth.
  app.node.addValidation(
    new AppPolicyValidation(() => app.node.children.filter(TerraformStack.isStack), policyExceptions(config)),
  );
  return stages;
}

/**
 * How `npm run destroy` tears down (lib/stages.ts runs it; main.ts picks it from KF_TEARDOWN):
 * - `keep-data`: eks, kubeflow and fsx as the stacks of what they keep (network and keys; the
 *   generated credentials; bucket and file system), dns empty. Deploying one of them deletes the rest
 *   of its stage and never plans a kept resource for deletion, so prevent_destroy cannot abort
 *   anything, and kubeflow's passwords are there for the next deploy. The other stages are destroyed
 *   from the normal synth; bootstrap and auth are left alone.
 * - `delete-data`: every stage as deployed, with prevent_destroy and the user pool's deletion
 *   protection off and the buckets' force_destroy on, and dns empty; kubeflow and fsx are their kept
 *   stacks, which `cdktf destroy` empties all the same. A destroy plan of a stage with anything in
 *   state first plans the whole configuration (terraform v1.11.4, internal/terraform/context_plan.go:488-515),
 *   and after a keep-data teardown the full stacks' references to the eks stage's outputs (the
 *   cluster, its security group, the VPC's range) no longer resolve: the kept eks stack has only the
 *   VPC's and the subnets' ids, which is all the kept stacks read.
 * An empty dns stack is its teardown in both modes: applying it deletes the record without looking
 * the load balancer up, which may already be gone.
 */
export type TeardownMode = "keep-data" | "delete-data";

/**
 * The fsx stage parked (npm run fsx -- park; main.ts picks it from KF_FSX=parked): FsxParkedStack,
 * with the eks stack it reads the VPC and subnets from. Only fsx is deployed from this synthesis
 * (cdktf.out.fsx-parked/); eks is there for its outputs, which its kept stack has as well, so the
 * parked stage plans the same before and after a teardown that keeps the data.
 */
export function buildParkedFsxStages(app: App, config: Config, configFile?: string): FsxParkedStack {
  const eks = new EksStack(app, "eks", { config, configFile });
  return new FsxParkedStack(app, "fsx", {
    config,
    configFile,
    vpcId: eks.outputs.vpcId,
    privateSubnetIds: eks.outputs.privateSubnetIds,
  });
}

export function buildTeardownStages(app: App, config: Config, mode: TeardownMode, configFile?: string): void {
  if (mode === "keep-data") {
    const eks = new EksKeptStack(app, "eks", { config, configFile });
    new KubeflowKeptStack(app, "kubeflow", { config, configFile });
    new FsxKeptStack(app, "fsx", {
      config,
      vpcId: eks.network.vpc.id,
      privateSubnetIds: eks.network.privateSubnets.map((s) => s.id),
    });
    new BaseStack(app, "dns", { config });
    return;
  }
  const unguarded: Config = { ...config, protection: { ...config.protection, preventDestroy: false } };
  buildStageStacks(app, unguarded, configFile, {
    forceDestroyBuckets: true,
    emptyDns: true,
    keptKubeflow: true,
    keptFsx: true,
  });
}

function buildStageStacks(
  app: App,
  config: Config,
  configFile?: string,
  teardown: {
    readonly forceDestroyBuckets?: boolean;
    readonly emptyDns?: boolean;
    readonly keptKubeflow?: boolean;
    readonly keptFsx?: boolean;
  } = {},
): Stages {
  const bootstrap = new BootstrapStack(app, "bootstrap", {
    config,
    forceDestroyBucket: teardown.forceDestroyBuckets,
  });
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
  const kubeflow = teardown.keptKubeflow
    ? new KubeflowKeptStack(app, "kubeflow", { config, configFile })
    : new KubeflowStack(app, "kubeflow", { config, cluster: eks.outputs, auth: auth.outputs });
  // The load balancer controller runs on the system nodes, which the autoscaler also manages.
  kubeflow.addDependency(addons);
  const dns = teardown.emptyDns
    ? new BaseStack(app, "dns", { config })
    : new DnsStack(app, "dns", { config, clusterName: eks.outputs.clusterName });
  dns.addDependency(kubeflow);
  const dashboard = new DashboardStack(app, "dashboard", { config, cluster: eks.outputs });
  // The claim lives in the team's profile namespace, which exists once Kubeflow is installed.
  const fsx = teardown.keptFsx
    ? new FsxKeptStack(app, "fsx", {
        config,
        vpcId: eks.outputs.vpcId,
        privateSubnetIds: eks.outputs.privateSubnetIds,
        forceDestroyBucket: teardown.forceDestroyBuckets,
      })
    : new FsxStack(app, "fsx", {
        config,
        configFile,
        cluster: eks.outputs,
        forceDestroyBucket: teardown.forceDestroyBuckets,
      });
  fsx.addDependency(kubeflow);
  return { bootstrap, eks, addons, auth, kubeflow, dns, dashboard, fsx };
}
