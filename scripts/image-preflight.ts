/**
 * The image preflight of `npm run deploy`: before the first stage that runs an image whose
 * promotion `npm run conformance` cannot show offline (conformance/images.ts, "unproven
 * promotion"), that image's manifest is looked up in its registry, anonymously, through the OCI
 * Distribution API. Missing: the deploy stops before the stage, whose pods could never pull it.
 * Unreachable or unclear (offline, a proxy, a registry error): a warning, and the deploy goes on.
 *
 * The protocol, as relied on here:
 * - HEAD /v2/<name>/manifests/<reference>: 200 when the manifest exists, 404 when it does not
 *   (opencontainers/distribution-spec v1.1.1 spec.md:206-216); the client sends an Accept header
 *   with the manifest types it supports (spec.md:168): OCI image index and manifest (spec.md:581,
 *   :465), Docker manifest list and v2 manifest (distribution/distribution v3.1.1
 *   docs/content/spec/manifest-v2-2.md:27-28). A HEAD answer has no body, so a 404 is taken as
 *   MANIFEST_UNKNOWN (spec.md:818) without reading one.
 * - Authentication is outside the OCI spec (spec.md:763); registries use the token flow of
 *   distribution/distribution v3.1.1 docs/content/spec/auth/token.md: a 401 with
 *   `WWW-Authenticate: Bearer realm=...,service=...,scope=...` (:49-84), a GET of the realm with
 *   that service and scope, anonymous for a public repository (:184-203), answering JSON with
 *   `token` or `access_token` (:138-149), and the request again with `Authorization: Bearer`
 *   (:241-245).
 * - registry.k8s.io answers every manifest request with a 307 to its upstream registry
 *   (kubernetes/registry.k8s.io v0.6.1 cmd/archeio/internal/app/handlers.go:127-130, URL built at
 *   :176-178), a region's Artifact Registry (cmd/archeio/docs/request-handling.md:18; default
 *   https://us-central1-docker.pkg.dev, cmd/archeio/main.go:45). fetch follows it (a 307 keeps the
 *   HEAD); a challenge there is answered there: the request with the token goes to the URL that
 *   asked for it, since fetch drops an Authorization header on a redirect to another origin (Node
 *   20.20's fetch, undici 6.24, seen between two local servers).
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import type { StackJson } from "../conformance/app";
import { parseImageReference } from "../lib/image-ref";
import { STAGE_IDS, type StageId } from "../lib/stages";

/** The manifest types a container runtime pulls (see above); any of them shows the image exists. */
export const MANIFEST_ACCEPT = [
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
  "application/vnd.docker.distribution.manifest.v2+json",
].join(", ");

/** What the registry said about one image's manifest. */
export type ManifestCheck =
  | { readonly result: "exists"; readonly status: number; readonly url: string }
  | { readonly result: "missing"; readonly status: number; readonly url: string }
  | { readonly result: "unknown"; readonly why: string };

export interface RegistryClient {
  /**
   * The base URL of a registry's API (without /v2/). Tests point it at a local server.
   * @default https://<registry>: what registry.k8s.io, the only registry an unproven image comes from, serves
   */
  readonly registryUrl?: (registry: string) => string;
  /**
   * How long the whole lookup of one image (redirects and the token included) may take, in ms.
   * @default 5000
   */
  readonly timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 5000;

/** The parameters of the Bearer challenge in a WWW-Authenticate header, if it has one. */
export function bearerChallenge(header: string | null): Record<string, string> | undefined {
  const at = header ? header.search(/\bBearer\s/i) : -1;
  if (!header || at < 0) return undefined;
  const params: Record<string, string> = {};
  for (const m of header.slice(at + "Bearer ".length).matchAll(/([A-Za-z_]+)="([^"]*)"/g)) params[m[1]] = m[2];
  return params.realm ? params : undefined;
}

function failure(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === "TimeoutError" || e.name === "AbortError") return `no answer within ${timeoutMs / 1000} s`;
  return e.cause?.code ?? e.cause?.message ?? e.message ?? String(err);
}

/** Looks up an image's manifest (by its digest if it pins one, else its tag) as described above. */
export async function checkManifest(reference: string, client: RegistryClient = {}): Promise<ManifestCheck> {
  const ref = parseImageReference(reference);
  const timeoutMs = client.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const base = (client.registryUrl ?? ((r) => `https://${r}`))(ref.registry);
  const url = `${base}/v2/${ref.repository}/manifests/${ref.digest ?? ref.tag ?? "latest"}`;
  const signal = AbortSignal.timeout(timeoutMs);
  const head = (target: string, token?: string) =>
    fetch(target, {
      method: "HEAD",
      redirect: "follow",
      signal,
      headers: { Accept: MANIFEST_ACCEPT, ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    });
  const verdict = (r: Response): ManifestCheck =>
    r.ok
      ? { result: "exists", status: r.status, url: r.url }
      : r.status === 404
        ? { result: "missing", status: r.status, url: r.url }
        : { result: "unknown", why: `HEAD ${r.url} answered ${r.status} ${r.statusText}`.trim() };
  try {
    const first = await head(url);
    if (first.status !== 401) return verdict(first);
    const challenge = bearerChallenge(first.headers.get("www-authenticate"));
    if (!challenge) return { result: "unknown", why: `HEAD ${first.url} asks for credentials other than a token` };
    const tokenUrl = new URL(challenge.realm, first.url);
    for (const key of ["service", "scope"]) if (challenge[key]) tokenUrl.searchParams.set(key, challenge[key]);
    const answer = await fetch(tokenUrl, { signal });
    if (!answer.ok) return { result: "unknown", why: `no anonymous token from ${tokenUrl.origin} (${answer.status})` };
    const body = (await answer.json()) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (!token) return { result: "unknown", why: `the token service ${tokenUrl.origin} answered no token` };
    return verdict(await head(first.url, token));
  } catch (err) {
    return { result: "unknown", why: `${url}: ${failure(err, timeoutMs)}` };
  }
}

/** An image whose promotion is unproven offline, and the stage that first runs it. */
export interface UnprovenImage {
  readonly reference: string;
  readonly stage: StageId;
  /** The PROVENANCE entry it is deployed from, which says how to pin another release. */
  readonly entry?: string;
}

/** The stacks of a synthesis (cdktf's manifest.json), each named by its stack id, which is its stage's. */
export function readSynthesizedStacks(outdir: string): StackJson[] {
  const manifest = JSON.parse(readFileSync(path.join(outdir, "manifest.json"), "utf8")) as {
    stacks: Record<string, { synthesizedStackPath: string }>;
  };
  return Object.entries(manifest.stacks).map(([name, s]) => ({
    name,
    json: JSON.parse(readFileSync(path.join(outdir, s.synthesizedStackPath), "utf8")) as StackJson["json"],
  }));
}

/**
 * The unproven images of the stacks, each with the stage that deploys it: conformance's own list
 * (checkDeployedImages(...).unproven), from the images each stack deploys (stackImages), so a
 * config that does not run an image (autoscaler: karpenter) checks nothing. The Kubeflow install's
 * images are not covered: building them takes the install's kustomize build, and none is unproven.
 */
export async function unprovenImagesOf(stacks: readonly StackJson[]): Promise<UnprovenImage[]> {
  // Loaded here, not at the top: the conformance modules take half a second, which --dry-run and
  // --skip-image-preflight do without.
  const { checkDeployedImages, stackImages } = await import("../conformance/images");
  return stacks.flatMap((stack) => {
    if (!(STAGE_IDS as readonly string[]).includes(stack.name)) return [];
    const { images } = stackImages([stack]);
    const seen = new Set<string>();
    return checkDeployedImages(images).unproven.flatMap((u) => {
      if (seen.has(u.reference)) return [];
      seen.add(u.reference);
      const entry = images.find((i) => i.where === u.where)?.entry;
      return [{ reference: u.reference, stage: stack.name as StageId, ...(entry ? { entry } : {}) }];
    });
  });
}

export class ImagePreflightError extends Error {}

/** The one line that stops the deploy when an image is not in its registry. */
export function missingImageMessage(image: UnprovenImage, check: { status: number; url: string }): string {
  const pin = image.entry
    ? `pin a release whose image is promoted (npm run vendor -- ${image.entry} --version <version>, README "Upgrading a component")`
    : "pin a promoted tag of it";
  return (
    `image preflight: ${image.reference}, which stage ${image.stage} runs, is not in its registry ` +
    `(HEAD ${check.url}: ${check.status}), so ${image.stage} was not started: ${pin} or wait until it is promoted, ` +
    "then resume (--skip-image-preflight skips this check)"
  );
}

export interface ImagePreflightOptions extends RegistryClient {
  /**
   * The unproven images and their stages.
   * @default unprovenImagesOf the stacks synthesized in `outdir`
   */
  readonly images?: () => Promise<readonly UnprovenImage[]>;
  /** The synthesis `images` reads by default (the deploy's, synthesized just before). */
  readonly outdir: string;
  readonly log: (line: string) => void;
}

/**
 * The check to run before each stage: looks up the unproven images the stage runs (once per run);
 * throws ImagePreflightError when one is missing, warns and goes on when it cannot tell.
 */
export function imagePreflight(options: ImagePreflightOptions): (stage: StageId) => Promise<void> {
  let images: readonly UnprovenImage[] | undefined;
  const checked = new Set<string>();
  return async (stage) => {
    if (images === undefined) {
      try {
        images = await (options.images ?? (() => unprovenImagesOf(readSynthesizedStacks(options.outdir))))();
      } catch (err) {
        images = [];
        options.log(
          `  warning: image preflight skipped: the unproven images of ${options.outdir} could not be read ` +
            `(${err instanceof Error ? err.message : String(err)})`,
        );
      }
    }
    for (const image of images.filter((i) => i.stage === stage && !checked.has(i.reference))) {
      checked.add(image.reference);
      const check = await checkManifest(image.reference, options);
      if (check.result === "missing") throw new ImagePreflightError(missingImageMessage(image, check));
      if (check.result === "exists") {
        options.log(`  image preflight: ${image.reference} is in its registry (${check.status} from ${check.url})`);
      } else {
        options.log(
          `  warning: image preflight could not tell whether ${image.reference} is in its registry (${check.why}); ` +
            `going on: if it is not, its pods in stage ${stage} cannot start (ImagePullBackOff)`,
        );
      }
    }
  };
}
