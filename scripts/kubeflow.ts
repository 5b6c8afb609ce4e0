/**
 * npm run kubeflow -- install | uninstall | render
 *
 *   install    render the pinned upstream release with our overlay and apply it until it settles
 *   render     print the rendered objects (no secrets in them) for review
 *   uninstall  remove Kubeflow, Ingress first so the ALB goes away while its controller runs
 *
 * Environment: KUBEFLOW_MANIFESTS_DIR=<dir> uses an unpacked release instead of downloading;
 * KUBEFLOW_APPLY_PASSES (default 15) and KUBEFLOW_APPLY_PAUSE_SECONDS (default 20).
 */
import {
  applyOauth2ProxySecret,
  applyUntilSettled,
  fetchUpstream,
  InstallError,
  readInstallParams,
  renderOverlay,
  requireKubectl,
  runCommand,
  selectKinds,
  uninstallSteps,
} from "./kubeflow-install";

const log = (line: string) => process.stderr.write(`${line}\n`);

async function main(command: string | undefined): Promise<void> {
  requireKubectl();
  const params = readInstallParams();
  const upstream = await fetchUpstream(params.manifestsVersion, log);
  log(`rendering Kubeflow ${params.manifestsVersion} with the overlay for https://${params.host}`);
  const rendered = renderOverlay(upstream, params);

  if (command === "render") {
    process.stdout.write(rendered);
    return;
  }
  if (command === "install") {
    log("applying namespaces");
    const namespaces = runCommand(
      "kubectl",
      ["apply", "--server-side", "--force-conflicts", "-f", "-"],
      selectKinds(rendered, ["Namespace"]),
    );
    if (namespaces.status !== 0) throw new InstallError(`could not create namespaces: ${namespaces.stderr.trim()}`);
    log("applying the oauth2-proxy credentials (from the cluster, through stdin)");
    applyOauth2ProxySecret();
    const passes = await applyUntilSettled(rendered, {
      maxPasses: Number(process.env.KUBEFLOW_APPLY_PASSES ?? 15),
      pauseSeconds: Number(process.env.KUBEFLOW_APPLY_PAUSE_SECONDS ?? 20),
      log,
      sleep: (s) => new Promise((resolve) => setTimeout(resolve, s * 1000)),
    });
    log(`Kubeflow applied in ${passes} pass(es). Pods take a few minutes to start:`);
    log("  kubectl get pods -A | grep -vE 'Running|Completed'");
    log("Next: npx cdktf deploy dns");
    return;
  }
  if (command === "uninstall") {
    for (const step of uninstallSteps(rendered)) {
      log(step.description);
      const result = runCommand("kubectl", step.args, step.input);
      if (result.status !== 0) throw new InstallError(`${step.description} failed: ${result.stderr.trim()}`);
    }
    log("Kubeflow removed. Next: npx cdktf destroy kubeflow (after dns, dashboard and fsx)");
    return;
  }
  throw new InstallError(`usage: npm run kubeflow -- install | uninstall | render (got "${command ?? ""}")`);
}

main(process.argv[2]).catch((err: unknown) => {
  log(err instanceof InstallError ? `error: ${err.message}` : String(err instanceof Error ? err.stack : err));
  process.exit(1);
});
