// The baseline for bench/synth.ts: a stack written the way `cdktf init --template=typescript` writes it,
// run the way its cdktf.json runs it (ts-node, which type-checks), importing the AWS provider from the
// package root, with three resources.
import { Construct } from "constructs";
import { App, TerraformStack } from "cdktf";
import { provider, s3Bucket, snsTopic, sqsQueue } from "@cdktf/provider-aws";

class MyStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new provider.AwsProvider(this, "aws", { region: "us-east-1" });
    new s3Bucket.S3Bucket(this, "bucket", { bucket: "baseline-bucket" });
    new snsTopic.SnsTopic(this, "topic", { name: "baseline-topic" });
    new sqsQueue.SqsQueue(this, "queue", { name: "baseline-queue" });
  }
}

const app = new App();
new MyStack(app, "baseline");
app.synth();
