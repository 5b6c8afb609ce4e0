/**
 * The EBS storage a Kubeflow render asks for, read from the committed render
 * (kustomize-out/kubeflow/<version>/): its PersistentVolumeClaims, each a volume of the default
 * StorageClass for as long as Kubeflow is installed, and the workspace claim the notebook spawner
 * creates for each notebook server.
 *
 * The cost report prices what this returns; it takes the list of claims as an argument, so a caller
 * that installs only some components passes only their claims.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { parse, parseAllDocuments } from "yaml";
import { renderDir } from "./kubeflow-release";

export interface VolumeClaim {
  readonly namespace: string;
  readonly name: string;
  /** The requested size in GiB (spec.resources.requests.storage). */
  readonly sizeGiB: number;
  /** The render file it is in, relative to the render directory. */
  readonly file: string;
}

const BINARY: Readonly<Record<string, number>> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50 };
const DECIMAL: Readonly<Record<string, number>> = { "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15 };

/** A Kubernetes storage quantity ("10Gi", "500Mi", "20G", "1073741824") in GiB. */
export function quantityGiB(quantity: string): number {
  const match = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|Pi|k|M|G|T|P)?$/.exec(quantity.trim());
  if (!match) throw new Error(`not a storage quantity: "${quantity}"`);
  const unit = match[2] ?? "";
  const bytes = Number(match[1]) * (BINARY[unit] ?? DECIMAL[unit]);
  return bytes / 2 ** 30;
}

interface ClaimObject {
  kind?: string;
  metadata?: { name?: string; namespace?: string };
  spec?: { resources?: { requests?: { storage?: string } } };
}

/** Every PersistentVolumeClaim in a render directory, in file order. */
export function renderedClaims(renderDirectory: string): VolumeClaim[] {
  const files = readdirSync(renderDirectory)
    .filter((f) => f.startsWith("persistentvolumeclaim-") && f.endsWith(".yaml"))
    .sort();
  return files.flatMap((file) =>
    parseAllDocuments(readFileSync(path.join(renderDirectory, file), "utf8"))
      .map((doc) => doc.toJS() as ClaimObject | null)
      .filter((o): o is ClaimObject => o?.kind === "PersistentVolumeClaim")
      .map((o) => {
        const storage = o.spec?.resources?.requests?.storage;
        if (storage === undefined) throw new Error(`${file}: the claim requests no storage`);
        return {
          namespace: o.metadata?.namespace ?? "default",
          name: o.metadata?.name ?? "",
          sizeGiB: quantityGiB(String(storage)),
          file,
        };
      }),
  );
}

/**
 * The size of the workspace claim the notebook spawner creates for each new notebook server
 * (spawner_ui_config.yaml's spawnerFormDefaults.workspaceVolume.value.newPvc), in GiB; undefined
 * when the render has no notebook spawner config, or it creates no workspace.
 */
export function notebookWorkspaceGiB(renderDirectory: string): number | undefined {
  if (!existsSync(renderDirectory)) return undefined;
  const file = readdirSync(renderDirectory).find(
    (f) => f.startsWith("configmap-kubeflow-jupyter-web-app-config-") && f.endsWith(".yaml"),
  );
  if (!file) return undefined;
  const configMap = parse(readFileSync(path.join(renderDirectory, file), "utf8")) as {
    data?: Record<string, string>;
  };
  const spawner = configMap.data?.["spawner_ui_config.yaml"];
  if (spawner === undefined) return undefined;
  const ui = parse(spawner) as {
    spawnerFormDefaults?: {
      workspaceVolume?: { value?: { newPvc?: { spec?: { resources?: { requests?: { storage?: string } } } } } };
    };
  };
  const storage = ui.spawnerFormDefaults?.workspaceVolume?.value?.newPvc?.spec?.resources?.requests?.storage;
  return storage === undefined ? undefined : quantityGiB(String(storage));
}

/** The claims and the notebook workspace size of a committed render, by Kubeflow version. */
export function renderedVolumes(
  version: string,
  root?: string,
): { claims: VolumeClaim[]; notebookWorkspaceGiB?: number } {
  const dir = renderDir(version, root);
  return { claims: renderedClaims(dir), notebookWorkspaceGiB: notebookWorkspaceGiB(dir) };
}
