import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { ConfigError, configPathFromEnv, DEFAULT_CONFIG_PATH, loadConfig, parseConfig } from "../config/load";
import { DEFAULT_CONFIG_TEXT, REPO_ROOT } from "./helpers";

const run = promisify(execFile);

function errorOf(text: string, file = "bad.yaml"): ConfigError {
  try {
    parseConfig(text, file);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error("expected the config to be rejected");
}

const ZONES_LINE = "  zones: [us-west-2a, us-west-2b, us-west-2c]";
const edit = (from: string, to: string): string => {
  if (!DEFAULT_CONFIG_TEXT.includes(from)) throw new Error(`default.yaml no longer contains ${from}`);
  return DEFAULT_CONFIG_TEXT.replace(from, to);
};

/** The bad configs a user is most likely to write, with what the message must say. */
const BAD_CONFIGS: Record<string, { text: string; expect: RegExp[] }> = {
  "an unknown key": {
    text: edit("region: us-west-2", "region: us-west-2\nregoin: eu-west-1"),
    expect: [
      /regoin \(line 9, column 1\)/,
      /unknown key "regoin"/,
      /remove it or correct its spelling/,
      /allowed here: .*region/,
    ],
  },
  "an unknown nested key": {
    text: edit("  natGateways: single", "  natGateways: single\n  natgateways: per-az"),
    expect: [
      /network\.natgateways \(line \d+, column 3\)/,
      /unknown key "natgateways"/,
      /allowed here: vpcCidr, zones, natGateways/,
    ],
  },
  "a YAML syntax error": {
    text: edit("  zones: [us-west-2a, us-west-2b, us-west-2c]", "  zones: [us-west-2a, us-west-2b"),
    expect: [/line \d+, column \d+: YAML syntax error/, /fix the YAML/],
  },
  "an unknown Kubeflow component": {
    text: edit("  components: [notebooks, pipelines, katib]", "  components: [notebooks, jupyter]"),
    expect: [
      /kubeflow\.components\[1\] \(line \d+, column \d+\)/,
      /must be one of notebooks, pipelines, katib, trainer, kserve, spark/,
      /"jupyter"/,
    ],
  },
  "a Kubeflow component the release cannot install": {
    text: edit("  components: [notebooks, pipelines, katib]", "  components: [notebooks, trainer]"),
    expect: [
      /kubeflow\.components\[1\] \(line \d+/,
      /cannot be installed with Kubeflow 26\.03: Kubeflow 26\.03 runs JobSet, which Trainer needs, from a staging registry/,
      /remove it/,
    ],
  },
  "a Kubeflow component listed twice": {
    text: edit("  components: [notebooks, pipelines, katib]", "  components: [katib, katib]"),
    expect: [/kubeflow\.components\[1\] \(line \d+/, /is listed twice \(also at kubeflow\.components\[0\]\)/],
  },
  "an empty file": { text: "", expect: [/the file is empty/, /copy config\/default\.yaml/] },
  "a file holding only comments": { text: "# nothing here\n", expect: [/the file is empty/] },
  "a bare string": {
    text: "hello world\n",
    expect: [/top level must be a mapping/, /got the string "hello world"/],
  },
  "a wrong type": {
    text: edit("  natGateways: single", "  natGateways: 2"),
    expect: [/network\.natGateways \(line \d+, column 16\): must be one of "single", "per-az", got number 2/],
  },
  "a node group whose max size is below its min size": {
    text: edit("    maxSize: 6", "    maxSize: 1"),
    expect: [
      /nodeGroups\.system\.maxSize \(line \d+/,
      /maxSize \(1\) is below minSize \(2\)/,
      /raise maxSize or lower minSize/,
      /got number 1/,
    ],
  },
  "an invalid CIDR": {
    text: edit("vpcCidr: 10.0.0.0/16", "vpcCidr: 10.0.0.300/16"),
    expect: [
      /network\.vpcCidr \(line \d+, column 12\)/,
      /IPv4 network in CIDR form/,
      /got the string "10\.0\.0\.300\/16"/,
    ],
  },
  "an endpoint CIDR with host bits": {
    text: edit("- 203.0.113.0/24", "- 203.0.113.7/24"),
    expect: [/cluster\.endpointPublicAccessCidrs\[0\]/, /host bits zero/],
  },
  "a missing required key": {
    text: edit("environment: dev", ""),
    expect: [/environment/, /got nothing \(the key is missing\); add environment/],
  },
  "an unknown GPU instance type": {
    text: edit("[g6.xlarge, g5.xlarge, g4dn.xlarge]", "[g6.xlarge, x9.large]"),
    expect: [
      /nodeGroups\.gpu\[0\]\.instanceTypes\[1\]/,
      /"x9\.large" is not a GPU instance type/,
      /lib\/instance-types\.ts/,
    ],
  },
  "GPU types of different sizes in one group": {
    text: edit("[g6.xlarge, g5.xlarge, g4dn.xlarge]", "[g6.xlarge, g5.2xlarge]"),
    expect: [
      /nodeGroups\.gpu\[0\]\.instanceTypes/,
      /"g5\.2xlarge" \(8 vCPU, 32 GiB, 1 GPU\) differs from "g6\.xlarge"/,
    ],
  },
  "a duplicate GPU group name": {
    text: edit("name: gpu-4x", "name: gpu-1x"),
    expect: [/nodeGroups\.gpu\[1\]\.name/, /duplicate GPU group name/],
  },
  "an unsupported enum value": {
    text: edit("natGateways: single", "natGateways: two"),
    expect: [/network\.natGateways/, /must be one of "single", "per-az", got the string "two"/],
  },
  "a Kubernetes version without a pinned cluster-autoscaler": {
    text: edit('kubernetesVersion: "1.35"', 'kubernetesVersion: "1.20"'),
    expect: [
      /cluster\.kubernetesVersion/,
      /no pinned cluster-autoscaler release/,
      /npm run vendor -- cluster-autoscaler/,
    ],
  },
  "a malformed add-on build pin": {
    text: edit("  adminPrincipals: []", "  adminPrincipals: []\n  addonVersions:\n    vpcCni: latest"),
    expect: [
      /cluster\.addonVersions\.vpcCni \(line \d+/,
      /must be an EKS add-on build such as/,
      /got the string "latest"/,
    ],
  },
  "an unknown volume type": {
    text: edit("  type: gp3 #", "  type: st1 #"),
    expect: [
      /storage\.type \(line \d+, column \d+\)/,
      /must be one of "gp3", "io2"/,
      /st1 and sc1 cannot hold volumes under 125 GiB/,
      /got the string "st1"/,
    ],
  },
  "an unknown reclaim policy": {
    text: edit("reclaimPolicy: Delete", "reclaimPolicy: Recycle"),
    expect: [/storage\.reclaimPolicy \(line \d+/, /must be one of "Delete", "Retain"/, /got the string "Recycle"/],
  },
  "gp3 IOPS above its range": {
    text: edit("  # iops: 3000", "  iops: 90000"),
    expect: [
      /storage\.iops \(line \d+/,
      /gp3 takes 3000-80000 IOPS/,
      /set storage\.iops within that range/,
      /got number 90000/,
    ],
  },
  "gp3 IOPS below its range": {
    text: edit("  # iops: 3000", "  iops: 2000"),
    expect: [/storage\.iops/, /gp3 takes 3000-80000 IOPS/, /got number 2000/],
  },
  "gp3 throughput above its range": {
    text: edit("  # iops: 3000", "  iops: 16000").replace("  # throughput: 125", "  throughput: 2500"),
    expect: [/storage\.throughput \(line \d+/, /gp3 takes 125-2000 MiB\/s/, /got number 2500/],
  },
  "gp3 throughput below its range": {
    text: edit("  # throughput: 125", "  throughput: 100"),
    expect: [/storage\.throughput/, /gp3 takes 125-2000 MiB\/s/, /got number 100/],
  },
  "gp3 throughput beyond what its IOPS allow": {
    text: edit("  # throughput: 125", "  throughput: 1000"),
    expect: [
      /storage\.throughput/,
      /so 3000 IOPS allow 750 MiB\/s; raise storage\.iops to at least 4000/,
      /got number 1000/,
    ],
  },
  "io2 without IOPS": {
    text: edit("  type: gp3 #", "  type: io2 #"),
    expect: [/storage\.iops/, /io2 volumes need provisioned IOPS; add storage\.iops \(100-256000\)/],
  },
  "a max node provision time shorter than a node can take to join": {
    text: edit("maxNodeProvisionTime: 8m", "maxNodeProvisionTime: 7m"),
    expect: [
      /addons\.clusterAutoscaler\.maxNodeProvisionTime \(line \d+/,
      /must be at least 8 minutes: a node can take that long to join/,
      /got the string "7m"/,
    ],
  },
  "a malformed duration": {
    text: edit("maxNodeProvisionTime: 8m", "maxNodeProvisionTime: 7 minutes"),
    expect: [
      /addons\.clusterAutoscaler\.maxNodeProvisionTime/,
      /must be a duration such as "7m"/,
      /got the string "7 minutes"/,
    ],
  },
  "a Kubeflow host outside the hosted zone": {
    text: edit("kubeflowHost: kubeflow.example.com", "kubeflowHost: kubeflow.example.org"),
    expect: [
      /domain\.kubeflowHost/,
      /must lie inside the hosted zone "example\.com"/,
      /got the string "kubeflow\.example\.org"/,
    ],
  },
  "a Cognito prefix with a reserved word": {
    text: edit("prefix: example-kubeflow-dev", "prefix: my-cognito-login"),
    expect: [/auth\.cognitoDomain\.prefix/, /must not contain "aws", "amazon" or "cognito"/],
  },
  "both a Cognito prefix and a custom domain": {
    text: edit("prefix: example-kubeflow-dev", "prefix: example-kubeflow-dev\n    custom: auth.example.com"),
    expect: [/auth\.cognitoDomain/, /exactly one of "prefix" or "custom"/],
  },
  "an FSx zone outside the cluster's zones": {
    text: edit("zoneIndex: 0", "zoneIndex: 3"),
    expect: [/fsx\.zoneIndex/, /must be below the number of network\.zones \(3\)/, /got number 3/],
  },
  "the zone count an earlier version took": {
    text: edit(ZONES_LINE, "  azCount: 3"),
    expect: [
      /network\.azCount \(line \d+, column 3\): network\.azCount was replaced by network\.zones/,
      /aws ec2 describe-subnets/,
    ],
  },
  "a zone of another region": {
    text: edit(ZONES_LINE, "  zones: [us-west-2a, us-east-1b]"),
    expect: [
      /network\.zones\[1\] \(line \d+/,
      /is not a zone of region us-west-2 \(its zones are named us-west-2a, us-west-2b, \.\.\.\)/,
      /got the string "us-east-1b"/,
    ],
  },
  "a zone listed twice": {
    text: edit(ZONES_LINE, "  zones: [us-west-2a, us-west-2b, us-west-2a]"),
    expect: [/network\.zones\[2\]/, /is listed twice \(also at network\.zones\[0\]\); list each zone once/],
  },
  "one zone": {
    text: edit(ZONES_LINE, "  zones: [us-west-2a]"),
    expect: [/network\.zones/, /list at least 2 zones/],
  },
  "per-zone types for a zone the cluster does not use": {
    text: edit(
      "      instanceTypes: [g6.xlarge, g5.xlarge, g4dn.xlarge]\n",
      "      instanceTypes: [g6.xlarge, g5.xlarge, g4dn.xlarge]\n      zoneInstanceTypes: { us-west-2d: [g5.xlarge] }\n",
    ),
    expect: [
      /nodeGroups\.gpu\[0\]\.zoneInstanceTypes\.us-west-2d/,
      /names a zone that is not in network\.zones \(us-west-2a, us-west-2b, us-west-2c\)/,
    ],
  },
  "per-zone types that are not the size's types": {
    text: edit(
      "      instanceTypes: [g6.xlarge, g5.xlarge, g4dn.xlarge]\n",
      "      instanceTypes: [g6.xlarge, g5.xlarge, g4dn.xlarge]\n      zoneInstanceTypes: { us-west-2b: [g6.12xlarge] }\n",
    ),
    expect: [
      /nodeGroups\.gpu\[0\]\.zoneInstanceTypes\.us-west-2b\[0\]/,
      /is not one of this size's instanceTypes \(g6\.xlarge, g5\.xlarge, g4dn\.xlarge\); a zone can only narrow them/,
      /got the string "g6\.12xlarge"/,
    ],
  },
  "per-zone types that leave a size no zone": {
    text: edit(
      "      instanceTypes: [g6.xlarge, g5.xlarge, g4dn.xlarge]\n",
      "      instanceTypes: [g6.xlarge, g5.xlarge, g4dn.xlarge]\n      zoneInstanceTypes: { us-west-2a: [], us-west-2b: [], us-west-2c: [] }\n",
    ),
    expect: [/nodeGroups\.gpu\[0\]\.zoneInstanceTypes/, /leaves gpu-1x no zone to run in/],
  },
  "an FSx capacity FSx does not offer": {
    text: edit("storageCapacityGiB: 1200", "storageCapacityGiB: 2000"),
    expect: [/fsx\.storageCapacityGiB/, /1200 or a multiple of 2400/],
  },
  "a Kubeflow version with no committed render": {
    text: edit('manifestsVersion: "26.03"', 'manifestsVersion: "26.03.1"'),
    expect: [/kubeflow\.manifestsVersion/, /26\.03\.1/, /no committed render/, /npm run generate -- kubeflow/],
  },
  "an admin principal with both arn and roleName": {
    text: edit(
      "  adminPrincipals: []",
      "  adminPrincipals:\n    - roleName: Admins\n      arn: arn:aws:iam::111122223333:role/Admins",
    ),
    expect: [/cluster\.adminPrincipals\[0\]/, /exactly one of "arn" or "roleName"/],
  },
};

describe("config", () => {
  it("accepts the shipped default and fills defaults", () => {
    const config = loadConfig(DEFAULT_CONFIG_PATH);
    expect(config.environment).toBe("dev");
    expect(config.cluster.kubernetesVersion).toBe("1.35");
    expect(config.state.keyPrefix).toBe("");
    expect(config.nodeGroups.gpu.map((g) => g.name)).toEqual(["gpu-1x", "gpu-4x"]);
    expect(config.addons.clusterAutoscaler.maxNodeProvisionTime).toBe("8m");
    expect(config.network.zones).toEqual(["us-west-2a", "us-west-2b", "us-west-2c"]);
    expect(config.nodeGroups.gpu.map((g) => g.zoneInstanceTypes)).toEqual([{}, {}]);
  });

  it("reads KF_CONFIG when set and the default otherwise", () => {
    expect(configPathFromEnv({})).toBe(DEFAULT_CONFIG_PATH);
    expect(configPathFromEnv({ KF_CONFIG: "config/prod.yaml" })).toBe(path.resolve("config/prod.yaml"));
  });

  it("fills autoscaler defaults when the addons section is left out", () => {
    const withoutAddons = DEFAULT_CONFIG_TEXT.replace(/\naddons:\n( {2,}.*\n)+/, "\n");
    expect(withoutAddons).not.toContain("clusterAutoscaler");
    expect(parseConfig(withoutAddons, "x.yaml").addons.clusterAutoscaler).toEqual({
      maxNodeProvisionTime: "8m",
      scaleDownUnneededTime: "5m",
      scaleDownDelayAfterAdd: "5m",
      scaleDownGpuUtilizationThreshold: 0.5,
      scaleDownUtilizationThreshold: 0.5,
    });
  });

  it("names a missing file", () => {
    expect(() => loadConfig("/nonexistent/kf.yaml")).toThrow(
      /\/nonexistent\/kf\.yaml:\n.*file not found; set KF_CONFIG/,
    );
  });

  it.each(Object.entries(BAD_CONFIGS))("rejects %s with a message naming file, place, value and fix", (_name, bad) => {
    const err = errorOf(bad.text, "configs/bad.yaml");
    expect(err.message).toMatch(/^invalid configuration in configs\/bad\.yaml:\n/);
    for (const pattern of bad.expect) expect(err.message).toMatch(pattern);
  });

  describe("through the app command", () => {
    const appCommand = [
      "--require",
      path.join(REPO_ROOT, "scripts", "register-ts.cjs"),
      path.join(REPO_ROOT, "main.ts"),
    ];
    const cases = Object.entries(BAD_CONFIGS).filter(([name]) =>
      [
        "an unknown key",
        "a YAML syntax error",
        "an empty file",
        "a bare string",
        "a wrong type",
        "a node group whose max size is below its min size",
        "an invalid CIDR",
      ].includes(name),
    );

    it("exits non-zero, names the file and the key or line, and writes no stack", async () => {
      const dir = mkdtempSync(path.join(tmpdir(), "kf-config-"));
      const results = await Promise.all(
        cases.map(async ([name, bad], index) => {
          const file = path.join(dir, `bad-${index}.yaml`);
          const outdir = path.join(dir, `out-${index}`);
          writeFileSync(file, bad.text);
          const outcome = await run(process.execPath, appCommand, {
            cwd: REPO_ROOT,
            env: { ...process.env, KF_CONFIG: file, CDKTF_OUTDIR: outdir, CHECKPOINT_DISABLE: "1" },
          }).then(
            () => ({ code: 0, stderr: "" }),
            (err: { code: number; stderr: string }) => ({ code: err.code, stderr: err.stderr }),
          );
          return { name, bad, file, outdir, ...outcome };
        }),
      );
      for (const r of results) {
        expect({ name: r.name, code: r.code }).toEqual({ name: r.name, code: 1 });
        expect(r.stderr).toContain(`invalid configuration in ${r.file}`);
        for (const pattern of r.bad.expect) expect(r.stderr).toMatch(pattern);
        expect(existsSync(r.outdir) ? readdirSync(r.outdir) : []).toEqual([]);
      }
    });

    it("writes every stack for a good config (control for the test above)", async () => {
      const outdir = mkdtempSync(path.join(tmpdir(), "kf-good-"));
      await run(process.execPath, appCommand, {
        cwd: REPO_ROOT,
        env: { ...process.env, KF_CONFIG: DEFAULT_CONFIG_PATH, CDKTF_OUTDIR: outdir, CHECKPOINT_DISABLE: "1" },
      });
      expect(readdirSync(path.join(outdir, "stacks")).sort()).toEqual([
        "addons",
        "auth",
        "bootstrap",
        "dashboard",
        "dns",
        "eks",
        "fsx",
        "kubeflow",
      ]);
    });
  });
});
