/** Runs the rules over a synthesized stack and reports each rule's findings. */
import { TerraformDataSource, TerraformResource, type TerraformStack } from "cdktf";
import type { IConstruct } from "constructs";
import { codeExceptionFor, configExceptionFor, type ConfigException } from "./exceptions";
import type { AppPolicyRule, PolicyRule, ResourceView, RuleInfo, StackView } from "./rule";

export interface Finding {
  readonly rule: RuleInfo;
  readonly address: string;
  readonly construct?: IConstruct;
  readonly status: "fail" | "excepted";
  readonly message: string;
  /** For exceptions: why the rule does not apply. */
  readonly reason?: string;
}

export interface RuleReport {
  readonly rule: RuleInfo;
  /** Resources the rule inspected. */
  readonly checked: number;
  readonly findings: readonly Finding[];
}

/** The stack as rules see it: every resource, data source, and the `terraform` settings block. */
export function stackView(stack: TerraformStack, rendered: unknown = stack.toTerraform()): StackView {
  const json = rendered as {
    terraform?: Record<string, unknown>;
    resource?: Record<string, Record<string, Record<string, unknown>>>;
    data?: Record<string, Record<string, Record<string, unknown>>>;
  };
  const constructs = new Map<string, IConstruct>();
  for (const node of stack.node.findAll()) {
    if (node instanceof TerraformResource)
      constructs.set(`${node.terraformResourceType}.${node.friendlyUniqueId}`, node);
    else if (node instanceof TerraformDataSource)
      constructs.set(`data.${node.terraformResourceType}.${node.friendlyUniqueId}`, node);
  }
  const id = stack.node.id;
  const resources: ResourceView[] = [
    {
      stack: id,
      type: "terraform",
      name: "settings",
      address: `${id}.terraform`,
      config: json.terraform ?? {},
      construct: stack,
    },
  ];
  const add = (prefix: string, blocks: Record<string, Record<string, Record<string, unknown>>> | undefined) => {
    for (const [type, byName] of Object.entries(blocks ?? {})) {
      for (const [name, config] of Object.entries(byName)) {
        const fullType = `${prefix}${type}`;
        resources.push({
          stack: id,
          type: fullType,
          name,
          address: `${id}.${fullType}.${name}`,
          config,
          construct: constructs.get(`${fullType}.${name}`),
        });
      }
    }
  };
  add("", json.resource);
  add("data.", json.data);
  return { id, resources };
}

/** Evaluates every rule over one stack (or its view, when the caller has it). */
export function evaluateStack(
  stack: TerraformStack,
  rules: readonly PolicyRule[],
  exceptions: readonly ConfigException[] = [],
  view: StackView = stackView(stack),
): RuleReport[] {
  return rules.map((rule) => {
    const applicable = view.resources.filter((r) => rule.appliesTo.includes(r.type));
    const findings: Finding[] = [];
    for (const resource of applicable) {
      const messages = rule.check(resource, view);
      if (messages.length === 0) continue;
      const reason =
        codeExceptionFor(resource.construct, rule.id) ?? configExceptionFor(exceptions, rule.id, resource.address);
      for (const message of messages) {
        findings.push({
          rule,
          address: resource.address,
          construct: resource.construct,
          status: reason ? "excepted" : "fail",
          message,
          reason,
        });
      }
    }
    return { rule, checked: applicable.length, findings };
  });
}

/**
 * Evaluates rules over the resources of every stack at once. `views` are the stacks as
 * `stackView` gives them (the aspect has them already at synth).
 */
export function evaluateApp(
  views: readonly StackView[],
  rules: readonly AppPolicyRule[],
  exceptions: readonly ConfigException[] = [],
): RuleReport[] {
  return rules.map((rule) => {
    const applicable = views.flatMap((v) => v.resources.filter((r) => rule.appliesTo.includes(r.type)));
    const findings: Finding[] = rule.check(applicable).map((found) => {
      const reason =
        codeExceptionFor(found.construct, rule.id) ?? configExceptionFor(exceptions, rule.id, found.address);
      return {
        rule,
        address: found.address,
        construct: found.construct,
        status: reason ? "excepted" : "fail",
        message: found.message,
        reason,
      };
    });
    return { rule, checked: applicable.length, findings };
  });
}

/** One line per violation: rule, address, what is wrong, how to fix it. */
export function describeFinding(f: Finding): string {
  return f.status === "fail"
    ? `[${f.rule.id}] ${f.address}: ${f.message}. Fix: ${f.rule.fix}`
    : `[${f.rule.id}] exception for ${f.address} (${f.message}): ${f.reason}`;
}
