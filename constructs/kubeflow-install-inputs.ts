import { ConfigMapV1 } from "@cdktf/provider-kubernetes/lib/config-map-v1";
import { SecretV1 } from "@cdktf/provider-kubernetes/lib/secret-v1";
import { Password } from "@cdktf/provider-random/lib/password";
import { RandomProvider } from "@cdktf/provider-random/lib/provider";
import type { TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import {
  CREDENTIAL_KEYS,
  CREDENTIALS_SECRET,
  INSTALL_PARAMS_CONFIGMAP,
  OIDC_CLIENT_SECRET,
  paramsToConfigMapData,
  type KubeflowCredentials,
  type KubeflowInstallParams,
} from "../lib/kubeflow-overlay";

export interface KubeflowInstallInputsProps {
  readonly provider: TerraformProvider;
  readonly params: KubeflowInstallParams;
  /** The Cognito app client's id and secret (secret: sensitive in state, never in a file). */
  readonly clientId: string;
  readonly clientSecret: string;
}

const LABELS = { "app.kubernetes.io/managed-by": "terraform", "app.kubernetes.io/part-of": "kubeflow" };

/** Length of each generated credential; letters and digits only, so no consumer has to quote it. */
const CREDENTIAL_LENGTH: Readonly<Record<keyof KubeflowCredentials, number>> = {
  kfpMysqlPassword: 32,
  katibMysqlPassword: 32,
  artifactStoreAccessKey: 20,
  artifactStoreSecretKey: 40,
};

/**
 * What `npm run kubeflow -- install` reads from the cluster, all in kube-system: the overlay's
 * parameters as a ConfigMap, the OIDC client's credentials as a Secret, and this install's own
 * credentials for KFP's and Katib's databases and the artifact store as a Secret. Those are random,
 * made once (`random_password`, sensitive in state), so a re-install keeps them; upstream's
 * published defaults are never installed. The install step needs no access to Terraform state, and
 * no secret passes through a file.
 */
export class KubeflowInstallInputs extends Construct {
  readonly credentials: KubeflowCredentials;

  constructor(scope: Construct, id: string, props: KubeflowInstallInputsProps) {
    super(scope, id);
    new ConfigMapV1(this, "params", {
      provider: props.provider,
      metadata: { ...INSTALL_PARAMS_CONFIGMAP, labels: LABELS },
      data: paramsToConfigMapData(props.params),
    });
    new SecretV1(this, "oidc-client", {
      provider: props.provider,
      metadata: { ...OIDC_CLIENT_SECRET, labels: LABELS },
      type: "Opaque",
      data: { "client-id": props.clientId, "client-secret": props.clientSecret },
    });
    const random = new RandomProvider(this, "random");
    const generated = Object.fromEntries(
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
    ) as Record<keyof KubeflowCredentials, string>;
    this.credentials = generated;
    new SecretV1(this, "credentials", {
      provider: props.provider,
      metadata: { ...CREDENTIALS_SECRET, labels: LABELS },
      type: "Opaque",
      data: Object.fromEntries(
        (Object.keys(CREDENTIAL_KEYS) as (keyof KubeflowCredentials)[]).map((name) => [
          CREDENTIAL_KEYS[name],
          generated[name],
        ]),
      ),
    });
  }
}
