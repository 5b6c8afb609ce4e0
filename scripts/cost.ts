/**
 * npm run cost [-- --live]
 *
 * What the configured platform costs (KF_CONFIG or config/default.yaml): per GPU size the instance
 * types, GPUs, On-Demand and typical Spot prices and saving, the most it can cost per hour and
 * what it costs idle (nothing); the always-on parts per month; and the time-to-GPU figures for the
 * configured autoscaler. Prices come from the dated table in lib/price-table.ts, or with --live
 * from the AWS Price List API and the Spot price history (AWS CLI v2 with credentials).
 */
import { spawnSync } from "node:child_process";
import { ConfigError, configPathFromEnv, loadConfig } from "../config/load";
import type { Config } from "../config/schema";
import {
  fixedMonthlyCosts,
  gpuSizeCosts,
  isKnown,
  timeToGpu,
  whyUnknown,
  type Amount,
  type PriceSource,
} from "../lib/cost";
import { PRICE_TABLE, PRICE_TABLE_DATE, type RegionPrices } from "../lib/price-table";

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
  const types = [
    ...new Set([...config.nodeGroups.system.instanceTypes, ...config.nodeGroups.gpu.flatMap((g) => g.instanceTypes)]),
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
  const region: RegionPrices = { ...base, onDemandHourly, spotHourly };
  return {
    label: `AWS prices of ${new Date().toISOString().slice(0, 10)} (EC2 live; other rates from the table of ${PRICE_TABLE_DATE})`,
    region,
  };
}

const money = (a: Amount, digits = 2) => (isKnown(a) ? `$${a.usd.toFixed(digits)}` : "unknown");

/** The report as lines of text. */
export function costReport(config: Config, source: PriceSource): string[] {
  const lines: string[] = [];
  const notes = new Set<string>();
  const note = (a: Amount) => {
    const why = whyUnknown(a);
    if (why) notes.add(why);
  };
  lines.push(
    `Cost of "${config.project}-${config.environment}" in ${config.region}, autoscaler ${config.autoscaler}; prices: ${source.label}`,
    "",
  );
  lines.push("GPU sizes (USD per hour)");
  lines.push(
    "| size | instance type | GPUs | On-Demand | typical Spot | Spot saving | max nodes | max per hour | idle |",
  );
  lines.push("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
  for (const size of gpuSizeCosts(config, source)) {
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
    config.autoscaler === "karpenter"
      ? "max per hour: maxSize nodes (the NodePool's GPU limit), all On-Demand at the dearest type."
      : "max per hour: every group full (maxSize Spot + maxSize On-Demand nodes, split over the zones) at the dearest types.",
    "idle: no GPU pod, no GPU node. A node outlives its last pod by the scale-down delay (about 5 minutes).",
    "",
    "Always on (USD per month, 730 hours)",
    "| item | per month | note |",
    "| --- | --- | --- |",
  );
  const fixed = fixedMonthlyCosts(config, source);
  for (const f of fixed) {
    note(f.monthly);
    lines.push(`| ${f.item} | ${money(f.monthly)} | ${f.note} |`);
  }
  const knownTotal = fixed
    .filter((f) => isKnown(f.monthly))
    .reduce((sum, f) => sum + (f.monthly as { usd: number }).usd, 0);
  const complete = fixed.every((f) => isKnown(f.monthly));
  lines.push(
    `| total | ${complete ? "" : "at least "}$${knownTotal.toFixed(2)} | ${complete ? "" : "some items unknown, see below"} |`,
    "",
  );
  lines.push(`Time from a GPU request to a GPU node (${config.autoscaler}; estimates, add image pull time)`);
  lines.push("| situation | typical | worst case |", "| --- | --- | --- |");
  for (const t of timeToGpu(config)) lines.push(`| ${t.situation} | ${t.typical} | ${t.worst} |`);
  if (notes.size > 0) lines.push("", "Unknown figures:", ...[...notes].map((n) => `- ${n}`));
  return lines;
}

if (require.main === module) {
  try {
    const config = loadConfig(configPathFromEnv());
    const source = process.argv.includes("--live") ? livePrices(config) : tablePrices(config.region);
    process.stdout.write(`${costReport(config, source).join("\n")}\n`);
  } catch (err) {
    process.stderr.write(`${err instanceof ConfigError || err instanceof CostError ? err.message : String(err)}\n`);
    process.exit(1);
  }
}
