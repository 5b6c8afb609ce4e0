/**
 * IAM policy documents as AWS writes them (JSON: Effect, Action, Resource, Condition) and as the
 * `aws_iam_policy_document` data source takes them (statements with actions, resources and a
 * list of conditions). Used to take an upstream policy as published, and to compare ours with it.
 */
import type { DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";

export interface PolicyJsonStatement {
  readonly Sid?: string;
  readonly Effect: "Allow" | "Deny";
  readonly Action?: string | readonly string[];
  readonly NotAction?: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, string | boolean | readonly string[]>>>>;
}

export interface PolicyJson {
  readonly Version?: string;
  readonly Statement: readonly PolicyJsonStatement[];
}

const list = (v: string | readonly string[] | undefined): string[] | undefined =>
  v === undefined ? undefined : typeof v === "string" ? [v] : [...v];

/**
 * The statements of a policy document, with `arn:aws:` in resources replaced by the partition
 * given (published policies are written for the commercial partition).
 */
export function statementsFromPolicyJson(policy: PolicyJson, partition = "aws"): DataAwsIamPolicyDocumentStatement[] {
  return policy.Statement.map((s) => ({
    ...(s.Sid ? { sid: s.Sid } : {}),
    effect: s.Effect,
    ...(s.Action !== undefined ? { actions: list(s.Action) } : {}),
    ...(s.NotAction !== undefined ? { notActions: list(s.NotAction) } : {}),
    ...(s.Resource !== undefined
      ? { resources: list(s.Resource)!.map((r) => r.replace(/^arn:aws:/, `arn:${partition}:`)) }
      : {}),
    ...(s.Condition
      ? {
          condition: Object.entries(s.Condition).flatMap(([test, byKey]) =>
            Object.entries(byKey).map(([variable, values]) => ({
              test,
              variable,
              values: (Array.isArray(values) ? values : [values]).map(String),
            })),
          ),
        }
      : {}),
  }));
}

/** The actions a set of statements allows (sorted, de-duplicated). */
export function allowedActions(statements: readonly { effect?: string; actions?: readonly string[] }[]): string[] {
  return [
    ...new Set(statements.filter((s) => (s.effect ?? "Allow") === "Allow").flatMap((s) => s.actions ?? [])),
  ].sort();
}
