import { missingLoadBalancerMessage } from "../constructs/alb-alias-record";
import { INGRESS_GROUP_NAME } from "../lib/kubeflow";
import { kubeflowIngress } from "../lib/kubeflow-overlay";
import { TEST_PARAMS } from "./fixtures/kubeflow-params";
import { buildApp, dataSources, referencedAddress, resources } from "./helpers";

const { stages, json } = buildApp();
const dns = json(stages.dns);

describe("dns stack", () => {
  const [[lbId, lb]] = dataSources(dns, "aws_lb");
  const [[lbsId, lbs]] = dataSources(dns, "aws_lbs");

  it("finds the ALB by the controller's tags: this cluster and the Ingress's group", () => {
    const tags = lbs.tags as Record<string, string>;
    expect(Object.keys(tags).sort()).toEqual(["elbv2.k8s.aws/cluster", "ingress.k8s.aws/stack"]);
    expect(tags["elbv2.k8s.aws/cluster"]).toMatch(/terraform_remote_state\.cross-stack-reference-input-eks\..*name\}$/);
    const annotations = (kubeflowIngress(TEST_PARAMS) as { metadata: { annotations: Record<string, string> } }).metadata
      .annotations;
    expect(tags["ingress.k8s.aws/stack"]).toBe(annotations["alb.ingress.kubernetes.io/group.name"]);
    expect(tags["ingress.k8s.aws/stack"]).toBe(INGRESS_GROUP_NAME);
  });

  it("looks the ALB up so a missing one is a clear precondition failure naming the command, not a bare lookup error", () => {
    // aws_lbs returns an empty list instead of failing; aws_lb reads the one ARN only once the precondition holds.
    expect(lb).not.toHaveProperty("tags");
    expect(lb.arn).toBe(`\${element(tolist(data.aws_lbs.${lbsId}.arns), 0)}`);
    const [check] = (lb.lifecycle as { precondition: { condition: string; error_message: string }[] }).precondition;
    expect(check.condition).toBe(`\${(length(tolist(data.aws_lbs.${lbsId}.arns)) == 1)}`);
    // The cluster name is the eks stack's output, so Terraform fills it in.
    expect(check.error_message).toBe(
      missingLoadBalancerMessage(check.error_message.match(/cluster=(\S+) and/)![1], "kubeflow"),
    );
    expect(check.error_message).toMatch(
      /elbv2\.k8s\.aws\/cluster=\$\{data\.terraform_remote_state\.cross-stack-reference-input-eks\./,
    );
    expect(check.error_message).toContain("ingress.k8s.aws/stack=kubeflow");
    expect(check.error_message).toContain("does not exist yet");
    expect(check.error_message).toContain("npm run deploy -- --from kubeflow-install");
  });

  it("owns the one alias record for the Kubeflow host, evaluating target health", () => {
    const records = resources(dns, "aws_route53_record").map(([, r]) => r);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      name: "kubeflow.example.com",
      type: "A",
      alias: { evaluate_target_health: true },
    });
    expect(referencedAddress((records[0].alias as { name: string }).name)).toBe(`data.aws_lb.${lbId}`);
    expect(records[0]).not.toHaveProperty("allow_overwrite");
    const [[, zone]] = dataSources(dns, "aws_route53_zone");
    expect(zone).toEqual({ name: "example.com", private_zone: false });
  });

  it("no other stack creates a record with that name", () => {
    for (const stack of [stages.eks, stages.addons, stages.auth, stages.kubeflow]) {
      for (const [, r] of resources(json(stack), "aws_route53_record")) expect(r.name).not.toBe("kubeflow.example.com");
    }
  });
});
