import { ofType, refersTo, type PolicyRule } from "../rule";

/** CKV2_AWS_11 / AwsSolutions-VPC7: VPC flow logs. */
export const vpcFlowLogs: PolicyRule = {
  id: "CKV2_AWS_11 / AwsSolutions-VPC7",
  title: "Every VPC has flow logs",
  fix: "add an aws_flow_log for the VPC (the Network construct does)",
  appliesTo: ["aws_vpc"],
  check: (vpc, stack) =>
    ofType(stack, "aws_flow_log").some((f) => refersTo(f.config.vpc_id, "aws_vpc", vpc.name)) ? [] : ["no flow log"],
};
