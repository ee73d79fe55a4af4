import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { Construct } from "constructs";
import { policyDocument, serviceTrustPolicy } from "../iam/policy";

export interface EventForwarderRoleProps {
  readonly roleName: string;
  readonly accountId: string;
  readonly centralBusArn: string;
}

/** The role EventBridge assumes to forward this account's events to the central bus, and nowhere else. */
export class EventForwarderRole extends Construct {
  readonly role: IamRole;

  constructor(scope: Construct, id: string, props: EventForwarderRoleProps) {
    super(scope, id);
    this.role = new IamRole(this, "role", {
      name: props.roleName,
      description: "EventBridge forwards replication events to the central bus",
      assumeRolePolicy: serviceTrustPolicy("events.amazonaws.com", props.accountId),
    });
    new IamRolePolicy(this, "policy", {
      name: "put-central-bus",
      role: this.role.name,
      policy: policyDocument([{ sid: "PutCentralBus", actions: ["events:PutEvents"], resources: [props.centralBusArn] }]),
    });
  }

  get arn(): string {
    return this.role.arn;
  }
}
