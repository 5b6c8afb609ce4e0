/**
 * upstream/PROVENANCE.json itself: each entry has the documented shape, every vendored artifact
 * (scripts/vendor.ts VENDORED) has its entry and every entry a source (VENDORED, or the Kubeflow
 * render and its remote bases), and every image the stacks run, by chart value or in an object
 * they create, is one an entry records.
 */
import * as path from "node:path";
import Ajv from "ajv";
import { KUBEFLOW_ENTRY, KUBEFLOW_REMOTE_BASES } from "../lib/kubeflow-release";
import { readProvenance, REPO_ROOT, type ProvenanceEntry } from "../lib/provenance";
import { VENDORED } from "../scripts/vendor";
import type { StackJson } from "./app";
import { finding, type Finding } from "./findings";
import { helmReleases, readChart, VENDORED_CHARTS } from "./helm-values";
import { loadSchemas, stackObjects } from "./kubernetes-schema";

export const ENTRY_SCHEMA = {
  type: "array",
  items: {
    type: "object",
    additionalProperties: false,
    required: ["name", "version", "repository", "tag", "commit", "files", "images"],
    properties: {
      name: { type: "string", pattern: "^[a-z0-9-]+$" },
      version: { type: "string", minLength: 1 },
      repository: { type: "string", pattern: "^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$" },
      tag: { type: "string", minLength: 1 },
      commit: { type: "string", pattern: "^[0-9a-f]{40}$" },
      files: {
        type: "array",
        items: {
          type: "object",
          additionalProperties: false,
          required: ["path", "sha256"],
          properties: { path: { type: "string" }, sha256: { type: "string", pattern: "^[0-9a-f]{64}$" } },
        },
      },
      images: {
        type: "array",
        items: {
          type: "object",
          additionalProperties: false,
          required: ["repository", "tag"],
          properties: { repository: { type: "string" }, tag: { type: "string" } },
        },
      },
    },
  },
} as const;

const validateEntries = new Ajv({ allErrors: true }).compile(ENTRY_SCHEMA);

export function checkProvenance(root: string = REPO_ROOT): Finding[] {
  const file = path.join(root, "upstream", "PROVENANCE.json");
  const entries = readProvenance(file);
  const findings: Finding[] = [];
  if (!validateEntries(entries)) {
    for (const e of validateEntries.errors ?? [])
      findings.push(finding("provenance", `upstream/PROVENANCE.json${e.instancePath}`, e.message ?? "invalid"));
  }
  const names = entries.map((e) => e.name);
  for (const n of names.filter((n, i) => names.indexOf(n) !== i))
    findings.push(finding("provenance", n, "entry listed twice"));
  const sourced = new Set([
    ...VENDORED.map((s) => s.name),
    KUBEFLOW_ENTRY,
    ...KUBEFLOW_REMOTE_BASES.map((b) => b.entry),
  ]);
  for (const n of names)
    if (!sourced.has(n))
      findings.push(finding("provenance", n, "no step vendors this entry (scripts/vendor.ts VENDORED)"));
  for (const n of sourced)
    if (!names.includes(n)) findings.push(finding("provenance", n, `not vendored yet: npm run vendor -- ${n}`));
  return findings;
}

const imageKey = (repository: string, tag: string) => `${repository}:${tag}`;

/** Images recorded by any entry, as repository:tag (a digest-pinned tag also counts without its digest). */
function recordedImages(entries: readonly ProvenanceEntry[]): Set<string> {
  return new Set(
    entries.flatMap((e) =>
      e.images.flatMap((i) => [imageKey(i.repository, i.tag), imageKey(i.repository, i.tag.split("@")[0])]),
    ),
  );
}

function podImages(object: Record<string, unknown>): string[] {
  const spec =
    (object as { spec?: { template?: { spec?: Record<string, unknown> } } }).spec?.template?.spec ??
    (object.kind === "Pod" ? (object.spec as Record<string, unknown>) : undefined);
  if (!spec) return [];
  return ["containers", "initContainers"].flatMap((k) =>
    ((spec[k] as { image?: string }[] | undefined) ?? []).map((c) => c.image ?? ""),
  );
}

export function checkPinnedImages(stacks: readonly StackJson[], root: string = REPO_ROOT): Finding[] {
  const entries = readProvenance(path.join(root, "upstream", "PROVENANCE.json"));
  const recorded = recordedImages(entries);
  const findings: Finding[] = [];
  for (const release of helmReleases(stacks)) {
    const vendored = VENDORED_CHARTS.find((c) => c.repository === release.repository && c.chart === release.chart);
    const tag = (release.values.image as { tag?: string } | undefined)?.tag;
    if (!vendored || !tag) continue;
    const repository = (readChart(vendored, root).values.image as { repository?: string } | undefined)?.repository;
    if (!repository || !recorded.has(imageKey(repository, tag))) {
      findings.push(
        finding(
          "pinned images",
          `${release.stack} ${release.path} values.image.tag`,
          `${repository}:${tag} is not an image any upstream/PROVENANCE.json entry records`,
        ),
      );
    }
  }
  const { objects } = stackObjects(stacks, loadSchemas(root));
  for (const { where, object } of objects) {
    for (const image of podImages(object)) {
      const at = image.lastIndexOf(":");
      if (!recorded.has(image) && !recorded.has(imageKey(image.slice(0, at), image.slice(at + 1)))) {
        findings.push(
          finding("pinned images", where, `${image} is not an image any upstream/PROVENANCE.json entry records`),
        );
      }
    }
  }
  return findings;
}
