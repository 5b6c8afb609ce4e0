import { readFileSync } from "node:fs";
import * as path from "node:path";
import type { Config } from "../config/schema";
import {
  durationMinutes,
  fixedMonthlyCosts,
  gpuSizeCosts,
  instancePrice,
  isKnown,
  timeToGpu,
  whyUnknown,
  type Amount,
} from "../lib/cost";
import { PRICE_TABLE } from "../lib/price-table";
import { costReport, CostError, onDemandFromPriceList, spotFromHistory, tablePrices } from "../scripts/cost";
import { configWith, REPO_ROOT } from "./helpers";

const usd = (a: Amount) => {
  if (!isKnown(a)) throw new Error(`unknown: ${whyUnknown(a)}`);
  return a.usd;
};
const defaults = configWith((c) => c);
const west = tablePrices("us-west-2");
const prices = PRICE_TABLE["us-west-2"];

describe("cost arithmetic", () => {
  it("computes the Spot saving from the On-Demand and Spot prices", () => {
    const p = instancePrice("g6.xlarge", west, "us-west-2");
    expect(usd(p.onDemandHourly)).toBe(prices.onDemandHourly["g6.xlarge"]);
    expect(usd(p.spotSaving)).toBeCloseTo(1 - prices.spotHourly["g6.xlarge"] / prices.onDemandHourly["g6.xlarge"], 10);
    expect(p.gpus).toBe(1);
  });

  it("caps cluster-autoscaler at both groups full, at the dearest types, and idles at zero", () => {
    const [oneGpu] = gpuSizeCosts(defaults, west);
    const types = defaults.nodeGroups.gpu[0].instanceTypes;
    const dearestOnDemand = Math.max(...types.map((t) => prices.onDemandHourly[t]));
    const dearestSpot = Math.max(...types.map((t) => prices.spotHourly[t]));
    expect(usd(oneGpu.maxHourly)).toBeCloseTo(4 * (dearestOnDemand + dearestSpot), 10);
    expect(oneGpu.maxNodes).toBe(8);
    expect(oneGpu.idleHourly).toBe(0);
  });

  it("caps Karpenter at the NodePool's limit, all On-Demand", () => {
    const karpenter = configWith((c) => ({ ...c, autoscaler: "karpenter" }));
    const [, fourGpu] = gpuSizeCosts(karpenter, west);
    const dearestOnDemand = Math.max(...karpenter.nodeGroups.gpu[1].instanceTypes.map((t) => prices.onDemandHourly[t]));
    expect(usd(fourGpu.maxHourly)).toBeCloseTo(karpenter.nodeGroups.gpu[1].maxSize * dearestOnDemand, 10);
    expect(fourGpu.maxNodes).toBe(karpenter.nodeGroups.gpu[1].maxSize);
  });

  it("adds up the always-on parts for 730 hours a month", () => {
    const perAz = configWith((c) => ({ ...c, region: "us-east-1", network: { ...c.network, natGateways: "per-az" } }));
    const fixed = Object.fromEntries(
      fixedMonthlyCosts(perAz, tablePrices("us-east-1")).map((f) => [f.item.split(" (")[0], f.monthly]),
    );
    const east = PRICE_TABLE["us-east-1"];
    expect(usd(fixed["EKS control plane"])).toBeCloseTo(73, 10);
    expect(usd(fixed["system nodes"])).toBeCloseTo(2 * east.onDemandHourly["m7i.xlarge"] * 730, 10);
    expect(usd(fixed["NAT gateways"])).toBeCloseTo(3 * east.natGatewayHourly * 730, 10);
    expect(usd(fixed["FSx for Lustre"])).toBeCloseTo(1200 * east.fsxPersistent2PerGBMonth["125"], 10);
  });
});

describe("unknown prices", () => {
  it("names an instance type the table has no price for, instead of counting it as zero", () => {
    const unpriced = configWith((c) => ({
      ...c,
      nodeGroups: {
        ...c.nodeGroups,
        gpu: [{ name: "huge", instanceTypes: ["g6e.48xlarge"], maxSize: 1, diskSizeGiB: 100, zoneInstanceTypes: {} }],
      },
    }));
    const [huge] = gpuSizeCosts(unpriced, west);
    expect(whyUnknown(huge.maxHourly)).toMatch(
      /no On-Demand price for g6e\.48xlarge in us-west-2 .*lib\/price-table\.ts or run with --live/,
    );
    const report = costReport(unpriced, west).join("\n");
    expect(report).toMatch(/\| huge \| g6e\.48xlarge \| 8 \| unknown \| unknown \| unknown \| 2 \| unknown \|/);
    expect(report).toMatch(/Unknown figures:\n- no On-Demand price for g6e\.48xlarge/);
  });

  it("names a region the table does not have", () => {
    expect(() => tablePrices("eu-central-1")).toThrow(CostError);
    expect(() => tablePrices("eu-central-1")).toThrow(
      /region eu-central-1 is not in the price table \(it has us-west-2, us-east-1\).*--live/,
    );
  });

  it("marks a total with unknown parts as a lower bound", () => {
    const report = costReport(defaults, west).join("\n");
    expect(report).toMatch(/\| total \| at least \$\d+\.\d\d \| some items unknown/);
  });
});

describe("time to a GPU", () => {
  it("follows the configured provision time in cluster-autoscaler mode", () => {
    const faster: Config = configWith((c) => ({
      ...c,
      addons: { ...c.addons, clusterAutoscaler: { ...c.addons.clusterAutoscaler, maxNodeProvisionTime: "9m" } },
    }));
    // Node boot 2-3.5 min plus the Lustre client install, 0.25-0.75 min.
    expect(timeToGpu(defaults).map((t) => [t.typical, t.worst])).toEqual([
      ["2.3-4.3 min", "about 4.8 min"],
      ["3.3-5.3 min", "about 5.8 min"],
      // Spot out in each of the 3 zones: one failed launch seen per zone before On-Demand.
      ["5.3-7.3 min", "about 7.8 min"],
      ["-", "about 12.3 min (maxNodeProvisionTime 8m)"],
    ]);
    expect(timeToGpu(faster)[3].worst).toBe("about 13.3 min (maxNodeProvisionTime 9m)");
    const pinned = configWith((c) => ({ ...c, fsx: { ...c.fsx, pinGpuGroupsToFileSystemZone: true } }));
    expect(timeToGpu(pinned).map((t) => t.situation)).not.toContainEqual(expect.stringContaining("all"));
    expect(durationMinutes("1h30m")).toBe(90);
    expect(durationMinutes("90s")).toBe(1.5);
  });

  it("reports seconds-fast fallback in Karpenter mode", () => {
    const karpenter = configWith((c) => ({ ...c, autoscaler: "karpenter" }));
    expect(timeToGpu(karpenter).map((t) => t.situation)).toEqual([
      "Spot available",
      "Spot out (falls back to On-Demand in seconds)",
    ]);
  });
});

describe("the README's cost section", () => {
  it("is what npm run cost prints for the shipped config", () => {
    const readme = readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");
    expect(readme).toContain(`\`\`\`text\n${costReport(defaults, west).join("\n")}\n\`\`\``);
  });
});

describe("live prices", () => {
  it("reads the On-Demand price from a Price List API answer", () => {
    const product = {
      terms: {
        OnDemand: {
          "X.JRTCKXETXF": {
            priceDimensions: { "X.JRTCKXETXF.6YS6EN2CT7": { unit: "Hrs", pricePerUnit: { USD: "0.8048000000" } } },
          },
        },
      },
    };
    expect(onDemandFromPriceList({ PriceList: [JSON.stringify(product)] })).toBe(0.8048);
    expect(onDemandFromPriceList({ PriceList: [] })).toBeUndefined();
  });

  it("averages the latest Spot price of each zone", () => {
    const history = {
      SpotPriceHistory: [
        { AvailabilityZone: "us-west-2a", SpotPrice: "0.40" },
        { AvailabilityZone: "us-west-2b", SpotPrice: "0.50" },
        { AvailabilityZone: "us-west-2a", SpotPrice: "0.90" },
      ],
    };
    expect(spotFromHistory(history)).toBeCloseTo(0.45, 10);
  });
});
