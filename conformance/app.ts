/**
 * The synthesized Terraform JSON the checks read: every stack of the app, for the shipped config and
 * for the variants that switch on what the default leaves off (Karpenter instead of
 * cluster-autoscaler; FSx dynamic provisioning, which deploys the FSx CSI controller).
 */
import { TerraformStack, Testing } from "cdktf";
import { buildStages } from "../app";
import type { Config } from "../config/schema";

export interface StackJson {
  /** "<variant>/<stack id>", e.g. "default/addons". */
  readonly name: string;
  readonly json: TerraformJson;
}

export interface TerraformJson {
  readonly resource?: Record<string, Record<string, Record<string, unknown>>>;
  readonly data?: Record<string, Record<string, Record<string, unknown>>>;
}

/** Every stack's JSON (with cdktf's metadata, which names each resource's construct path). */
export function synthesizeStacks(variant: string, config: Config): StackJson[] {
  const app = Testing.app();
  buildStages(app, config);
  const stacks = app.node.children.filter(TerraformStack.isStack);
  for (const s of stacks) s.prepareStack();
  return stacks.map((s) => ({ name: `${variant}/${s.node.id}`, json: s.toTerraform() as TerraformJson }));
}

/** The variants the checks cover. */
export function variantsOf(config: Config): Record<string, Config> {
  return {
    default: config,
    karpenter: { ...config, autoscaler: "karpenter" },
    "fsx-dynamic": { ...config, fsx: { ...config.fsx, dynamicProvisioning: true } },
  };
}

export function synthesizeVariants(config: Config): StackJson[] {
  return Object.entries(variantsOf(config)).flatMap(([variant, c]) => synthesizeStacks(variant, c));
}

/** The construct path cdktf records for a resource, or its logical id. */
export function constructPath(body: Record<string, unknown>, logicalId: string): string {
  const meta = (body["//"] as { metadata?: { path?: string } } | undefined)?.metadata;
  return meta?.path ?? logicalId;
}
