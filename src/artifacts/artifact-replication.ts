import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import {
  S3BucketReplicationConfigurationA,
  type S3BucketReplicationConfigurationRule,
} from "@cdktf/provider-aws/lib/s3-bucket-replication-configuration";
import type { TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import { policyDocument, serviceTrustPolicy, type PolicyStatement } from "../iam/policy";
import type { ArtifactBucket } from "./artifact-bucket";

/** Actions the replication role needs on destination objects (and that destination policies grant it). */
export const REPLICATE_ACTIONS = ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"] as const;
/** Extra action for a cross-account destination whose owner takes ownership of replicas. */
export const OWNER_OVERRIDE_ACTION = "s3:ObjectOwnerOverrideToBucketOwner";
/** Replication Time Control's promise, and the threshold of its metrics events, in minutes. */
export const RTC_MINUTES = 15;

/** The environment's own DR copy: same account, the other region. */
export interface DrDestination {
  readonly bucketName: string;
  readonly region: string;
  /** The DR region's environment key; replicas of SSE-KMS objects are re-encrypted with it. */
  readonly keyArn: string;
}

/** The next environment's artifacts bucket: another account, the same region. */
export interface PromotionDestination {
  readonly environment: string;
  readonly accountId: string;
  readonly bucketName: string;
  /** The next environment's key (looked up through its provider); replicas are re-encrypted with it. */
  readonly keyArn: string;
  /** Only keys under this prefix are promoted. */
  readonly prefix: string;
}

export interface ArtifactReplicationProps {
  readonly source: ArtifactBucket;
  /** The source bucket's key, when its objects are SSE-KMS. */
  readonly sourceKeyArn?: string;
  readonly accountId: string;
  readonly region: string;
  /** Name of the replication role (global within the account). */
  readonly roleName: string;
  readonly dr: DrDestination;
  /** @default no promotion (the last environment) */
  readonly promotion?: PromotionDestination;
  /** @default the stack's default provider */
  readonly provider?: TerraformProvider;
}

/** One replication rule, for alarms and dashboards (S3 metrics are dimensioned by rule ID). */
export interface ReplicationRuleInfo {
  readonly id: string;
  readonly destinationBucketName: string;
}

/**
 * Replication of an artifacts bucket, with its least-privilege role:
 * - rule `dr-copy`: every object to the environment's DR bucket, delete markers included, so the DR
 *   copy is an exact, versioned mirror (a replicated delete marker hides, never destroys: versions stay);
 * - rule `promote-to-<next>`: the promotion prefix to the next environment's bucket, re-encrypted with
 *   that environment's key, owned by the destination account, with Replication Time Control. Delete
 *   markers are NOT replicated: deleting an artifact upstream must never un-promote what the next
 *   environment already runs; removal there is a deliberate act of that environment.
 * Both rules have replication metrics (latency, pending, failures) and RTC, whose events feed the
 * replication monitor.
 */
export class ArtifactReplication extends Construct {
  readonly role: IamRole;
  readonly configuration: S3BucketReplicationConfigurationA;
  readonly rules: readonly ReplicationRuleInfo[];

  static drRuleId(): string {
    return "dr-copy";
  }

  static promotionRuleId(nextEnvironment: string): string {
    return `promote-to-${nextEnvironment}`;
  }

  constructor(scope: Construct, id: string, props: ArtifactReplicationProps) {
    super(scope, id);
    const provider = props.provider;
    const kms = props.sourceKeyArn !== undefined;
    const { dr, promotion } = props;

    this.role = new IamRole(this, "role", {
      provider,
      name: props.roleName,
      description: `S3 replication of ${props.source.bucketName}`,
      assumeRolePolicy: serviceTrustPolicy("s3.amazonaws.com", props.accountId),
    });
    new IamRolePolicy(this, "policy", { provider, name: "replicate-artifacts", role: this.role.name, policy: policyDocument(this.statements(props)) });

    const rules: S3BucketReplicationConfigurationRule[] = [
      {
        id: ArtifactReplication.drRuleId(),
        priority: 0,
        status: "Enabled",
        filter: { prefix: "" },
        deleteMarkerReplication: { status: "Enabled" },
        sourceSelectionCriteria: kms ? { sseKmsEncryptedObjects: { status: "Enabled" } } : undefined,
        destination: {
          bucket: `arn:aws:s3:::${dr.bucketName}`,
          storageClass: "STANDARD",
          encryptionConfiguration: kms ? { replicaKmsKeyId: dr.keyArn } : undefined,
          ...timeControl(),
        },
      },
    ];
    if (promotion) {
      rules.push({
        id: ArtifactReplication.promotionRuleId(promotion.environment),
        priority: 1,
        status: "Enabled",
        filter: { prefix: promotion.prefix },
        deleteMarkerReplication: { status: "Disabled" },
        sourceSelectionCriteria: kms ? { sseKmsEncryptedObjects: { status: "Enabled" } } : undefined,
        destination: {
          bucket: `arn:aws:s3:::${promotion.bucketName}`,
          account: promotion.accountId,
          storageClass: "STANDARD",
          accessControlTranslation: { owner: "Destination" },
          encryptionConfiguration: kms ? { replicaKmsKeyId: promotion.keyArn } : undefined,
          ...timeControl(),
        },
      });
    }
    this.rules = rules.map((rule) => ({ id: rule.id!, destinationBucketName: rule.destination.bucket.replace("arn:aws:s3:::", "") }));

    this.configuration = new S3BucketReplicationConfigurationA(this, "configuration", {
      provider,
      bucket: props.source.name,
      role: this.role.arn,
      rule: rules,
      // Replication needs versioning on the source first.
      dependsOn: [props.source.bucket.versioning],
    });
  }

  private statements(props: ArtifactReplicationProps): PolicyStatement[] {
    const source = props.source.arn;
    const { dr, promotion } = props;
    const statements: PolicyStatement[] = [
      { sid: "ReadReplicationConfiguration", actions: ["s3:GetReplicationConfiguration", "s3:ListBucket"], resources: [source] },
      {
        sid: "ReadSourceVersions",
        actions: ["s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging"],
        resources: [`${source}/*`],
      },
      { sid: "ReplicateToDrBucket", actions: REPLICATE_ACTIONS, resources: [`arn:aws:s3:::${dr.bucketName}/*`] },
    ];
    if (promotion) {
      statements.push({
        sid: "ReplicatePromotionsToNextEnvironment",
        actions: [...REPLICATE_ACTIONS, OWNER_OVERRIDE_ACTION],
        resources: [`arn:aws:s3:::${promotion.bucketName}/${promotion.prefix}*`],
      });
    }
    if (props.sourceKeyArn !== undefined) {
      statements.push(
        {
          sid: "DecryptSourceObjects",
          actions: ["kms:Decrypt"],
          resources: [props.sourceKeyArn],
          conditions: { StringEquals: { "kms:ViaService": [`s3.${props.region}.amazonaws.com`] } },
        },
        {
          sid: "EncryptDrReplicas",
          actions: ["kms:Encrypt", "kms:GenerateDataKey"],
          resources: [dr.keyArn],
          conditions: { StringEquals: { "kms:ViaService": [`s3.${dr.region}.amazonaws.com`] } },
        },
      );
      if (promotion) {
        statements.push({
          sid: "EncryptPromotedReplicas",
          actions: ["kms:Encrypt", "kms:GenerateDataKey"],
          resources: [promotion.keyArn],
          conditions: { StringEquals: { "kms:ViaService": [`s3.${props.region}.amazonaws.com`] } },
        });
      }
    }
    return statements;
  }
}

/** Replication Time Control and replication metrics, both at the 15-minute threshold. */
function timeControl(): Pick<S3BucketReplicationConfigurationRule["destination"], "replicationTime" | "metrics"> {
  return {
    replicationTime: { status: "Enabled", time: { minutes: RTC_MINUTES } },
    metrics: { status: "Enabled", eventThreshold: { minutes: RTC_MINUTES } },
  };
}
