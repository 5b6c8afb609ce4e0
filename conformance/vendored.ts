/**
 * Vendored files are upstream's bytes: every file an entry of upstream/PROVENANCE.json records
 * has its recorded sha256, and every file under upstream/<entry>/ is recorded. The Kubeflow
 * render is checked the same way by its own check (verifyRender).
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import * as path from "node:path";
import { KUBEFLOW_ENTRY, ReleaseError, verifyRender } from "../lib/kubeflow-release";
import { readProvenance, REPO_ROOT, verifyFiles } from "../lib/provenance";
import { finding, type Finding } from "./findings";

const CHECK = "vendored files";

function filesUnder(root: string, dir: string): string[] {
  const full = path.join(root, dir);
  if (!existsSync(full)) return [];
  return readdirSync(full).flatMap((f) => {
    const p = `${dir}/${f}`;
    return statSync(path.join(root, p)).isDirectory() ? filesUnder(root, p) : [p];
  });
}

export function checkVendoredFiles(root: string = REPO_ROOT): Finding[] {
  const entries = readProvenance(path.join(root, "upstream", "PROVENANCE.json"));
  const findings: Finding[] = [];
  for (const entry of entries) {
    if (entry.name === KUBEFLOW_ENTRY) continue;
    for (const problem of verifyFiles(entry, root)) {
      findings.push(
        finding(
          CHECK,
          problem.split(/[: ]/)[0],
          `${problem} (entry "${entry.name}"); restore it or re-vendor: npm run vendor -- ${entry.name}`,
        ),
      );
    }
    const recorded = new Set(entry.files.map((f) => f.path));
    for (const f of filesUnder(root, `upstream/${entry.name}`)) {
      if (!recorded.has(f))
        findings.push(
          finding(
            CHECK,
            f,
            `not recorded in upstream/PROVENANCE.json (entry "${entry.name}"): vendored files come from npm run vendor only`,
          ),
        );
    }
  }
  const names = new Set(entries.map((e) => e.name));
  for (const dir of readdirSync(path.join(root, "upstream"))) {
    if (statSync(path.join(root, "upstream", dir)).isDirectory() && !names.has(dir)) {
      findings.push(finding(CHECK, `upstream/${dir}`, "a folder no PROVENANCE entry records"));
    }
  }
  const kubeflow = entries.find((e) => e.name === KUBEFLOW_ENTRY);
  if (kubeflow) {
    try {
      verifyRender(kubeflow.version, root);
    } catch (err) {
      if (!(err instanceof ReleaseError)) throw err;
      findings.push(finding(CHECK, `kustomize-out/kubeflow/${kubeflow.version}`, err.message));
    }
  }
  return findings;
}
