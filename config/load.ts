/**
 * Reads and validates the configuration once. Every problem becomes a ConfigError whose message
 * names the file, where in it (key path and line:column), the bad value and how to fix it.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { isNode, LineCounter, parseDocument, type Document } from "yaml";
import type { z } from "zod";
import { configSchema, type Config } from "./schema";

export const DEFAULT_CONFIG_PATH = path.join(__dirname, "default.yaml");

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly string[],
  ) {
    super(`invalid configuration in ${file}:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** The file named by KF_CONFIG, else config/default.yaml. */
export function configPathFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  const chosen = env.KF_CONFIG?.trim();
  return chosen ? path.resolve(chosen) : DEFAULT_CONFIG_PATH;
}

export function loadConfig(file: string = configPathFromEnv()): Config {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === "ENOENT" ? "file not found" : String(err);
    throw new ConfigError(file, [
      `${reason}; set KF_CONFIG to an existing YAML file or unset it to use config/default.yaml`,
    ]);
  }
  return parseConfig(text, file);
}

/** Parses YAML text as configuration; `file` is only used in messages. */
export function parseConfig(text: string, file: string): Config {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      file,
      doc.errors.map((e) => {
        const at = e.linePos?.[0] ?? lineCounter.linePos(e.pos[0]);
        const where = at ? `line ${at.line}, column ${at.col}` : "unknown position";
        return `${where}: YAML syntax error: ${e.message.split("\n")[0]}; fix the YAML at that position`;
      }),
    );
  }
  const data: unknown = doc.toJS();
  if (data === null || data === undefined) {
    throw new ConfigError(file, ["the file is empty; copy config/default.yaml and edit it"]);
  }
  if (typeof data !== "object" || Array.isArray(data)) {
    throw new ConfigError(file, [
      `the top level must be a mapping of keys (environment:, region:, ...), got ${describe(data)}; copy config/default.yaml and edit it`,
    ]);
  }
  const result = configSchema.safeParse(data, { reportInput: true });
  if (result.success) return result.data;
  throw new ConfigError(
    file,
    result.error.issues.map((issue) => formatIssue(issue, doc, lineCounter)),
  );
}

/** Keys an earlier version took, with what replaced them. */
const RETIRED_KEYS: Readonly<Record<string, string>> = {
  "network.azCount":
    "network.azCount was replaced by network.zones, the zones themselves (a subnet cannot move, so they are pinned): " +
    "list them, e.g. zones: [us-west-2a, us-west-2b, us-west-2c]; for a deployed network, the zones its subnets are in " +
    "(aws ec2 describe-subnets --filters Name=tag:Name,Values=<cluster>-private-* --query 'Subnets[].[Tags[?Key==`Name`]|[0].Value,AvailabilityZone]')",
};

function formatIssue(issue: z.core.$ZodIssue, doc: Document, lines: LineCounter): string {
  const keyPath = issue.path.map((p) => (typeof p === "symbol" ? p.toString() : p));
  if (issue.code === "unrecognized_keys") {
    return issue.keys
      .map((key) => {
        const full = [...keyPath, key];
        const retired = RETIRED_KEYS[formatPath(full)];
        return (
          `${formatPath(full)}${position(doc, lines, full, true)}: ` +
          (retired ??
            `unknown key "${key}"; remove it or correct its spelling (allowed here: ${allowedKeys(keyPath).join(", ")})`)
        );
      })
      .join("\n  - ");
  }
  const value = "input" in issue ? issue.input : undefined;
  const got = value === undefined ? "nothing (the key is missing)" : describe(value);
  let message = issue.message;
  // zod's own wording is replaced by a plainer one; a message the schema wrote is kept.
  const schemaMessage = !issue.message.startsWith("Invalid input");
  if (issue.code === "invalid_type" && !schemaMessage) message = `expected ${issue.expected}`;
  if (issue.code === "invalid_value" && issue.message.startsWith("Invalid"))
    message = `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
  const fix =
    value === undefined && issue.code === "invalid_type"
      ? `; add ${formatPath(keyPath)} (see config/default.yaml)`
      : "";
  return `${formatPath(keyPath)}${position(doc, lines, keyPath, false)}: ${message}, got ${got}${fix}`;
}

function formatPath(keyPath: readonly (string | number)[]): string {
  return keyPath.length === 0
    ? "(top level)"
    : keyPath
        .map((p) => (typeof p === "number" ? `[${p}]` : p))
        .join(".")
        .replace(/\.\[/g, "[");
}

/** " (line L, column C)" of the key (or value) at keyPath, when the YAML has it. */
function position(doc: Document, lines: LineCounter, keyPath: readonly (string | number)[], atKey: boolean): string {
  let offset: number | undefined;
  if (atKey && keyPath.length > 0) {
    const parent = keyPath.length === 1 ? doc.contents : doc.getIn(keyPath.slice(0, -1), true);
    const last = keyPath[keyPath.length - 1];
    if (isNode(parent) && "items" in parent) {
      const pair = (parent.items as { key?: unknown }[]).find(
        (item) => isNode(item.key) && (item.key as { value?: unknown }).value === last,
      );
      const key = pair?.key;
      if (isNode(key)) offset = key.range?.[0];
    }
  } else {
    // Walk up to the nearest existing node (a missing key reports its parent's position).
    for (let depth = keyPath.length; depth >= 0 && offset === undefined; depth--) {
      const node = depth === 0 ? doc.contents : doc.getIn(keyPath.slice(0, depth), true);
      if (isNode(node)) offset = node.range?.[0];
    }
  }
  if (offset === undefined) return "";
  const { line, col } = lines.linePos(offset);
  return ` (line ${line}, column ${col})`;
}

function allowedKeys(keyPath: readonly (string | number)[]): string[] {
  let schema: unknown = configSchema;
  for (const part of keyPath) {
    schema = unwrap(schema);
    if (typeof part === "number") schema = (schema as { element?: unknown }).element;
    else schema = (schema as { shape?: Record<string, unknown> }).shape?.[part];
  }
  const shape = (unwrap(schema) as { shape?: Record<string, unknown> } | undefined)?.shape;
  return shape ? Object.keys(shape) : [];
}

/** Strips default/optional/pipe wrappers to reach an object or array schema. */
function unwrap(schema: unknown): unknown {
  let current = schema as { def?: { innerType?: unknown; in?: unknown; type?: string } } | undefined;
  for (let i = 0; i < 10 && current?.def; i++) {
    const def = current.def;
    if (def.innerType) current = def.innerType as typeof current;
    else if (def.type === "pipe" && def.in) current = def.in as typeof current;
    else break;
  }
  return current;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return `a list (${JSON.stringify(value).slice(0, 60)})`;
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string")
    return `the string ${JSON.stringify(value.length > 60 ? value.slice(0, 57) + "..." : value)}`;
  return `${typeof value} ${String(value)}`;
}
