/**
 * Every flag cluster-autoscaler is started with exists in the pinned release: the keys of the
 * chart's `extraArgs` (its defaults merged with ours) and the flags the chart's Deployment template
 * passes itself.
 *
 * The accepted set is read from the Go source of every place the binary registers a flag into the
 * command line it parses (REGISTRATION_SITES), vendored with provenance: the autoscaler's own files
 * (entry "cluster-autoscaler"), klog's ("klog"), component-base's ("component-base") and
 * cloud-provider-gcp's ("cloud-provider-gcp"), each at the version the autoscaler's go.mod uses.
 *
 * How completeness was established, at cluster-autoscaler-1.35.2 (2d42588):
 *   - Within the autoscaler: `git grep -l -E '"flag"|"github.com/spf13/pflag"|goflag'` over
 *     cluster-autoscaler/ (non-test .go files) lists every file that can touch a flag set: main.go,
 *     config/flags/flags.go, config/flags/klog_flags.go (only reads flags: ComputeLoggingOptions
 *     looks up log-file, logtostderr, alsologtostderr), and four that are not part of the binary:
 *     cloudprovider/aws/ec2_instance_types/gen.go (`//go:build ignore`), the package mains
 *     cloudprovider/externalgrpc/examples/external-grpc-cloud-provider-service/main.go and
 *     expander/grpcplugin/example/main.go, and exoscale's copy of klog (its InitFlags is never
 *     called). A second grep for `component-base/cli/flag|component-base/config/options|
 *     component-base/logs|spf13/cobra|\.AddFlag\(|AddFeatureGates|flag\.CommandLine|pflag\.CommandLine`
 *     adds no other site. flags.go registers at package level (its `var (...)` block runs when the
 *     package is initialized), by flag.*, pflag.* and its wrapper multiStringFlag; the names are
 *     literals, or config.SchedulerConfigFileFlag (config/const.go:24).
 *   - main() (main.go:350-366) calls the other registrations: klog.InitFlags(nil) (klog's flags,
 *     registered in its init() on its own FlagSet and copied into Go's flag.CommandLine),
 *     componentopts.BindLeaderElectionFlags, logsapi.AddFlags (which calls addFlags; the two
 *     log-json-* flags only when the json format is registered, which main.go's import of
 *     logs/json/register does), featureGate.AddFlag, and kube_flag.InitFlags, which merges Go's
 *     flag.CommandLine into pflag's and sets WordSepNormalizeFunc ("_" and "-" are the same).
 *   - Dependencies registering from their own init(): the packages the binary links were listed by
 *     following the imports of main.go through the module (default build: linux, no tags, as the
 *     Dockerfile builds the image; 329 packages of the module, 200 packages of other modules). Of
 *     the cloud-provider libraries they import, k8s.io/cloud-provider-gcp/providers/gce registers
 *     two flags in gce_loadbalancer.go's init() (reached through cloudprovider/builder/builder_all.go
 *     and cloudprovider/gce/gce_manager.go); k8s.io/cloud-provider-aws pkg/providers/v1/config and
 *     sigs.k8s.io/cloud-provider-azure pkg/ (v1.34.3, azclient v0.9.2) register none.
 *   - Cross-check: the FAQ's flag table at the tag (148 flags) is all accepted except four flags
 *     no file of the tag registers any more (max-empty-bulk-delete, node-autoprovisioning-enabled,
 *     max-autoprovisioned-node-group-count, gce-expander-ephemeral-storage-support).
 *   - Not covered: init()-time registrations deeper in other modules (k8s.io/kubernetes, client-go,
 *     apiserver, ...), whose sources are not at hand offline. A valid flag missing for that reason
 *     shows up as a finding, never as a wrong flag accepted.
 * Each site's reaching lines and the merge in component-base are checked to still be there, so a
 * new release that moves them is reported instead of silently read wrong.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { provenanceEntry, readProvenance, REPO_ROOT } from "../lib/provenance";
import type { StackJson } from "./app";
import { finding, type Finding } from "./findings";
import { helmReleases, mergeValues, readChart, VENDORED_CHARTS } from "./helm-values";

const CHECK = "autoscaler flags";
const AUTOSCALER = "upstream/cluster-autoscaler/cluster-autoscaler";
const MAIN_GO = `${AUTOSCALER}/main.go`;
const COMPONENT_BASE = "upstream/component-base";

/** A line a vendored file must have (compared trimmed). */
export interface SourceLine {
  readonly file: string;
  readonly line: string;
}

/** A place where the binary registers flags into the command line it parses. */
export interface RegistrationSite {
  /** The vendored Go file, relative to the repository root. */
  readonly file: string;
  /** The function whose body registers (the one the binary runs); absent: the whole file (package-level vars). */
  readonly func?: string;
  /** Receivers of the registration calls there (`flag`, `pflag`, a FlagSet variable). */
  readonly receivers: readonly string[];
  /** Functions of the file that wrap a registration, by the index of their flag name argument. */
  readonly wrappers?: Readonly<Record<string, number>>;
  /** The lines that make the binary run this site: main.go's call, or the imports that link it (absent for main.go itself). */
  readonly reachedBy?: readonly SourceLine[];
  /** Flags of this site registered only when main.go also has this line. */
  readonly onlyIf?: { readonly names: readonly string[]; readonly line: string };
}

export const REGISTRATION_SITES: readonly RegistrationSite[] = [
  // Direct registrations in main.go (none at 1.35.2; kept so that a release adding one is read).
  { file: MAIN_GO, receivers: ["flag", "pflag", "goflag", "CommandLine"] },
  {
    file: `${AUTOSCALER}/config/flags/flags.go`,
    receivers: ["flag", "pflag", "CommandLine"],
    wrappers: { multiStringFlag: 0 },
    reachedBy: [{ file: MAIN_GO, line: '"k8s.io/autoscaler/cluster-autoscaler/config/flags"' }],
  },
  // klog.go:411-434 registers on its private commandLine; InitFlags (klog.go:441-449) copies it into flag.CommandLine.
  {
    file: "upstream/klog/klog.go",
    func: "init",
    receivers: ["commandLine"],
    reachedBy: [{ file: MAIN_GO, line: "klog.InitFlags(nil)" }],
  },
  {
    file: `${COMPONENT_BASE}/config/options/leaderelectionconfig.go`,
    func: "BindLeaderElectionFlags",
    receivers: ["fs"],
    reachedBy: [{ file: MAIN_GO, line: "componentopts.BindLeaderElectionFlags(&leaderElection, pflag.CommandLine)" }],
  },
  {
    // AddFlags (options.go:328-330) is addFlags on a pflag.FlagSet.
    file: `${COMPONENT_BASE}/logs/api/v1/options.go`,
    func: "addFlags",
    receivers: ["fs"],
    reachedBy: [{ file: MAIN_GO, line: "logsapi.AddFlags(loggingConfig, pflag.CommandLine)" }],
    // options.go:378-381: only when the "json" format is registered (logs/json/register/register.go:26, types.go:33).
    onlyIf: {
      names: ["log-json-split-stream", "log-json-info-buffer-size"],
      line: '_ "k8s.io/component-base/logs/json/register"',
    },
  },
  {
    file: `${COMPONENT_BASE}/featuregate/feature_gate.go`,
    func: "AddFlag",
    receivers: ["fs"],
    reachedBy: [{ file: MAIN_GO, line: "featureGate.AddFlag(pflag.CommandLine)" }],
  },
  {
    // gce_loadbalancer.go:50-65, Go's flag package. Linked by the default build: flags.go imports
    // cloudprovider/builder, whose builder_all.go (every provider unless a provider tag is set; the
    // Dockerfile sets none) imports cloudprovider/gce, whose gce_manager.go imports this package.
    file: "upstream/cloud-provider-gcp/providers/gce/gce_loadbalancer.go",
    func: "init",
    receivers: ["flag"],
    reachedBy: [
      {
        file: `${AUTOSCALER}/config/flags/flags.go`,
        line: 'cloudBuilder "k8s.io/autoscaler/cluster-autoscaler/cloudprovider/builder"',
      },
      {
        file: `${AUTOSCALER}/cloudprovider/builder/builder_all.go`,
        line: '"k8s.io/autoscaler/cluster-autoscaler/cloudprovider/gce"',
      },
      {
        file: `${AUTOSCALER}/cloudprovider/gce/gce_manager.go`,
        line: 'provider_gce "k8s.io/cloud-provider-gcp/providers/gce"',
      },
    ],
  },
];

/** Lines that make the command line what REGISTRATION_SITES assumes: Go's flags merged into pflag's, normalized. */
export const COMMAND_LINE_SETUP: readonly SourceLine[] = [
  { file: MAIN_GO, line: "kube_flag.InitFlags()" },
  // component-base cli/flag/flags.go:52-55.
  { file: `${COMPONENT_BASE}/cli/flag/flags.go`, line: "pflag.CommandLine.SetNormalizeFunc(WordSepNormalizeFunc)" },
  { file: `${COMPONENT_BASE}/cli/flag/flags.go`, line: "pflag.CommandLine.AddGoFlagSet(goflag.CommandLine)" },
];

/** pflag normalizes every name with WordSepNormalizeFunc (cli/flag/flags.go:30-35): "_" becomes "-". */
export const normalizeFlag = (name: string) => name.replace(/_/g, "-");

export class FlagSourceError extends Error {}

export interface Token {
  readonly text: string;
  /** For string literals, the value. */
  readonly value?: string;
  readonly line: number;
}

const GO_TOKEN =
  /(\s+|\/\/[^\n]*|\/\*[\s\S]*?\*\/)|(`[^`]*`)|("(?:[^"\\\n]|\\.)*")|('(?:[^'\\\n]|\\.)*'|[A-Za-z_][A-Za-z0-9_]*|[0-9][0-9A-Za-z_.]*|[\s\S])/gy;

/** Go source as tokens (identifiers, literals, punctuation), without comments. */
export function goTokens(source: string): Token[] {
  const tokens: Token[] = [];
  let line = 1;
  GO_TOKEN.lastIndex = 0;
  for (let m = GO_TOKEN.exec(source); m; m = GO_TOKEN.exec(source)) {
    const [text, skipped, raw, quoted] = m;
    if (skipped === undefined) {
      const value = raw !== undefined ? raw.slice(1, -1) : quoted !== undefined ? goString(quoted) : undefined;
      tokens.push({ text, value, line });
    }
    if (skipped !== undefined || raw !== undefined) for (const c of text) if (c === "\n") line++;
    if (GO_TOKEN.lastIndex >= source.length) break;
  }
  return tokens;
}

/** A double-quoted Go string's value (its escapes as JSON reads them; others, rare in flag names, kept as written). */
function goString(text: string): string {
  try {
    return JSON.parse(text) as string;
  } catch {
    return text.slice(1, -1);
  }
}

const OPEN: Record<string, string> = { "(": ")", "[": "]", "{": "}" };

/** The index of the token closing the bracket at `open`. */
function closing(tokens: readonly Token[], open: number): number {
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    if (OPEN[tokens[i].text]) depth++;
    else if ([")", "]", "}"].includes(tokens[i].text) && --depth === 0) return i;
  }
  throw new FlagSourceError(`unbalanced ${tokens[open].text} at line ${tokens[open].line}`);
}

/** The [start, end] token ranges of the bodies of every function (or method) named `name`. */
function functionBodies(tokens: readonly Token[], name: string): [number, number][] {
  const bodies: [number, number][] = [];
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i].text !== "func") continue;
    let j = i + 1;
    if (tokens[j]?.text === "(") j = closing(tokens, j) + 1; // a method's receiver
    if (tokens[j]?.text !== name || tokens[j + 1]?.text !== "(") continue;
    j = closing(tokens, j + 1) + 1;
    // Skip the results up to the body's brace (a result type's own braces, interface{} or struct{...}, are skipped whole).
    while (j < tokens.length && !(tokens[j].text === "{" && !["interface", "struct"].includes(tokens[j - 1].text))) {
      j = OPEN[tokens[j].text] ? closing(tokens, j) + 1 : j + 1;
    }
    bodies.push([j, closing(tokens, j)]);
  }
  return bodies;
}

/** The string constants a Go file declares (`const X = "..."`, in a block or alone). */
function stringConstants(tokens: readonly Token[]): Map<string, string> {
  const constants = new Map<string, string>();
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i].text !== "const") continue;
    const end = tokens[i + 1]?.text === "(" ? closing(tokens, i + 1) : i + 5;
    for (let j = i + 1; j < end; j++) {
      // Name = "v"  or  Name Type = "v"
      const eq = tokens[j + 1]?.text === "=" ? j + 1 : tokens[j + 2]?.text === "=" ? j + 2 : -1;
      if (eq > 0 && /^[A-Za-z_]/.test(tokens[j].text) && tokens[eq + 1]?.value !== undefined) {
        constants.set(tokens[j].text, tokens[eq + 1].value!);
        j = eq + 1;
      }
    }
  }
  return constants;
}

const packageOf = (tokens: readonly Token[]) => tokens[tokens.findIndex((t) => t.text === "package") + 1]?.text;

/** A registration method of Go's flag or pflag: its flag name is argument 1 for the *Var forms, else 0. */
const REGISTER =
  /^(Bool|BoolFunc|BoolSlice|BytesBase64|BytesHex|Count|Duration|DurationSlice|Float32|Float32Slice|Float64|Float64Slice|Func|IP|IPMask|IPNet|IPSlice|Int|Int8|Int16|Int32|Int64|Int32Slice|Int64Slice|IntSlice|String|StringArray|StringSlice|StringToInt|StringToInt64|StringToString|TextVar|Uint|Uint8|Uint16|Uint32|Uint64|UintSlice|Var)(Var)?(P)?(F)?$/;
const nameIndex = (method: string) => (method.replace(/P?F?$/, "").endsWith("Var") ? 1 : 0);

/** A registration found in the source: the flag's name, and where. */
export interface FlagRegistration {
  readonly name: string;
  readonly file: string;
  readonly line: number;
}

/**
 * The flags one site registers, read from its Go source: calls of the registration methods on
 * the site's receivers (and of its wrappers) in its scope, the name a literal or a string constant
 * of the vendored files (`pkg.Name` by package). A name this cannot read is an error.
 */
export function siteRegistrations(
  site: RegistrationSite,
  root: string,
  constants: ReadonlyMap<string, string>,
  tokensOf: (file: string) => Token[] = (file) => goTokens(readFileSync(path.join(root, file), "utf8")),
): FlagRegistration[] {
  const tokens = tokensOf(site.file);
  const pkg = packageOf(tokens);
  const scopes: [number, number][] = site.func ? functionBodies(tokens, site.func) : [[0, tokens.length - 1]];
  if (scopes.length === 0) throw new FlagSourceError(`${site.file} has no function ${site.func}`);
  const wrappers = site.wrappers ?? {};
  const excluded = Object.keys(wrappers).flatMap((w) => functionBodies(tokens, w));
  const found: FlagRegistration[] = [];
  for (const [start, end] of scopes) {
    for (let i = start; i < end; i++) {
      if (excluded.some(([a, b]) => i > a && i < b)) continue;
      const t = tokens[i];
      if (tokens[i + 1]?.text !== "(") continue;
      let index: number | undefined;
      if (tokens[i - 1]?.text === "." && site.receivers.includes(tokens[i - 2]?.text) && REGISTER.test(t.text))
        index = nameIndex(t.text);
      else if (tokens[i - 1]?.text !== "." && tokens[i - 1]?.text !== "func" && t.text in wrappers)
        index = wrappers[t.text];
      if (index === undefined) continue;
      const close = closing(tokens, i + 1);
      const args: Token[][] = [[]];
      for (let j = i + 2; j < close; j++) {
        if (tokens[j].text === "," && args.length > 0) args.push([]);
        else {
          args[args.length - 1].push(tokens[j]);
          if (OPEN[tokens[j].text]) {
            const k = closing(tokens, j);
            args[args.length - 1].push(...tokens.slice(j + 1, k + 1));
            j = k;
          }
        }
      }
      const arg = args[index] ?? [];
      const text = arg.map((a) => a.text).join("");
      const name =
        arg.length === 1 && arg[0].value !== undefined
          ? arg[0].value
          : arg.length === 1
            ? constants.get(`${pkg}.${text}`)
            : arg.length === 3 && arg[1].text === "."
              ? constants.get(text)
              : undefined;
      if (name === undefined)
        throw new FlagSourceError(`${site.file}:${t.line}: cannot read the flag name "${text}" of ${t.text}(...)`);
      found.push({ name, file: site.file, line: t.line });
      i = close;
    }
  }
  return found;
}

/** Every string constant of the vendored Go files the sites may name, as "package.Name". */
function vendoredConstants(tokensOf: (file: string) => Token[]): Map<string, string> {
  const constants = new Map<string, string>();
  for (const f of new Set([...REGISTRATION_SITES.map((s) => s.file), `${AUTOSCALER}/config/const.go`])) {
    const tokens = tokensOf(f);
    for (const [k, v] of stringConstants(tokens)) constants.set(`${packageOf(tokens)}.${k}`, v);
  }
  return constants;
}

/** Where the registration sites no longer match the vendored source (a call or setup line gone). */
export function siteProblems(root: string = REPO_ROOT): Finding[] {
  const findings: Finding[] = [];
  const lines = [...REGISTRATION_SITES.flatMap((s) => s.reachedBy ?? []), ...COMMAND_LINE_SETUP];
  for (const { file, line } of lines) {
    const text = readFileSync(path.join(root, file), "utf8");
    if (!text.split("\n").some((l) => l.trim() === line))
      findings.push(
        finding(
          CHECK,
          file,
          `no longer has \`${line}\`: the autoscaler's flag registration changed; re-establish REGISTRATION_SITES (conformance/autoscaler-flags.ts)`,
        ),
      );
  }
  return findings;
}

/** Tokens of the Go sources read so far, by their text (tokenizing is most of this check's time). */
const tokenCache = new Map<string, Token[]>();

/** Every flag registration of the pinned release, as read from its sources. */
export function autoscalerFlagRegistrations(root: string = REPO_ROOT): FlagRegistration[] {
  const tokensOf = (file: string) => {
    const source = readFileSync(path.join(root, file), "utf8");
    if (!tokenCache.has(source)) tokenCache.set(source, goTokens(source));
    return tokenCache.get(source)!;
  };
  const constants = vendoredConstants(tokensOf);
  const main = readFileSync(path.join(root, MAIN_GO), "utf8");
  return REGISTRATION_SITES.flatMap((site) => {
    const found = siteRegistrations(site, root, constants, tokensOf);
    const conditionMet = site.onlyIf ? main.includes(site.onlyIf.line) : true;
    return found.filter((r) => conditionMet || !site.onlyIf!.names.includes(r.name));
  });
}

/** The flags a release of the autoscaler accepts, normalized ("_" as "-"). */
export function autoscalerFlags(root: string = REPO_ROOT): Set<string> {
  return new Set(autoscalerFlagRegistrations(root).map((r) => normalizeFlag(r.name)));
}

/** The effective version of a module in a go.mod: its replace target, else its requirement. */
export function goModVersion(goMod: string, module: string): string | undefined {
  const m = module.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  const replaced = new RegExp(`^replace ${m} => ${m} v(\\S+)$`, "m").exec(goMod)?.[1];
  return replaced ?? new RegExp(`^\\s*${m} v(\\S+)`, "m").exec(goMod)?.[1];
}

export function checkAutoscalerFlags(stacks: readonly StackJson[], root: string = REPO_ROOT): Finding[] {
  const findings: Finding[] = [];
  const entries = readProvenance(path.join(root, "upstream", "PROVENANCE.json"));
  const goMod = readFileSync(path.join(root, AUTOSCALER, "go.mod"), "utf8");
  for (const [module, entryName] of [
    ["k8s.io/klog/v2", "klog"],
    ["k8s.io/component-base", "component-base"],
    ["k8s.io/cloud-provider-gcp/providers", "cloud-provider-gcp"],
  ] as const) {
    const required = goModVersion(goMod, module);
    const entry = provenanceEntry(entryName, entries);
    if (required !== entry.version) {
      findings.push(
        finding(
          CHECK,
          `upstream/${entryName}`,
          `cluster-autoscaler's go.mod uses ${module} ${required}, but entry "${entryName}" is ${entry.version}: npm run vendor -- ${entryName} --version ${required}`,
        ),
      );
    }
  }
  findings.push(...siteProblems(root));
  let flags: Set<string>;
  try {
    flags = autoscalerFlags(root);
  } catch (err) {
    if (!(err instanceof FlagSourceError)) throw err;
    return [...findings, finding(CHECK, "conformance/autoscaler-flags.ts REGISTRATION_SITES", err.message)];
  }
  const vendored = VENDORED_CHARTS.find((c) => c.chart === "cluster-autoscaler")!;
  const chart = readChart(vendored, root);
  const passedByChart = [...chart.templates.matchAll(/^\s*-\s*--([a-z0-9][a-z0-9-]*)/gm)].map((m) => m[1]);
  for (const flag of new Set(passedByChart)) {
    if (!flags.has(normalizeFlag(flag)))
      findings.push(
        finding(
          CHECK,
          `${vendored.dir}/templates`,
          `the chart passes --${flag}, which the pinned autoscaler does not define`,
        ),
      );
  }
  for (const release of helmReleases(stacks).filter((r) => r.chart === "cluster-autoscaler")) {
    const extraArgs = mergeValues(chart.values.extraArgs, release.values.extraArgs) as Record<string, unknown>;
    for (const key of Object.keys(extraArgs ?? {})) {
      // The chart's rule: "Everything after the first _ will be ignored".
      const flag = key.split("_")[0];
      if (!flags.has(normalizeFlag(flag))) {
        findings.push(
          finding(
            CHECK,
            `${release.stack} ${release.path} values.extraArgs.${key}`,
            `cluster-autoscaler ${provenanceEntry("cluster-autoscaler", entries).version} has no flag --${flag}`,
          ),
        );
      }
    }
  }
  return findings;
}
