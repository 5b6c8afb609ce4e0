import type { DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parse, type Tags } from "yaml";
import { statementsFromPolicyJson, type PolicyJson } from "./iam-policy-json";
import { REPO_ROOT } from "./provenance";

/**
 * Karpenter's getting-started CloudFormation template at the pinned release
 * (aws/karpenter-provider-aws website/.../getting-started-with-karpenter/cloudformation.yaml,
 * vendored as upstream/PROVENANCE.json entry "karpenter"): the controller's managed policies and
 * the interruption queue's EventBridge rules are taken from it as published.
 */
export const KARPENTER_CLOUDFORMATION_FILE = path.join(
  REPO_ROOT,
  "upstream/karpenter/website/content/en/docs/getting-started/getting-started-with-karpenter/cloudformation.yaml",
);

interface CfnResource {
  readonly Type: string;
  readonly Properties: Record<string, unknown>;
}

/** CloudFormation's short-form intrinsics, kept as their argument (only !Sub strings are used here). */
const CFN_TAGS: Tags = ["!Sub", "!GetAtt", "!Ref"].map((tag) => ({
  tag,
  resolve: (value: string) => value,
}));

const parsed = new Map<string, Record<string, CfnResource>>();

/** The template's resources, parsed once per file. */
export function karpenterCloudFormation(file: string = KARPENTER_CLOUDFORMATION_FILE): Record<string, CfnResource> {
  let resources = parsed.get(file);
  if (!resources) {
    resources = (
      parse(readFileSync(file, "utf8"), { customTags: CFN_TAGS }) as { Resources: Record<string, CfnResource> }
    ).Resources;
    parsed.set(file, resources);
  }
  return resources;
}

export interface KarpenterPolicyScope {
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
  readonly clusterName: string;
  readonly nodeRoleArn: string;
  readonly queueArn: string;
}

/**
 * The values the template's policies interpolate. A placeholder not listed here fails loudly, so
 * a new one in an upgraded template cannot slip through as literal text.
 */
function substitutions(s: KarpenterPolicyScope): Record<string, string> {
  return {
    ClusterName: s.clusterName,
    "AWS::Partition": s.partition,
    "AWS::Region": s.region,
    "AWS::AccountId": s.accountId,
    "KarpenterNodeRole.Arn": s.nodeRoleArn,
    "KarpenterInterruptionQueue.Arn": s.queueArn,
  };
}

/**
 * Karpenter's controller permissions: every statement of the template's controller policies
 * (AWS::IAM::ManagedPolicy: node lifecycle, IAM integration, EKS integration, interruption, zonal
 * shift, resource discovery), with its placeholders filled for this cluster. Launches and deletions
 * only of resources tagged for this cluster and a NodePool, instance profiles only for this
 * cluster's EC2NodeClasses, PassRole only for the node role, reads limited to the region.
 */
export function karpenterControllerStatements(
  s: KarpenterPolicyScope,
  file: string = KARPENTER_CLOUDFORMATION_FILE,
): DataAwsIamPolicyDocumentStatement[] {
  const values = substitutions(s);
  return Object.entries(karpenterCloudFormation(file))
    .filter(([, r]) => r.Type === "AWS::IAM::ManagedPolicy")
    .flatMap(([name, r]) => {
      const document = r.Properties.PolicyDocument;
      if (typeof document !== "string") throw new Error(`${name}: expected a !Sub policy document`);
      const filled = document.replace(/\$\{([^}]+)\}/g, (_match, key: string) => {
        if (!(key in values)) throw new Error(`${path.basename(file)} ${name}: no value for \${${key}}`);
        return values[key];
      });
      // The partition of the ARNs is already filled in; keep them as they are.
      return statementsFromPolicyJson(JSON.parse(filled) as PolicyJson, s.partition);
    });
}

/** An EventBridge rule of the template that feeds the interruption queue. */
export interface InterruptionEvent {
  /** Construct id: the template's logical id without "Rule", in kebab case ("SpotInterruptionRule" -> "spot-interruption"). */
  readonly id: string;
  readonly source: string;
  readonly detailType: string;
}

/** The EC2 and Health events Karpenter acts on before a node goes away, as the template's rules match them. */
export function karpenterInterruptionEvents(file: string = KARPENTER_CLOUDFORMATION_FILE): InterruptionEvent[] {
  return Object.entries(karpenterCloudFormation(file))
    .filter(([, r]) => r.Type === "AWS::Events::Rule")
    .map(([name, r]) => {
      const pattern = r.Properties.EventPattern as { source: string[]; "detail-type": string[] };
      if (pattern.source.length !== 1 || pattern["detail-type"].length !== 1) {
        throw new Error(`${name}: expected one source and one detail-type`);
      }
      return {
        id: name
          .replace(/Rule$/, "")
          .replace(/([a-z0-9])([A-Z])/g, "$1-$2")
          .toLowerCase(),
        source: pattern.source[0],
        detailType: pattern["detail-type"][0],
      };
    });
}
