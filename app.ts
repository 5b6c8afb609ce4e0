import type { App } from "cdktf";
import type { Config } from "./config/schema";
import { BootstrapStack } from "./stacks/bootstrap-stack";
import { EksStack } from "./stacks/eks-stack";

export interface Stages {
  readonly bootstrap: BootstrapStack;
  readonly eks: EksStack;
}

/** Creates every stack in stage order. Stack ids are fixed: they name state keys and output folders. */
export function buildStages(app: App, config: Config): Stages {
  const bootstrap = new BootstrapStack(app, "bootstrap", { config });
  const eks = new EksStack(app, "eks", { config });
  return { bootstrap, eks };
}
