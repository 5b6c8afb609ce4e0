import type { PolicyRule } from "../rule";

/** CKV_AWS_58 / AVD-AWS-0039: Kubernetes secrets envelope-encrypted with a KMS key. */
export const eksSecretsEncryption: PolicyRule = {
  id: "CKV_AWS_58 / AVD-AWS-0039",
  title: "EKS secrets envelope-encrypted with KMS",
  fix: 'add encryption_config { resources = ["secrets"], provider.key_arn = <KMS key> }',
  appliesTo: ["aws_eks_cluster"],
  check: ({ config }) => {
    const enc = config.encryption_config as { resources?: string[]; provider?: { key_arn?: string } } | undefined;
    return enc?.resources?.includes("secrets") && enc.provider?.key_arn ? [] : ["no encryption_config for secrets"];
  },
};
