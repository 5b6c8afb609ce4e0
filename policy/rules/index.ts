/** Every rule of the policy pack, in report order. */
import type { AppPolicyRule, PolicyRule } from "../rule";
import { cognitoMfa } from "./cognito-mfa";
import { cognitoNoSelfSignup } from "./cognito-no-self-signup";
import { cognitoPasswordPolicy } from "./cognito-password-policy";
import { cognitoThreatProtection } from "./cognito-threat-protection";
import { defaultStorageClass } from "./default-storage-class";
import { eksAccessEntries } from "./eks-access-entries";
import { eksControlPlaneLogging } from "./eks-control-plane-logging";
import { eksNodeGroupLaunchTemplate } from "./eks-node-group-launch-template";
import { eksNodeGroupNoSsh } from "./eks-node-group-no-ssh";
import { eksPrivateEndpoint } from "./eks-private-endpoint";
import { eksPublicEndpoint } from "./eks-public-endpoint";
import { eksSecretsEncryption } from "./eks-secrets-encryption";
import { fsxEncryption } from "./fsx-encryption";
import { helmPinnedAtomic } from "./helm-pinned-atomic";
import { iamNoAdmin } from "./iam-no-admin";
import { iamNoWildcardAction } from "./iam-no-wildcard-action";
import { iamPrivilegeEscalation } from "./iam-privilege-escalation";
import { iamScopedTrust } from "./iam-scoped-trust";
import { iamScopedWrites } from "./iam-scoped-writes";
import { k8sNoHostNamespaces } from "./k8s-no-host-namespaces";
import { k8sNoHostPath } from "./k8s-no-host-path";
import { k8sNoPrivileged } from "./k8s-no-privileged";
import { karpenterNodeClass } from "./karpenter-node-class";
import { kmsRotation } from "./kms-rotation";
import { launchTemplateEncryptedVolumes } from "./launch-template-encrypted-volumes";
import { launchTemplateHopLimit } from "./launch-template-hop-limit";
import { launchTemplateImdsv2 } from "./launch-template-imdsv2";
import { logRetention } from "./log-retention";
import { noOpenIngress } from "./no-open-ingress";
import { s3Encryption } from "./s3-encryption";
import { s3NoAcls } from "./s3-no-acls";
import { s3PublicAccessBlock } from "./s3-public-access-block";
import { s3TlsOnly } from "./s3-tls-only";
import { s3Versioning } from "./s3-versioning";
import { safeDestroy } from "./safe-destroy";
import { stateBackend } from "./state-backend";
import { subnetNoPublicIp } from "./subnet-no-public-ip";
import { systemCapacity } from "./system-capacity";
import { vpcDefaultSecurityGroupClosed } from "./vpc-default-security-group-closed";
import { vpcFlowLogs } from "./vpc-flow-logs";

export const ALL_RULES: readonly PolicyRule[] = [
  eksPublicEndpoint,
  eksPrivateEndpoint,
  eksSecretsEncryption,
  eksControlPlaneLogging,
  eksAccessEntries,
  eksNodeGroupNoSsh,
  eksNodeGroupLaunchTemplate,
  launchTemplateImdsv2,
  launchTemplateHopLimit,
  launchTemplateEncryptedVolumes,
  karpenterNodeClass,
  iamNoAdmin,
  iamNoWildcardAction,
  iamScopedWrites,
  iamPrivilegeEscalation,
  iamScopedTrust,
  s3PublicAccessBlock,
  s3Encryption,
  s3Versioning,
  s3TlsOnly,
  s3NoAcls,
  kmsRotation,
  fsxEncryption,
  cognitoPasswordPolicy,
  cognitoMfa,
  cognitoNoSelfSignup,
  cognitoThreatProtection,
  noOpenIngress,
  vpcFlowLogs,
  vpcDefaultSecurityGroupClosed,
  subnetNoPublicIp,
  logRetention,
  k8sNoPrivileged,
  k8sNoHostPath,
  k8sNoHostNamespaces,
  helmPinnedAtomic,
  stateBackend,
  safeDestroy,
];

/** Rules over every stack together (see AppPolicyRule). */
export const APP_RULES: readonly AppPolicyRule[] = [defaultStorageClass, systemCapacity];
