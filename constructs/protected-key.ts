import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import type { Construct } from "constructs";

export interface ProtectedKeyProps {
  /** What the key encrypts. */
  readonly description: string;
  /**
   * An alias such as "alias/eks/<cluster>/volumes", created as `<id>-alias`.
   * @default - no alias
   */
  readonly alias?: string;
  /**
   * The key policy (JSON).
   * @default - KMS's default key policy: the account's IAM policies decide
   */
  readonly policy?: string;
  /**
   * Refuse `terraform destroy` of the key.
   * @default true
   */
  readonly preventDestroy?: boolean;
}

/**
 * A customer-managed KMS key that rotates yearly, waits 30 days before deletion and is protected
 * from destroy. A function rather than a construct: the key lands at `<scope>/<id>` and its alias
 * at `<scope>/<id>-alias`, the addresses the keys made before it already have.
 */
export function protectedKey(scope: Construct, id: string, props: ProtectedKeyProps): KmsKey {
  const key = new KmsKey(scope, id, {
    description: props.description,
    enableKeyRotation: true,
    deletionWindowInDays: 30,
    policy: props.policy,
    lifecycle: { preventDestroy: props.preventDestroy ?? true },
  });
  if (props.alias !== undefined) new KmsAlias(scope, `${id}-alias`, { name: props.alias, targetKeyId: key.keyId });
  return key;
}
