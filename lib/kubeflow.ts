/** Names shared by the kubeflow stack, its kustomize overlay and the dns stack. */

/** The ALB's IngressGroup; the controller tags the ALB `ingress.k8s.aws/stack=<group>`, which the dns stack looks up. */
export const INGRESS_GROUP_NAME = "kubeflow";
/** The Ingress in front of the Istio ingress gateway. */
export const INGRESS_NAMESPACE = "istio-system";
export const INGRESS_NAME = "kubeflow";

/**
 * Tags the AWS Load Balancer Controller puts on what it creates (v3.5.0 pkg/deploy/tracking/provider.go):
 * every resource carries the cluster's name, an Ingress's resources the IngressGroup.
 */
export const LBC_CLUSTER_TAG = "elbv2.k8s.aws/cluster";
export const LBC_INGRESS_STACK_TAG = "ingress.k8s.aws/stack";
