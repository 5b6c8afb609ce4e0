import { Construct } from "constructs";
import type { Network } from "../constructs/network";
import { clusterSecretsKey } from "../constructs/eks-cluster";
import { BaseStack, type BaseStackProps } from "./base-stack";
import { clusterNetwork, clusterVolumeKey } from "./eks-stack";

/**
 * What the eks stage keeps when it is torn down with the data kept (`npm run destroy`): the network,
 * because the FSx file system (kept) lives in one of its subnets, and the stage's KMS keys. Each is
 * built by the same code, at the same construct path, as in EksStack, so deploying this stack in
 * place of the full one deletes everything else and leaves these untouched (a test holds the
 * addresses and configurations equal). prevent_destroy never comes into play: nothing it guards is
 * ever planned for deletion.
 */
export class EksKeptStack extends BaseStack {
  readonly network: Network;

  constructor(scope: Construct, id: string, props: BaseStackProps) {
    super(scope, id, props);
    const config = props.config;
    // No offering check: a teardown never stops over what AWS offers today.
    this.network = clusterNetwork(this, config);
    // The cluster construct's path, so the secrets key keeps its address.
    clusterSecretsKey(new Construct(this, "cluster"), config.cluster.name, config.protection.preventDestroy);
    clusterVolumeKey(this, config);
  }
}
