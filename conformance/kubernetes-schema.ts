/**
 * Every Kubernetes object the stacks create is valid against the API it targets, with unknown
 * fields rejected (as the API server's strict field validation does):
 *   - core kinds against the vendored Kubernetes OpenAPI of the pinned minor
 *     (upstream/kubernetes-openapi, entry "kubernetes-openapi");
 *   - Karpenter's NodePool and EC2NodeClass against the vendored CRDs' openAPIV3Schema
 *     (upstream/karpenter, entry "karpenter"), their metadata against ObjectMeta.
 * Objects come from `kubernetes_manifest` resources, from the typed `kubernetes_*` resources
 * (converted to the API's JSON), and from the manifests given to this project's raw-resources
 * chart. Values that are Terraform expressions (`${...}`) are known only at apply and are not
 * judged. CEL rules (x-kubernetes-validations) are not evaluated.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import Ajv, { type ErrorObject, type ValidateFunction } from "ajv";
import { parse } from "yaml";
import { REPO_ROOT } from "../lib/provenance";
import { constructPath, type StackJson } from "./app";
import { finding, type Finding } from "./findings";
import { helmReleases, LOCAL_CHARTS } from "./helm-values";

const CHECK = "kubernetes schema";

type Schema = Record<string, unknown>;
const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
const isToken = (v: unknown) => typeof v === "string" && v.includes("${");

export const KUBERNETES_OPENAPI_FILE = "upstream/kubernetes-openapi/kubernetes/swagger.json.unprocessed";
export const KARPENTER_CRD_FILES = [
  "upstream/karpenter/pkg/apis/crds/karpenter.sh_nodepools.yaml",
  "upstream/karpenter/pkg/apis/crds/karpenter.k8s.aws_ec2nodeclasses.yaml",
];

const DEFINITIONS = "k8s";
const OBJECT_META = `${DEFINITIONS}#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta`;

/** Closes every object schema that lists its properties, unless it says unknown fields are kept. */
function strict(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(strict);
  if (!isMap(schema)) return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) {
    out[k] =
      k === "properties" && isMap(v)
        ? Object.fromEntries(Object.entries(v).map(([p, s]) => [p, strict(s)]))
        : strict(v);
  }
  if (out["x-kubernetes-int-or-string"] === true) {
    delete out.type;
    out.anyOf = [{ type: "string" }, { type: "integer" }];
  }
  if (
    isMap(out.properties) &&
    out.additionalProperties === undefined &&
    out["x-kubernetes-preserve-unknown-fields"] !== true
  ) {
    out.additionalProperties = false;
  }
  return out;
}

/** A reference to a definition of the Kubernetes API, for use in schemas given to SchemaSet.validator. */
export const definitionRef = (name: string): Schema => ({ $ref: `${DEFINITIONS}#/definitions/${name}` });

export interface SchemaSet {
  /** The validator of a kind, or undefined when no schema describes it. */
  validatorFor(apiVersion: string, kind: string): ValidateFunction | undefined;
  /** The validator of a schema over the API's definitions (strict like them; see definitionRef). */
  validator(schema: Schema): ValidateFunction;
  /** A definition of the Kubernetes API, for converting typed resources. */
  definition(name: string): Schema | undefined;
  resolve(schema: Schema): Schema;
}

let loaded: SchemaSet | undefined;

export function loadSchemas(root: string = REPO_ROOT): SchemaSet {
  if (loaded && root === REPO_ROOT) return loaded;
  const swagger = JSON.parse(readFileSync(path.join(root, KUBERNETES_OPENAPI_FILE), "utf8")) as {
    definitions: Record<string, Schema>;
  };
  const definitions: Record<string, Schema> = {};
  for (const [name, def] of Object.entries(swagger.definitions)) {
    // Rewrite refs to this schema's id; widen the two scalar types the API accepts in two forms.
    definitions[name] = JSON.parse(
      JSON.stringify(strict(def)).replace(/"#\/definitions\//g, `"${DEFINITIONS}#/definitions/`),
    ) as Schema;
  }
  definitions["io.k8s.apimachinery.pkg.util.intstr.IntOrString"] = { anyOf: [{ type: "string" }, { type: "integer" }] };
  definitions["io.k8s.apimachinery.pkg.api.resource.Quantity"] = { anyOf: [{ type: "string" }, { type: "number" }] };
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  ajv.addSchema({ $id: DEFINITIONS, definitions });
  const byKind = new Map<string, () => ValidateFunction>();
  for (const [name, def] of Object.entries(swagger.definitions)) {
    for (const gvk of (def["x-kubernetes-group-version-kind"] as { group: string; version: string; kind: string }[]) ??
      []) {
      const apiVersion = gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version;
      byKind.set(`${apiVersion} ${gvk.kind}`, () => ajv.compile({ $ref: `${DEFINITIONS}#/definitions/${name}` }));
    }
  }
  for (const file of KARPENTER_CRD_FILES) {
    const crd = parse(readFileSync(path.join(root, file), "utf8")) as {
      spec: {
        group: string;
        names: { kind: string };
        versions: { name: string; served: boolean; schema: { openAPIV3Schema: Schema } }[];
      };
    };
    for (const version of crd.spec.versions.filter((v) => v.served)) {
      const schema = strict(version.schema.openAPIV3Schema) as Schema;
      // The API server checks metadata itself, as ObjectMeta.
      schema.properties = { ...(schema.properties as Schema), metadata: { $ref: OBJECT_META } };
      byKind.set(`${crd.spec.group}/${version.name} ${crd.spec.names.kind}`, () => ajv.compile(schema));
    }
  }
  const compiled = new Map<string, ValidateFunction>();
  const set: SchemaSet = {
    validatorFor(apiVersion, kind) {
      const key = `${apiVersion} ${kind}`;
      if (!compiled.has(key) && byKind.has(key)) compiled.set(key, byKind.get(key)!());
      return compiled.get(key);
    },
    validator(schema) {
      const key = JSON.stringify(schema);
      if (!compiled.has(key)) compiled.set(key, ajv.compile(schema));
      return compiled.get(key)!;
    },
    definition: (name) => definitions[name],
    resolve(schema) {
      let s = schema;
      while (typeof s.$ref === "string") s = definitions[s.$ref.replace(`${DEFINITIONS}#/definitions/`, "")] ?? {};
      return s;
    },
  };
  if (root === REPO_ROOT) loaded = set;
  return set;
}

/** The Kubernetes kind each typed `kubernetes_*` resource stands for, and its API definition. */
export const TYPED_RESOURCES: Readonly<Record<string, { apiVersion: string; kind: string; definition: string }>> = {
  kubernetes_namespace_v1: { apiVersion: "v1", kind: "Namespace", definition: "io.k8s.api.core.v1.Namespace" },
  kubernetes_service_account_v1: {
    apiVersion: "v1",
    kind: "ServiceAccount",
    definition: "io.k8s.api.core.v1.ServiceAccount",
  },
  kubernetes_config_map_v1: { apiVersion: "v1", kind: "ConfigMap", definition: "io.k8s.api.core.v1.ConfigMap" },
  kubernetes_secret_v1: { apiVersion: "v1", kind: "Secret", definition: "io.k8s.api.core.v1.Secret" },
  kubernetes_persistent_volume_v1: {
    apiVersion: "v1",
    kind: "PersistentVolume",
    definition: "io.k8s.api.core.v1.PersistentVolume",
  },
  kubernetes_persistent_volume_claim_v1: {
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    definition: "io.k8s.api.core.v1.PersistentVolumeClaim",
  },
  kubernetes_job_v1: { apiVersion: "batch/v1", kind: "Job", definition: "io.k8s.api.batch.v1.Job" },
  kubernetes_storage_class_v1: {
    apiVersion: "storage.k8s.io/v1",
    kind: "StorageClass",
    definition: "io.k8s.api.storage.v1.StorageClass",
  },
  kubernetes_cluster_role_binding_v1: {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRoleBinding",
    definition: "io.k8s.api.rbac.v1.ClusterRoleBinding",
  },
};

/** Arguments of the provider's resources that are not part of the object. */
const PROVIDER_ONLY = new Set([
  "provider",
  "depends_on",
  "lifecycle",
  "count",
  "for_each",
  "timeouts",
  "wait_until_bound",
  "wait_for_completion",
  "wait_for_rollout",
  "wait_for_default_service_account",
  "//",
]);
/** Where the provider's names differ from the API's beyond snake_case and singular block names. */
const RENAMED: Readonly<Record<string, string>> = { storage_provisioner: "provisioner" };
/** Blocks the provider nests that the API inlines into their parent. */
const INLINED = new Set(["persistent_volume_source"]);

const camel = (s: string) => s.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());

/**
 * A typed resource's arguments as the API object they become, guided by the API's schema: names
 * from snake_case (and the provider's singular block names, `container` for `containers`), one-element
 * block lists to objects, numbers and booleans the provider takes as strings to their types. Map
 * keys (labels, data, parameters) are kept as they are.
 */
export function toApiObject(type: string, body: Record<string, unknown>, schemas: SchemaSet): Record<string, unknown> {
  const target = TYPED_RESOURCES[type];
  const convert = (value: unknown, schemaIn: Schema | undefined): unknown => {
    if (isToken(value) || schemaIn === undefined) return value;
    const schema = schemas.resolve(schemaIn);
    if (schema.type === "array") {
      const items = schema.items as Schema | undefined;
      return (Array.isArray(value) ? value : [value]).map((v) => convert(v, items));
    }
    if (schema.type === "object" || isMap(schema.properties)) {
      const v = Array.isArray(value) && value.length === 1 ? value[0] : value;
      if (!isMap(v)) return v;
      if (!isMap(schema.properties)) {
        const each = isMap(schema.additionalProperties) ? (schema.additionalProperties as Schema) : undefined;
        return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, convert(x, each)]));
      }
      const properties = schema.properties as Record<string, Schema>;
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) {
        if (PROVIDER_ONLY.has(k)) continue;
        if (INLINED.has(k)) {
          Object.assign(out, convert(x, schema));
          continue;
        }
        const name = RENAMED[k] ?? camel(k);
        // The provider names repeated blocks in the singular (`container` for `containers`); a block is a list.
        const field = (Array.isArray(x) ? [name, `${name}s`] : [name]).find((n) => n in properties) ?? name;
        out[field] = convert(x, properties[field]);
      }
      return out;
    }
    if (
      (schema.type === "integer" || schema.type === "number") &&
      typeof value === "string" &&
      /^-?\d+(\.\d+)?$/.test(value)
    )
      return Number(value);
    if (schema.type === "boolean" && (value === "true" || value === "false")) return value === "true";
    return value;
  };
  const object = convert(body, schemas.definition(target.definition)) as Record<string, unknown>;
  return { apiVersion: target.apiVersion, kind: target.kind, ...object };
}

/** A Kubernetes object a stack creates, and where. */
export interface StackObject {
  readonly where: string;
  readonly object: Record<string, unknown>;
}

export function stackObjects(
  stacks: readonly StackJson[],
  schemas: SchemaSet,
): { objects: StackObject[]; findings: Finding[] } {
  const objects: StackObject[] = [];
  const findings: Finding[] = [];
  for (const s of stacks) {
    for (const [type, byId] of Object.entries(s.json.resource ?? {})) {
      if (!type.startsWith("kubernetes_")) continue;
      for (const [id, body] of Object.entries(byId)) {
        const where = `${s.name} ${constructPath(body, id)}`;
        if (type === "kubernetes_manifest") objects.push({ where, object: body.manifest as Record<string, unknown> });
        else if (TYPED_RESOURCES[type]) objects.push({ where, object: toApiObject(type, body, schemas) });
        else
          findings.push(finding(CHECK, where, `${type}: no Kubernetes kind known for it; add it to TYPED_RESOURCES`));
      }
    }
  }
  for (const release of helmReleases(stacks)) {
    if (release.repository || !LOCAL_CHARTS.includes(path.basename(release.chart))) continue;
    ((release.values.resources as Record<string, unknown>[] | undefined) ?? []).forEach((object, i) =>
      objects.push({ where: `${release.stack} ${release.path} values.resources[${i}]`, object }),
    );
  }
  return { objects, findings };
}

function valueAt(object: unknown, pointer: string): unknown {
  return pointer
    .split("/")
    .slice(1)
    .reduce<unknown>(
      (v, key) =>
        v !== null && typeof v === "object"
          ? (v as Record<string, unknown>)[key.replace(/~1/g, "/").replace(/~0/g, "~")]
          : undefined,
      object,
    );
}

/** Schema errors of one object, without those about values Terraform computes at apply. */
export function schemaErrors(object: Record<string, unknown>, schemas: SchemaSet): string[] | undefined {
  const validate = schemas.validatorFor(String(object.apiVersion), String(object.kind));
  if (!validate) return undefined;
  return valueErrors(object, validate);
}

/**
 * Errors of a value against a validator ("path: message", the path dotted from the value's root),
 * without those about values Terraform computes at apply.
 */
export function valueErrors(object: unknown, validate: ValidateFunction): string[] {
  if (validate(object)) return [];
  const relevant = (e: ErrorObject) => !isToken(valueAt(object, e.instancePath));
  // anyOf/oneOf report each branch; the branch errors say more.
  return (validate.errors ?? [])
    .filter(relevant)
    .filter((e) => e.keyword !== "anyOf")
    .map((e) => {
      const at =
        e.instancePath
          .split("/")
          .slice(1)
          .map((k) => k.replace(/~1/g, "/").replace(/~0/g, "~"))
          .join(".") || "(object)";
      const extra = e.keyword === "additionalProperties" ? ` "${String(e.params.additionalProperty)}"` : "";
      return `${at}: ${e.message}${extra}`;
    });
}

export function checkKubernetesObjects(stacks: readonly StackJson[], root: string = REPO_ROOT): Finding[] {
  const schemas = loadSchemas(root);
  const { objects, findings } = stackObjects(stacks, schemas);
  for (const { where, object } of objects) {
    const name = `${String(object.kind)} ${String((object.metadata as { name?: string } | undefined)?.name)}`;
    const errors = schemaErrors(object, schemas);
    if (errors === undefined) {
      findings.push(
        finding(CHECK, where, `${name}: no schema for ${String(object.apiVersion)} ${String(object.kind)}`),
      );
      continue;
    }
    for (const e of [...new Set(errors)]) findings.push(finding(CHECK, where, `${name}: ${e}`));
  }
  return findings;
}
