/**
 * Container image references as a container runtime resolves them (the distribution reference
 * grammar of github.com/distribution/reference, normalized the way containerd and Docker do): a
 * first path component with a "." or ":" in it, or "localhost", is the registry; otherwise the
 * registry is Docker Hub (docker.io), where a one-component name is an official image under
 * "library/". A reference without tag or digest means the tag "latest".
 */

export interface ImageReference {
  /** Registry host (with port, if any), e.g. "registry.k8s.io", "docker.io". */
  readonly registry: string;
  /** Path in the registry, e.g. "autoscaling/cluster-autoscaler", "library/mysql". */
  readonly repository: string;
  /** The tag, when the reference names one. */
  readonly tag?: string;
  /** "sha256:<64 hex>", when the reference pins a digest. */
  readonly digest?: string;
}

export class ImageReferenceError extends Error {}

const DIGEST = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[0-9a-fA-F]{32,}$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;

/** Parses and normalizes a reference; throws ImageReferenceError naming what is wrong. */
export function parseImageReference(reference: string): ImageReference {
  const fail = (why: string): never => {
    throw new ImageReferenceError(`"${reference}" is not an image reference: ${why}`);
  };
  if (reference.trim() !== reference || reference.length === 0) fail("empty or surrounded by spaces");
  let rest = reference;
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) fail(`bad digest "${digest}"`);
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf("/");
  const colon = rest.lastIndexOf(":");
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) fail(`bad tag "${tag}"`);
  }
  const parts = rest.split("/");
  const first = parts[0];
  const hasRegistry = parts.length > 1 && (first.includes(".") || first.includes(":") || first === "localhost");
  const registry = hasRegistry ? first : "docker.io";
  const path = hasRegistry ? parts.slice(1) : parts;
  if (path.length === 0 || path.some((c) => !COMPONENT.test(c))) fail(`bad repository "${path.join("/")}"`);
  const repository = registry === "docker.io" && path.length === 1 ? `library/${path[0]}` : path.join("/");
  return { registry, repository, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) };
}

/** The reference in its fully qualified form: registry/repository[:tag][@digest]. */
export function formatImageReference(r: ImageReference): string {
  return `${r.registry}/${r.repository}${r.tag !== undefined ? `:${r.tag}` : ""}${r.digest !== undefined ? `@${r.digest}` : ""}`;
}

/** The same reference, fully qualified (docker.io/library/ made explicit). */
export function normalizeImageReference(reference: string): string {
  return formatImageReference(parseImageReference(reference));
}
