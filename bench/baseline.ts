/**
 * The floor `npm run bench` compares against: seven stacks with only an S3 backend and an AWS
 * provider, run by the same app command and node_modules as main.ts.
 */
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { App, S3Backend, TerraformStack } from "cdktf";

const app = new App();
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
