/**
 * upstream/PROVENANCE.json itself: each entry has the documented shape (its ref, the ref's kind,
 * tag, branch or commit, and the commit taken), every vendored artifact (scripts/vendor.ts VENDORED)
 * has its entry, of the ref kind the vendor step takes it at, and every entry a source (VENDORED,
 * or the Kubeflow render and its remote bases). The images entries record are checked against
 * what we apply by conformance/images.ts.
 */
import * as path from "node:path";
import Ajv from "ajv";
import { KUBEFLOW_ENTRY, KUBEFLOW_REMOTE_BASES } from "../lib/kubeflow-release";
import { readProvenance, REF_KINDS, REPO_ROOT } from "../lib/provenance";
import { VENDORED } from "../scripts/vendor";
import { finding, type Finding } from "./findings";

export const ENTRY_SCHEMA = {
  type: "array",
  items: {
    type: "object",
    additionalProperties: false,
    required: ["name", "version", "repository", "ref", "refKind", "commit", "files", "images"],
    properties: {
      name: { type: "string", pattern: "^[a-z0-9-]+$" },
      version: { type: "string", minLength: 1 },
      repository: { type: "string", pattern: "^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$" },
      ref: { type: "string", minLength: 1 },
      refKind: { enum: REF_KINDS },
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
          required: ["registry", "repository"],
          anyOf: [{ required: ["tag"] }, { required: ["digest"] }],
          properties: {
            registry: { type: "string", minLength: 1 },
            repository: { type: "string", minLength: 1 },
            tag: { type: "string", minLength: 1 },
            digest: { type: "string", pattern: "^sha256:[0-9a-f]{64}$" },
          },
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
  for (const spec of VENDORED) {
    const entry = entries.find((e) => e.name === spec.name);
    if (entry && entry.refKind !== spec.refKind)
      findings.push(
        finding(
          "provenance",
          spec.name,
          `recorded as a ${entry.refKind} (${entry.ref}), but scripts/vendor.ts takes it at a ${spec.refKind}: re-vendor it with --ref`,
        ),
      );
  }
  return findings;
}
