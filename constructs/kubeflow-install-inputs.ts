import { ConfigMapV1 } from "@cdktf/provider-kubernetes/lib/config-map-v1";
import { SecretV1 } from "@cdktf/provider-kubernetes/lib/secret-v1";
import type { TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import {
  INSTALL_PARAMS_CONFIGMAP,
  OIDC_CLIENT_SECRET,
  paramsToConfigMapData,
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

/**
 * What `npm run kubeflow -- install` reads from the cluster: the overlay's parameters as a
 * ConfigMap, and the OIDC client's credentials as a Secret, both in kube-system. The install step
 * needs no access to Terraform state, and no secret passes through a file.
 */
export class KubeflowInstallInputs extends Construct {
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
  }
}
