/**
 * Day-2 changes (conformance/day-two-changes.ts), synthesized before and after. Each argument of a
 * stateful resource, or of a resource one names where it would be replaced (REFERENCED_TYPES), that
 * changes must either update in place by a provider fact (conformance/provider-facts.ts) or be a
 * replacement the change declares (and README, "Day-2 changes", states); changes Terraform is told
 * to ignore are not applied and do not count. Anything else is a finding naming the config key, the
 * resource and the argument: a change that would quietly replace the cluster, a subnet or the file
 * system on `terraform apply`.
 */
import { TerraformStack, Testing } from "cdktf";
import { buildStages } from "../app";
import { configSchema, type Config } from "../config/schema";
import { constructPath, type StackJson } from "./app";
import { finding, type Finding } from "./findings";
import {
  DAY_TWO_CHANGES,
  REFERENCED_TYPES,
  STATEFUL_TYPES,
  type CheckedType,
  type DayTwoChange,
  type Replacement,
  type StatefulType,
} from "./day-two-changes";
import { PROVIDER_FACTS, type ProviderFact } from "./provider-facts";

export { DAY_TWO_CHANGES, REFERENCED_TYPES, STATEFUL_TYPES, type DayTwoChange, type Replacement, type StatefulType };

/** The stacks that hold stateful resources; the others are not synthesized for this check. */
const STATEFUL_STACKS = ["bootstrap", "eks", "auth", "fsx"];

/** A stateful resource's argument that differs between two syntheses, or a resource that is gone. */
export interface StatefulChange {
  readonly stack: string;
  readonly type: CheckedType;
  readonly address: string;
  readonly path: string;
  /** The argument (nested block path, no list indices), or "removed". */
  readonly argument: string;
  readonly before?: unknown;
  readonly after?: unknown;
}

/** Arguments that are not arguments: Terraform meta-arguments and cdktf's metadata. */
const META = new Set(["//", "lifecycle", "depends_on", "provider"]);

function diff(
  before: unknown,
  after: unknown,
  path: string[],
  out: { argument: string; before: unknown; after: unknown }[],
) {
  const isObject = (v: unknown) => typeof v === "object" && v !== null && !Array.isArray(v);
  const objectList = (v: unknown) => Array.isArray(v) && v.every(isObject);
  if (isObject(before) && isObject(after)) {
    const a = before as Record<string, unknown>;
    const b = after as Record<string, unknown>;
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      if (path.length === 0 && META.has(key)) continue;
      diff(a[key], b[key], [...path, key], out);
    }
    return;
  }
  if (objectList(before) && objectList(after) && (before as unknown[]).length === (after as unknown[]).length) {
    (before as unknown[]).forEach((item, i) => diff(item, (after as unknown[])[i], path, out));
    return;
  }
  if (JSON.stringify(before) !== JSON.stringify(after)) out.push({ argument: path.join("."), before, after });
}

/** The stateful changes between two syntheses of the same stacks. */
export function statefulChanges(before: readonly StackJson[], after: readonly StackJson[]): StatefulChange[] {
  const changes: StatefulChange[] = [];
  for (const stack of before) {
    const next = after.find((s) => s.name === stack.name);
    for (const type of [...STATEFUL_TYPES, ...REFERENCED_TYPES]) {
      for (const [id, body] of Object.entries(stack.json.resource?.[type] ?? {})) {
        const address = `${type}.${id}`;
        const path = constructPath(body, id);
        const now = next?.json.resource?.[type]?.[id];
        if (now === undefined) {
          changes.push({ stack: stack.name, type, address, path, argument: "removed" });
          continue;
        }
        const found: { argument: string; before: unknown; after: unknown }[] = [];
        diff(body, now, [], found);
        // What Terraform is told to ignore is never applied: "vpc_config[0].subnet_ids" -> "vpc_config.subnet_ids".
        const ignored = ((now.lifecycle as { ignore_changes?: string[] } | undefined)?.ignore_changes ?? []).map((p) =>
          p.replace(/\[\d+\]/g, ""),
        );
        for (const f of found) {
          if (ignored.some((i) => f.argument === i || f.argument.startsWith(`${i}.`))) continue;
          changes.push({ stack: stack.name, type, address, path, ...f });
        }
      }
    }
  }
  return changes;
}

/** "<stack> <address>" of the stateful resources whose arguments name a referenced resource. */
function statefulUsers(stacks: readonly StackJson[], referenced: StatefulChange): string[] {
  const stack = stacks.find((s) => s.name === referenced.stack);
  const [type, id] = referenced.address.split(".");
  const mention = new RegExp(`\\b${type}\\.${id.replace(/[-]/g, "\\-")}(\\.|\\[)`);
  return STATEFUL_TYPES.flatMap((t) =>
    Object.entries(stack?.json.resource?.[t] ?? {})
      .filter(([, body]) => mention.test(JSON.stringify(body)))
      .map(([uid]) => `${referenced.stack} ${t}.${uid}`),
  );
}

/** The in-place facts for an argument: its own, or its closest enclosing block's. */
export function inPlaceFact(type: CheckedType, argument: string): ProviderFact | undefined {
  const facts = PROVIDER_FACTS.filter((f) => f.type === type && f.verdict === "in-place");
  for (let parts = argument.split("."); parts.length > 0; parts = parts.slice(0, -1)) {
    const fact = facts.find((f) => f.argument === parts.join("."));
    if (fact) return fact;
  }
  return undefined;
}

/** The stack JSON of the stacks that hold stateful resources, for one config. */
export function synthesizeStateful(config: Config): StackJson[] {
  const app = Testing.app();
  buildStages(app, config);
  const stacks = app.node.children.filter(TerraformStack.isStack).filter((s) => STATEFUL_STACKS.includes(s.node.id));
  // No prepareStack: the policy aspects are not what is compared, and references to other stacks
  // render the same before and after.
  return stacks.map((s) => ({ name: s.node.id, json: s.toTerraform() as StackJson["json"] }));
}

const CHECK = "day-2 changes";

/**
 * Findings for one day-2 change: every stateful change must update in place by the provider's facts
 * or be one of its declared replacements, and every declared replacement must happen.
 */
export function checkDayTwoChange(
  change: DayTwoChange,
  before: readonly StackJson[],
  after: readonly StackJson[],
): Finding[] {
  const findings: Finding[] = [];
  const declared = change.replaces ?? [];
  const seen = new Set<Replacement>();
  const changes = statefulChanges(before, after);
  // A resource a declared replacement replaces: its other changed arguments come with the new one.
  const replaced = new Set<string>();
  for (const c of changes) {
    const replacement = declared.find((r) => r.type === c.type && r.argument === c.argument);
    if (replacement) {
      seen.add(replacement);
      replaced.add(`${c.stack} ${c.address}`);
    }
  }
  const removed = new Set(changes.filter((c) => c.argument === "removed").map((c) => `${c.stack} ${c.address}`));
  for (const c of changes) {
    if (replaced.has(`${c.stack} ${c.address}`)) continue;
    if (c.argument === "removed" && (REFERENCED_TYPES as readonly string[]).includes(c.type)) {
      // Gone with the stateful resources that name it, or it would replace them.
      const users = statefulUsers(before, c);
      const kept = users.filter((u) => !replaced.has(u) && !removed.has(u));
      if (kept.length > 0)
        findings.push(
          finding(
            CHECK,
            `${change.key} ${c.stack} ${c.path}`,
            `${change.edit} removes ${c.address}, which ${kept.join(", ")} still names: it would be replaced`,
          ),
        );
      continue;
    }
    if (c.argument === "removed") {
      findings.push(
        finding(
          CHECK,
          `${change.key} ${c.stack} ${c.path}`,
          `${change.edit} removes ${c.address}, and ${change.key} does not declare it`,
        ),
      );
      continue;
    }
    const fact = inPlaceFact(c.type, c.argument);
    const grows = Number(c.after) > Number(c.before);
    if (!fact || (fact.onlyWhenGrowing && !grows)) {
      findings.push(
        finding(
          CHECK,
          `${change.key} ${c.stack} ${c.path} ${c.argument}`,
          `${change.edit} changes ${c.type}.${c.argument} (${JSON.stringify(c.before)} -> ${JSON.stringify(c.after)}), ` +
            "which does not update in place by the provider's facts (conformance/provider-facts.ts): it replaces " +
            `${c.address} on apply`,
        ),
      );
    }
  }
  for (const r of declared) {
    if (!seen.has(r))
      findings.push(
        finding(
          CHECK,
          change.key,
          `declares that it ${r.consequence} (${r.type} ${r.argument}), which no longer happens`,
        ),
      );
  }
  return findings;
}

/** Every day-2 change checked against the shipped config. */
export function checkDayTwoChanges(config: Config, changes: readonly DayTwoChange[] = DAY_TWO_CHANGES): Finding[] {
  const before = synthesizeStateful(config);
  return changes.flatMap((change) => {
    const changed = configSchema.parse(change.change(config));
    return checkDayTwoChange(change, before, synthesizeStateful(changed));
  });
}
