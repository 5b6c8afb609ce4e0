/**
 * Entry point of `cdktf synth`. The configuration is read and validated before anything else
 * is loaded, so a bad config exits non-zero without writing any stack.
 */
import type * as AppModule from "./app";
import type * as Cdktf from "cdktf";
import * as path from "node:path";
import { ConfigError, configPathFromEnv, loadConfig } from "./config/load";

function main(): void {
  let config;
  const configFile = configPathFromEnv();
  try {
    config = loadConfig(configFile);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  // Loaded only after validation: cdktf and the provider bindings are the slow part.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { App } = require("cdktf") as typeof Cdktf;
  // cdktf 0.21 (pinned, final) captures a full stack trace for every token it creates, used only in
  // messages about a misused token; skipping the capture saves about a tenth of synth time.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require("cdktf/lib/tokens/private/stack-trace") as { captureStackTrace: () => string[] }).captureStackTrace =
    () => [];
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { buildParkedFsxStages, buildStages, buildTeardownStages } = require("./app") as typeof AppModule;
  const app = new App();
  // Relative to the project, so the synthesized messages name the file the same on every machine.
  const shownFile = path.relative(process.cwd(), configFile) || configFile;
  // Set only by `npm run destroy` (scripts/deploy.ts), for the stacks it tears down by deploying.
  const teardown = process.env.KF_TEARDOWN;
  // Set only by `npm run fsx` and by the runner for a parked fsx stage (lib/stages.ts, synthEnvironment).
  const fsx = process.env.KF_FSX;
  if (fsx !== undefined && fsx !== "") {
    if (fsx !== "parked" || (teardown !== undefined && teardown !== "")) {
      process.stderr.write(
        `KF_FSX must be parked, without KF_TEARDOWN (got KF_FSX="${fsx}"${teardown ? `, KF_TEARDOWN="${teardown}"` : ""}); unset it to synthesize the stages\n`,
      );
      process.exit(1);
    }
    buildParkedFsxStages(app, config, shownFile);
  } else if (teardown === "keep-data" || teardown === "delete-data")
    buildTeardownStages(app, config, teardown, shownFile);
  else if (teardown === undefined || teardown === "") buildStages(app, config, shownFile);
  else {
    process.stderr.write(
      `KF_TEARDOWN must be keep-data or delete-data (got "${teardown}"); unset it to synthesize the stages\n`,
    );
    process.exit(1);
  }
  app.synth();
}

main();
