import { DataAwsLb } from "@cdktf/provider-aws/lib/data-aws-lb";
import { DataAwsLbListener } from "@cdktf/provider-aws/lib/data-aws-lb-listener";
import { DataAwsLbTargetGroup } from "@cdktf/provider-aws/lib/data-aws-lb-target-group";
import { LbListenerRule } from "@cdktf/provider-aws/lib/lb-listener-rule";
import { Fn, type TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import { TerraformData } from "../synth/terraform-data";

/** The header CloudFront adds to every origin request, and the load balancers require. */
export const ORIGIN_VERIFY_HEADER = "X-Origin-Verify";

/** A region's load balancer, by what the rule needs of it. */
export interface VerifiedListener {
  readonly listenerArn: string;
  readonly targetGroupArn: string;
  /** @default the stack's default provider */
  readonly provider?: TerraformProvider;
}

/** The DR region's load balancer as the primary-region stack finds it: by the names the DR-region stack gave it. */
export interface ListenerLookup {
  readonly loadBalancerName: string;
  readonly targetGroupName: string;
  readonly listenerPort: number;
  readonly provider: TerraformProvider;
}

export interface OriginVerificationProps {
  /** Raise by one to replace the value (CloudFront and the listener rules change in the same apply). */
  readonly version: number;
}

/**
 * The secret origin header: a value CloudFront sends with every origin request and the load
 * balancers' listeners require before they forward (everything else gets their default 403). With
 * the origin-facing prefix list it keeps other CloudFront distributions, which share those
 * addresses, from reaching the application.
 *
 * The value is a random UUID drawn once by Terraform (`terraform_data` with `uuid()`, its input
 * ignored after creation) and replaced only when `version` changes: no provider beyond Terraform's
 * built-in one, and nothing in the configuration or the synthesized JSON. It is in the state — as it
 * would be with any generator, since the distribution's origin headers and the listener rules are
 * stored there in clear — so the state bucket's encryption and access control protect it. It is
 * marked sensitive so plans print "(sensitive value)", and it appears in neither CloudFront's nor the
 * load balancers' access logs (those record viewer requests, not origin request headers).
 */
export class OriginVerification extends Construct {
  /** The header value, as a sensitive Terraform expression. */
  readonly value: string;

  constructor(scope: Construct, id: string, props: OriginVerificationProps) {
    super(scope, id);
    const secret = new TerraformData(this, "secret", {
      input: { value: Fn.uuid() },
      triggersReplace: { version: props.version },
      lifecycle: { ignoreChanges: ["input"] },
    });
    this.value = Fn.sensitive(secret.outputValue("value"));
  }

  /** Forwards requests that carry the header on a listener to its target group. */
  admit(id: string, listener: VerifiedListener): LbListenerRule {
    return new LbListenerRule(this, id, {
      provider: listener.provider,
      listenerArn: listener.listenerArn,
      priority: 1,
      condition: [{ httpHeader: { httpHeaderName: ORIGIN_VERIFY_HEADER, values: [this.value] } }],
      action: [{ type: "forward", targetGroupArn: listener.targetGroupArn }],
    });
  }

  /** Finds a load balancer another stack created (the DR region's), for `admit` and the CloudFront origin. */
  static lookUp(scope: Construct, id: string, lookup: ListenerLookup): VerifiedListener & { readonly dnsName: string; readonly arnSuffix: string } {
    const loadBalancer = new DataAwsLb(scope, `${id}-load-balancer`, { provider: lookup.provider, name: lookup.loadBalancerName });
    const listener = new DataAwsLbListener(scope, `${id}-listener`, { provider: lookup.provider, loadBalancerArn: loadBalancer.arn, port: lookup.listenerPort });
    const targetGroup = new DataAwsLbTargetGroup(scope, `${id}-target-group`, { provider: lookup.provider, name: lookup.targetGroupName });
    return { listenerArn: listener.arn, targetGroupArn: targetGroup.arn, provider: lookup.provider, dnsName: loadBalancer.dnsName, arnSuffix: loadBalancer.arnSuffix };
  }
}
