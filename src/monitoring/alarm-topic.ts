import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicPolicy } from "@cdktf/provider-aws/lib/sns-topic-policy";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { Construct } from "constructs";
import { denyInsecureTransport, policyDocument } from "../iam/policy";
import type { PlatformKey } from "../keys/platform-key";

export interface AlarmTopicProps {
  readonly topicName: string;
  readonly key: PlatformKey;
  readonly accountId: string;
  /** Addresses subscribed by e-mail (each must confirm the subscription). */
  readonly emails: readonly string[];
}

/**
 * The SNS topic every alarm of an environment and region notifies: encrypted with the environment key
 * (which CloudWatch and EventBridge may use to publish), TLS-only, and publishable only from the account.
 */
export class AlarmTopic extends Construct {
  readonly topic: SnsTopic;

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    props.key.grantToService("cloudwatch.amazonaws.com");
    props.key.grantToService("events.amazonaws.com");
    this.topic = new SnsTopic(this, "topic", { name: props.topicName, kmsMasterKeyId: props.key.arn });
    new SnsTopicPolicy(this, "policy", {
      arn: this.topic.arn,
      policy: policyDocument([
        {
          sid: "AccountServicesPublish",
          actions: ["sns:Publish"],
          principals: { Service: ["cloudwatch.amazonaws.com", "events.amazonaws.com"] },
          resources: [this.topic.arn],
          conditions: { StringEquals: { "aws:SourceAccount": [props.accountId] } },
        },
        denyInsecureTransport(["sns:Publish", "sns:Subscribe"], [this.topic.arn]),
      ]),
    });
    props.emails.forEach((email, i) => {
      new SnsTopicSubscription(this, `email-${i}`, { topicArn: this.topic.arn, protocol: "email", endpoint: email });
    });
  }

  get arn(): string {
    return this.topic.arn;
  }
}
