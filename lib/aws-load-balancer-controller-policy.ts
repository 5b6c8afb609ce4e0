import type { DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { statementsFromPolicyJson, type PolicyJson } from "./iam-policy-json";
import { REPO_ROOT } from "./provenance";

/**
 * The AWS Load Balancer Controller's published policy (kubernetes-sigs/aws-load-balancer-controller
 * docs/install/iam_policy.json), as vendored at the pinned release (upstream/PROVENANCE.json entry
 * "aws-load-balancer-controller"). It is used as published, so an upgrade brings its own policy.
 */
export const AWS_LOAD_BALANCER_CONTROLLER_POLICY_FILE = path.join(
  REPO_ROOT,
  "upstream/aws-load-balancer-controller/docs/install/iam_policy.json",
);

/** The controller's policy statements, with resource ARNs in the given partition (e.g. "aws", "aws-us-gov"). */
export function awsLoadBalancerControllerStatements(partition: string): DataAwsIamPolicyDocumentStatement[] {
  const policy = JSON.parse(readFileSync(AWS_LOAD_BALANCER_CONTROLLER_POLICY_FILE, "utf8")) as PolicyJson;
  return statementsFromPolicyJson(policy, partition);
}
