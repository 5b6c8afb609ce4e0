/**
 * npm run cost [-- --live] [--log-gb N] [--users N]
 *
 * What the configured platform costs (KF_CONFIG or config/default.yaml): per GPU size the instance
 * types, GPUs, On-Demand and typical Spot prices and saving, the most it can cost per hour and
 * what it costs idle (nothing); what the system nodes hold (the requests of the Kubeflow core and
 * components, the add-ons and the per-node agents, against the configured group's allocatable) and
 * the configurations that fit, cheapest first; every always-on item per month with how it is
 * computed and the sources of its prices; charges that grow with use, as rates; totals idle with FSx
 * running and parked, and per GPU size when full; and the time-to-GPU figures for the configured
 * autoscaler.
 * Prices come from the dated table in lib/price-table.ts, or with --live EC2 prices from the AWS
 * Price List API and the Spot price history (AWS CLI v2 with credentials). --log-gb and --users
 * replace the assumed CloudWatch Logs volume (GB a month) and Cognito monthly active users.
 */
import { spawnSync } from "node:child_process";
import { ConfigError, configPathFromEnv, loadConfig } from "../config/load";
import type { Config } from "../config/schema";
import {
  alwaysOnCosts,
  DEFAULT_ASSUMPTIONS,
  gpuSizeCosts,
  HOURS_PER_MONTH,
  idleTotals,
  isKnown,
  timeToGpu,
  usageRates,
  whyUnknown,
  type Amount,
  type KubeflowVolumes,
  type PriceSource,
  type Total,
  type UsageAssumptions,
  unitPrice,
} from "../lib/cost";
import { SYSTEM_INSTANCE_TYPES } from "../lib/instance-types";
import { readRequestsSummary, type KubeflowRequestsSummary } from "../lib/kubeflow-requests";
import { renderedVolumes } from "../lib/kubeflow-storage";
import { PRICE_SOURCES, PRICE_TABLE, PRICE_TABLE_DATE, type PricedFigure, type RegionPrices } from "../lib/price-table";
import {
  checkFit,
  cpu,
  demandOf,
  fittingConfigs,
  mib,
  systemDemand,
  systemWorkloads,
  type SystemWorkload,
} from "../lib/system-requests";

export class CostError extends Error {}

/** The dated table's prices for a region, or a clear error naming the regions it has. */
export function tablePrices(region: string): PriceSource {
  if (!Object.prototype.hasOwnProperty.call(PRICE_TABLE, region)) {
    throw new CostError(
      `region ${region} is not in the price table (it has ${Object.keys(PRICE_TABLE).join(", ")}); ` +
        "add it to lib/price-table.ts or run `npm run cost -- --live` with AWS credentials",
    );
  }
  return { label: `the price table of ${PRICE_TABLE_DATE}`, region: PRICE_TABLE[region] };
}

/** The On-Demand hourly USD price in an AWS Price List API get-products answer. */
export function onDemandFromPriceList(answer: { PriceList?: string[] }): number | undefined {
  for (const item of answer.PriceList ?? []) {
    const product = JSON.parse(item) as {
      terms?: { OnDemand?: Record<string, { priceDimensions: Record<string, { pricePerUnit: { USD?: string } }> }> };
    };
    for (const term of Object.values(product.terms?.OnDemand ?? {})) {
      for (const dimension of Object.values(term.priceDimensions)) {
        const usd = Number(dimension.pricePerUnit.USD);
        if (usd > 0) return usd;
      }
    }
  }
  return undefined;
}

/** The mean current Spot price across zones in a describe-spot-price-history answer. */
export function spotFromHistory(answer: {
  SpotPriceHistory?: { AvailabilityZone: string; SpotPrice: string }[];
}): number | undefined {
  const latest = new Map<string, number>();
  for (const entry of answer.SpotPriceHistory ?? [])
    if (!latest.has(entry.AvailabilityZone)) latest.set(entry.AvailabilityZone, Number(entry.SpotPrice));
  const prices = [...latest.values()];
  return prices.length > 0 ? prices.reduce((a, b) => a + b, 0) / prices.length : undefined;
}

function awsJson(args: string[]): unknown {
  const result = spawnSync("aws", [...args, "--output", "json"], { encoding: "utf8" });
  if (result.error) throw new CostError("--live needs the AWS CLI v2 on PATH");
  if (result.status !== 0)
    throw new CostError(`aws ${args.slice(0, 2).join(" ")} failed (credentials?): ${result.stderr.trim()}`);
  return JSON.parse(result.stdout);
}

/** Current EC2 prices from AWS for the configured types; the other rates stay from the table. */
function livePrices(config: Config): PriceSource {
  const base = tablePrices(config.region).region;
  // The system candidates too, for the configurations that hold the system nodes' requests.
  const types = [
    ...new Set([
      ...config.nodeGroups.system.instanceTypes,
      ...Object.keys(SYSTEM_INSTANCE_TYPES),
      ...config.nodeGroups.gpu.flatMap((g) => g.instanceTypes),
    ]),
  ];
  const onDemandHourly: Record<string, number> = {};
  const spotHourly: Record<string, number> = {};
  const filter = (field: string, value: string) => `Type=TERM_MATCH,Field=${field},Value=${value}`;
  for (const type of types) {
    const od = onDemandFromPriceList(
      awsJson([
        "pricing",
        "get-products",
        "--region",
        "us-east-1",
        "--service-code",
        "AmazonEC2",
        "--filters",
        filter("instanceType", type),
        filter("regionCode", config.region),
        filter("operatingSystem", "Linux"),
        filter("tenancy", "Shared"),
        filter("preInstalledSw", "NA"),
        filter("capacitystatus", "Used"),
      ]) as { PriceList?: string[] },
    );
    if (od !== undefined) onDemandHourly[type] = od;
    const spot = spotFromHistory(
      awsJson([
        "ec2",
        "describe-spot-price-history",
        "--region",
        config.region,
        "--instance-types",
        type,
        "--product-descriptions",
        "Linux/UNIX",
        "--start-time",
        new Date().toISOString(),
      ]) as { SpotPriceHistory?: { AvailabilityZone: string; SpotPrice: string }[] },
    );
    if (spot !== undefined) spotHourly[type] = spot;
  }
  const today = new Date().toISOString().slice(0, 10);
  const region: RegionPrices = {
    ...base,
    onDemandHourly,
    spotHourly,
    sources: {
      ...base.sources,
      onDemandHourly: [`AWS Price List API (get-products), ${today}`],
      spotHourly: [`EC2 Spot price history (describe-spot-price-history), ${today}`],
    },
  };
  return {
    label: `AWS prices of ${today} (EC2 live; other rates from the table of ${PRICE_TABLE_DATE})`,
    region,
  };
}

const money = (a: Amount, digits = 2) => (isKnown(a) ? `$${a.usd.toFixed(digits)}` : "unknown");
const totalText = (t: Total) => `${t.complete ? "" : "at least "}$${t.knownUsd.toFixed(2)}`;

/** At least this many system nodes, one per zone: the system group's pods and the load balancer need two zones. */
export const SYSTEM_NODES_AT_LEAST = 2;

/**
 * The system nodes' section: what runs on them by part, against the configured group's allocatable,
 * and every configuration that holds it with at least two nodes, cheapest first.
 */
export function systemNodesReport(
  config: Config,
  source: PriceSource,
  summary: KubeflowRequestsSummary,
  cite: (figures: readonly PricedFigure[]) => string,
): string[] {
  const workloads = systemWorkloads(config, summary);
  const demand = systemDemand(workloads);
  const lines: string[] = [];
  const components = config.kubeflow.components.join(", ") || "none";
  lines.push(
    `System nodes: what runs on them with no GPU workload (requests; Kubeflow components: ${components})`,
    "| part | pods | CPU | memory | containers requesting nothing |",
    "| --- | --- | --- | --- | --- |",
  );
  const row = (part: string, ws: readonly SystemWorkload[]) => {
    const d = demandOf(ws);
    return `| ${part} | ${d.pods} | ${Math.round(d.cpuMillicores)}m | ${mib(d.memoryMiB)} | ${d.containersRequestingNothing} |`;
  };
  const cluster = workloads.filter((w) => !w.perNode);
  for (const group of [...new Set(cluster.map((w) => w.group))])
    lines.push(
      row(
        group,
        cluster.filter((w) => w.group === group),
      ),
    );
  lines.push(
    row("total, spread over the nodes", cluster),
    row(
      "per-node agents, on each node",
      workloads.filter((w) => w.perNode),
    ),
  );
  const system = config.nodeGroups.system;
  const fit = checkFit(demand, system.instanceTypes, system.minSize);
  lines.push("");
  if ("unknownType" in fit) {
    lines.push(
      `${fit.unknownType} has no row in SYSTEM_INSTANCE_TYPES (lib/instance-types.ts): its allocatable is unknown.`,
    );
  } else {
    const { capacity, problems } = fit;
    const n = capacity.node;
    lines.push(
      `One ${capacity.instanceType} allocates ${cpu(n.cpuMillicores)}, ${mib(n.memoryMiB)} and ${n.pods} pods ` +
        "(EKS AL2023: kube-reserved, the eviction threshold, the managed node group's max pods).",
      `The configured ${system.minSize} x ${capacity.instanceType} (minSize) leave ${cpu(capacity.free.cpuMillicores)}, ` +
        `${mib(capacity.free.memoryMiB)} and ${capacity.free.pods} pods after the agents: ` +
        (problems.length === 0
          ? `they hold it, with ${cpu(capacity.free.cpuMillicores - demand.cluster.cpuMillicores)}, ` +
            `${mib(capacity.free.memoryMiB - demand.cluster.memoryMiB)} and ${capacity.free.pods - demand.cluster.pods} pods to spare.`
          : `they do not (${problems.join("; ")}); synth stops (KF_SYSTEM_CAPACITY).`),
    );
  }
  for (const u of demand.unknowns) lines.push(`- ${u.name}: ${u.unknown}.`);
  lines.push(
    `- ${demand.cluster.containersRequestingNothing} containers of the pods spread over the nodes, and ` +
      `${demand.perNode.containersRequestingNothing} of each node's agents, request neither CPU nor memory: they use ` +
      "memory all the same, which the requests above do not show.",
    "",
    `Configurations that hold it (at least ${SYSTEM_NODES_AT_LEAST} nodes, one per zone; On-Demand), cheapest first`,
    `| instance type | nodes | per hour | per month (${HOURS_PER_MONTH} h) |`,
    "| --- | --- | --- | --- |",
  );
  const fits = fittingConfigs(demand, source.region.onDemandHourly, SYSTEM_NODES_AT_LEAST);
  for (const f of fits)
    lines.push(
      `| ${f.instanceType} | ${f.count} | ${f.hourly === undefined ? "unknown" : unitPrice(f.hourly)} | ` +
        `${f.hourly === undefined ? "unknown" : `$${(f.hourly * HOURS_PER_MONTH).toFixed(2)}`} |`,
    );
  const cheapest = fits.find((f) => f.hourly !== undefined);
  lines.push(
    "",
    cheapest
      ? `Cheapest that holds it: ${cheapest.count} x ${cheapest.instanceType}, $${(cheapest.hourly! * HOURS_PER_MONTH).toFixed(2)} a month ` +
          `(nodes only; their disks are below). Prices: On-Demand ${cite(["onDemandHourly"])}; types: SYSTEM_INSTANCE_TYPES in lib/instance-types.ts.`
      : "No configuration with a known price holds it.",
    "",
  );
  return lines;
}

/** The report as lines of text. `volumes` defaults to the claims of the config's committed Kubeflow render. */
export function costReport(
  config: Config,
  source: PriceSource,
  volumes: KubeflowVolumes = renderedVolumes(config.kubeflow.manifestsVersion),
  assumptions: UsageAssumptions = DEFAULT_ASSUMPTIONS,
  summary: KubeflowRequestsSummary = readRequestsSummary(),
): string[] {
  const lines: string[] = [];
  const notes = new Set<string>();
  const note = (a: Amount) => {
    const why = whyUnknown(a);
    if (why) notes.add(why);
  };
  // Sources are numbered in the order the report first cites them.
  const cited: string[] = [];
  const cite = (figures: readonly PricedFigure[]) =>
    [...new Set(figures.flatMap((f) => source.region.sources[f] ?? []))]
      .map((id) => {
        if (!cited.includes(id)) cited.push(id);
        return `[${cited.indexOf(id) + 1}]`;
      })
      .join(" ");
  lines.push(
    `Cost of "${config.project}-${config.environment}" in ${config.region}, autoscaler ${config.autoscaler}; prices: ${source.label}`,
    "",
  );
  lines.push("GPU sizes (USD per hour)");
  lines.push(
    "| size | instance type | GPUs | On-Demand | typical Spot | Spot saving | max nodes | max per hour | idle |",
  );
  lines.push("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
  const sizes = gpuSizeCosts(config, source);
  for (const size of sizes) {
    size.instances.forEach((i, index) => {
      [i.onDemandHourly, i.spotHourly].forEach(note);
      const saving = isKnown(i.spotSaving) ? `${Math.round(i.spotSaving.usd * 100)}%` : "unknown";
      const first = index === 0;
      lines.push(
        `| ${first ? size.name : ""} | ${i.instanceType} | ${i.gpus} | ${money(i.onDemandHourly, 4)} | ${money(i.spotHourly, 4)} | ${saving} | ` +
          `${first ? size.maxNodes : ""} | ${first ? money(size.maxHourly) : ""} | ${first ? `$${size.idleHourly.toFixed(2)}` : ""} |`,
      );
    });
    note(size.maxHourly);
  }
  lines.push(
    "",
    `sources: On-Demand ${cite(["onDemandHourly"])}, typical Spot ${cite(["spotHourly"])}`,
    config.autoscaler === "karpenter"
      ? "max per hour: maxSize nodes (the NodePool's GPU limit), all On-Demand at the dearest type."
      : "max per hour: every group full (maxSize Spot + maxSize On-Demand nodes, split over the zones) at the dearest types.",
    "idle: no GPU pod, no GPU node. A node outlives its last pod by the scale-down delay (about 5 minutes).",
    "",
    ...systemNodesReport(config, source, summary, cite),
    `Always on (USD per month, ${HOURS_PER_MONTH} hours)`,
    "| item | per month | how | sources |",
    "| --- | --- | --- | --- |",
  );
  const always = alwaysOnCosts(config, source, volumes, assumptions);
  for (const l of always) {
    note(l.monthly);
    lines.push(`| ${l.item} | ${money(l.monthly)}${l.estimate ? " (estimate)" : ""} | ${l.how} | ${cite(l.figures)} |`);
  }
  const estimates = always.filter((l) => l.estimate);
  if (estimates.length > 0) {
    lines.push(
      "",
      "Estimates rest on assumed use (--log-gb sets the CloudWatch Logs volume, --users the Cognito users):",
      ...estimates.map((l) => `- ${l.item}: ${l.estimate}`),
    );
  }
  lines.push(
    "",
    "Charges that grow with use (not in the totals)",
    "| item | rate | note | sources |",
    "| --- | --- | --- | --- |",
  );
  for (const r of usageRates(config, source, volumes, assumptions)) {
    note(r.rate);
    lines.push(
      `| ${r.item} | ${isKnown(r.rate) ? unitPrice(r.rate.usd) : "unknown"} ${r.unit} | ${r.note} | ${cite(r.figures)} |`,
    );
  }
  const idle = idleTotals(always);
  const hourly = (t: Total) => `${t.complete ? "" : "at least "}$${(t.knownUsd / HOURS_PER_MONTH).toFixed(2)}`;
  lines.push(
    "",
    "Totals (USD)",
    `| state | per hour | per month (${HOURS_PER_MONTH} h) |`,
    "| --- | --- | --- |",
    `| idle, FSx running | ${hourly(idle.fsxRunning)} | ${totalText(idle.fsxRunning)} |`,
    `| idle, FSx parked | ${hourly(idle.fsxParked)} | ${totalText(idle.fsxParked)} |`,
  );
  for (const size of sizes) {
    const month = isKnown(size.maxHourly) ? ({ usd: size.maxHourly.usd * HOURS_PER_MONTH } as Amount) : size.maxHourly;
    lines.push(
      `| ${size.name} full (${size.maxNodes} nodes), GPU nodes only | ${money(size.maxHourly)} | ${money(month)} |`,
    );
  }
  lines.push(
    "",
    "A GPU size when full adds its figure to an idle total; its month is every node running all month.",
    "",
  );
  lines.push(`Time from a GPU request to a GPU node (${config.autoscaler}; estimates, add image pull time)`);
  lines.push("| situation | typical | worst case |", "| --- | --- | --- |");
  for (const t of timeToGpu(config)) lines.push(`| ${t.situation} | ${t.typical} | ${t.worst} |`);
  if (notes.size > 0) lines.push("", "Unknown figures:", ...[...notes].map((n) => `- ${n}`));
  lines.push("", `Sources (lib/price-table.ts; figures read by ${PRICE_TABLE_DATE}):`);
  cited.forEach((id, i) => lines.push(`[${i + 1}] ${PRICE_SOURCES[id] ?? id}`));
  return lines;
}

/** The value after a flag such as --users, as a non-negative number; undefined when the flag is absent. */
export function numberFlag(args: readonly string[], flag: string): number | undefined {
  const at = args.indexOf(flag);
  if (at < 0) return undefined;
  const value = Number(args[at + 1]);
  if (args[at + 1] === undefined || !Number.isFinite(value) || value < 0)
    throw new CostError(`${flag} takes a number of 0 or more, e.g. ${flag} 10 (got ${args[at + 1] ?? "nothing"})`);
  return value;
}

if (require.main === module) {
  try {
    const config = loadConfig(configPathFromEnv());
    const args = process.argv.slice(2);
    const assumptions: UsageAssumptions = {
      ...DEFAULT_ASSUMPTIONS,
      logIngestGBPerMonth: numberFlag(args, "--log-gb") ?? DEFAULT_ASSUMPTIONS.logIngestGBPerMonth,
      monthlyActiveUsers: numberFlag(args, "--users") ?? DEFAULT_ASSUMPTIONS.monthlyActiveUsers,
    };
    const source = args.includes("--live") ? livePrices(config) : tablePrices(config.region);
    const volumes = renderedVolumes(config.kubeflow.manifestsVersion);
    process.stdout.write(`${costReport(config, source, volumes, assumptions).join("\n")}\n`);
  } catch (err) {
    process.stderr.write(`${err instanceof ConfigError || err instanceof CostError ? err.message : String(err)}\n`);
    process.exit(1);
  }
}
