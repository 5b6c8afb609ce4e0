import { parse, parseAllDocuments } from "yaml";
import { paramsFromConfigMapData, paramsToConfigMapData } from "../lib/kubeflow-overlay";
import {
  applyUntilSettled,
  InstallError,
  oauth2ProxySecretManifest,
  requireKubectl,
  selectKinds,
  summarizeApply,
  uninstallSteps,
  type CommandResult,
  type Runner,
} from "../scripts/kubeflow-install";
import { TEST_PARAMS } from "./fixtures/kubeflow-params";

const ok = (stdout = ""): CommandResult => ({ status: 0, stdout, stderr: "" });

describe("Kubeflow install step", () => {
  it("fails clearly when kubectl is missing", () => {
    const missing: Runner = () => ({ status: 127, stdout: "", stderr: "kubectl: command not found" });
    expect(() => requireKubectl(missing)).toThrow(InstallError);
    expect(() => requireKubectl(missing)).toThrow(/kubectl is required .* Install kubectl 1\.27 or newer/);
  });

  it("round-trips its parameters through the ConfigMap the kubeflow stack writes", () => {
    expect(paramsFromConfigMapData(paramsToConfigMapData(TEST_PARAMS))).toEqual(TEST_PARAMS);
    const withoutHost: Record<string, string | undefined> = { ...paramsToConfigMapData(TEST_PARAMS), host: undefined };
    expect(() => paramsFromConfigMapData(withoutHost)).toThrow(/has no key "host"; deploy the kubeflow stack again/);
  });

  it("counts applied and failing objects from kubectl's output", () => {
    const summary = summarizeApply({
      status: 1,
      stdout: "namespace/kubeflow serverside-applied\ndeployment.apps/x serverside-applied\n",
      stderr:
        'error: resource mapping not found for name: "p" namespace: "" from "STDIN": no matches for kind "Profile"\nWarning: something\n',
    });
    expect(summary).toEqual({
      applied: 2,
      failed: 1,
      firstErrors: [expect.stringContaining('no matches for kind "Profile"')],
    });
  });

  it("retries until every object is accepted, reporting each pass", async () => {
    const calls: string[] = [];
    let attempts = 0;
    const runner: Runner = (_cmd, args, input) => {
      calls.push(`${args.join(" ")} <${input?.length ?? 0} bytes>`);
      attempts++;
      return attempts < 3
        ? { status: 1, stdout: "a/b serverside-applied\n", stderr: "error: no matches for kind X\n" }
        : ok("a/b serverside-applied\nc/d serverside-applied\n");
    };
    const lines: string[] = [];
    const sleeps: number[] = [];
    const passes = await applyUntilSettled(
      "kind: X\n",
      { maxPasses: 5, pauseSeconds: 20, log: (l) => lines.push(l), sleep: async (s) => void sleeps.push(s) },
      runner,
    );
    expect(passes).toBe(3);
    expect(calls.every((c) => c.startsWith("apply --server-side --force-conflicts -f -"))).toBe(true);
    expect(lines.filter((l) => l.startsWith("pass"))).toEqual([
      "pass 1/5: 1 applied, 1 failing",
      "pass 2/5: 1 applied, 1 failing",
      "pass 3/5: 2 applied, 0 failing",
    ]);
    expect(sleeps).toEqual([20, 20]);
  });

  it("gives up after the last pass with an error", async () => {
    const failing: Runner = () => ({ status: 1, stdout: "", stderr: "error: boom\n" });
    await expect(
      applyUntilSettled(
        "x: 1\n",
        { maxPasses: 2, pauseSeconds: 0, log: () => undefined, sleep: async () => undefined },
        failing,
      ),
    ).rejects.toThrow(/still failing after 2 passes/);
  });

  it("keeps the cookie secret across runs and puts the client credentials in oauth2-proxy's Secret", () => {
    const decode = (m: string) => {
      const data = (parse(m) as { data: Record<string, string> }).data;
      return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, "base64").toString()]));
    };
    const first = decode(oauth2ProxySecretManifest("id", "shh"));
    expect(first["client-id"]).toBe("id");
    expect(Buffer.from(first["cookie-secret"], "base64url")).toHaveLength(32);
    const again = decode(oauth2ProxySecretManifest("id", "shh", first["cookie-secret"]));
    expect(again["cookie-secret"]).toBe(first["cookie-secret"]);
    expect(decode(oauth2ProxySecretManifest("id", "shh"))["cookie-secret"]).not.toBe(first["cookie-secret"]);
  });

  it("splits a build by kind", () => {
    const build =
      "kind: Namespace\nmetadata: {name: a}\n---\nkind: Deployment\nmetadata: {name: b}\n---\nkind: CustomResourceDefinition\nmetadata: {name: c}\n";
    const kinds = (s: string) => parseAllDocuments(s).map((d) => (d.toJS() as { kind: string }).kind);
    expect(kinds(selectKinds(build, ["Namespace"]))).toEqual(["Namespace"]);
    expect(kinds(selectKinds(build, ["Namespace", "CustomResourceDefinition"], true))).toEqual(["Deployment"]);
  });

  it("uninstalls the Ingress first, while the controller can still delete the ALB, and namespaces and CRDs last", () => {
    const build = "kind: Namespace\nmetadata: {name: kubeflow}\n---\nkind: Deployment\nmetadata: {name: x}\n";
    const steps = uninstallSteps(build);
    expect(steps[0].args.slice(0, 5)).toEqual(["-n", "istio-system", "delete", "ingress", "kubeflow"]);
    expect(steps[1].args.slice(0, 2)).toEqual(["delete", "profiles.kubeflow.org"]);
    expect(steps[2].input).toContain("Deployment");
    expect(steps[2].input).not.toContain("Namespace");
    expect(steps[3].input).toContain("Namespace");
  });
});
