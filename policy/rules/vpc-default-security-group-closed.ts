import { ofType, refersTo, type PolicyRule } from "../rule";

/** CKV2_AWS_12 / R5-VPCDefaultSecurityGroupClosed: the default security group allows nothing. */
export const vpcDefaultSecurityGroupClosed: PolicyRule = {
  id: "CKV2_AWS_12 / R5-VPCDefaultSecurityGroupClosed",
  title: "Every VPC's default security group has no rules",
  fix: "manage it with an aws_default_security_group without ingress or egress",
  appliesTo: ["aws_vpc"],
  check: (vpc, stack) => {
    const sg = ofType(stack, "aws_default_security_group").find((s) => refersTo(s.config.vpc_id, "aws_vpc", vpc.name));
    if (!sg) return ["the default security group is not managed (it allows all traffic between its members)"];
    return (sg.config.ingress as unknown[] | undefined)?.length || (sg.config.egress as unknown[] | undefined)?.length
      ? ["it has rules"]
      : [];
  },
};
