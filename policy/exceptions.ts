/** Rule exceptions: in code (on a construct, with a reason) or in config (by address, with a reason). */
import type { IConstruct } from "constructs";

export interface CodeException {
  readonly rule: string;
  readonly reason: string;
}

export interface ConfigException {
  readonly rule: string;
  /** "<stack>.<type>.<name>", "*" matching any run of characters. */
  readonly resource: string;
  readonly reason: string;
}

const codeExceptions = new WeakMap<IConstruct, CodeException[]>();

/**
 * Waives `rule` (one of the ids a rule mirrors, e.g. "CKV_K8S_16") for a construct and everything
 * under it. The reason is printed at every synth; an exception without one is refused.
 */
export function allowPolicyException(scope: IConstruct, rule: string, reason: string): void {
  if (reason.trim().length < 20) {
    throw new Error(
      `policy exception for ${rule} on ${scope.node.path} needs a reason of at least 20 characters saying why the rule does not apply`,
    );
  }
  codeExceptions.set(scope, [...(codeExceptions.get(scope) ?? []), { rule, reason: reason.trim() }]);
}

/** True when `ruleId` ("A / B / C") is or mirrors `id`. */
export function ruleMatches(ruleId: string, id: string): boolean {
  return (
    ruleId
      .split("/")
      .map((s) => s.trim())
      .includes(id.trim()) || ruleId === id
  );
}

/** The reason a rule is waived for a construct (or one of its ancestors), if it is. */
export function codeExceptionFor(construct: IConstruct | undefined, ruleId: string): string | undefined {
  for (let c: IConstruct | undefined = construct; c; c = c.node.scope) {
    const found = codeExceptions.get(c)?.find((e) => ruleMatches(ruleId, e.rule));
    if (found) return found.reason;
  }
  return undefined;
}

function globToRegExp(glob: string): RegExp {
  return new RegExp(
    `^${glob
      .split("*")
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*")}$`,
  );
}

/** The reason a rule is waived for an address by config, if it is. */
export function configExceptionFor(
  exceptions: readonly ConfigException[],
  ruleId: string,
  address: string,
): string | undefined {
  return exceptions.find((e) => ruleMatches(ruleId, e.rule) && globToRegExp(e.resource).test(address))?.reason;
}
