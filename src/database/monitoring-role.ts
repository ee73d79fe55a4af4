import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { Construct } from "constructs";
import { serviceTrustPolicy } from "../iam/policy";

/** The AWS managed policy of enhanced monitoring: writes the `RDSOSMetrics` log group only. */
export const ENHANCED_MONITORING_POLICY_ARN = "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole";

/**
 * The role RDS enhanced monitoring assumes to publish OS metrics, trusted only by the monitoring
 * service acting for this account. IAM is global: instances in the DR region use the same role.
 */
export class MonitoringRole extends Construct {
  readonly role: IamRole;

  constructor(scope: Construct, id: string, props: { readonly name: string; readonly accountId: string }) {
    super(scope, id);
    this.role = new IamRole(this, "role", {
      name: props.name,
      description: "RDS enhanced monitoring of the platform's Aurora instances",
      assumeRolePolicy: serviceTrustPolicy("monitoring.rds.amazonaws.com", props.accountId),
    });
    new IamRolePolicyAttachment(this, "policy", { role: this.role.name, policyArn: ENHANCED_MONITORING_POLICY_ARN });
  }

  get arn(): string {
    return this.role.arn;
  }
}
