import { buildStacks, resources, synth } from "./helpers";

/**
 * What `terraform plan` proposes for a global database's member clusters after the writer moved, in
 * a model of Terraform's rule: an attribute whose refreshed value differs from the configuration is a
 * change, unless `ignore_changes` lists it or it is Optional+Computed in the provider's schema and the
 * configuration leaves it unset. ForceNew attributes turn the change into a replacement.
 *
 * The attributes each orientation changes are what DescribeDBClusters reports for the member (a
 * secondary carries `ReplicationSourceIdentifier`; a detached cluster has no `GlobalClusterIdentifier`;
 * a secondary may not report the master user name or database name).
 */
const OPTIONAL_COMPUTED = new Set(["database_name", "master_username", "engine_version"]);
const FORCE_NEW = new Set(["database_name", "master_username", "cluster_identifier", "engine", "kms_key_id", "storage_encrypted"]);

type Reported = Record<string, string>;
interface Orientation {
  readonly name: string;
  /** What RDS reports, that Terraform did not write, for the cluster created as the primary and for the one created as the secondary. */
  readonly createdPrimary: Reported;
  readonly createdSecondary: Reported;
}

const PRIMARY_ARN = "arn:aws:rds:us-east-1:333333333333:cluster:replica-prod-ledger";
const SECONDARY_ARN = "arn:aws:rds:eu-west-1:333333333333:cluster:replica-prod-ledger-eu-west-1";

const ORIENTATIONS: readonly Orientation[] = [
  { name: "as deployed (writer in the primary region)", createdPrimary: {}, createdSecondary: { replication_source_identifier: PRIMARY_ARN } },
  {
    name: "after switchover or managed failover (writer in the DR region)",
    createdPrimary: { replication_source_identifier: SECONDARY_ARN, master_username: "", database_name: "" },
    createdSecondary: { master_username: "dbadmin", database_name: "ledger" },
  },
  {
    name: "after a switchover back (writer in the primary region again)",
    createdPrimary: {},
    createdSecondary: { replication_source_identifier: PRIMARY_ARN },
  },
  {
    name: "after detach-and-promote (the DR cluster standalone)",
    createdPrimary: {},
    createdSecondary: { global_cluster_identifier: "", master_username: "dbadmin", database_name: "ledger" },
  },
];

function plannedChanges(config: any, reported: Reported): string[] {
  const ignored: string[] = config.lifecycle?.ignore_changes ?? [];
  return Object.entries(reported)
    .filter(([attribute, value]) => {
      if (ignored.includes(attribute)) return false;
      const configured = config[attribute];
      if (configured === undefined) return !OPTIONAL_COMPUTED.has(attribute) && value !== "";
      // A reference (`${...}`) resolves to what Terraform wrote, which RDS has since changed.
      return String(configured) !== value;
    })
    .map(([attribute]) => (FORCE_NEW.has(attribute) ? `${attribute} (forces replacement)` : attribute));
}

// GIVEN prod of the example, whose databases are global databases with a secondary in eu-west-1
const json = synth(buildStacks().get("prod-us-east-1")!);
const cluster = (id: string) => resources(json, "aws_rds_cluster").find((c) => c.cluster_identifier === id);

describe.each(ORIENTATIONS)("plan $name", (orientation) => {
  test("proposes no change to the cluster created as the primary", () => {
    expect(plannedChanges(cluster("replica-prod-ledger"), orientation.createdPrimary)).toEqual([]);
  });

  test("proposes no change to the cluster created as the secondary", () => {
    expect(plannedChanges(cluster("replica-prod-ledger-eu-west-1"), orientation.createdSecondary)).toEqual([]);
  });
});

test("the global cluster itself names no member, so a moved writer changes none of its arguments", () => {
  // source_db_cluster_identifier would pin the primary's ARN; the members join by global_cluster_identifier instead.
  for (const global of resources(json, "aws_rds_global_cluster")) expect(global.source_db_cluster_identifier).toBeUndefined();
});

test("both members ignore the same attributes, whichever region holds the writer", () => {
  for (const name of ["ledger", "catalog"]) {
    const primary = cluster(`replica-prod-${name}`).lifecycle.ignore_changes;
    expect(cluster(`replica-prod-${name}-eu-west-1`).lifecycle.ignore_changes).toEqual(primary);
  }
});

test("a regional cluster (no DR) keeps every attribute under Terraform's control", () => {
  const dev = synth(buildStacks().get("dev-us-east-1")!);
  const ledger = resources(dev, "aws_rds_cluster").find((c) => c.cluster_identifier === "replica-dev-ledger");
  expect(ledger.lifecycle?.ignore_changes).toBeUndefined();
});
