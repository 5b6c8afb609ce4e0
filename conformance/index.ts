/**
 * The conformance checks: everything this project emits, checked against the upstream artifacts
 * it targets, as vendored in upstream/ (see each module). Offline; `npm run conformance` prints
 * the findings, and __tests__/conformance.test.ts runs the same checks in `npm test`.
 */
import type { Config } from "../config/schema";
import { REPO_ROOT } from "../lib/provenance";
import { synthesizeVariants, type StackJson } from "./app";
import { checkAutoscalerFlags } from "./autoscaler-flags";
import type { Finding } from "./findings";
import { checkHelmValues } from "./helm-values";
import { checkStackImages } from "./images";
import { checkControllerPolicies, checkIamActions } from "./iam";
import { checkKubernetesObjects } from "./kubernetes-schema";
import { checkManagedPolicies } from "./managed-policies";
import { checkProvenance } from "./provenance";
import { checkProviderFacts } from "./provider-facts";
import { checkVendoredFiles } from "./vendored";

export type { Finding } from "./findings";

export interface ConformanceResult {
  readonly findings: Finding[];
  /** Milliseconds per check. */
  readonly timings: Record<string, number>;
}

export async function runChecks(stacks: readonly StackJson[], root: string = REPO_ROOT): Promise<ConformanceResult> {
  const timings: Record<string, number> = {};
  const findings: Finding[] = [];
  const timed = async (name: string, check: () => Finding[] | Promise<Finding[]>) => {
    const start = Date.now();
    findings.push(...(await check()));
    timings[name] = Date.now() - start;
  };
  await timed("vendored files", () => checkVendoredFiles(root));
  await timed("provenance", () => checkProvenance(root));
  await timed("helm values", () => checkHelmValues(stacks, root));
  await timed("kubernetes schema", () => checkKubernetesObjects(stacks, root));
  await timed("iam actions", () => checkIamActions(stacks));
  await timed("controller policies", () => checkControllerPolicies(stacks, root));
  await timed("managed policies", () => checkManagedPolicies(stacks));
  await timed("provider facts", () => checkProviderFacts(root));
  await timed("autoscaler flags", () => checkAutoscalerFlags(stacks, root));
  await timed("images", () => checkStackImages(stacks, root));
  return { findings, timings };
}

export async function runConformance(config: Config, root: string = REPO_ROOT): Promise<ConformanceResult> {
  const start = Date.now();
  const stacks = synthesizeVariants(config);
  const synthMs = Date.now() - start;
  const result = await runChecks(stacks, root);
  return { findings: result.findings, timings: { synth: synthMs, ...result.timings } };
}
