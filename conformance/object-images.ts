/**
 * The images the objects of an install run, wherever the objects carry them: not only pod-spec
 * containers, but every field that names an image (KServe's ClusterServingRuntimes and
 * ClusterStorageContainer, Knative's Image), the configuration programs read images from
 * (ConfigMap data, JSON or YAML documents included: KServe's inferenceservice-config, Katib's
 * katib-config and trial templates, the notebook images the Jupyter web app offers), and the
 * arguments and environment variables that hand an image to a controller (Argo's
 * --executor-image, KFP's V2_DRIVER_IMAGE).
 *
 * What counts as an image (imageFields):
 * - a string under a key that names one: a key whose words (camelCase, kebab-case, snake_case)
 *   include "image"/"images" and none of NOT_IMAGE_WORDS (imagePullPolicy, defaultImageVersion, ...);
 *   everything below such a key too (the Jupyter web app's `image: {value, options: [...]}`);
 * - an env entry whose name names an image (its `value`); a flag that names one (`--x-image=V`,
 *   or `--x-image` followed by V) in args or command;
 * - any other string that is unmistakably a reference (IMAGE_SHAPED: a registry host, a path,
 *   and a tag or digest; URLs, host:port and plain names are not);
 * - inside ConfigMap data, each value that parses as YAML or JSON is read as the document it is;
 *   a text that does not (a template, a script) is read line by line for `image: V` lines.
 * Skipped, each with the evidence the object itself carries: Knative's and KServe's `_example`
 * keys ("not actually functional configuration"), and ConfigMaps whose description says
 * modifying them has no effect (Istio's `values`, kept for tooling).
 *
 * A value that is templated (`{{ ... }}`, `$VAR`, a Python f-string) or partial (no registry and no
 * tag, like Istio's "proxyv2") is not the image itself: the program that reads it composes the
 * image. COMPOSED_IMAGES says how, per program, from the source at the version the render runs;
 * one that no rule resolves is a problem, never skipped.
 */
import { parseAllDocuments } from "yaml";
import { normalizeImageReference } from "../lib/image-ref";
import type { DeployedImage } from "./images";

type Values = Record<string, unknown>;
const isMap = (v: unknown): v is Values => v !== null && typeof v === "object" && !Array.isArray(v);

/** A string in an object that names an image (or a part of one), and where it is. */
export interface ImageField {
  /** "<Kind>/<namespace>/<name>". */
  readonly object: string;
  /** The field, e.g. `spec.template.spec.containers[name=manager].image`, `data[agent] image`, `data[sync.py] line 289`. */
  readonly field: string;
  /** As written. */
  readonly value: string;
}

/** Words that make a key about an image, not an image: imagePullPolicy, defaultImageVersion, image-spec-hash, ... */
const NOT_IMAGE_WORDS = new Set([
  "pull",
  "policy",
  "secret",
  "secrets",
  "version",
  "tag",
  "hash",
  "spec",
  "digest",
  "type",
]);

const words = (key: string) =>
  key
    .split(/[^A-Za-z0-9]+/)
    .flatMap((part) => part.match(/[A-Z]+(?![a-z])|[A-Z]?[a-z0-9]+/g) ?? [])
    .map((w) => w.toLowerCase());

const keyWords = new Map<string, { names: boolean; about: boolean }>();
const classify = (key: string) => {
  let c = keyWords.get(key);
  if (!c) {
    const w = words(key);
    const about = w.some((x) => NOT_IMAGE_WORDS.has(x));
    c = { names: (w.includes("image") || w.includes("images")) && !about, about };
    keyWords.set(key, c);
  }
  return c;
};
/** A key that names an image: "image", "cacheImage", "queue-sidecar-image", "V2_DRIVER_IMAGE", "imageGroupOne". */
export const namesImage = (key: string): boolean => classify(key).names;
const notAboutImage = (key: string) => !classify(key).about;

/**
 * A string that is an image reference by its shape alone: a registry host (a first component with
 * a "." or a port, or localhost), at least one more path component, and a tag or a digest.
 */
export const IMAGE_SHAPED =
  /^(?:localhost|[a-z0-9-]+(?:\.[a-z0-9-]+)+)(?::\d+)?(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)+(?::[\w][\w.-]{0,127}(?:@sha256:[0-9a-f]{64})?|@sha256:[0-9a-f]{64})$/;

/** `--executor-image=V`, `-pod-debug-image=V` (V empty when the value is the next argument). */
const IMAGE_FLAG = /^--?([A-Za-z0-9][\w.-]*)(?:=(.*))?$/s;

/**
 * A line of a text that is no YAML or JSON document (a template, a script) that sets a pod spec's
 * `image:` (`image: V`, `- image: V`, `"image": V,`). Only that key: a script's other lines that
 * mention images (a docstring's `frontend_image: ...`) are not what it runs.
 */
const IMAGE_LINE = /^\s*(?:-\s+)?["']?image["']?\s*:\s*(.+?)\s*,?\s*$/;

/** Knative's and KServe's documentation-only ConfigMap key, told by its own text. */
const EXAMPLE_KEY = "_example";
const EXAMPLE_TEXT = "not actually functional configuration";
/** Istio's `values` ConfigMap: "rendered for debugging purposes and external tooling; modifying these values has no effect". */
const NO_EFFECT = /modifying these values has no effect/;

const segment = (key: string) => (/^[A-Za-z_][\w-]*$/.test(key) ? `.${key}` : `[${key}]`);
const itemSegment = (item: unknown, i: number) =>
  isMap(item) && typeof item.name === "string" ? `[name=${item.name}]` : `[${i}]`;
const join = (prefix: string, seg: string) =>
  prefix === "" || prefix.endsWith(" ") ? `${prefix}${seg.replace(/^\./, "")}` : `${prefix}${seg}`;

/**
 * The documents a ConfigMap text holds, if it is JSON or YAML (one whose first line reads like
 * YAML: a key, a list item, a document marker). A string inside a document that holds Go template
 * actions is a template (Istio's injection templates), never a document.
 */
function documents(text: string, nested: boolean): unknown[] | undefined {
  if (nested && text.includes("{{")) return undefined;
  if (/^\s*[{[]/.test(text)) {
    try {
      return [JSON.parse(text) as unknown];
    } catch {
      // YAML's flow style, perhaps: read on.
    }
  }
  const first = text.split("\n").find((l) => l.trim() !== "" && !l.trimStart().startsWith("#"));
  if (first === undefined || !/^\s*(---|-(\s|$)|[{[]|[^\s#][^\n]*?:(\s|$))/.test(first)) return undefined;
  const docs = parseAllDocuments(text);
  const list = Array.isArray(docs) ? docs : [];
  if (list.length === 0 || list.some((d) => d.errors.length > 0)) return undefined;
  const contents = list.map((d) => d.toJS() as unknown);
  return contents.some((c) => isMap(c) || Array.isArray(c)) ? contents : undefined;
}

export const objectName = (o: Values): string => {
  const m = (o.metadata as { name?: string; namespace?: string } | undefined) ?? {};
  return `${String(o.kind)}/${m.namespace ?? ""}/${String(m.name)}`;
};

/** Every image-naming string in `object` (see the file's comment for what counts). */
export function imageFields(object: Values): ImageField[] {
  const out: ImageField[] = [];
  const name = objectName(object);
  const add = (field: string, value: string) => out.push({ object: name, field, value });

  const walk = (value: unknown, at: string, underImage: boolean, configData: boolean): void => {
    if (typeof value === "string") {
      if (underImage) add(at, value);
      else if (IMAGE_SHAPED.test(value)) add(at, value);
      else if (configData) embedded(value, at, underImage, true);
      return;
    }
    if (Array.isArray(value)) {
      value.forEach((item, i) => walk(item, `${at}${itemSegment(item, i)}`, underImage, configData));
      return;
    }
    if (!isMap(value)) return;
    for (const [key, v] of Object.entries(value)) {
      const field = join(at, segment(key));
      if ((key === "args" || key === "command") && Array.isArray(v)) flags(v, field);
      if (key === "env" && Array.isArray(v)) {
        v.forEach((e, i) => {
          if (isMap(e) && typeof e.name === "string" && typeof e.value === "string" && namesImage(e.name))
            add(`${field}${itemSegment(e, i)}.value`, e.value);
        });
      }
      walk(v, field, namesImage(key) || (underImage && notAboutImage(key)), configData);
    }
  };

  const flags = (args: unknown[], field: string) => {
    args.forEach((a, i) => {
      const flag = typeof a === "string" ? IMAGE_FLAG.exec(a) : null;
      if (!flag || !namesImage(flag[1])) return;
      if (flag[2] !== undefined) add(`${field}[${i}] (${flag[0].slice(0, flag[0].indexOf("="))})`, flag[2]);
      else if (typeof args[i + 1] === "string") add(`${field}[${i + 1}]`, args[i + 1] as string);
    });
  };

  /** A ConfigMap value (or a string inside one): a YAML/JSON document, or a text read line by line. */
  const embedded = (text: string, at: string, underImage: boolean, nested: boolean) => {
    if (!/\n/.test(text) && !/^\s*[{[]/.test(text)) return;
    const docs = documents(text, nested);
    if (docs) {
      docs.forEach((d, i) => walk(d, `${at}${docs.length > 1 ? ` (document ${i + 1})` : ""} `, underImage, true));
      return;
    }
    text.split("\n").forEach((line, i) => {
      const m = IMAGE_LINE.exec(line);
      if (m) add(`${at} line ${i + 1}`, m[1].replace(/^(["'])(.*)\1$/, "$2"));
    });
  };

  const configMap = object.kind === "ConfigMap";
  const annotations = ((object.metadata as Values | undefined)?.annotations as Values | undefined) ?? {};
  for (const [key, value] of Object.entries(object)) {
    if (configMap && key === "data" && isMap(value)) {
      if (Object.values(annotations).some((a) => typeof a === "string" && NO_EFFECT.test(a))) continue;
      for (const [dataKey, text] of Object.entries(value)) {
        if (typeof text !== "string") continue;
        if (dataKey === EXAMPLE_KEY && text.includes(EXAMPLE_TEXT)) continue;
        const field = `data[${dataKey}]`;
        if (namesImage(dataKey)) add(field, text);
        else if (IMAGE_SHAPED.test(text)) add(field, text);
        else embedded(text, field, false, false);
      }
      continue;
    }
    if (configMap && key === "binaryData") continue;
    walk(value, segment(key).replace(/^\./, ""), namesImage(key), false);
  }
  // A field found by two rules (a key and the shape) is one field.
  return out.filter((f, i) => out.findIndex((g) => g.field === f.field) === i);
}

/** A template of an image: Go template actions, `$VAR`/`${VAR}`, a Python f-string. */
const TEMPLATED = /\{\{|\$\{?[A-Za-z_]|^f["']|\{[a-z_]+\}/;

/** A value the program composes an image from (a template, or a name without registry and tag), rather than the image itself. */
export function isComposed(value: string): boolean {
  if (TEMPLATED.test(value)) return true;
  const name = value.split("@")[0];
  const lastSlash = name.lastIndexOf("/");
  const hasTag = name.lastIndexOf(":") > lastSlash;
  const first = name.split("/")[0];
  const hasRegistry = name.includes("/") && (first.includes(".") || first.includes(":") || first === "localhost");
  return !hasRegistry && !hasTag && !value.includes("@");
}

/** The environment a container of a workload sees: env values, configMapKeyRefs and envFrom configMapRefs. */
export function containerEnv(
  objects: readonly Values[],
  workload: string,
  container: string,
): ReadonlyMap<string, string | undefined> {
  const o = objects.find((x) => objectName(x) === workload);
  const namespace = workload.split("/")[1];
  const spec = ((o?.spec as Values | undefined)?.template as Values | undefined)?.spec as Values | undefined;
  const c = ((spec?.containers as Values[] | undefined) ?? []).find((x) => x.name === container);
  if (!c) throw new Error(`${workload} has no container ${container}`);
  const configMap = (name: unknown) =>
    (objects.find((x) => objectName(x) === `ConfigMap/${namespace}/${String(name)}`)?.data as
      Record<string, string> | undefined) ?? {};
  const env = new Map<string, string | undefined>();
  for (const from of (c.envFrom as Values[] | undefined) ?? []) {
    const ref = from.configMapRef as Values | undefined;
    if (ref) for (const [k, v] of Object.entries(configMap(ref.name))) env.set(`${String(from.prefix ?? "")}${k}`, v);
  }
  for (const e of (c.env as Values[] | undefined) ?? []) {
    const ref = (e.valueFrom as Values | undefined)?.configMapKeyRef as Values | undefined;
    env.set(
      String(e.name),
      typeof e.value === "string" ? e.value : ref ? configMap(ref.name)[String(ref.key)] : undefined,
    );
  }
  return env;
}

/** What a rule makes of a composed value: the image it becomes, or why nothing runs it. */
export type Composition = { readonly image: string; readonly how: string } | { readonly notRun: string };

/**
 * How one program composes images from values of the install, read in its source at the version
 * the render runs (`verifiedAt`: that program's image in the render; when the render runs another,
 * the rule must be read again, and says so).
 */
export interface ComposedImageRule {
  readonly program: string;
  /** The object and field(s) the rule resolves, and which values there. */
  readonly object: RegExp;
  readonly field: RegExp;
  readonly value?: RegExp;
  /** Texts the object must still contain for the rule to hold (it reads them). */
  readonly evidence: readonly string[];
  readonly verifiedAt?: { readonly object: string; readonly image: string };
  readonly resolve: (field: ImageField, objects: readonly Values[]) => Composition;
}

const configMapData = (objects: readonly Values[], name: RegExp, namespace: string): Record<string, string> => {
  const found = objects.filter(
    (o) => o.kind === "ConfigMap" && (o.metadata as Values).namespace === namespace && name.test(objectName(o)),
  );
  if (found.length !== 1) throw new Error(`expected one ConfigMap ${String(name)}, found ${found.length}`);
  return (found[0].data as Record<string, string>) ?? {};
};

/** Istio's sidecar image: hub/proxy.image:tag[-variant] of the injector's values. */
function istioProxyImage(objects: readonly Values[]): { image: string; how: string } {
  const values = JSON.parse(
    configMapData(objects, /^ConfigMap\/istio-system\/istio-sidecar-injector$/, "istio-system").values,
  ) as { global: { hub: string; tag: unknown; variant?: string; proxy?: { image?: string } } };
  const g = values.global;
  // istio/istio 1.28.0 pkg/kube/inject/inject.go:317-389 (ProxyImage, imageURL, updateImageTypeIfPresent):
  // hub + "/" + (proxy.image or "proxyv2") + ":" + tag, with "-<variant>" unless the variant is empty or "default".
  const variant = g.variant && g.variant !== "default" ? `-${g.variant}` : "";
  return {
    image: `${g.hub}/${g.proxy?.image || "proxyv2"}:${String(g.tag)}${variant}`,
    how: "Istio's ProxyImage: global.hub/global.proxy.image:global.tag of data[values]",
  };
}

const ISTIO_INJECTOR = /^ConfigMap\/istio-system\/istio-sidecar-injector$/;
const ISTIOD = { object: "Deployment/istio-system/istiod", image: "gcr.io/istio-release/pilot:1.28.0" };

export const COMPOSED_IMAGES: readonly ComposedImageRule[] = [
  {
    // The sidecar and its init container: `image: "{{ .ProxyImage }}"` in the injector's templates.
    program: "istiod (sidecar injection)",
    object: ISTIO_INJECTOR,
    field: /^data\[config\] /,
    value: /^\{\{ \.ProxyImage \}\}$/,
    evidence: ['image: "{{ .ProxyImage }}"'],
    verifiedAt: ISTIOD,
    resolve: (_f, objects) => istioProxyImage(objects),
  },
  {
    // `{{- if contains "/" (annotation .ObjectMeta `sidecar.istio.io/proxyImage` .Values.global.proxy.image) }}`:
    // the value itself only when it has a "/" (a full reference), else the template uses .ProxyImage above.
    program: "istiod (sidecar injection)",
    object: ISTIO_INJECTOR,
    field: /^data\[values\] global\.(proxy|proxy_init)\.image$|^data\[config\] /,
    value:
      /^proxyv2$|^\{\{ annotation \.ObjectMeta `sidecar\.istio\.io\/proxyImage` \.Values\.global\.(proxy|proxy_init)\.image \}\}$/,
    evidence: [
      '{{- if contains "/" (annotation .ObjectMeta `sidecar.istio.io/proxyImage` .Values.global.proxy.image) }}',
      '{{- if contains "/" (annotation .ObjectMeta `sidecar.istio.io/proxyImage` .Values.global.proxy_init.image) }}',
    ],
    verifiedAt: ISTIOD,
    resolve: (f, objects) => {
      const values = JSON.parse(configMapData(objects, ISTIO_INJECTOR, "istio-system").values) as {
        global: Record<string, { image?: string }>;
      };
      const which = /proxy_init/.test(f.field) || /proxy_init/.test(f.value) ? "proxy_init" : "proxy";
      const image = values.global[which]?.image ?? "";
      return image.includes("/")
        ? { image, how: `global.${which}.image of data[values], a full reference` }
        : {
            notRun: `global.${which}.image is "${image}", no full reference: the template renders .ProxyImage instead (unless a pod's own annotation sidecar.istio.io/proxyImage names an image)`,
          };
    },
  },
  {
    // istiod selects the agentgateway template for Gateway API gateways from 1.29 on
    // (istio/istio 1.29.0 pilot/pkg/config/kube/gateway/deploymentcontroller.go:217); 1.28.0 never does
    // (its deploymentcontroller.go:177-215 selects kube-gateway and waypoint only), and its injector
    // has no .AgentgatewayImage (pkg/kube/inject/inject.go:113 lists ProxyImage only).
    program: "istiod (gateway deployment)",
    object: ISTIO_INJECTOR,
    field: /^data\[config\] templates\.agentgateway line \d+$/,
    value:
      /^\{\{ (\.AgentgatewayImage|annotation \.ObjectMeta `gateway\.istio\.io\/agentgatewayImage` \.Values\.global\.agentgateway\.image) \}\}$/,
    evidence: ["agentgateway: |"],
    verifiedAt: ISTIOD,
    resolve: () => ({
      notRun:
        "the agentgateway template, which istiod 1.28.0 never selects (it renders kube-gateway and waypoint only)",
    }),
  },
  {
    // kserve/kserve v0.16.0 pkg/apis/serving/v1beta1/explainer_art.go:88,98: the ART explainer runs
    // `image + ":" + runtimeVersion`, the runtime version defaulting to explainers.art.defaultImageVersion.
    program: "KServe (ART explainer)",
    object: /^ConfigMap\/kubeflow\/inferenceservice-config$/,
    field: /^data\[explainers\] art\.image$/,
    evidence: ['"defaultImageVersion"'],
    verifiedAt: {
      object: "Deployment/kubeflow/kserve-controller-manager",
      image: "docker.io/kserve/kserve-controller:v0.16.0",
    },
    resolve: (f, objects) => {
      const art = (
        JSON.parse(configMapData(objects, /inferenceservice-config$/, "kubeflow").explainers) as {
          art: { image: string; defaultImageVersion: string };
        }
      ).art;
      return {
        image: `${f.value}:${art.defaultImageVersion}`,
        how: "KServe's ART explainer: image:defaultImageVersion of data[explainers], for an InferenceService that names no runtimeVersion",
      };
    },
  },
  {
    // The volumes web app expands ${VAR} in its viewer spec from its own environment (the spec's own
    // comment says so, and the evidence below checks it is still there).
    program: "volumes web app (PVC viewer)",
    object: /^ConfigMap\/kubeflow\/volumes-web-app-viewer-spec-[a-z0-9]+$/,
    field: /^data\[viewer-spec\.yaml\] podSpec\.containers\[name=main\]\.image$/,
    value: /^\$\{?VOLUME_VIEWER_IMAGE\}?$/,
    evidence: ["the volumes-web-app allows expanding strings using ${VAR_NAME}"],
    resolve: (_f, objects) => {
      const image = containerEnv(objects, "Deployment/kubeflow/volumes-web-app-deployment", "volumes-web-app").get(
        "VOLUME_VIEWER_IMAGE",
      );
      if (!image) throw new Error("volumes-web-app-deployment sets no VOLUME_VIEWER_IMAGE");
      return { image, how: "VOLUME_VIEWER_IMAGE of Deployment/kubeflow/volumes-web-app-deployment" };
    },
  },
  {
    // KFP's profile controller (sync.py) runs each profile's artifact fetcher as
    // f"{frontend_image}:{frontend_tag}": FRONTEND_IMAGE or its default, FRONTEND_TAG or KFP_VERSION
    // (kubeflow/pipelines 2.16.0 manifests/kustomize/base/installs/multi-user/pipelines-profile-controller/sync.py:80,104,289).
    program: "KFP profile controller (sync.py)",
    object: /^ConfigMap\/kubeflow\/kubeflow-pipelines-profile-controller-code-[a-z0-9]+$/,
    field: /^data\[sync\.py\] line \d+$/,
    value: /^f"\{frontend_image\}:\{frontend_tag\}"$/,
    evidence: [
      'os.environ.get("FRONTEND_IMAGE", "ghcr.io/kubeflow/kfp-frontend")',
      'os.environ.get("FRONTEND_TAG") or \\',
      'os.environ["KFP_VERSION"]',
    ],
    resolve: (_f, objects) => {
      const env = containerEnv(
        objects,
        "Deployment/kubeflow/kubeflow-pipelines-profile-controller",
        "profile-controller",
      );
      const tag = env.get("FRONTEND_TAG") || env.get("KFP_VERSION");
      if (!tag) throw new Error("kubeflow-pipelines-profile-controller sets neither FRONTEND_TAG nor KFP_VERSION");
      return {
        image: `${env.get("FRONTEND_IMAGE") || "ghcr.io/kubeflow/kfp-frontend"}:${tag}`,
        how: "FRONTEND_IMAGE (or its default) : FRONTEND_TAG or KFP_VERSION of Deployment/kubeflow/kubeflow-pipelines-profile-controller",
      };
    },
  },
];

const normalized = (reference: string) => {
  try {
    return normalizeImageReference(reference);
  } catch {
    return reference;
  }
};

const stringsOf = (v: unknown): string[] =>
  typeof v === "string"
    ? [v]
    : Array.isArray(v)
      ? v.flatMap(stringsOf)
      : isMap(v)
        ? Object.values(v).flatMap(stringsOf)
        : [];

/**
 * The images `objects` run, attributed to `entry`: each field as written, or as its program composes
 * it. A composed value no rule resolves, a rule whose evidence is gone or whose program changed,
 * and a rule that resolves nothing are problems.
 */
export function objectImages(
  objects: readonly Values[],
  entry: string,
  rules: readonly ComposedImageRule[] = COMPOSED_IMAGES,
): DeployedImage[] {
  const images: DeployedImage[] = [];
  const used = new Set<ComposedImageRule>();
  const byName = new Map(objects.map((o) => [objectName(o), o] as const));
  const texts = new Map<Values, string>();
  for (const o of objects) {
    for (const f of imageFields(o)) {
      const where = `${f.object} ${f.field}`;
      if (!isComposed(f.value)) {
        images.push({ reference: f.value, entry, where });
        continue;
      }
      const rule = rules.find(
        (r) => r.object.test(f.object) && r.field.test(f.field) && (r.value?.test(f.value) ?? true),
      );
      if (!rule) {
        images.push({
          reference: f.value,
          entry,
          where,
          problem: `"${f.value}" is ${TEMPLATED.test(f.value) ? "a template of an image" : "a name without registry or tag (part of an image, or one pulled as :latest)"}: no COMPOSED_IMAGES rule says how its program makes the image (conformance/object-images.ts)`,
        });
        continue;
      }
      used.add(rule);
      const text = texts.get(o) ?? stringsOf(o).join("\n");
      texts.set(o, text);
      const missing = rule.evidence.filter((e) => !text.includes(e));
      const verifiedAt = rule.verifiedAt;
      const runs = verifiedAt ? imageFields(byName.get(verifiedAt.object) ?? {}).map((v) => normalized(v.value)) : [];
      if (missing.length > 0)
        images.push({
          reference: f.value,
          entry,
          where,
          problem: `the ${rule.program} rule of COMPOSED_IMAGES no longer holds: ${missing.join(", ")} is gone`,
        });
      else if (verifiedAt && !runs.includes(normalized(verifiedAt.image)))
        images.push({
          reference: f.value,
          entry,
          where,
          problem: `the ${rule.program} rule of COMPOSED_IMAGES was read in the source of ${verifiedAt.image}, but ${verifiedAt.object} runs ${runs.join(", ") || "no such image"}: read it again`,
        });
      else {
        const c = rule.resolve(f, objects);
        if ("image" in c) images.push({ reference: c.image, entry, where: `${where} (${c.how})` });
      }
    }
  }
  for (const r of rules)
    if (!used.has(r) && objects.some((o) => r.object.test(objectName(o))))
      images.push({
        reference: "",
        entry,
        where: `COMPOSED_IMAGES ${r.program} (${String(r.field)})`,
        problem: "resolves no field of the render any more: remove the rule or fix it",
      });
  return images;
}
