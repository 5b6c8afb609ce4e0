/**
 * Terraform `removed` blocks: a resource that leaves the configuration is forgotten (dropped from
 * state, the real object left alone) instead of destroyed. For resources that hand what they
 * managed over to someone else, such as ASG tags EKS also writes.
 */
import { TerraformStack } from "cdktf";
import type { IConstruct } from "constructs";

const removedByStack = new WeakMap<TerraformStack, { from: string; lifecycle: { destroy: false } }[]>();

/** Forget `<type>.<logicalId>` in the stack of `scope` (Terraform >= 1.7 / OpenTofu >= 1.7 `removed` block). */
export function forgetResource(scope: IConstruct, type: string, logicalId: string): void {
  const stack = TerraformStack.of(scope);
  const list = removedByStack.get(stack) ?? [];
  const from = `${type}.${logicalId}`;
  if (list.some((r) => r.from === from)) return;
  list.push({ from, lifecycle: { destroy: false } });
  removedByStack.set(stack, list);
  stack.addOverride("removed", [...list]);
}
