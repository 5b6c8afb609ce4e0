/**
 * The cost report's arithmetic: what each GPU size can cost, what is always on, and how long a GPU
 * takes to arrive. Pure functions over the config and a price source; `npm run cost` prints them.
 */
import type { Config } from "../config/schema";
import { gpuInstanceType } from "./instance-types";
import type { RegionPrices } from "./price-table";

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

export interface FixedCost {
  readonly item: string;
  readonly monthly: Amount;
  readonly note: string;
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

/** The always-on parts, per month. Data transfer, LCUs beyond one and storage requests are extra. */
export function fixedMonthlyCosts(config: Config, source: PriceSource): FixedCost[] {
  const r = source.region;
  const month = (hourly: number) => hourly * HOURS_PER_MONTH;
  const systemType = config.nodeGroups.system.instanceTypes[0];
  const systemPrice = priceOf(r.onDemandHourly, systemType, "On-Demand", source, config.region);
  const nats = config.network.natGateways === "per-az" ? config.network.zones.length : 1;
  const fsxCapacity = config.fsx.storageCapacityGiB;
  let fsx: Amount;
  if (config.fsx.deploymentType === "PERSISTENT_2") {
    const perGb = r.fsxPersistent2PerGBMonth[String(config.fsx.throughputPerTiB)];
    fsx =
      perGb === undefined
        ? unknown(
            `no FSx for Lustre PERSISTENT_2 ${config.fsx.throughputPerTiB} MB/s/TiB price for ${config.region} in ${source.label}`,
          )
        : known(fsxCapacity * perGb);
  } else {
    fsx =
      r.fsxScratch2PerGBMonth === undefined
        ? unknown(`no FSx for Lustre SCRATCH_2 price for ${config.region} in ${source.label}`)
        : known(fsxCapacity * r.fsxScratch2PerGBMonth);
  }
  return [
    { item: "EKS control plane", monthly: known(month(r.eksClusterHourly)), note: "standard support" },
    {
      item: `system nodes (${config.nodeGroups.system.minSize} x ${systemType})`,
      monthly: isKnown(systemPrice) ? known(config.nodeGroups.system.minSize * month(systemPrice.usd)) : systemPrice,
      note: "On-Demand, always on (minSize)",
    },
    {
      item: `NAT gateway${nats > 1 ? `s (${nats})` : ""}`,
      monthly: known(nats * month(r.natGatewayHourly)),
      note: `plus $${r.natGatewayPerGB}/GB processed`,
    },
    { item: "ALB", monthly: known(month(r.albHourly + r.albLcuHourly)), note: "one LCU; more with traffic" },
    { item: `FSx for Lustre (${fsxCapacity} GiB ${config.fsx.deploymentType})`, monthly: fsx, note: "storage" },
  ];
}

/** Parses a Go duration such as "7m", "90s" or "1h30m" into minutes. */
export function durationMinutes(text: string): number {
  const match = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text);
  if (!match || text === "") throw new Error(`not a duration: "${text}"`);
  return Number(match[1] ?? 0) * 60 + Number(match[2] ?? 0) + Number(match[3] ?? 0) / 60;
}

export interface TimeToGpu {
  readonly situation: string;
  readonly typical: string;
  readonly worst: string;
}

/** Minutes from EC2 launch to a Ready GPU node with its GPUs advertised, before user data (estimate; see README). */
export const NODE_BOOT_MINUTES = { low: 2, high: 3.5 };
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
