import type { PolicyRule } from "../rule";

/** R5-VPCSubnetAutoAssignPublicIpDisabled / CKV_AWS_130: no public IPs by default. */
export const subnetNoPublicIp: PolicyRule = {
  id: "R5-VPCSubnetAutoAssignPublicIpDisabled / CKV_AWS_130",
  title: "Subnets do not give instances public IPs",
  fix: "set map_public_ip_on_launch = false",
  appliesTo: ["aws_subnet"],
  check: ({ config }) => (config.map_public_ip_on_launch === true ? ["map_public_ip_on_launch is true"] : []),
};
