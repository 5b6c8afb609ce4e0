/**
 * npm run kubeflow -- install [--dry-run] [--timeout 20m] [--credentials-rotated] [--prune-crds-with-instances] [--remove-components]
 *                    | render --out <dir> [--params <file>] | uninstall
 *
 *   install    check the committed render's checksums, build our overlay on it, remove what an
 *              earlier install applied and this one does not (kube-system/kubeflow-install-inventory),
 *              record what it applies there, apply the CRDs, namespaces, Secrets, then the rest
 *              server-side until it settles, then wait until every workload is available (non-zero
 *              on timeout, at once on an image that does not exist). --dry-run prints the plan,
 *              removals included, and changes nothing; an install that would change nothing says
 *              so and applies nothing. A CRD it would remove that still has objects no install applied
 *              (users' TrainJobs, JobSets) is kept, with what they need, and named;
 *              --prune-crds-with-instances deletes those objects first, then the rest.
 *   render     write what install would apply as YAML files, with no cluster: the config (KF_CONFIG)
 *              gives most parameters, --params <file> the deploy-time ones (issuer-url, client-id,
 *              certificate-arn, vpc-cidr, login-host); without it they are marked PLACEHOLDER, as are
 *              the Secrets' values.
 *   uninstall  remove Kubeflow, Ingress first so the ALB goes away while its controller runs, and
 *              what the inventory records that this build no longer has.
 *
 * Environment: KUBEFLOW_APPLY_PASSES (default 15), KUBEFLOW_APPLY_PAUSE_SECONDS (default 20).
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { ConfigError, configPathFromEnv, loadConfig } from "../config/load";
import { durationMinutes } from "../lib/duration";
import {
  DEPLOY_TIME_PARAMS,
  paramsFromConfig,
  paramsFromConfigMapData,
  paramsToConfigMapData,
  placeholder,
  type DeployTimeParams,
} from "../lib/kubeflow-overlay";
import { ReleaseError } from "../lib/kubeflow-release";
import {
  install,
  installPlan,
  InstallError,
  placeholderSecrets,
  readParamsFile,
  requireKubectl,
  uninstall,
  writePlan,
} from "./kubeflow-install";

const log = (line: string) => process.stderr.write(`${line}\n`);

function option(argv: readonly string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  if (i < 0) return undefined;
  const value = argv[i + 1];
  if (!value || value.startsWith("--")) throw new InstallError(`${name} needs a value`);
  return value;
}

/** Parameters for `render`: the config, then --params, then placeholders for what is still unknown. */
export function renderParams(argv: readonly string[]) {
  const config = loadConfig(configPathFromEnv());
  const deployTime = Object.fromEntries(
    DEPLOY_TIME_PARAMS.map((p) => [p, placeholder(p)]),
  ) as unknown as DeployTimeParams;
  const base = paramsToConfigMapData(paramsFromConfig(config, deployTime));
  const file = option(argv, "--params");
  const given = file ? readParamsFile(readFileSync(file, "utf8"), file) : {};
  return paramsFromConfigMapData({ ...base, ...given });
}

async function main(argv: readonly string[]): Promise<void> {
  const [command] = argv;
  if (command === "render") {
    const out = option(argv, "--out");
    if (!out) throw new InstallError("usage: npm run kubeflow -- render --out <dir> [--params <file>]");
    requireKubectl();
    const params = renderParams(argv);
    const count = writePlan(installPlan(params, placeholderSecrets()), path.resolve(out));
    log(`wrote ${count} files for Kubeflow ${params.manifestsVersion} into ${out}`);
    return;
  }
  if (command === "install") {
    const timeout = option(argv, "--timeout") ?? "20m";
    const result = await install({
      dryRun: argv.includes("--dry-run"),
      credentialsRotated: argv.includes("--credentials-rotated"),
      pruneCrdsWithInstances: argv.includes("--prune-crds-with-instances"),
      removeComponents: argv.includes("--remove-components"),
      timeoutSeconds: durationMinutes(timeout) * 60,
      maxPasses: Number(process.env.KUBEFLOW_APPLY_PASSES ?? 15),
      pauseSeconds: Number(process.env.KUBEFLOW_APPLY_PAUSE_SECONDS ?? 20),
      pollSeconds: 15,
      log,
      sleep: (s) => new Promise((resolve) => setTimeout(resolve, s * 1000)),
      now: () => Date.now(),
    });
    if (result === "installed")
      log(
        "Kubeflow is installed and every workload is available. Next: npm run deploy -- --from dns " +
          "(it waits for the Ingress's ALB first)",
      );
    return;
  }
  if (command === "uninstall") {
    uninstall({ log });
    log(
      "Kubeflow removed. The controller deletes the ALB and its security groups in the background: " +
        "npm run destroy waits for them, deletes the volumes and tears down the stacks.",
    );
    return;
  }
  throw new InstallError(
    `usage: npm run kubeflow -- install [--dry-run] [--timeout 20m] [--credentials-rotated] [--prune-crds-with-instances] [--remove-components] | render --out <dir> [--params <file>] | uninstall (got "${command ?? ""}")`,
  );
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    const known = err instanceof InstallError || err instanceof ReleaseError || err instanceof ConfigError;
    log(known ? `error: ${(err as Error).message}` : String(err instanceof Error ? err.stack : err));
    process.exit(1);
  });
}
