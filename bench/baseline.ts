/**
 * The floor `npm run bench` compares against: the same eight stacks as main.ts, with only a backend
 * (local for bootstrap, S3 for the stages) and an AWS provider, run by the same app command and
 * node_modules.
 */
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { App, LocalBackend, S3Backend, TerraformStack } from "cdktf";

const app = new App();
const bootstrap = new TerraformStack(app, "bootstrap");
new LocalBackend(bootstrap, { path: "bootstrap.tfstate" });
new AwsProvider(bootstrap, "aws", { region: "us-west-2" });
for (const id of ["eks", "addons", "auth", "kubeflow", "dns", "dashboard", "fsx"]) {
  const stack = new TerraformStack(app, id);
  new S3Backend(stack, {
    bucket: "example-kubeflow-tfstate",
    key: `dev/${id}.tfstate`,
    region: "us-west-2",
    encrypt: true,
  });
  new AwsProvider(stack, "aws", { region: "us-west-2" });
}
app.synth();
