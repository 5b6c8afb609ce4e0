import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { DefaultSecurityGroup } from "@cdktf/provider-aws/lib/default-security-group";
import { Eip } from "@cdktf/provider-aws/lib/eip";
import { FlowLog } from "@cdktf/provider-aws/lib/flow-log";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { InternetGateway } from "@cdktf/provider-aws/lib/internet-gateway";
import { NatGateway } from "@cdktf/provider-aws/lib/nat-gateway";
import { Route } from "@cdktf/provider-aws/lib/route";
import { RouteTable } from "@cdktf/provider-aws/lib/route-table";
import { RouteTableAssociation } from "@cdktf/provider-aws/lib/route-table-association";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { Construct } from "constructs";
import { cidrSubnet, parseCidr } from "../lib/cidr";

export interface NetworkProps {
  /** Name prefix for the VPC and its parts. */
  readonly name: string;
  /** IPv4 range of the VPC, /16 to /20. */
  readonly cidr: string;
  /** The zones to place one public and one private subnet in, in order (index i names subnets "-i"). */
  readonly zoneNames: readonly string[];
  /**
   * One NAT gateway for all zones (cheapest) or one per zone (a zone outage keeps the others online).
   * @default "single"
   */
  readonly natGateways?: "single" | "per-az";
  /**
   * Days to keep VPC flow logs.
   * @default 90
   */
  readonly flowLogRetentionDays?: number;
  /**
   * Extra tags for the private subnets (e.g. Karpenter's discovery tag).
   * @default - none
   */
  readonly privateSubnetTags?: Readonly<Record<string, string>>;
  /**
   * Conditions checked at plan time before the VPC is created or changed (e.g. that enough zones
   * qualify): a false one stops the plan with its message, so nothing is applied.
   * @default - none
   */
  readonly preconditions?: readonly { readonly condition: unknown; readonly errorMessage: string }[];
}

/** Private /19s (of a /16) per zone for nodes and pods: the VPC CNI gives every pod a VPC address. */
const PRIVATE_NEW_BITS = 3;
/** Public /24s (of a /16) per zone: only load balancers and NAT gateways live there. */
const PUBLIC_NEW_BITS = 8;

/**
 * A VPC over several zones: private subnets for nodes, public subnets for load balancers, NAT for
 * egress, the subnet tags the AWS Load Balancer Controller discovers, flow logs, and a closed
 * default security group.
 */
export class Network extends Construct {
  readonly vpc: Vpc;
  readonly privateSubnets: Subnet[];
  readonly publicSubnets: Subnet[];
  /** The VPC's preconditions; held by reference so later constructs can add theirs. */
  private readonly preconditions: { condition: unknown; errorMessage: string }[];

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    this.preconditions = [...(props.preconditions ?? [])];
    const parsed = parseCidr(props.cidr);
    if (!parsed) throw new Error(`Network: invalid VPC CIDR "${props.cidr}"`);
    const publicBase = 2 ** PUBLIC_NEW_BITS - 2 ** PUBLIC_NEW_BITS / 2 ** PRIVATE_NEW_BITS; // last /19 of a /16
    const zoneCount = props.zoneNames.length;
    if (zoneCount > 2 ** PRIVATE_NEW_BITS - 1) throw new Error("Network: too many zones for the subnet layout");

    this.vpc = new Vpc(this, "vpc", {
      cidrBlock: props.cidr,
      enableDnsHostnames: true,
      enableDnsSupport: true,
      tags: { Name: props.name },
      lifecycle: { precondition: this.preconditions },
    });
    // No rules: nothing may use the default security group by accident.
    new DefaultSecurityGroup(this, "default-sg-closed", {
      vpcId: this.vpc.id,
      tags: { Name: `${props.name}-default-closed` },
    });

    const igw = new InternetGateway(this, "igw", { vpcId: this.vpc.id, tags: { Name: props.name } });
    const publicRoutes = new RouteTable(this, "public-routes", {
      vpcId: this.vpc.id,
      tags: { Name: `${props.name}-public` },
    });
    new Route(this, "public-default-route", {
      routeTableId: publicRoutes.id,
      destinationCidrBlock: "0.0.0.0/0",
      gatewayId: igw.id,
    });

    this.publicSubnets = [];
    this.privateSubnets = [];
    const natCount = props.natGateways === "per-az" ? zoneCount : 1;
    const nats: NatGateway[] = [];
    for (let i = 0; i < zoneCount; i++) {
      const zone = props.zoneNames[i];
      const publicSubnet = new Subnet(this, `public-${i}`, {
        vpcId: this.vpc.id,
        availabilityZone: zone,
        cidrBlock: cidrSubnet(props.cidr, PUBLIC_NEW_BITS, publicBase + i),
        mapPublicIpOnLaunch: false,
        tags: { Name: `${props.name}-public-${i}`, "kubernetes.io/role/elb": "1" },
      });
      new RouteTableAssociation(this, `public-${i}-routes`, {
        subnetId: publicSubnet.id,
        routeTableId: publicRoutes.id,
      });
      this.publicSubnets.push(publicSubnet);
      if (i < natCount) {
        const eip = new Eip(this, `nat-${i}-ip`, { domain: "vpc", tags: { Name: `${props.name}-nat-${i}` } });
        nats.push(
          new NatGateway(this, `nat-${i}`, {
            allocationId: eip.allocationId,
            subnetId: publicSubnet.id,
            tags: { Name: `${props.name}-nat-${i}` },
            dependsOn: [igw],
          }),
        );
      }
    }
    for (let i = 0; i < zoneCount; i++) {
      const zone = props.zoneNames[i];
      const privateSubnet = new Subnet(this, `private-${i}`, {
        vpcId: this.vpc.id,
        availabilityZone: zone,
        cidrBlock: cidrSubnet(props.cidr, PRIVATE_NEW_BITS, i),
        tags: {
          Name: `${props.name}-private-${i}`,
          "kubernetes.io/role/internal-elb": "1",
          ...props.privateSubnetTags,
        },
      });
      const routes = new RouteTable(this, `private-${i}-routes`, {
        vpcId: this.vpc.id,
        tags: { Name: `${props.name}-private-${i}` },
      });
      new Route(this, `private-${i}-default-route`, {
        routeTableId: routes.id,
        destinationCidrBlock: "0.0.0.0/0",
        natGatewayId: nats[Math.min(i, nats.length - 1)].id,
      });
      new RouteTableAssociation(this, `private-${i}-routes-association`, {
        subnetId: privateSubnet.id,
        routeTableId: routes.id,
      });
      this.privateSubnets.push(privateSubnet);
    }

    this.addFlowLogs(props.name, props.flowLogRetentionDays ?? 90);
  }

  /** Adds a plan-time condition to the VPC (see NetworkProps.preconditions). */
  addPrecondition(precondition: { readonly condition: unknown; readonly errorMessage: string }): void {
    this.preconditions.push({ ...precondition });
  }

  private addFlowLogs(name: string, retentionDays: number): void {
    const logGroup = new CloudwatchLogGroup(this, "flow-log-group", {
      name: `/aws/vpc/${name}/flow-logs`,
      retentionInDays: retentionDays,
    });
    const trust = new DataAwsIamPolicyDocument(this, "flow-log-trust", {
      statement: [
        {
          effect: "Allow",
          actions: ["sts:AssumeRole"],
          principals: [{ type: "Service", identifiers: ["vpc-flow-logs.amazonaws.com"] }],
        },
      ],
    });
    const role = new IamRole(this, "flow-log-role", { name: `${name}-flow-logs`, assumeRolePolicy: trust.json });
    const write = new DataAwsIamPolicyDocument(this, "flow-log-write", {
      statement: [
        {
          effect: "Allow",
          actions: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
          resources: [logGroup.arn, `${logGroup.arn}:*`],
        },
      ],
    });
    new IamRolePolicy(this, "flow-log-write-policy", { name: "write-flow-logs", role: role.id, policy: write.json });
    new FlowLog(this, "flow-log", {
      vpcId: this.vpc.id,
      trafficType: "ALL",
      logDestinationType: "cloud-watch-logs",
      logDestination: logGroup.arn,
      iamRoleArn: role.arn,
      maxAggregationInterval: 600,
    });
  }
}
