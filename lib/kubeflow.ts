/** Names shared by the kubeflow stack, its kustomize overlay and the dns stack. */

/** The ALB's IngressGroup; the controller tags the ALB `ingress.k8s.aws/stack=<group>`, which the dns stack looks up. */
export const INGRESS_GROUP_NAME = "kubeflow";
/** The Ingress in front of the Istio ingress gateway. */
export const INGRESS_NAMESPACE = "istio-system";
export const INGRESS_NAME = "kubeflow";
