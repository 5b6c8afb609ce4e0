/**
 * The image preflight (scripts/image-preflight.ts) against registries served on 127.0.0.1 by
 * node:http, through Node's own fetch, and in the deploy runner (scripts/deploy.ts, in-process,
 * with the fake cdktf, terraform and aws of fixtures/fake-cli) to show where it stops a deploy.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { runCommandLine } from "../scripts/deploy";
import { checkManifest, MANIFEST_ACCEPT, type UnprovenImage } from "../scripts/image-preflight";

const REPO_ROOT = path.join(__dirname, "..");
const IMAGE = "registry.k8s.io/autoscaling/cluster-autoscaler:v1.35.2";
const MANIFEST_PATH = "/v2/autoscaling/cluster-autoscaler/manifests/v1.35.2";

interface Seen {
  readonly method: string;
  readonly url: string;
  readonly accept?: string;
  readonly authorization?: string;
}
interface Registry {
  readonly url: string;
  readonly seen: Seen[];
}
type Handler = (req: IncomingMessage, res: ServerResponse, self: Registry) => void;

const servers: Server[] = [];
/** A server on 127.0.0.1 that answers with `handler` and records every request. */
async function serve(handler: Handler): Promise<Registry> {
  const seen: Seen[] = [];
  const server = createServer();
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const self = { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    seen.push({
      method: req.method!,
      url: req.url!,
      accept: req.headers.accept,
      authorization: req.headers.authorization,
    });
    handler(req, res, self);
  });
  return self;
}
afterAll(async () => {
  for (const s of servers) s.closeAllConnections();
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
});

const answer = (res: ServerResponse, status: number, headers: Record<string, string> = {}, body = ""): void => {
  res.writeHead(status, headers).end(body);
};
/** A registry holding the one manifest. */
const holding: Handler = (req, res) => answer(res, req.url === MANIFEST_PATH ? 200 : 404);
/** A registry that needs a token for pulls, got anonymously from its /token for service and scope. */
const tokenProtected =
  (name: string): Handler =>
  (req, res, self) => {
    const url = new URL(req.url!, self.url);
    if (url.pathname === "/token") {
      const right =
        url.searchParams.get("service") === "test-registry" &&
        url.searchParams.get("scope") === `repository:${name}:pull`;
      return right ? answer(res, 200, { "content-type": "application/json" }, '{"token": "anon-1"}') : answer(res, 400);
    }
    if (req.headers.authorization !== "Bearer anon-1")
      return answer(res, 401, {
        "www-authenticate": `Bearer realm="${self.url}/token",service="test-registry",scope="repository:${name}:pull"`,
      });
    answer(res, url.pathname === `/v2/${name}/manifests/v1.35.2` ? 200 : 404);
  };
/** registry.k8s.io's way: every manifest request redirected (307) to the same path under a mirror's prefix. */
const redirectingTo =
  (mirror: () => string): Handler =>
  (req, res) =>
    answer(res, 307, { location: `${mirror()}/v2/k8s-artifacts-prod/images${req.url!.slice("/v2".length)}` });
const at = (r: Registry) => ({ registryUrl: () => r.url });

describe("checkManifest", () => {
  it("finds a manifest the registry has: one anonymous HEAD accepting OCI and Docker manifests and indexes", async () => {
    const registry = await serve(holding);
    expect(await checkManifest(IMAGE, at(registry))).toEqual({
      result: "exists",
      status: 200,
      url: `${registry.url}${MANIFEST_PATH}`,
    });
    expect(registry.seen).toEqual([{ method: "HEAD", url: MANIFEST_PATH, accept: MANIFEST_ACCEPT }]);
    expect(MANIFEST_ACCEPT.split(", ").sort()).toEqual([
      "application/vnd.docker.distribution.manifest.list.v2+json",
      "application/vnd.docker.distribution.manifest.v2+json",
      "application/vnd.oci.image.index.v1+json",
      "application/vnd.oci.image.manifest.v1+json",
    ]);
  });

  it("answers a 401 Bearer challenge with an anonymous token for its service and scope, then asks again", async () => {
    const registry = await serve(tokenProtected("autoscaling/cluster-autoscaler"));
    expect(await checkManifest(IMAGE, at(registry))).toMatchObject({ result: "exists", status: 200 });
    expect(registry.seen.map((s) => [s.method, s.url.split("?")[0], s.authorization])).toEqual([
      ["HEAD", MANIFEST_PATH, undefined],
      ["GET", "/token", undefined],
      ["HEAD", MANIFEST_PATH, "Bearer anon-1"],
    ]);
  });

  it("follows registry.k8s.io's redirect to a mirror that has it", async () => {
    const mirror = await serve((req, res) =>
      answer(res, req.url === `/v2/k8s-artifacts-prod/images${MANIFEST_PATH.slice(3)}` ? 200 : 404),
    );
    const registry = await serve(redirectingTo(() => mirror.url));
    expect(await checkManifest(IMAGE, at(registry))).toEqual({
      result: "exists",
      status: 200,
      url: `${mirror.url}/v2/k8s-artifacts-prod/images/autoscaling/cluster-autoscaler/manifests/v1.35.2`,
    });
    expect(mirror.seen.map((s) => s.method)).toEqual(["HEAD"]);
  });

  it("after a redirect, sends the token to the mirror that challenged, not through the redirect again", async () => {
    const mirror = await serve(tokenProtected("k8s-artifacts-prod/images/autoscaling/cluster-autoscaler"));
    const registry = await serve(redirectingTo(() => mirror.url));
    expect(await checkManifest(IMAGE, at(registry))).toMatchObject({ result: "exists", status: 200 });
    expect(registry.seen).toHaveLength(1);
    expect(mirror.seen.at(-1)).toMatchObject({ method: "HEAD", authorization: "Bearer anon-1" });
  });

  it("calls a 404 missing, and names the URL that said so", async () => {
    const registry = await serve(holding);
    expect(await checkManifest("registry.k8s.io/autoscaling/cluster-autoscaler:v1.35.9", at(registry))).toEqual({
      result: "missing",
      status: 404,
      url: `${registry.url}/v2/autoscaling/cluster-autoscaler/manifests/v1.35.9`,
    });
  });

  it("cannot tell on a refused connection, a server error or no answer in time", async () => {
    const closed = await serve(holding);
    const server = servers.at(-1)!;
    await new Promise((resolve) => server.close(resolve));
    expect(await checkManifest(IMAGE, at(closed))).toEqual({
      result: "unknown",
      why: `${closed.url}${MANIFEST_PATH}: ECONNREFUSED`,
    });
    const failing = await serve((_req, res) => answer(res, 503));
    expect(await checkManifest(IMAGE, at(failing))).toEqual({
      result: "unknown",
      why: `HEAD ${failing.url}${MANIFEST_PATH} answered 503 Service Unavailable`,
    });
    const silent = await serve(() => undefined);
    expect(await checkManifest(IMAGE, { ...at(silent), timeoutMs: 100 })).toEqual({
      result: "unknown",
      why: `${silent.url}${MANIFEST_PATH}: no answer within 0.1 s`,
    });
  });
});

describe("the deploy runner", () => {
  let dir: string;
  let world: string;
  const script = path.join(REPO_ROOT, "__tests__", "fixtures", "fake-cli", "fake-cli.sh");
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), "image-preflight-"));
    mkdirSync(path.join(dir, "bin"));
    for (const tool of ["cdktf", "terraform", "aws", "kubectl"]) symlinkSync(script, path.join(dir, "bin", tool));
    world = path.join(dir, "world");
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const images = async (): Promise<UnprovenImage[]> => [
    { reference: IMAGE, stage: "addons", entry: "cluster-autoscaler" },
  ];
  /** `npm run deploy -- <args>` in this process, the fake tools first on PATH, the addons stage deployed. */
  async function deploy(args: string[], registry: Registry) {
    rmSync(world, { recursive: true, force: true });
    mkdirSync(world);
    writeFileSync(path.join(world, "stage.addons"), "deployed");
    writeFileSync(path.join(world, "calls"), "");
    const saved = { ...process.env };
    for (const key of Object.keys(process.env)) delete process.env[key];
    Object.assign(process.env, { PATH: `${dir}/bin:/usr/bin:/bin`, HOME: dir, FAKE_WORLD: world });
    const written: string[] = [];
    const capture = jest.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    let status: number;
    try {
      status = await runCommandLine("deploy", args, { imagePreflight: { ...at(registry), images } });
    } finally {
      capture.mockRestore();
      for (const key of Object.keys(process.env)) delete process.env[key];
      Object.assign(process.env, saved);
    }
    const calls = readFileSync(path.join(world, "calls"), "utf8").split("\n").filter(Boolean);
    return { status, stderr: written.join(""), calls };
  }
  const addonsCalls = (calls: string[]) =>
    calls.filter((c) => c.includes("cdktf.out/stacks/addons") || / addons/.test(c));

  it("stops before the stage that runs a missing image, not sooner, naming the image, the stage and what to do", async () => {
    const registry = await serve((_req, res) => answer(res, 404));
    const r = await deploy(["--yes", "--from", "eks"], registry);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/\[1\/8\] eks: done .*\n\[2\/8\] addons: cdktf deploy addons .*\nerror: /);
    expect(r.stderr).toContain(
      `error: deploy stopped at stage addons (2 of 8) after 0s:\nimage preflight: ${IMAGE}, which stage addons runs, ` +
        `is not in its registry (HEAD ${registry.url}${MANIFEST_PATH}: 404), so addons was not started: ` +
        'pin a release whose image is promoted (npm run vendor -- cluster-autoscaler --version <version>, README "Upgrading a component") ' +
        "or wait until it is promoted, then resume (--skip-image-preflight skips this check)\n" +
        "Resume with: npm run deploy -- --from addons --yes\n",
    );
    expect(r.calls.filter((c) => c.startsWith("cdktf deploy"))).toEqual([
      "cdktf deploy eks --output cdktf.out --skip-synth --ignore-missing-stack-dependencies --auto-approve",
    ]);
    expect(addonsCalls(r.calls)).toEqual([]);
    expect(registry.seen).toHaveLength(1);
  });

  it("warns and goes on when the registry cannot be reached", async () => {
    const closed = await serve(holding);
    const server = servers.at(-1)!;
    await new Promise((resolve) => server.close(resolve));
    const r = await deploy(["--yes", "--only", "addons"], closed);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain(
      `  warning: image preflight could not tell whether ${IMAGE} is in its registry (${closed.url}${MANIFEST_PATH}: ECONNREFUSED); ` +
        "going on: if it is not, its pods in stage addons cannot start (ImagePullBackOff)\n",
    );
    expect(addonsCalls(r.calls)).toEqual([
      "terraform -chdir=cdktf.out/stacks/addons init -input=false -no-color",
      "terraform -chdir=cdktf.out/stacks/addons plan -input=false -no-color -detailed-exitcode -lock-timeout=0s",
    ]);
  });

  it("says when the image is there, and goes on", async () => {
    const registry = await serve(holding);
    const r = await deploy(["--yes", "--only", "addons"], registry);
    expect(r.status).toBe(0);
    const lines = r.stderr.split("\n");
    const found = lines.indexOf(
      `  image preflight: ${IMAGE} is in its registry (200 from ${registry.url}${MANIFEST_PATH})`,
    );
    expect(lines[found - 1]).toMatch(/^\[1\/1\] addons: cdktf deploy addons/);
    expect(lines[found + 1]).toMatch(/^\[1\/1\] addons: skipped, nothing to change/);
  });

  it("--skip-image-preflight and --dry-run make no request", async () => {
    const registry = await serve((_req, res) => answer(res, 404));
    const skipped = await deploy(["--yes", "--only", "addons", "--skip-image-preflight"], registry);
    expect(skipped.status).toBe(0);
    expect(addonsCalls(skipped.calls)).toHaveLength(2);
    const dry = await deploy(["--dry-run"], registry);
    expect(dry.status).toBe(0);
    expect(dry.calls).toEqual([]);
    expect(dry.stderr).toContain("that image is looked up in its registry (--skip-image-preflight skips this)");
    expect(registry.seen).toEqual([]);
  });
});
