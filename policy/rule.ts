/** The shape of a policy rule: a small pure function over one resource of a synthesized stack. */
import type { IConstruct } from "constructs";

/** One resource (or data source, or the stack's `terraform` block) as a rule sees it. */
export interface ResourceView {
  /** Stack id, e.g. "eks". */
  readonly stack: string;
  /** Terraform type, e.g. "aws_launch_template"; "data.<type>" for data sources; "terraform" for the settings block. */
  readonly type: string;
  /** Terraform name (the logical id). */
  readonly name: string;
  /** "<stack>.<type>.<name>": how messages and exceptions name it. */
  readonly address: string;
  /** Its attributes as synthesized (snake_case, references as "${...}" strings). */
  readonly config: Readonly<Record<string, unknown>>;
  /** The construct that produced it, when there is one. */
  readonly construct?: IConstruct;
}

/** The whole stack, for rules that look for a companion resource (a bucket's access block, a VPC's flow log). */
export interface StackView {
  readonly id: string;
  /** Every resource, data source and the settings block of the stack. */
  readonly resources: readonly ResourceView[];
}

/** What every rule has: its ids, what it requires and how to comply. */
export interface RuleInfo {
  /** The rule ids it mirrors, e.g. "CKV_AWS_79 / AwsSolutions-EC2IMDSv2"; ours start with "KF_". */
  readonly id: string;
  /** What it requires, in a line. */
  readonly title: string;
  /** How to comply. */
  readonly fix: string;
  /** The types it inspects (see ResourceView.type). */
  readonly appliesTo: readonly string[];
}

export interface PolicyRule extends RuleInfo {
  /** Violations of `resource` (empty when compliant). */
  check(resource: ResourceView, stack: StackView): string[];
}

/** A violation an app rule found: at a resource, or at "app" when something is missing everywhere. */
export interface AppFinding {
  readonly address: string;
  readonly message: string;
  readonly construct?: IConstruct;
}

/**
 * A rule over every stack together, for what no one stack shows: the cluster has exactly one
 * default StorageClass, whichever stack declares it.
 */
export interface AppPolicyRule extends RuleInfo {
  /** Violations across the stacks (empty when compliant); `resources` are those of `appliesTo` types. */
  check(resources: readonly ResourceView[]): AppFinding[];
}

/** True when `value` is a reference to `address` (e.g. "${aws_s3_bucket.x.id}" refers to aws_s3_bucket.x). */
export function refersTo(value: unknown, type: string, name: string): boolean {
  return typeof value === "string" && value.includes(`${type}.${name}.`);
}

/** The resources of a type in a stack. */
export function ofType(stack: StackView, type: string): ResourceView[] {
  return stack.resources.filter((r) => r.type === type);
}

export interface Statement {
  readonly sid?: string;
  readonly effect?: string;
  readonly actions?: readonly string[];
  readonly resources?: readonly string[];
  readonly principals?: readonly { readonly type: string; readonly identifiers: readonly string[] }[];
  readonly condition?: readonly {
    readonly test: string;
    readonly variable: string;
    readonly values: readonly string[];
  }[];
}

/** The statements of an aws_iam_policy_document data source. */
export function statementsOf(resource: ResourceView): Statement[] {
  return (resource.config.statement as Statement[] | undefined) ?? [];
}

/** Actions that only read (Describe/Get/List), which IAM cannot scope to resources in most services. */
export function isReadOnly(action: string): boolean {
  return /^[a-z0-9-]+:(Describe|Get|List)[A-Za-z]*$/.test(action);
}

/** Containers and volumes of a Kubernetes workload, whether a kubernetes_manifest or a typed kubernetes_* resource. */
export function podSpecsOf(resource: ResourceView): Record<string, unknown>[] {
  if (resource.type === "kubernetes_manifest") {
    const manifest = resource.config.manifest as
      { spec?: { template?: { spec?: Record<string, unknown> } } } | undefined;
    const spec = manifest?.spec?.template?.spec;
    return spec ? [spec] : [];
  }
  const specs = ([] as unknown[]).concat(resource.config.spec ?? []);
  return specs
    .map(
      (s) =>
        ([] as unknown[]).concat((s as { template?: unknown }).template ?? [])[0] as { spec?: unknown } | undefined,
    )
    .flatMap((t) => ([] as unknown[]).concat(t?.spec ?? []) as Record<string, unknown>[]);
}

/** Containers of a pod spec in either shape (manifest: containers; typed: container). */
export function containersOf(podSpec: Record<string, unknown>): Record<string, unknown>[] {
  return ([] as Record<string, unknown>[]).concat(
    (podSpec.containers as Record<string, unknown>[] | undefined) ?? [],
    (podSpec.container as Record<string, unknown>[] | undefined) ?? [],
    (podSpec.initContainers as Record<string, unknown>[] | undefined) ?? [],
    (podSpec.init_container as Record<string, unknown>[] | undefined) ?? [],
  );
}

export const KUBERNETES_WORKLOADS = [
  "kubernetes_manifest",
  "kubernetes_job_v1",
  "kubernetes_deployment_v1",
  "kubernetes_daemon_set_v1",
  "kubernetes_stateful_set_v1",
  "kubernetes_cron_job_v1",
] as const;
