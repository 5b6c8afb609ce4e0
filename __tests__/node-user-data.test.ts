/**
 * The Lustre client part of the node user data, run for real under bash with fake dnf, modinfo
 * and sleep on PATH: what it installs, how it retries, and the nodeadm drop-in it leaves.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import {
  LUSTRE_DROPIN_FILE,
  LUSTRE_DNF_COMMAND,
  LUSTRE_INSTALL,
  lustreClientScript,
  lustreInstallCeilingSeconds,
  nodeUserData,
} from "../lib/node-user-data";
import { mimeParts } from "./helpers";

interface Run {
  readonly status: number | null;
  readonly dropin?: { spec: { kubelet: { flags: string[] } } };
  readonly log: string;
  readonly dnfCalls: number;
  readonly sleeps: string[];
}

/** Runs the script with dnf failing its first `failures` runs (then installing mount.lustre and lctl). */
function runScript(failures: number, opts: { modinfo?: boolean } = {}): Run {
  const dir = mkdtempSync(path.join(tmpdir(), "lustre-script-"));
  const bin = path.join(dir, "bin");
  mkdirSync(bin);
  const fake = (name: string, body: string) => {
    writeFileSync(path.join(bin, name), `#!/bin/bash\n${body}\n`);
    chmodSync(path.join(bin, name), 0o755);
  };
  fake(
    "dnf",
    `n=$(($(cat "${dir}/dnf-calls" 2>/dev/null || echo 0) + 1)); echo $n > "${dir}/dnf-calls"
# Like a node without internet: any repository but Amazon Linux's is unreachable.
case " $* " in *" --repo amazonlinux "*) ;; *) echo "Curl error (7): Couldn't connect to server for cuda-amzn2023-x86_64"; exit 1 ;; esac
[ "$*" = "${LUSTRE_DNF_COMMAND.replace(/^dnf /, "")}" ] || exit 64
if [ $n -le ${failures} ]; then echo "Curl error (28): Timeout was reached"; exit 1; fi
for t in mount.lustre lctl; do printf '#!/bin/bash\\n' > "${bin}/$t"; chmod +x "${bin}/$t"; done`,
  );
  fake("modinfo", opts.modinfo === false ? "exit 1" : '[ "$*" = "-F version lustre" ] && echo 2.15.6');
  fake("sleep", `echo "$1" >> "${dir}/sleeps"`);
  const script = path.join(dir, "lustre.sh");
  writeFileSync(script, lustreClientScript());
  const result = spawnSync("bash", [script], {
    encoding: "utf8",
    env: {
      PATH: `${bin}:/usr/bin:/bin`,
      KUBEFLOW_EKS_NODEADM_DIR: path.join(dir, "nodeadm.d"),
      KUBEFLOW_EKS_LUSTRE_LOG: path.join(dir, "lustre.log"),
    },
  });
  const dropinFile = path.join(dir, "nodeadm.d", LUSTRE_DROPIN_FILE);
  const read = (f: string) => (existsSync(f) ? readFileSync(f, "utf8") : "");
  return {
    status: result.status,
    dropin: existsSync(dropinFile) ? (parse(read(dropinFile)) as Run["dropin"]) : undefined,
    log: read(path.join(dir, "lustre.log")),
    dnfCalls: Number(read(path.join(dir, "dnf-calls")) || 0),
    sleeps: read(path.join(dir, "sleeps")).split("\n").filter(Boolean),
  };
}

const labels = (run: Run) => {
  const [flag] = run.dropin!.spec.kubelet.flags;
  expect(flag).toMatch(/^--node-labels=/);
  return Object.fromEntries(
    flag
      .replace("--node-labels=", "")
      .split(",")
      .map((kv) => kv.split("=")),
  );
};

describe("node user data: the Lustre client install", () => {
  it("is valid bash", () => {
    const check = spawnSync("bash", ["-n"], { input: lustreClientScript(), encoding: "utf8" });
    expect(check.status).toBe(0);
  });

  it("installs lustre-client once, from Amazon Linux's repository only, and labels the node installed", () => {
    const run = runScript(0);
    expect(run.status).toBe(0);
    expect(run.dnfCalls).toBe(1);
    expect(run.sleeps).toEqual([]);
    expect(run.dropin).toMatchObject({ apiVersion: "node.eks.aws/v1alpha1", kind: "NodeConfig" });
    expect(labels(run)).toEqual({
      "kubeflow-eks/lustre-client": "installed",
      "kubeflow-eks/lustre-install-seconds": expect.stringMatching(/^\d+$/),
    });
    expect(LUSTRE_DNF_COMMAND).toMatch(/^dnf --assumeyes --repo amazonlinux /);
    expect(run.log).toContain(`attempt 1/2: ${LUSTRE_DNF_COMMAND}`);
    expect(run.log).toMatch(/lustre-client installed after \d+s/);
  });

  it("retries a failed install after a pause", () => {
    const run = runScript(1);
    expect(run.dnfCalls).toBe(2);
    expect(run.sleeps).toEqual(["5"]);
    expect(labels(run)["kubeflow-eks/lustre-client"]).toBe("installed");
  });

  it("gives up after its attempts, labels the node failed (twice: the second label is one Karpenter keeps) and lets it join", () => {
    const run = runScript(99);
    expect(run.status).toBe(0);
    expect(run.dnfCalls).toBe(LUSTRE_INSTALL.attempts);
    expect(labels(run)).toEqual({
      "kubeflow-eks/lustre-client": "failed",
      "kubeflow-eks/lustre-client-failed": "true",
      "kubeflow-eks/lustre-install-seconds": expect.stringMatching(/^\d+$/),
    });
    expect(run.log).toContain("Timeout was reached");
    expect(run.log).toMatch(/lustre-client failed after \d+s/);
  });

  it("counts an install without the kernel module as failed", () => {
    expect(labels(runScript(0, { modinfo: false }))["kubeflow-eks/lustre-client"]).toBe("failed");
  });

  it("holds a node up at most the bounded retry time", () => {
    // 2 attempts of at most 120 s, 5 s apart.
    expect(lustreInstallCeilingSeconds()).toBe(245);
    expect(lustreClientScript()).toContain(`timeout ${LUSTRE_INSTALL.attemptTimeoutSeconds} ${LUSTRE_DNF_COMMAND}`);
  });

  it("is the second part of the MIME document, after a NodeConfig labelling the node not-installed", () => {
    const parts = mimeParts(nodeUserData());
    expect(parts).toHaveLength(2);
    expect(parse(parts[0].body)).toEqual({
      apiVersion: "node.eks.aws/v1alpha1",
      kind: "NodeConfig",
      spec: { kubelet: { flags: ["--node-labels=kubeflow-eks/lustre-client=not-installed"] } },
    });
    expect(parts[1].body.trimEnd()).toBe(lustreClientScript().trimEnd());
  });
});
