import { Annotations, TerraformStack, type IAspect } from "cdktf";
import type { IConstruct, IValidation } from "constructs";
import { describeFinding, evaluateApp, evaluateStack, stackView } from "./engine";
import type { Config } from "../config/schema";
import type { ConfigException } from "./exceptions";
import type { StackView } from "./rule";
import { ALL_RULES, APP_RULES } from "./rules";

/** The view each stack's aspect took at synth, reused by the app rules (same JSON, no second render). */
const viewsAtSynth = new WeakMap<TerraformStack, StackView>();

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
    // A BaseStack keeps the rendering for the synthesizer, which would otherwise render again.
    const rendered =
      "renderedForPolicy" in node ? (node as { renderedForPolicy(): unknown }).renderedForPolicy() : undefined;
    const view = stackView(node, rendered ?? node.toTerraform());
    viewsAtSynth.set(node, view);
    for (const report of evaluateStack(node, ALL_RULES, this.exceptions, view)) {
      for (const finding of report.findings) {
        const target = finding.construct ?? node;
        if (finding.status === "fail") Annotations.of(target).addError(describeFinding(finding));
        else Annotations.of(target).addWarning(`policy ${describeFinding(finding)}`);
      }
    }
  }
}

/**
 * The app rules at `app.synth()`: a validation of the App, which runs after every stack is prepared
 * (aspects included), so each stack's view is already there. A violation fails synth like a stack
 * rule's, naming the rule, the address and the fix.
 */
export class AppPolicyValidation implements IValidation {
  constructor(
    private readonly stacks: () => readonly TerraformStack[],
    private readonly exceptions: readonly ConfigException[] = [],
  ) {}

  validate(): string[] {
    const views = this.stacks().map((s) => viewsAtSynth.get(s) ?? stackView(s));
    return evaluateApp(views, APP_RULES, this.exceptions).flatMap((report) =>
      report.findings.filter((f) => f.status === "fail").map(describeFinding),
    );
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
