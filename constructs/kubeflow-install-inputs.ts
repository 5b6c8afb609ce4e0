import { ConfigMapV1 } from "@cdktf/provider-kubernetes/lib/config-map-v1";
import { SecretV1 } from "@cdktf/provider-kubernetes/lib/secret-v1";
import type { TerraformProvider } from "cdktf";
import type { Construct } from "constructs";
import {
  CREDENTIAL_KEYS,
  CREDENTIALS_SECRET,
  INSTALL_PARAMS_CONFIGMAP,
  OIDC_CLIENT_SECRET,
  paramsToConfigMapData,
  type KubeflowCredentials,
  type KubeflowInstallParams,
} from "../lib/kubeflow-overlay";
import { KubeflowGeneratedCredentials } from "./kubeflow-credentials";

export interface KubeflowInstallInputsProps {
  readonly provider: TerraformProvider;
  readonly params: KubeflowInstallParams;
  /** The Cognito app client's id and secret (secret: sensitive in state, never in a file). */
  readonly clientId: string;
  readonly clientSecret: string;
}

const LABELS = { "app.kubernetes.io/managed-by": "terraform", "app.kubernetes.io/part-of": "kubeflow" };

/**
 * What `npm run kubeflow -- install` reads from the cluster, all in kube-system: the overlay's
 * parameters as a ConfigMap, the OIDC client's credentials as a Secret, and this install's own
 * credentials for KFP's and Katib's databases and the artifact store as a Secret. The install step
 * needs no access to Terraform state, and no secret passes through a file.
 *
 * The credentials themselves are the base class's (KubeflowGeneratedCredentials), made at this
 * construct's own path: a teardown that keeps the data deploys them alone, at the same addresses.
 */
export class KubeflowInstallInputs extends KubeflowGeneratedCredentials {
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
    new SecretV1(this, "credentials", {
      provider: props.provider,
      metadata: { ...CREDENTIALS_SECRET, labels: LABELS },
      type: "Opaque",
      data: Object.fromEntries(
        (Object.keys(CREDENTIAL_KEYS) as (keyof KubeflowCredentials)[]).map((name) => [
          CREDENTIAL_KEYS[name],
          this.credentials[name],
        ]),
      ),
    });
  }
}
