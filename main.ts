/**
 * Entry point of `cdktf synth`. The configuration is read and validated before anything else
 * is loaded, so a bad config exits non-zero without writing any stack.
 */
import type * as AppModule from "./app";
import type * as Cdktf from "cdktf";
import { ConfigError, configPathFromEnv, loadConfig } from "./config/load";

function main(): void {
  let config;
  try {
    config = loadConfig(configPathFromEnv());
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
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { buildStages } = require("./app") as typeof AppModule;
  const app = new App();
  buildStages(app, config);
  app.synth();
}

main();
