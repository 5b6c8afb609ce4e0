/**
 * The cost report's arithmetic: what each GPU size can cost, what is always on, and how long a GPU
 * takes to arrive. Pure functions over the config, a price source and the Kubeflow volumes;
 * `npm run cost` prints them.
 */
import type { Config } from "../config/schema";
import { durationMinutes, NODE_BOOT_MINUTES } from "./duration";
import { gpuInstanceType } from "./instance-types";
import type { VolumeClaim } from "./kubeflow-storage";
import type { PricedFigure, RegionPrices } from "./price-table";

export const HOURS_PER_MONTH = 730;

/** Prices the report needs; from the dated table or the AWS Price List API. */
export interface PriceSource {
  readonly label: string;
  readonly region: RegionPrices;
}

/** A figure, or why there is none (never a silent zero). */
export type Amount = { readonly usd: number } | { readonly unknown: string };

const known = (usd: number): Amount => ({ usd });
const unknown = (why: string): Amount => ({ unknown: why });
export const isKnown = (a: Amount): a is { readonly usd: number } => "usd" in a;
/** Why an amount is unknown, or undefined for a known one. */
export const whyUnknown = (a: Amount): string | undefined => ("unknown" in a ? a.unknown : undefined);

export interface InstancePrice {
  readonly instanceType: string;
  readonly gpus: number;
  readonly onDemandHourly: Amount;
  readonly spotHourly: Amount;
  /** Spot saving against On-Demand, 0-1. */
  readonly spotSaving: Amount;
}

export interface GpuSizeCost {
  readonly name: string;
  readonly gpusPerNode: number;
  readonly maxNodes: number;
  readonly instances: readonly InstancePrice[];
  /** Most it can cost per hour with every allowed node running at the dearest price. */
  readonly maxHourly: Amount;
  /** With no GPU pod running. */
  readonly idleHourly: number;
}

function priceOf(
  table: Readonly<Record<string, number>>,
  type: string,
  kind: string,
  source: PriceSource,
  regionName: string,
): Amount {
  return Object.prototype.hasOwnProperty.call(table, type)
    ? known(table[type])
    : unknown(
        `no ${kind} price for ${type} in ${regionName} in ${source.label}; add it to lib/price-table.ts or run with --live`,
      );
}

export function instancePrice(type: string, source: PriceSource, regionName: string): InstancePrice {
  const facts = gpuInstanceType(type);
  const onDemandHourly = priceOf(source.region.onDemandHourly, type, "On-Demand", source, regionName);
  const spotHourly = priceOf(source.region.spotHourly, type, "Spot", source, regionName);
  const spotSaving =
    isKnown(onDemandHourly) && isKnown(spotHourly)
      ? known(1 - spotHourly.usd / onDemandHourly.usd)
      : unknown("needs both the On-Demand and the Spot price");
  return { instanceType: type, gpus: facts?.gpus ?? 0, onDemandHourly, spotHourly, spotSaving };
}

/** The dearest of some amounts, or the first reason one is unknown. */
function dearest(amounts: readonly Amount[]): Amount {
  const missing = amounts.find((a) => !isKnown(a));
  if (missing) return missing;
  return known(Math.max(...amounts.map((a) => (a as { usd: number }).usd)));
}

/**
 * Per GPU size. With cluster-autoscaler, the Spot groups of a size may reach maxSize nodes in all
 * (split over its zones), and so may its On-Demand groups, so the worst case is all of them full (Spot at the dearest Spot price, On-Demand at the dearest
 * On-Demand price). With Karpenter the NodePool's GPU limit allows maxSize nodes in all, at worst
 * all On-Demand.
 */
export function gpuSizeCosts(config: Config, source: PriceSource): GpuSizeCost[] {
  return config.nodeGroups.gpu.map((size) => {
    const instances = size.instanceTypes.map((t) => instancePrice(t, source, config.region));
    const dearestOnDemand = dearest(instances.map((i) => i.onDemandHourly));
    const dearestSpot = dearest(instances.map((i) => i.spotHourly));
    let maxHourly: Amount;
    if (config.autoscaler === "karpenter") {
      maxHourly = isKnown(dearestOnDemand) ? known(size.maxSize * dearestOnDemand.usd) : dearestOnDemand;
    } else if (!isKnown(dearestOnDemand)) {
      maxHourly = dearestOnDemand;
    } else if (!isKnown(dearestSpot)) {
      maxHourly = dearestSpot;
    } else {
      maxHourly = known(size.maxSize * (dearestSpot.usd + dearestOnDemand.usd));
    }
    return {
      name: size.name,
      gpusPerNode: instances[0]?.gpus ?? 0,
      maxNodes: config.autoscaler === "karpenter" ? size.maxSize : 2 * size.maxSize,
      instances,
      maxHourly,
      idleHourly: 0,
    };
  });
}

/** What the report assumes where a charge depends on use; each line that uses one says so. */
export interface UsageAssumptions {
  /** GB a month ingested into the control-plane, VPC flow log and FSx log groups together. */
  readonly logIngestGBPerMonth: number;
  /** Users who sign in at least once a month (Cognito monthly active users). */
  readonly monthlyActiveUsers: number;
  /** GB in the S3 data bucket, for the rate's example; undefined: as much as the FSx file system holds (its capacity). */
  readonly dataBucketGB?: number;
}

/** Assumptions, not measurements: a small team on a quiet cluster. `npm run cost -- --log-gb N --users N` changes them. */
export const DEFAULT_ASSUMPTIONS: UsageAssumptions = { logIngestGBPerMonth: 10, monthlyActiveUsers: 20 };

/** Kubeflow's EBS volumes: the claims of the render (or of the installed components) and the per-notebook workspace. */
export interface KubeflowVolumes {
  readonly claims: readonly VolumeClaim[];
  /** The workspace claim created with each notebook server, GiB; undefined when there are no notebooks. */
  readonly notebookWorkspaceGiB?: number;
}

/** When a line is billed: all the time, or only while the FSx file system exists (not parked). */
export type Billed = "always" | "while FSx runs";

export interface CostLine {
  readonly item: string;
  readonly monthly: Amount;
  /** How the figure is made: the quantities and rates. */
  readonly how: string;
  /** The price table figures it uses; the report lists their sources. */
  readonly figures: readonly PricedFigure[];
  readonly billed: Billed;
  /** Set when the figure rests on assumed use: what is assumed. */
  readonly estimate?: string;
}

/** A charge that grows with use and is not in the totals. */
export interface UsageRate {
  readonly item: string;
  readonly rate: Amount;
  readonly unit: string;
  readonly note: string;
  readonly figures: readonly PricedFigure[];
}

/** A figure of the region's prices, or why the table has none. */
function figure(value: number | undefined, what: string, source: PriceSource, regionName: string): Amount {
  return value === undefined
    ? unknown(
        `no ${what} price for ${regionName} in ${source.label}: no public source was found for it ` +
          '(lib/price-table.ts, "Not found"); add it there with its source',
      )
    : known(value);
}

/** The first unknown of some amounts, or their sum. */
function sum(amounts: readonly Amount[]): Amount {
  const missing = amounts.find((a) => !isKnown(a));
  return missing ?? known(amounts.reduce((total, a) => total + (a as { usd: number }).usd, 0));
}

/** An amount times a number (unknown stays unknown). */
function times(a: Amount, n: number): Amount {
  return isKnown(a) ? known(a.usd * n) : a;
}

/** A unit price: at least 2 decimals, up to 4 ("$0.10", "$0.0225"). */
export function unitPrice(usd: number): string {
  const decimals = Number(usd.toFixed(4)).toString().split(".")[1]?.length ?? 0;
  return `$${usd.toFixed(Math.max(2, decimals))}`;
}
const rate = (a: Amount) => (isKnown(a) ? unitPrice(a.usd) : "unknown");
const round = (n: number, digits = 1) => String(Number(n.toFixed(digits)));

/**
 * The customer-managed KMS keys the stacks create, each $1 a month (protectedKey() in
 * constructs/protected-key.ts, called for the bucket of every SecureBucket, the cluster's secrets, the
 * EBS volume key and the FSx file system). The kept stacks re-declare the eks keys; they are the same keys.
 */
export function kmsKeys(config: Config): string[] {
  return [
    "Terraform state bucket (bootstrap)",
    "Kubernetes secrets (eks)",
    "EBS volumes (eks)",
    ...(config.fsx.dataBucket.create ? ["data bucket (fsx)"] : []),
    // SCRATCH_2 uses a key FSx owns (stacks/fsx-stack.ts). Counted while parked too: parking deletes the
    // file system, and the key is protected from destroy.
    ...(config.fsx.deploymentType === "PERSISTENT_2" ? ["FSx for Lustre (fsx)"] : []),
  ];
}

/** The CloudWatch log groups the stacks create, all kept for cluster.logRetentionDays. */
export const LOG_GROUPS = ["EKS control plane", "VPC flow logs", "FSx for Lustre"] as const;

/** Public IPv4 addresses: one Elastic IP per NAT gateway, and an internet-facing ALB's, assumed one per zone. */
export function publicIpv4Addresses(config: Config): { nat: number; alb: number } {
  const nat = config.network.natGateways === "per-az" ? config.network.zones.length : 1;
  // The load balancer controller places the ALB in the public subnet of each zone (constructs/network.ts
  // tags every one kubernetes.io/role/elb). One address per zone is an assumption, from a note on IPv4
  // charges (https://cobalt-samba-401.notion.site/45-IP-Address-Charges-in-AWS-f5ae70cf2a8e828b9fa701bb6b239e5d:
  // a load balancer across 3 AZs, "each AZ gets its own Public IPv4"); an internal ALB has none.
  const alb = config.kubeflow.ingressScheme === "internet-facing" ? config.network.zones.length : 0;
  return { nat, alb };
}

/** The monthly price of EBS volumes of the default StorageClass (storage.*): storage plus per-volume performance. */
function ebsVolumes(
  config: Config,
  sizesGiB: readonly number[],
  source: PriceSource,
): { monthly: Amount; how: string; figures: PricedFigure[] } {
  const r = source.region;
  const gib = sizesGiB.reduce((a, b) => a + b, 0);
  const count = sizesGiB.length;
  const s = config.storage;
  if (s.type === "gp3") {
    const perGb = figure(r.ebsGp3PerGBMonth, "EBS gp3 storage", source, config.region);
    const parts: Amount[] = [times(perGb, gib)];
    const how = [`${round(gib)} GiB x ${rate(perGb)}/GB-month`];
    const figures: PricedFigure[] = ["ebsGp3PerGBMonth"];
    const extraIops = Math.max(0, (s.iops ?? 3000) - 3000);
    if (extraIops > 0) {
      const iops = figure(r.ebsGp3IopsMonth, "EBS gp3 IOPS", source, config.region);
      parts.push(times(iops, extraIops * count));
      how.push(`${count} x ${extraIops} IOPS above 3,000 x ${rate(iops)}/IOPS-month`);
      figures.push("ebsGp3IopsMonth");
    }
    const extraThroughput = Math.max(0, (s.throughput ?? 125) - 125);
    if (extraThroughput > 0) {
      const mibps = figure(r.ebsGp3ThroughputMonth, "EBS gp3 throughput", source, config.region);
      parts.push(times(mibps, extraThroughput * count));
      how.push(`${count} x ${extraThroughput} MiB/s above 125 x ${rate(mibps)}/MiB/s-month`);
      figures.push("ebsGp3ThroughputMonth");
    }
    return { monthly: sum(parts), how: how.join(" + "), figures };
  }
  const perGb = figure(r.ebsIo2PerGBMonth, "EBS io2 storage", source, config.region);
  const iopsRate = figure(r.ebsIo2IopsMonth, "EBS io2 IOPS", source, config.region);
  const iops = s.iops ?? 0;
  return {
    monthly: sum([times(perGb, gib), times(iopsRate, iops * count)]),
    how: `${round(gib)} GiB x ${rate(perGb)}/GB-month + ${count} x ${iops} IOPS x ${rate(iopsRate)}/IOPS-month`,
    figures: ["ebsIo2PerGBMonth", "ebsIo2IopsMonth"],
  };
}

/** The FSx file system's storage, per month while it exists. */
export function fsxStorageMonthly(config: Config, source: PriceSource): Amount {
  const r = source.region;
  const capacity = config.fsx.storageCapacityGiB;
  if (config.fsx.deploymentType === "PERSISTENT_2") {
    const tier = String(config.fsx.throughputPerTiB);
    const perGb = Object.prototype.hasOwnProperty.call(r.fsxPersistent2PerGBMonth, tier)
      ? r.fsxPersistent2PerGBMonth[tier]
      : undefined;
    return times(figure(perGb, `FSx for Lustre PERSISTENT_2 ${tier} MB/s/TiB`, source, config.region), capacity);
  }
  return times(figure(r.fsxScratch2PerGBMonth, "FSx for Lustre SCRATCH_2", source, config.region), capacity);
}

/**
 * Everything the platform keeps running with no GPU node, per month (730 hours). Sizes in GiB are
 * counted as billed GB, as AWS bills the provisioned size. Each line names the price table figures it
 * uses; lines resting on assumed use carry `estimate`. To recompute for other instance types or sizes,
 * change the config: every quantity here is read from it.
 */
export function alwaysOnCosts(
  config: Config,
  source: PriceSource,
  volumes: KubeflowVolumes,
  assumptions: UsageAssumptions = DEFAULT_ASSUMPTIONS,
): CostLine[] {
  const r = source.region;
  const region = config.region;
  const month = (hourly: number) => hourly * HOURS_PER_MONTH;
  const lines: CostLine[] = [];
  const add = (line: Omit<CostLine, "billed"> & { billed?: Billed }) => lines.push({ billed: "always", ...line });

  add({
    item: "EKS control plane",
    monthly: known(month(r.eksClusterHourly)),
    how: `standard support, ${unitPrice(r.eksClusterHourly)}/h x ${HOURS_PER_MONTH} h`,
    figures: ["eksClusterHourly"],
  });

  // minSize nodes of the first type, the one the managed node group launches first (On-Demand,
  // prioritized). Whether they hold the platform's requests is the "System nodes" section's and
  // KF_SYSTEM_CAPACITY's (lib/system-requests.ts).
  const system = config.nodeGroups.system;
  const systemType = system.instanceTypes[0];
  const systemPrice = priceOf(r.onDemandHourly, systemType, "On-Demand", source, region);
  add({
    item: `system nodes (${system.minSize} x ${systemType})`,
    monthly: times(systemPrice, system.minSize * HOURS_PER_MONTH),
    how: `On-Demand, always on (minSize): ${system.minSize} x ${rate(systemPrice)}/h x ${HOURS_PER_MONTH} h`,
    figures: ["onDemandHourly"],
  });
  const gp3 = figure(r.ebsGp3PerGBMonth, "EBS gp3 storage", source, region);
  add({
    item: `system node disks (${system.minSize} x ${system.diskSizeGiB} GiB gp3)`,
    monthly: times(gp3, system.minSize * system.diskSizeGiB),
    how: `${system.minSize * system.diskSizeGiB} GiB x ${rate(gp3)}/GB-month (encrypted gp3 root volumes)`,
    figures: ["ebsGp3PerGBMonth"],
  });

  const ips = publicIpv4Addresses(config);
  add({
    item: `NAT gateway${ips.nat > 1 ? `s (${ips.nat})` : ""}`,
    monthly: known(ips.nat * month(r.natGatewayHourly)),
    how: `${ips.nat} x ${unitPrice(r.natGatewayHourly)}/h x ${HOURS_PER_MONTH} h; data processing extra (below)`,
    figures: ["natGatewayHourly"],
  });
  add({
    item: "ALB",
    monthly: known(month(r.albHourly + r.albLcuHourly)),
    how: `(${unitPrice(r.albHourly)} + one LCU at ${unitPrice(r.albLcuHourly)})/h x ${HOURS_PER_MONTH} h; more LCUs with traffic (below)`,
    figures: ["albHourly", "albLcuHourly"],
  });
  const ipv4 = figure(r.publicIpv4Hourly, "public IPv4 address", source, region);
  const addresses = ips.nat + ips.alb;
  add({
    item: `public IPv4 addresses (${addresses})`,
    monthly: times(ipv4, addresses * HOURS_PER_MONTH),
    how: `${ips.nat} NAT Elastic IP${ips.nat > 1 ? "s" : ""} + ${ips.alb} ALB x ${rate(ipv4)}/h x ${HOURS_PER_MONTH} h`,
    figures: ["publicIpv4Hourly"],
    estimate: ips.alb > 0 ? `the ALB assumed to hold one address per zone (${ips.alb})` : undefined,
  });

  const sizes = volumes.claims.map((c) => c.sizeGiB);
  const ebs = ebsVolumes(config, sizes, source);
  add({
    item: `EBS for Kubeflow's claims (${sizes.length}, ${config.storage.type})`,
    monthly: sizes.length === 0 ? known(0) : ebs.monthly,
    how:
      sizes.length === 0
        ? "no claims"
        : `${volumes.claims.map((c) => `${c.name} ${round(c.sizeGiB)}`).join(" + ")} GiB; ${ebs.how}`,
    figures: ebs.figures,
  });

  const keys = kmsKeys(config);
  const kms = figure(r.kmsKeyMonthly, "KMS key", source, region);
  add({
    item: `KMS keys (${keys.length})`,
    monthly: times(kms, keys.length),
    how: `${keys.length} x ${rate(kms)}/key-month: ${keys.join(", ")}; yearly rotation adds to it from the second year`,
    figures: ["kmsKeyMonthly"],
  });

  const ingest = figure(r.logsIngestPerGB, "CloudWatch Logs ingestion", source, region);
  const storage = figure(r.logsStoragePerGBMonth, "CloudWatch Logs storage", source, region);
  const retention = config.cluster.logRetentionDays;
  // Steady state: each month's logs are kept retention days, so retention / (days a month) months' worth is stored.
  const storedGB = (assumptions.logIngestGBPerMonth * retention) / (HOURS_PER_MONTH / 24);
  add({
    item: `CloudWatch Logs (${LOG_GROUPS.length} log groups, ${retention} days)`,
    monthly: sum([times(ingest, assumptions.logIngestGBPerMonth), times(storage, storedGB)]),
    how:
      `${round(assumptions.logIngestGBPerMonth)} GB x ${rate(ingest)}/GB ingested + ${round(storedGB)} GB stored ` +
      `x ${rate(storage)}/GB-month`,
    figures: ["logsIngestPerGB", "logsStoragePerGBMonth"],
    estimate: `${round(assumptions.logIngestGBPerMonth)} GB a month assumed across ${LOG_GROUPS.join(", ")}`,
  });

  const plan = config.auth.featurePlan;
  const planPrice = r.cognito[plan];
  const users = assumptions.monthlyActiveUsers;
  add({
    item: `Cognito (${plan[0].toUpperCase()}${plan.slice(1)} plan)`,
    monthly: planPrice
      ? known(Math.max(0, users - planPrice.freeMau) * planPrice.perMau)
      : figure(undefined, `Cognito ${plan} plan`, source, region),
    how: planPrice
      ? `${users} MAU${planPrice.freeMau > 0 ? ` (${planPrice.freeMau} free)` : " (none free)"} x ${unitPrice(planPrice.perMau)}/MAU; ` +
        "Google sign-in counts as a direct or social user, not SAML/OIDC"
      : "price unknown",
    figures: ["cognito"],
    estimate: `${users} monthly active users assumed`,
  });

  const secret = figure(r.secretsManagerSecretMonthly, "Secrets Manager secret", source, region);
  add({
    item: "Secrets Manager (1 secret)",
    monthly: secret,
    how: `${rate(secret)}/secret-month: ${config.auth.googleOAuthSecretName}, which you create; the stacks create none`,
    figures: ["secretsManagerSecretMonthly"],
  });

  const zone = figure(r.route53HostedZoneMonthly, "Route 53 hosted zone", source, region);
  add({
    item: "Route 53 hosted zone",
    monthly: zone,
    how: `${rate(zone)}/month for ${config.domain.hostedZone}, an existing zone: billed once per zone whoever created it`,
    figures: ["route53HostedZoneMonthly"],
  });

  const fsx = config.fsx;
  const fsxStorage = fsxStorageMonthly(config, source);
  add({
    item: `FSx for Lustre (${fsx.storageCapacityGiB} GiB ${fsx.deploymentType}${fsx.deploymentType === "PERSISTENT_2" ? `, ${fsx.throughputPerTiB} MB/s/TiB` : ""})`,
    monthly: fsxStorage,
    how:
      `${fsx.storageCapacityGiB} GiB x ${isKnown(fsxStorage) ? `${unitPrice(fsxStorage.usd / fsx.storageCapacityGiB)}/GB-month` : "unknown"}; ` +
      "only while the file system exists, nothing while parked",
    figures: fsx.deploymentType === "PERSISTENT_2" ? ["fsxPersistent2PerGBMonth"] : ["fsxScratch2PerGBMonth"],
    billed: "while FSx runs",
  });
  return lines;
}

/**
 * Charges that grow with use, shown as rates and left out of the totals. The data bucket is one: it
 * holds the team's data sets, whatever their size, whether FSx runs or is parked; the example is what
 * the configured file system's capacity would cost there (or `assumptions.dataBucketGB`).
 */
export function usageRates(
  config: Config,
  source: PriceSource,
  volumes: KubeflowVolumes,
  assumptions: UsageAssumptions = DEFAULT_ASSUMPTIONS,
): UsageRate[] {
  const r = source.region;
  const rates: UsageRate[] = [
    {
      item: "NAT data processing",
      rate: known(r.natGatewayPerGB),
      unit: "per GB",
      note: "traffic from the private subnets to the internet (image pulls, package installs)",
      figures: ["natGatewayPerGB"],
    },
    {
      item: "ALB LCUs beyond one",
      rate: known(r.albLcuHourly),
      unit: "per LCU-hour",
      note: "with traffic to Kubeflow",
      figures: ["albLcuHourly"],
    },
  ];
  const s3 = figure(r.s3StandardPerGBMonth, "S3 Standard storage", source, config.region);
  const exampleGB = assumptions.dataBucketGB ?? config.fsx.storageCapacityGiB;
  rates.push({
    item: `S3 data bucket (${config.fsx.dataBucket.name})`,
    rate: s3,
    unit: "per GB-month",
    note:
      `the team's data sets (S3 Standard), kept whether FSx runs or is parked; e.g. ${round(exampleGB)} GB ` +
      `${assumptions.dataBucketGB === undefined ? "(as much as the file system holds) " : ""}is ` +
      `${isKnown(s3) ? `$${(s3.usd * exampleGB).toFixed(2)}` : "unknown"} a month`,
    figures: ["s3StandardPerGBMonth"],
  });
  if (volumes.notebookWorkspaceGiB !== undefined) {
    const workspace = ebsVolumes(config, [volumes.notebookWorkspaceGiB], source);
    rates.push({
      item: `notebook workspace (${round(volumes.notebookWorkspaceGiB)} GiB ${config.storage.type})`,
      rate: workspace.monthly,
      unit: "per notebook a month",
      note: "one claim per notebook server, kept until the notebook is deleted",
      figures: workspace.figures,
    });
  }
  return rates;
}

/** A total of known amounts, and whether every part was known. */
export interface Total {
  readonly knownUsd: number;
  readonly complete: boolean;
}

function total(lines: readonly CostLine[]): Total {
  return {
    knownUsd: lines.reduce((t, l) => t + (isKnown(l.monthly) ? l.monthly.usd : 0), 0),
    complete: lines.every((l) => isKnown(l.monthly)),
  };
}

/** Idle monthly totals: FSx running (every line), FSx parked (the lines billed always). */
export function idleTotals(lines: readonly CostLine[]): { fsxRunning: Total; fsxParked: Total } {
  return { fsxRunning: total(lines), fsxParked: total(lines.filter((l) => l.billed === "always")) };
}

export interface TimeToGpu {
  readonly situation: string;
  readonly typical: string;
  readonly worst: string;
}

/**
 * The Lustre client install every node runs before kubelet starts (lib/node-user-data.ts): one
 * `dnf install lustre-client` from the region's AL2023 repositories, an estimate of 15-45 s; each
 * node records its own as the label kubeflow-eks/lustre-install-seconds. Worst case, the retries
 * give up after lustreInstallCeilingSeconds() and the node joins without it.
 */
export const LUSTRE_INSTALL_MINUTES = { low: 0.25, high: 0.75 };
const NODE_READY_MINUTES = {
  low: NODE_BOOT_MINUTES.low + LUSTRE_INSTALL_MINUTES.low,
  high: NODE_BOOT_MINUTES.high + LUSTRE_INSTALL_MINUTES.high,
};

/** The time-to-GPU figures of README's autoscaling section, for the configured settings. */
export function timeToGpu(config: Config): TimeToGpu[] {
  const n = (m: number) => String(Number(m.toFixed(1)));
  const fmt = (m: number) => `${n(m)} min`;
  const range = (a: number, b: number) => `${n(a)}-${n(b)} min`;
  if (config.autoscaler === "karpenter") {
    return [
      {
        situation: "Spot available",
        typical: range(NODE_READY_MINUTES.low - 0.5, NODE_READY_MINUTES.high - 0.5),
        worst: `about ${fmt(NODE_READY_MINUTES.high)}`,
      },
      {
        situation: "Spot out (falls back to On-Demand in seconds)",
        typical: range(NODE_READY_MINUTES.low - 0.5, NODE_READY_MINUTES.high - 0.5),
        worst: `about ${fmt(NODE_READY_MINUTES.high + 0.5)}`,
      },
    ];
  }
  const provision = durationMinutes(config.addons.clusterAutoscaler.maxNodeProvisionTime);
  const zones = config.fsx.pinGpuGroupsToFileSystemZone ? 1 : config.network.zones.length;
  // A failed Spot launch is seen at the next ASG cache refresh (at most a minute later).
  const detect = { high: 1 };
  return [
    {
      situation: "Spot available",
      typical: range(NODE_READY_MINUTES.low, NODE_READY_MINUTES.high),
      worst: `about ${fmt(NODE_READY_MINUTES.high + 0.5)}`,
    },
    {
      situation: "Spot out in the pod's zone, failed launch seen (early abort)",
      typical: range(NODE_READY_MINUTES.low + 1, NODE_READY_MINUTES.high + detect.high),
      worst: `about ${fmt(NODE_READY_MINUTES.high + detect.high + 0.5)}`,
    },
    ...(zones > 1
      ? [
          {
            // Every Spot group of a size ranks above its On-Demand ones, so a pod free to go to any
            // zone tries each zone's Spot group (one failed launch seen per zone) before On-Demand.
            situation: `Spot out in all ${zones} zones (a pod free to use any zone)`,
            typical: range(NODE_READY_MINUTES.low + zones, NODE_READY_MINUTES.high + zones * detect.high),
            worst: `about ${fmt(NODE_READY_MINUTES.high + zones * detect.high + 0.5)}`,
          },
        ]
      : []),
    {
      situation: "Spot out, no failed activity (waits maxNodeProvisionTime)",
      typical: "-",
      worst: `about ${fmt(provision + NODE_READY_MINUTES.high)} (maxNodeProvisionTime ${config.addons.clusterAutoscaler.maxNodeProvisionTime})`,
    },
  ];
}
