import { CloudwatchEventBus } from "@cdktf/provider-aws/lib/cloudwatch-event-bus";
import { CloudwatchEventBusPolicy } from "@cdktf/provider-aws/lib/cloudwatch-event-bus-policy";
import { Construct } from "constructs";
import type { PlatformKey } from "../keys/platform-key";
import { policyDocument } from "../iam/policy";

export interface CentralBusProps {
  readonly busName: string;
  /** Accounts (other than the bus's own) whose principals may put events on the bus. */
  readonly senderAccountIds: readonly string[];
  /** The operations environment key (events at rest on the bus). */
  readonly key: PlatformKey;
}

/**
 * The central event bus of the platform, in the operations environment: every environment's
 * forwarding rules and stream processor put their events here. Its policy admits exactly the other
 * environments' accounts (each account root: within those accounts IAM decides which role may send;
 * the platform grants events:PutEvents on this bus only to the forwarder and stream-processor roles).
 */
export class CentralBus extends Construct {
  readonly bus: CloudwatchEventBus;

  constructor(scope: Construct, id: string, props: CentralBusProps) {
    super(scope, id);
    this.bus = new CloudwatchEventBus(this, "bus", {
      name: props.busName,
      description: "Replication fabric events of every environment",
      kmsKeyIdentifier: props.key.arn,
    });
    // EventBridge encrypts the bus's events with the key; every data key is bound to the bus ARN.
    const busArn = `arn:aws:events:${props.key.region}:${props.key.accountId}:event-bus/${props.busName}`;
    props.key.grantToService("EventBridgeEncryptsCentralBus", "events.amazonaws.com", ["kms:Decrypt", "kms:GenerateDataKey"], {
      StringEquals: { "kms:EncryptionContext:aws:events:event-bus:arn": [busArn] },
    });
    // DescribeKey (checking the key when the bus is created or updated) carries no encryption context.
    props.key.grantToService("EventBridgeChecksCentralBusKey", "events.amazonaws.com", ["kms:DescribeKey"], {
      StringEquals: { "aws:SourceAccount": [props.key.accountId], "aws:SourceArn": [busArn] },
    });
    if (props.senderAccountIds.length > 0) {
      new CloudwatchEventBusPolicy(this, "policy", {
        eventBusName: this.bus.name,
        policy: policyDocument([
          {
            sid: "PlatformAccountsPutEvents",
            actions: ["events:PutEvents"],
            principals: { AWS: props.senderAccountIds.map((account) => `arn:aws:iam::${account}:root`) },
            resources: [this.bus.arn],
          },
        ]),
      });
    }
  }

  get arn(): string {
    return this.bus.arn;
  }

  get name(): string {
    return this.bus.name;
  }
}
