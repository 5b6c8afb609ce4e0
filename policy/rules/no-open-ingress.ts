import type { PolicyRule } from "../rule";

const OPEN = ["0.0.0.0/0", "::/0"];
const WEB_PORTS = [80, 443];

interface Rule {
  readonly from_port?: number;
  readonly to_port?: number;
  readonly cidr_blocks?: string[];
  readonly ipv6_cidr_blocks?: string[];
  readonly cidr_ipv4?: string;
  readonly cidr_ipv6?: string;
  readonly type?: string;
}

function openOnNonWebPort(rule: Rule): string | undefined {
  const cidrs = [...(rule.cidr_blocks ?? []), ...(rule.ipv6_cidr_blocks ?? []), rule.cidr_ipv4, rule.cidr_ipv6].filter(
    Boolean,
  ) as string[];
  if (!cidrs.some((c) => OPEN.includes(c))) return undefined;
  const from = rule.from_port ?? 0;
  const to = rule.to_port ?? 65535;
  if (from === to && WEB_PORTS.includes(from)) return undefined;
  return `ingress from anywhere on ports ${from}-${to}`;
}

/** CKV_AWS_260 / CKV_AWS_24 / AwsSolutions-EC23: no ingress from anywhere except HTTP(S) to a load balancer. */
export const noOpenIngress: PolicyRule = {
  id: "CKV_AWS_260 / CKV_AWS_24 / AwsSolutions-EC23",
  title: "No security group ingress from 0.0.0.0/0 or ::/0 except ports 80 and 443",
  fix: "reference a security group or a narrow CIDR instead",
  appliesTo: ["aws_security_group", "aws_security_group_rule", "aws_vpc_security_group_ingress_rule"],
  check: ({ type, config }) => {
    if (type === "aws_security_group")
      return ((config.ingress as Rule[] | undefined) ?? []).map(openOnNonWebPort).filter((m): m is string => !!m);
    if (type === "aws_security_group_rule" && config.type !== "ingress") return [];
    const problem = openOnNonWebPort(config as Rule);
    return problem ? [problem] : [];
  },
};
