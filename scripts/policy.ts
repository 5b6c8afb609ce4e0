/**
 * npm run policy: evaluates the policy pack over every stack of the configured app (KF_CONFIG or
 * config/default.yaml), prints each rule with its result, and ends with "N passed, M failed".
 * Exits non-zero when a rule fails.
 */
import { App, TerraformStack } from "cdktf";
import { buildStages } from "../app";
import { ConfigError, configPathFromEnv, loadConfig } from "../config/load";
import type { Config } from "../config/schema";
import { policyExceptions } from "../policy/aspect";
import { describeFinding, evaluateApp, evaluateStack, stackView, type Finding } from "../policy/engine";
import type { RuleInfo } from "../policy/rule";
import { ALL_RULES, APP_RULES } from "../policy/rules";

export interface PolicyResult {
  readonly lines: string[];
  readonly passed: number;
  readonly failed: number;
}

/** Evaluates every rule over every stack built from `config`. */
export function runPolicy(config: Config): PolicyResult {
  const app = new App({ skipValidation: true });
  buildStages(app, config);
  const stacks = app.node.children.filter(TerraformStack.isStack);
  for (const stack of stacks) stack.prepareStack();
  const rules: RuleInfo[] = [...ALL_RULES, ...APP_RULES];
  const byRule = new Map(rules.map((rule) => [rule, { checked: 0, findings: [] as Finding[] }]));
  const exceptions = policyExceptions(config);
  const views = stacks.map((stack) => stackView(stack));
  const reports = [
    ...stacks.flatMap((stack, i) => evaluateStack(stack, ALL_RULES, exceptions, views[i])),
    ...evaluateApp(views, APP_RULES, exceptions),
  ];
  for (const report of reports) {
    const entry = byRule.get(report.rule)!;
    entry.checked += report.checked;
    entry.findings.push(...report.findings);
  }
  const lines: string[] = [];
  let passed = 0;
  let failed = 0;
  for (const [rule, { checked, findings }] of byRule) {
    const failures = findings.filter((f) => f.status === "fail");
    const exceptions = findings.filter((f) => f.status === "excepted");
    const ok = failures.length === 0;
    if (ok) passed++;
    else failed++;
    const scope =
      checked === 0
        ? "nothing to check"
        : `${checked} checked${exceptions.length > 0 ? `, ${exceptions.length} excepted` : ""}`;
    lines.push(`${ok ? "PASS" : "FAIL"}  ${rule.id}: ${rule.title} (${scope})`);
    for (const f of [...failures, ...exceptions]) lines.push(`        ${describeFinding(f)}`);
  }
  lines.push(`${passed} passed, ${failed} failed`);
  return { lines, passed, failed };
}

if (require.main === module) {
  try {
    const result = runPolicy(loadConfig(configPathFromEnv()));
    process.stdout.write(`${result.lines.join("\n")}\n`);
    process.exit(result.failed > 0 ? 1 : 0);
  } catch (err) {
    process.stderr.write(`${err instanceof ConfigError ? err.message : String(err)}\n`);
    process.exit(1);
  }
}
