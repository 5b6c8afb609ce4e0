import { readdirSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import type { Config } from "../config/schema";
import {
  alwaysOnCosts,
  gpuSizeCosts,
  idleTotals,
  instancePrice,
  isKnown,
  timeToGpu,
  usageRates,
  whyUnknown,
  type Amount,
  type CostLine,
  type KubeflowVolumes,
} from "../lib/cost";
import { durationMinutes } from "../lib/duration";
import { notebookWorkspaceGiB, quantityGiB, renderedClaims, renderedVolumes } from "../lib/kubeflow-storage";
import { renderDir } from "../lib/kubeflow-release";
import { PRICE_SOURCES, PRICE_TABLE } from "../lib/price-table";
import {
  costReport,
  CostError,
  numberFlag,
  onDemandFromPriceList,
  spotFromHistory,
  tablePrices,
} from "../scripts/cost";
import { configWith, REPO_ROOT } from "./helpers";

const usd = (a: Amount) => {
  if (!isKnown(a)) throw new Error(`unknown: ${whyUnknown(a)}`);
  return a.usd;
};
const defaults = configWith((c) => c);
const west = tablePrices("us-west-2");
const east = tablePrices("us-east-1");
const prices = PRICE_TABLE["us-west-2"];
// The committed 26.03 render: katib-mysql 10Gi, mysql-pv-claim 20Gi, seaweedfs-pvc 20Gi, notebook workspace 5Gi.
const volumes = renderedVolumes(defaults.kubeflow.manifestsVersion);
const byItem = (lines: readonly CostLine[]) =>
  Object.fromEntries(lines.map((l) => [l.item.split(" (")[0], l])) as Record<string, CostLine>;
const line = (config: Config, item: string, source = west, v: KubeflowVolumes = volumes) => {
  const found = byItem(alwaysOnCosts(config, source, v))[item];
  if (!found) throw new Error(`no line ${item}`);
  return found;
};

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
    const fixed = byItem(alwaysOnCosts(perAz, east, volumes));
    expect(usd(fixed["EKS control plane"].monthly)).toBeCloseTo(73, 10); // 0.10 x 730
    expect(usd(fixed["system nodes"].monthly)).toBeCloseTo(126.144, 10); // 2 x 0.0864 (m6a.large, the first type) x 730
    expect(usd(fixed["NAT gateways"].monthly)).toBeCloseTo(98.55, 10); // 3 x 0.045 x 730
    // 3 NAT Elastic IPs + 3 ALB addresses (one per zone) = 6 x 0.005 x 730
    expect(usd(fixed["public IPv4 addresses"].monthly)).toBeCloseTo(21.9, 10);
    expect(usd(fixed["FSx for Lustre"].monthly)).toBeCloseTo(174, 10); // 1200 x 0.145
  });
});

describe("always-on line items (us-west-2 unless named)", () => {
  it("prices the system nodes' root disks, the NAT gateway and the ALB with one LCU", () => {
    expect(usd(line(defaults, "system node disks").monthly)).toBeCloseTo(8, 10); // 2 x 50 GiB x 0.08
    expect(usd(line(defaults, "NAT gateway").monthly)).toBeCloseTo(32.85, 10); // 1 x 0.045 x 730
    expect(usd(line(defaults, "ALB").monthly)).toBeCloseTo(22.265, 10); // (0.0225 + 0.008) x 730
  });

  it("counts the NAT gateway's Elastic IP and an internet-facing ALB's addresses, an estimate", () => {
    const ipv4 = line(defaults, "public IPv4 addresses");
    expect(usd(ipv4.monthly)).toBeCloseTo(14.6, 10); // (1 + 3) x 0.005 x 730
    expect(ipv4.estimate).toBe("the ALB assumed to hold one address per zone (3)");
    const internal = configWith((c) => ({ ...c, kubeflow: { ...c.kubeflow, ingressScheme: "internal" } }));
    const nat = line(internal, "public IPv4 addresses");
    expect(usd(nat.monthly)).toBeCloseTo(3.65, 10); // 1 x 0.005 x 730
    expect(nat.estimate).toBeUndefined();
  });

  it("prices the render's claims at the StorageClass's type, and only the claims it is given", () => {
    const ebs = line(defaults, "EBS for Kubeflow's claims");
    expect(usd(ebs.monthly)).toBeCloseTo(4, 10); // (10 + 20 + 20) GiB x 0.08
    expect(ebs.how).toContain("katib-mysql 10 + mysql-pv-claim 20 + seaweedfs-pvc 20 GiB");
    const someClaims = { claims: volumes.claims.filter((c) => c.name !== "katib-mysql") };
    expect(usd(line(defaults, "EBS for Kubeflow's claims", west, someClaims).monthly)).toBeCloseTo(3.2, 10); // 40 x 0.08
    const none = line(defaults, "EBS for Kubeflow's claims", west, { claims: [] });
    expect(usd(none.monthly)).toBe(0);
    const fast = configWith((c) => ({ ...c, storage: { ...c.storage, iops: 6000, throughput: 250 } }));
    // 50 x 0.08 + 3 volumes x (6000 - 3000) IOPS x 0.005 + 3 x (250 - 125) MiB/s x 0.04 = 4 + 45 + 15
    expect(usd(line(fast, "EBS for Kubeflow's claims").monthly)).toBeCloseTo(64, 10);
    const io2East = configWith((c) => ({
      ...c,
      region: "us-east-1",
      storage: { ...c.storage, type: "io2", iops: 1000 },
    }));
    // 50 x 0.125 + 3 volumes x 1000 IOPS x 0.065 = 6.25 + 195
    expect(usd(line(io2East, "EBS for Kubeflow's claims", east).monthly)).toBeCloseTo(201.25, 10);
  });

  it("counts the KMS keys the stacks create for the config", () => {
    const kms = line(defaults, "KMS keys");
    expect(usd(kms.monthly)).toBeCloseTo(5, 10); // state, secrets, volumes, data bucket, FSx: 5 x 1.00
    const fewer = configWith((c) => ({
      ...c,
      fsx: { ...c.fsx, deploymentType: "SCRATCH_2", dataBucket: { ...c.fsx.dataBucket, create: false } },
    }));
    expect(usd(line(fewer, "KMS keys").monthly)).toBeCloseTo(3, 10); // no FSx key, no data bucket key: 3 x 1.00
  });

  it("estimates CloudWatch Logs from an assumed volume kept for the configured retention", () => {
    const logs = line(defaults, "CloudWatch Logs");
    // 10 GB x 0.50 + (10 GB x 90 days / (730 / 24) days a month = 29.589 GB) x 0.03 = 5 + 0.887671
    expect(usd(logs.monthly)).toBeCloseTo(5.887671, 6);
    expect(logs.estimate).toBe("10 GB a month assumed across EKS control plane, VPC flow logs, FSx for Lustre");
    const shorter = configWith((c) => ({ ...c, cluster: { ...c.cluster, logRetentionDays: 30 } }));
    const more = byItem(alwaysOnCosts(shorter, west, volumes, { logIngestGBPerMonth: 40, monthlyActiveUsers: 20 }))[
      "CloudWatch Logs"
    ];
    // 40 x 0.50 + (40 x 30 / 30.41667 = 39.452 GB) x 0.03 = 20 + 1.183562
    expect(usd(more.monthly)).toBeCloseTo(21.183562, 6);
  });

  it("prices Cognito's feature plan per monthly active user beyond its free ones", () => {
    expect(usd(line(defaults, "Cognito").monthly)).toBeCloseTo(0.4, 10); // Plus: 20 x 0.02, none free
    const essentials = configWith((c) => ({ ...c, auth: { ...c.auth, featurePlan: "essentials" } }));
    expect(usd(line(essentials, "Cognito").monthly)).toBe(0); // 20 <= 10,000 free
    const many = byItem(
      alwaysOnCosts(essentials, west, volumes, { logIngestGBPerMonth: 10, monthlyActiveUsers: 12000 }),
    );
    expect(usd(many["Cognito"].monthly)).toBeCloseTo(30, 10); // (12,000 - 10,000) x 0.015
  });

  it("prices the one secret and the hosted zone, and leaves the data bucket to the charges that grow with use", () => {
    expect(usd(line(defaults, "Secrets Manager").monthly)).toBeCloseTo(0.4, 10); // 1 x 0.40
    const zone = line(defaults, "Route 53 hosted zone");
    expect(usd(zone.monthly)).toBeCloseTo(0.5, 10);
    expect(zone.how).toContain("billed once per zone whoever created it");
    // The bucket holds the team's data, whatever its size: a rate, not an idle line.
    expect(byItem(alwaysOnCosts(defaults, west, volumes))["S3 data bucket"]).toBeUndefined();
    const rates = usageRates(defaults, west, volumes);
    const bucket = rates.find((r) => r.item === "S3 data bucket (example-kubeflow-datasets)")!;
    expect(usd(bucket.rate)).toBe(0.023);
    expect(bucket.unit).toBe("per GB-month");
    // The example is the file system's capacity: 1200 GB x 0.023 = 27.60.
    expect(bucket.note).toContain("e.g. 1200 GB (as much as the file system holds) is $27.60 a month");
    const smaller = usageRates(defaults, west, volumes, {
      logIngestGBPerMonth: 10,
      monthlyActiveUsers: 20,
      dataBucketGB: 500,
    });
    expect(smaller.find((r) => r.item.startsWith("S3 data bucket"))!.note).toContain("e.g. 500 GB is $11.50 a month"); // 500 x 0.023
  });

  it("prices FSx by deployment type and throughput, billed only while it runs", () => {
    const fsx = line(defaults, "FSx for Lustre");
    expect(usd(fsx.monthly)).toBeCloseTo(174, 10); // 1200 GiB x 0.145 (PERSISTENT_2, 125 MB/s/TiB)
    expect(fsx.billed).toBe("while FSx runs");
    const scratch = configWith((c) => ({ ...c, fsx: { ...c.fsx, deploymentType: "SCRATCH_2" } }));
    expect(usd(line(scratch, "FSx for Lustre").monthly)).toBeCloseTo(168, 10); // 1200 x 0.14
  });

  it("totals idle with FSx running and parked", () => {
    const totals = idleTotals(alwaysOnCosts(defaults, west, volumes));
    // parked: 73 + 126.144 (2 x m6a.large) + 8 + 32.85 + 22.265 + 14.6 + 4 + 5 + 5.887671 + 0.4 + 0.4 + 0.5 = 293.046671
    expect(totals.fsxParked.knownUsd).toBeCloseTo(293.046671, 6);
    expect(totals.fsxRunning.knownUsd).toBeCloseTo(467.046671, 6); // + 174 FSx
    expect(totals.fsxRunning.complete && totals.fsxParked.complete).toBe(true);
  });

  it("lists the charges that grow with use as rates", () => {
    const rates = Object.fromEntries(usageRates(defaults, west, volumes).map((r) => [r.item.split(" (")[0], r]));
    expect(usd(rates["NAT data processing"].rate)).toBe(0.045);
    expect(usd(rates["ALB LCUs beyond one"].rate)).toBe(0.008);
    expect(usd(rates["notebook workspace"].rate)).toBeCloseTo(0.4, 10); // 5 GiB x 0.08, per notebook
    // FSx takes no backups of a file system linked to S3: no backup charge.
    expect(Object.keys(rates)).toEqual([
      "NAT data processing",
      "ALB LCUs beyond one",
      "S3 data bucket",
      "notebook workspace",
    ]);
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
    const report = costReport(unpriced, west, volumes).join("\n");
    expect(report).toMatch(/\| huge \| g6e\.48xlarge \| 8 \| unknown \| unknown \| unknown \| 2 \| unknown \|/);
    expect(report).toMatch(/Unknown figures:\n- no On-Demand price for g6e\.48xlarge/);
  });

  it("reports an FSx tier no source priced as unknown, and the running total as a lower bound", () => {
    const tier250 = configWith((c) => ({ ...c, fsx: { ...c.fsx, throughputPerTiB: 250 } }));
    const fsx = line(tier250, "FSx for Lustre");
    expect(whyUnknown(fsx.monthly)).toMatch(
      /^no FSx for Lustre PERSISTENT_2 250 MB\/s\/TiB price for us-west-2 in the price table of \d{4}-\d\d-\d\d: no public source was found/,
    );
    const report = costReport(tier250, west, volumes);
    expect(report).toContain("| idle, FSx running | at least $0.40 | at least $293.05 |");
    expect(report).toContain("| idle, FSx parked | $0.40 | $293.05 |");
    expect(report).toContain("Unknown figures:");
  });

  it("reports io2 in us-west-2, which no source priced, as unknown", () => {
    const io2 = configWith((c) => ({ ...c, storage: { ...c.storage, type: "io2", iops: 1000 } }));
    expect(whyUnknown(line(io2, "EBS for Kubeflow's claims").monthly)).toMatch(
      /^no EBS io2 storage price for us-west-2 .*no public source was found/,
    );
  });

  it("names a region the table does not have", () => {
    expect(() => tablePrices("eu-central-1")).toThrow(CostError);
    expect(() => tablePrices("eu-central-1")).toThrow(
      /region eu-central-1 is not in the price table \(it has us-west-2, us-east-1\).*--live/,
    );
  });

  it("takes the assumed usage from numeric flags and refuses anything else", () => {
    expect(numberFlag(["--users", "40"], "--users")).toBe(40);
    expect(numberFlag(["--live"], "--users")).toBeUndefined();
    expect(() => numberFlag(["--log-gb", "lots"], "--log-gb")).toThrow(/--log-gb takes a number of 0 or more/);
  });
});

describe("npm run cost on the default config", () => {
  const report = costReport(defaults, west, volumes);

  it("prints every always-on item with its price, how it is made and its sources", () => {
    for (const expected of [
      "| EKS control plane | $73.00 | standard support, $0.10/h x 730 h |",
      "| system nodes (2 x m6a.large) | $126.14 | On-Demand, always on (minSize): 2 x $0.0864/h x 730 h |",
      "| system node disks (2 x 50 GiB gp3) | $8.00 |",
      "| NAT gateway | $32.85 |",
      "| ALB | $22.27 |",
      "| public IPv4 addresses (4) | $14.60 (estimate) |",
      "| EBS for Kubeflow's claims (3, gp3) | $4.00 |",
      "| KMS keys (5) | $5.00 |",
      "| CloudWatch Logs (3 log groups, 90 days) | $5.89 (estimate) |",
      "| Cognito (Plus plan) | $0.40 (estimate) |",
      "| Secrets Manager (1 secret) | $0.40 |",
      "| Route 53 hosted zone | $0.50 |",
      "| FSx for Lustre (1200 GiB PERSISTENT_2, 125 MB/s/TiB) | $174.00 | 1200 GiB x $0.145/GB-month;",
    ])
      expect(report.some((l) => l.startsWith(expected))).toBe(true);
    const table = report.slice(report.indexOf("| item | per month | how | sources |") + 2);
    const rows = table.slice(0, table.indexOf(""));
    expect(rows).toHaveLength(13);
    for (const row of rows) expect(row).toMatch(/\| (\[\d+\] ?)+\|$/);
  });

  it("prints the totals idle, FSx running and parked, and per GPU size when full", () => {
    expect(report).toContain("| idle, FSx running | $0.64 | $467.05 |"); // 467.046671 / 730 = 0.640
    expect(report).toContain("| idle, FSx parked | $0.40 | $293.05 |"); // 293.046671 / 730 = 0.401
    // gpu-1x: 4 x (Spot 0.4387 + On-Demand 1.006) = 5.7788/h, x 730 = 4218.524
    expect(report).toContain("| gpu-1x full (8 nodes), GPU nodes only | $5.78 | $4218.52 |");
    // gpu-4x: 3 x (Spot 1.9335 + On-Demand 5.672) = 22.8165/h, x 730 = 16656.045
    expect(report).toContain("| gpu-4x full (6 nodes), GPU nodes only | $22.82 | $16656.04 |");
  });

  it("lists each cited source once, numbered, with its page", () => {
    const start = report.findIndex((l) => l.startsWith("Sources (lib/price-table.ts"));
    const listed = report.slice(start + 1);
    const cited = new Set(
      [
        ...report
          .slice(0, start)
          .join("\n")
          .matchAll(/\[(\d+)\]/g),
      ].map((m) => Number(m[1])),
    );
    expect(listed.map((l) => Number(/^\[(\d+)\]/.exec(l)?.[1]))).toEqual([...cited].sort((a, b) => a - b));
    expect(listed).toContainEqual(`[12] ${PRICE_SOURCES["physai-readme"]}`);
    expect(report).not.toContain("Unknown figures:\n- no FSx for Lustre");
  });
});

describe("the price table", () => {
  it("names the sources of every figure it has, each one listed in PRICE_SOURCES", () => {
    for (const [region, table] of Object.entries(PRICE_TABLE)) {
      const figures = Object.entries(table).filter(
        ([key, value]) => key !== "sources" && (typeof value === "number" || Object.keys(value).length > 0),
      );
      expect(figures.length).toBeGreaterThanOrEqual(20); // numbers and non-empty tables alike
      for (const [key] of figures) {
        const ids = table.sources[key as keyof typeof table.sources] ?? [];
        expect(`${region} ${key}: ${ids.length > 0 ? "sourced" : "no source"}`).toBe(`${region} ${key}: sourced`);
        for (const id of ids) expect(Object.keys(PRICE_SOURCES)).toContain(id);
      }
    }
  });
});

describe("the Kubeflow render's volumes", () => {
  it("reads every claim's size and the notebook workspace from the committed render", () => {
    const dir = renderDir(defaults.kubeflow.manifestsVersion);
    expect(renderedClaims(dir).map((c) => [c.namespace, c.name, c.sizeGiB])).toEqual([
      ["kubeflow", "katib-mysql", 10],
      ["kubeflow", "mysql-pv-claim", 20],
      ["kubeflow", "seaweedfs-pvc", 20],
    ]);
    expect(notebookWorkspaceGiB(dir)).toBe(5);
  });

  it("converts Kubernetes quantities to GiB", () => {
    expect(quantityGiB("10Gi")).toBe(10);
    expect(quantityGiB("512Mi")).toBe(0.5);
    expect(quantityGiB("1Ti")).toBe(1024);
    expect(quantityGiB("2147483648")).toBe(2); // bytes
    expect(quantityGiB("1G")).toBeCloseTo(0.931323, 6); // 10^9 / 2^30
    expect(() => quantityGiB("ten")).toThrow(/not a storage quantity/);
  });
});

/** The relative imports of every .ts file under the app's source folders. */
function importGraph(): Map<string, string[]> {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = path.join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith(".ts")) files.push(p);
    }
  };
  for (const dir of ["config", "lib", "constructs", "stacks", "scripts"]) walk(path.join(REPO_ROOT, dir));
  files.push(path.join(REPO_ROOT, "app.ts"), path.join(REPO_ROOT, "main.ts"));
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    const targets = [...text.matchAll(/\bfrom\s+["'](\.{1,2}\/[^"']+)["']/g)].map((m) =>
      path.resolve(path.dirname(file), m[1]).replace(/(\.ts)?$/, ".ts"),
    );
    graph.set(
      path.relative(REPO_ROOT, file),
      targets.map((t) => path.relative(REPO_ROOT, t)),
    );
  }
  return graph;
}

describe("module layout", () => {
  it("has no import cycle among the app's modules (config/schema.ts and lib/cost.ts were one)", () => {
    const graph = importGraph();
    expect(graph.get("config/schema.ts")).toContain("lib/duration.ts");
    expect(graph.get("lib/cost.ts")).toContain("config/schema.ts");
    const cycles: string[] = [];
    const state = new Map<string, "open" | "done">();
    const visit = (file: string, trail: string[]) => {
      if (state.get(file) === "done") return;
      if (state.get(file) === "open") {
        cycles.push([...trail.slice(trail.indexOf(file)), file].join(" -> "));
        return;
      }
      state.set(file, "open");
      for (const next of graph.get(file) ?? []) visit(next, [...trail, file]);
      state.set(file, "done");
    };
    for (const file of graph.keys()) visit(file, []);
    expect(cycles).toEqual([]);
  });

  it("counts what the stacks create: keys, secrets, log groups, hosted zones", () => {
    // The cost model's inventory (kmsKeys, LOG_GROUPS, one secret you create, an existing zone) follows
    // these call sites; a new one must be priced there too.
    const graph = importGraph();
    const sources = [...graph.keys()]
      .filter((f) => f.startsWith("constructs/") || f.startsWith("stacks/"))
      .map((f) => [f, readFileSync(path.join(REPO_ROOT, f), "utf8")] as const);
    const sites = (pattern: RegExp) => sources.flatMap(([f, text]) => [...text.matchAll(pattern)].map(() => f)).sort();
    expect(sites(/new KmsKey\(/g)).toEqual(["constructs/protected-key.ts"]);
    expect(sites(/(?<!function )\bprotectedKey\(/g)).toEqual([
      "constructs/eks-cluster.ts", // cluster secrets
      "constructs/lustre-file-system.ts", // FSx (PERSISTENT_2)
      "constructs/secure-bucket.ts", // each SecureBucket's key
      "stacks/eks-stack.ts", // EBS volumes
    ]);
    expect(sites(/new SecureBucket\(/g)).toEqual(["stacks/bootstrap-stack.ts", "stacks/fsx-stack.ts"]);
    expect(sites(/new CloudwatchLogGroup\(/g)).toEqual([
      "constructs/eks-cluster.ts",
      "constructs/lustre-file-system.ts",
      "constructs/network.ts",
    ]);
    expect(sites(/new SecretsmanagerSecret\(/g)).toEqual([]);
    expect(sites(/new Route53Zone\(/g)).toEqual([]);
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
