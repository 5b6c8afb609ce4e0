/** Shared test helpers: build the app from a config and query the synthesized Terraform JSON. */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { App, TerraformStack, Testing } from "cdktf";
import { buildStages, type Stages } from "../app";
import { parseConfig } from "../config/load";
import type { Config } from "../config/schema";

export const REPO_ROOT = path.join(__dirname, "..");
export const DEFAULT_CONFIG_TEXT = readFileSync(path.join(REPO_ROOT, "config", "default.yaml"), "utf8");

/** The shipped default config, optionally edited by a text replacement. */
export function defaultConfig(edit?: (text: string) => string): Config {
  return parseConfig(edit ? edit(DEFAULT_CONFIG_TEXT) : DEFAULT_CONFIG_TEXT, "default.yaml");
}

/** The default config as an object to adjust, for tests that need a variation. */
export function configWith(change: (config: Config) => Config): Config {
  return change(defaultConfig());
}

export interface SynthJson {
  terraform: Record<string, unknown> & { backend?: Record<string, Record<string, unknown>> };
  resource?: Record<string, Record<string, Record<string, unknown>>>;
  data?: Record<string, Record<string, Record<string, unknown>>>;
  locals?: Record<string, unknown>;
  output?: Record<string, Record<string, unknown>>;
  provider?: Record<string, Record<string, unknown>[]>;
}

/** Drops cdktf's "//" metadata blocks, as Testing.synth does. */
function withoutMetadata(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutMetadata);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => key !== "//")
      .map(([key, v]) => [key, withoutMetadata(v)]),
  );
}

/**
 * One stack's Terraform JSON. Every stack of the app is prepared first, as `app.synth()` does,
 * so cross-stack references have produced their outputs and remote-state blocks. Unlike
 * Testing.synth it skips the aspects: the policy pack only annotates, and has tests of its own.
 */
export function synth(stack: TerraformStack): SynthJson {
  // Once per app: preparing resolves every element of every stack, as much work as rendering them.
  const app = App.of(stack);
  if (!prepared.has(app)) {
    for (const s of app.node.children) if (TerraformStack.isStack(s)) s.prepareStack();
    prepared.add(app);
  }
  return withoutMetadata(stack.toTerraform()) as SynthJson;
}
const prepared = new WeakSet<App>();

const stageCache = new Map<Config, { stages: Stages; json: Map<TerraformStack, SynthJson> }>();

/** Builds every stage from a config once per test file and memoizes each stack's JSON. */
export function buildApp(
  config: Config = defaultConfig(),
  configFile?: string,
): {
  stages: Stages;
  json: (stack: TerraformStack) => SynthJson;
} {
  let entry = stageCache.get(config);
  if (!entry) {
    entry = { stages: buildStages(Testing.app(), config, configFile), json: new Map() };
    stageCache.set(config, entry);
  }
  const cached = entry;
  return {
    stages: cached.stages,
    json: (stack) => {
      let j = cached.json.get(stack);
      if (!j) {
        j = synth(stack);
        cached.json.set(stack, j);
      }
      return j;
    },
  };
}

/** Every resource of a type as [logical id, body]. */
export function resources(json: SynthJson, type: string): [string, Record<string, unknown>][] {
  return Object.entries(json.resource?.[type] ?? {});
}

export function dataSources(json: SynthJson, type: string): [string, Record<string, unknown>][] {
  return Object.entries(json.data?.[type] ?? {});
}

/** The single resource of a type whose logical id contains `idPart`. */
export function resource(json: SynthJson, type: string, idPart: string): Record<string, unknown> {
  const found = resources(json, type).filter(([id]) => id.includes(idPart));
  if (found.length !== 1)
    throw new Error(`expected one ${type} matching "${idPart}", found ${found.map(([id]) => id).join(", ") || "none"}`);
  return found[0][1];
}

/** "${aws_x.y.z}" -> "aws_x.y" (or "data.aws_x.y"): the address a reference points at. */
export function referencedAddress(expression: unknown): string {
  const match = /^\$\{((?:data\.)?[a-z0-9_]+\.[^.}[]+)/.exec(String(expression));
  if (!match) throw new Error(`not a reference: ${String(expression)}`);
  return match[1];
}

/** The parts of a MIME multi-part document: each part's Content-Type and body. */
export function mimeParts(text: string): { contentType: string; body: string }[] {
  const boundary = /boundary="([^"]+)"/.exec(text)?.[1];
  if (!boundary) throw new Error("no MIME boundary");
  if (!text.startsWith("MIME-Version: 1.0\nContent-Type: multipart/mixed;"))
    throw new Error("not a MIME multi-part document");
  const [, ...rest] = text.split(`--${boundary}`);
  if (rest[rest.length - 1].trim() !== "--") throw new Error("the document does not end with its closing boundary");
  return rest.slice(0, -1).map((part) => {
    const [head, ...body] = part.replace(/^\n/, "").split("\n\n");
    return { contentType: head.replace(/^Content-Type: /, "").trim(), body: body.join("\n\n") };
  });
}
