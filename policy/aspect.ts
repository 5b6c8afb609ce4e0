import { Annotations, TerraformStack, type IAspect } from "cdktf";
import type { IConstruct } from "constructs";
import { describeFinding, evaluateStack } from "./engine";
import type { Config } from "../config/schema";
import type { ConfigException } from "./exceptions";
import { ALL_RULES } from "./rules";

/**
 * Applies the policy pack to the stack it is attached to at synth: a violation becomes an error
 * annotation (synth fails, naming the rule, the resource and the fix); an exception is printed
 * as a warning with its reason. (Aspects on the App never run in cdktf 0.21, so every stack
 * attaches its own, see BaseStack.)
 */
export class PolicyAspect implements IAspect {
  /** The aspect for a config: its recorded exceptions, plus KF_SAFE_DESTROY when protection is deliberately off. */
  static fromConfig(config: Config): PolicyAspect {
    return new PolicyAspect(policyExceptions(config));
  }

  constructor(private readonly exceptions: readonly ConfigException[] = []) {}

  visit(node: IConstruct): void {
    if (!TerraformStack.isStack(node)) return;
    for (const report of evaluateStack(node, ALL_RULES, this.exceptions)) {
      for (const finding of report.findings) {
        const target = finding.construct ?? node;
        if (finding.status === "fail") Annotations.of(target).addError(describeFinding(finding));
        else Annotations.of(target).addWarning(`policy ${describeFinding(finding)}`);
      }
    }
  }
}

/** The exceptions a config grants: those it lists, and the safe-destroy rule when protection.preventDestroy is false. */
export function policyExceptions(config: Config): ConfigException[] {
  const exceptions: ConfigException[] = [...config.policy.exceptions];
  if (!config.protection.preventDestroy) {
    exceptions.push({
      rule: "KF_SAFE_DESTROY",
      resource: "*",
      reason: "protection.preventDestroy is false in the config: removing stateful resources was chosen deliberately",
    });
  }
  return exceptions;
}
