import { Password } from "@cdktf/provider-random/lib/password";
import { RandomProvider } from "@cdktf/provider-random/lib/provider";
import { Construct } from "constructs";
import { CREDENTIAL_KEYS, type KubeflowCredentials } from "../lib/kubeflow-overlay";

/** Length of each generated credential; letters and digits only, so no consumer has to quote it. */
const CREDENTIAL_LENGTH: Readonly<Record<keyof KubeflowCredentials, number>> = {
  kfpMysqlPassword: 32,
  katibMysqlPassword: 32,
  artifactStoreAccessKey: 20,
  artifactStoreSecretKey: 40,
};

/**
 * The id the credentials are made at, at the root of the kubeflow stack (as KubeflowInstallInputs
 * there, alone in the keep-data teardown's stack). Part of their Terraform addresses: never change it.
 */
export const CREDENTIALS_CONSTRUCT_ID = "install-inputs";

/**
 * This install's own credentials: the root passwords of KFP's and Katib's MySQL and the artifact
 * store's access and secret key, each a `random_password` made once and kept in state (sensitive),
 * so a re-install keeps them; upstream's published defaults are never installed.
 *
 * Their Terraform addresses are `random_password.install-inputs_<key>_<hash of the path>`, as they
 * have been since the passwords were introduced. KubeflowInstallInputs extends this construct, and
 * the stack a teardown that keeps the data deploys in its place (KubeflowKeptStack) builds it alone,
 * both at CREDENTIALS_CONSTRUCT_ID: the same resources at the same addresses, so the passwords the
 * teardown keeps are the ones the next deploy finds, with no state migration.
 *
 * A random_password exists only in Terraform state: the random provider makes the value locally and
 * its Read and Delete do nothing (terraform-provider-random v3.7.2,
 * internal/provider/resource_password.go:52-112), so keeping one costs nothing.
 */
export class KubeflowGeneratedCredentials extends Construct {
  /** The generated values, as references to the passwords' results. */
  readonly credentials: KubeflowCredentials;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const random = new RandomProvider(this, "random");
    this.credentials = Object.fromEntries(
      (Object.keys(CREDENTIAL_KEYS) as (keyof KubeflowCredentials)[]).map((name) => [
        name,
        new Password(this, CREDENTIAL_KEYS[name], {
          provider: random,
          length: CREDENTIAL_LENGTH[name],
          special: false,
          minLower: 1,
          minUpper: 1,
          minNumeric: 1,
        }).result,
      ]),
    ) as unknown as KubeflowCredentials;
  }
}
