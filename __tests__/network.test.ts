import { Testing } from "cdktf";
import { Network } from "../constructs/network";
import { cidrSubnet, parseCidr } from "../lib/cidr";
import { BaseStack } from "../stacks/base-stack";
import { defaultConfig, resource, resources, synth } from "./helpers";

function networkJson(natGateways: "single" | "per-az", cidr = "10.0.0.0/16", zoneCount = 3) {
  const stack = new BaseStack(Testing.app(), "net", { config: defaultConfig() });
  new Network(stack, "network", {
    name: "kf",
    cidr,
    zoneNames: ["z-a", "z-b", "z-c", "z-d"].slice(0, zoneCount),
    natGateways,
  });
  return synth(stack);
}

function overlaps(a: string, b: string): boolean {
  const x = parseCidr(a)!;
  const y = parseCidr(b)!;
  const prefix = Math.min(x.prefix, y.prefix);
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return (x.address & mask) === (y.address & mask);
}

describe("Network", () => {
  const single = networkJson("single");

  it("puts a public and a private subnet in each zone, none overlapping, all inside the VPC", () => {
    const subnets = resources(single, "aws_subnet").map(([, s]) => s);
    expect(subnets).toHaveLength(6);
    const cidrs = subnets.map((s) => String(s.cidr_block));
    for (const c of cidrs) expect(overlaps(c, "10.0.0.0/16")).toBe(true);
    for (let i = 0; i < cidrs.length; i++)
      for (let j = i + 1; j < cidrs.length; j++) expect(overlaps(cidrs[i], cidrs[j])).toBe(false);
    expect(resource(single, "aws_subnet", "private-0").cidr_block).toBe("10.0.0.0/19");
    expect(resource(single, "aws_subnet", "public-2").cidr_block).toBe("10.0.226.0/24");
  });

  it("tags subnets for load balancer discovery and gives public subnets no automatic public IPs", () => {
    for (const [id, s] of resources(single, "aws_subnet")) {
      const tags = s.tags as Record<string, string>;
      if (id.includes("public")) {
        expect(tags["kubernetes.io/role/elb"]).toBe("1");
        expect(s.map_public_ip_on_launch).toBe(false);
      } else expect(tags["kubernetes.io/role/internal-elb"]).toBe("1");
    }
  });

  it("uses one NAT gateway by default and one per zone when asked", () => {
    expect(resources(single, "aws_nat_gateway")).toHaveLength(1);
    const perAz = networkJson("per-az");
    expect(resources(perAz, "aws_nat_gateway")).toHaveLength(3);
    const natOf = (j: typeof single, i: number) =>
      String(resource(j, "aws_route", `private-${i}-default-route`).nat_gateway_id);
    expect(new Set([0, 1, 2].map((i) => natOf(single, i))).size).toBe(1);
    expect(new Set([0, 1, 2].map((i) => natOf(perAz, i))).size).toBe(3);
  });

  it("closes the default security group and logs all traffic", () => {
    const sg = resource(single, "aws_default_security_group", "default-sg-closed");
    expect(sg).not.toHaveProperty("ingress");
    expect(sg).not.toHaveProperty("egress");
    expect(resource(single, "aws_flow_log", "flow-log")).toMatchObject({
      traffic_type: "ALL",
      log_destination_type: "cloud-watch-logs",
    });
  });

  it("scales the layout to a /20 VPC", () => {
    const small = networkJson("single", "10.1.0.0/20", 2);
    expect(resource(small, "aws_subnet", "private-1").cidr_block).toBe("10.1.2.0/23");
    expect(resource(small, "aws_subnet", "public-0").cidr_block).toBe("10.1.14.0/28");
  });
});

describe("cidr helpers", () => {
  it("matches Terraform's cidrsubnet", () => {
    expect(cidrSubnet("10.0.0.0/16", 3, 0)).toBe("10.0.0.0/19");
    expect(cidrSubnet("10.0.0.0/16", 3, 7)).toBe("10.0.224.0/19");
    expect(cidrSubnet("10.0.0.0/16", 8, 255)).toBe("10.0.255.0/24");
    expect(() => cidrSubnet("10.0.0.0/16", 3, 8)).toThrow(/cannot take subnet 8/);
  });

  it("rejects malformed networks and set host bits", () => {
    expect(parseCidr("10.0.0.0/16")).toEqual({ address: 0x0a000000, prefix: 16 });
    for (const bad of ["10.0.0/16", "10.0.0.256/24", "10.0.0.0/33", "10.0.0.1/16", "x"])
      expect(parseCidr(bad)).toBeUndefined();
  });
});
