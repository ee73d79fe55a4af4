import { RdsCluster } from "@cdktf/provider-aws/lib/rds-cluster";
import { RdsClusterInstance } from "@cdktf/provider-aws/lib/rds-cluster-instance";
import { addressOf, buildStacks, dataSources, resources, synth, synthText } from "./helpers";
import { parseJsonAttribute } from "../../src/json-attribute";

// GIVEN the built-in example: dev and staging without deletion protection or DR, prod with both
const stacks = buildStacks();
const dev = () => synth(stacks.get("dev-us-east-1")!);
const prod = () => synth(stacks.get("prod-us-east-1")!);
const clusterNamed = (json: any, id: string) => resources(json, "aws_rds_cluster").find((c) => c.cluster_identifier === id);

describe("regional clusters", () => {
  test("Aurora PostgreSQL runs Serverless v2 with the configured version and capacity", () => {
    expect(synthText(stacks.get("dev-us-east-1")!)).toHaveResourceWithProperties(RdsCluster, {
      cluster_identifier: "replica-dev-ledger",
      engine: "aurora-postgresql",
      engine_version: "16.6",
      engine_mode: "provisioned",
      serverlessv2_scaling_configuration: { min_capacity: 0.5, max_capacity: 1 },
      port: 5432,
    });
  });

  test("Aurora MySQL runs the 8.0-compatible default version on port 3306", () => {
    const catalog = clusterNamed(dev(), "replica-dev-catalog");
    expect(catalog).toEqual(expect.objectContaining({ engine: "aurora-mysql", engine_version: "8.0.mysql_aurora.3.08.2", port: 3306 }));
  });

  test("instances are db.serverless, private, and spread over the subnets' zones", () => {
    const json = dev();
    expect(synthText(stacks.get("dev-us-east-1")!)).toHaveResourceWithProperties(RdsClusterInstance, { instance_class: "db.serverless", publicly_accessible: false });
    const ledger = resources(json, "aws_rds_cluster_instance").filter((i) => i.identifier.startsWith("replica-dev-ledger-"));
    expect(ledger.map((i) => i.identifier)).toEqual(["replica-dev-ledger-1", "replica-dev-ledger-2"]);
    expect(ledger.map((i) => i.availability_zone)).toEqual([
      expect.stringMatching(/aws_subnet\.network_private-1_[^.]+\.availability_zone/),
      expect.stringMatching(/aws_subnet\.network_private-2_[^.]+\.availability_zone/),
    ]);
  });

  test("instanceCount sets the number of instances", () => {
    const one = buildStacks((raw) => (raw.environments[0].databases[0].instanceCount = 3));
    const ledger = resources(synth(one.get("dev-us-east-1")!), "aws_rds_cluster_instance").filter((i) => i.identifier.startsWith("replica-dev-ledger-"));
    expect(ledger).toHaveLength(3);
  });

  test("the subnet group holds the private subnets and the cluster uses the database security group", () => {
    const json = dev();
    const [group] = resources(json, "aws_db_subnet_group");
    expect(group.name).toBe("replica-dev-us-east-1-db");
    expect(group.subnet_ids).toHaveLength(2);
    const databaseGroup = addressOf(json, "aws_security_group", (g) => g.name === "replica-dev-us-east-1-database");
    expect(clusterNamed(json, "replica-dev-ledger").vpc_security_group_ids).toEqual([`\${${databaseGroup}.id}`]);
  });

  test("storage is encrypted with the environment key", () => {
    const ledger = clusterNamed(dev(), "replica-dev-ledger");
    expect(ledger.storage_encrypted).toBe(true);
    expect(ledger.kms_key_id).toMatch(/^\$\{aws_kms_key\.key_[^.]+\.arn\}$/);
  });

  test("backups, windows, snapshot tags and IAM authentication follow the configuration", () => {
    expect(clusterNamed(dev(), "replica-dev-ledger")).toEqual(
      expect.objectContaining({
        backup_retention_period: 7,
        preferred_backup_window: "03:00-04:00",
        preferred_maintenance_window: "mon:04:00-mon:05:00",
        copy_tags_to_snapshot: true,
        iam_database_authentication_enabled: true,
      }),
    );
  });

  test("each engine exports its logs into encrypted log groups created first", () => {
    const json = dev();
    expect(clusterNamed(json, "replica-dev-catalog").enabled_cloudwatch_logs_exports).toEqual(["audit", "error", "general", "slowquery"]);
    expect(clusterNamed(json, "replica-dev-ledger").enabled_cloudwatch_logs_exports).toEqual(["postgresql"]);
    const [group] = resources(json, "aws_cloudwatch_log_group").filter((g) => g.name === "/aws/rds/cluster/replica-dev-ledger/postgresql");
    expect(group.kms_key_id).toBeDefined();
    expect(clusterNamed(json, "replica-dev-ledger").depends_on).toEqual([expect.stringMatching(/^aws_cloudwatch_log_group\./)]);
  });

  test("PostgreSQL logs every statement and accepts TLS connections only", () => {
    const [group] = resources(dev(), "aws_rds_cluster_parameter_group").filter((g) => g.family === "aurora-postgresql16");
    expect(group.parameter).toEqual(expect.arrayContaining([{ name: "log_statement", value: "all" }, { name: "rds.force_ssl", value: "1" }]));
  });

  test("MySQL requires secure transport and audits", () => {
    const [group] = resources(dev(), "aws_rds_cluster_parameter_group").filter((g) => g.family === "aurora-mysql8.0");
    expect(group.parameter).toEqual(expect.arrayContaining([{ name: "require_secure_transport", value: "ON" }, { name: "server_audit_logging", value: "1" }]));
  });

  test("RDS manages the master password in a secret encrypted with the environment key", () => {
    const ledger = clusterNamed(dev(), "replica-dev-ledger");
    expect(ledger.manage_master_user_password).toBe(true);
    expect(ledger.master_user_secret_kms_key_id).toMatch(/aws_kms_key\./);
    expect(ledger.master_password).toBeUndefined();
    expect(ledger.master_password_wo).toBeUndefined();
  });

  test("without deletion protection the cluster skips the final snapshot and can be destroyed", () => {
    const ledger = clusterNamed(dev(), "replica-dev-ledger");
    expect(ledger).toEqual(expect.objectContaining({ deletion_protection: false, skip_final_snapshot: true }));
    expect(ledger.lifecycle).toBeUndefined();
  });

  test("with deletion protection the cluster keeps a final snapshot and refuses destroy", () => {
    const protectedDev = buildStacks((raw) => (raw.environments[0].deletionProtection = true));
    const ledger = clusterNamed(synth(protectedDev.get("dev-us-east-1")!), "replica-dev-ledger");
    expect(ledger).toEqual(expect.objectContaining({ deletion_protection: true, skip_final_snapshot: false, final_snapshot_identifier: "replica-dev-ledger-final" }));
    expect(ledger.lifecycle).toEqual({ prevent_destroy: true });
  });

  test("Performance Insights and enhanced monitoring are off by default", () => {
    const instances = resources(dev(), "aws_rds_cluster_instance");
    expect(instances.every((i) => i.performance_insights_enabled === false && i.monitoring_interval === 0)).toBe(true);
    expect(resources(dev(), "aws_iam_role").some((r) => r.name.endsWith("rds-monitoring"))).toBe(false);
  });

  test("Performance Insights (with the key) and enhanced monitoring (with its role) can be switched on", () => {
    const observed = buildStacks((raw) => Object.assign(raw.environments[0].databases[0], { performanceInsights: true, enhancedMonitoringInterval: 30 }));
    const json = synth(observed.get("dev-us-east-1")!);
    const [instance] = resources(json, "aws_rds_cluster_instance").filter((i) => i.identifier === "replica-dev-ledger-1");
    expect(instance).toEqual(expect.objectContaining({ performance_insights_enabled: true, performance_insights_retention_period: 7, monitoring_interval: 30 }));
    expect(instance.performance_insights_kms_key_id).toMatch(/aws_kms_key\./);
    const role = addressOf(json, "aws_iam_role", (r) => r.name === "replica-dev-us-east-1-rds-monitoring");
    expect(instance.monitoring_role_arn).toBe(`\${${role}.arn}`);
    const trust = parseJsonAttribute(resources(json, "aws_iam_role").find((r) => r.name === "replica-dev-us-east-1-rds-monitoring").assume_role_policy);
    expect(trust.Statement[0].Condition.StringEquals["aws:SourceAccount"]).toEqual(["111111111111"]);
  });

  test("the environment key names no RDS service principal (RDS and Secrets Manager use it through grants of the deploying principal)", () => {
    const [key] = resources(dev(), "aws_kms_key");
    expect(parseJsonAttribute(key.policy).Statement.filter((s: any) => JSON.stringify(s.Principal ?? {}).includes("rds.amazonaws.com"))).toEqual([]);
    // Encryption itself is unchanged: the clusters use the environment key.
    expect(resources(dev(), "aws_rds_cluster").every((c: any) => c.storage_encrypted === true && /aws_kms_key\./.test(c.kms_key_id))).toBe(true);
  });

  test("the DR-region stack of an environment without DR holds no database resources", () => {
    const json = synth(stacks.get("dev-eu-west-1")!);
    expect(resources(json, "aws_rds_cluster")).toHaveLength(0);
    expect(resources(json, "aws_db_subnet_group")).toHaveLength(0);
  });
});

describe("connection parameters and outputs", () => {
  test("writer and reader endpoints, port, database name and secret ARN are SSM String parameters", () => {
    const params = Object.fromEntries(resources(dev(), "aws_ssm_parameter").map((p) => [p.name, p]));
    expect(params["/app/dev/db/ledger/writer-endpoint"].value).toMatch(/aws_rds_cluster\.[^.]+\.endpoint/);
    expect(params["/app/dev/db/ledger/reader-endpoint"].value).toMatch(/\.reader_endpoint/);
    expect(params["/app/dev/db/ledger/port"].value).toBe("5432");
    expect(params["/app/dev/db/ledger/database-name"].value).toBe("ledger");
    expect(params["/app/dev/db/ledger/secret-arn"].value).toMatch(/master_user_secret\[0\]\.secret_arn/);
    expect(Object.values(params).every((p: any) => p.type === "String")).toBe(true);
  });

  test("no parameter holds a password", () => {
    expect(resources(prod(), "aws_ssm_parameter").some((p) => /password/i.test(p.name))).toBe(false);
  });

  test("each cluster's endpoints, port, identifier and secret ARN are described outputs", () => {
    const outputs = dev().output;
    for (const name of ["cluster_identifier", "writer_endpoint", "reader_endpoint", "port", "secret_arn"]) {
      expect(outputs[`db_ledger_${name}`].description).toMatch(/ledger cluster of dev/);
    }
  });
});

describe("disaster recovery (prod)", () => {
  test("each database becomes an encrypted Aurora global database led by the primary-region cluster", () => {
    const json = prod();
    const [global] = resources(json, "aws_rds_global_cluster").filter((g) => g.global_cluster_identifier === "replica-prod-ledger-global");
    expect(global).toEqual(expect.objectContaining({ engine: "aurora-postgresql", engine_version: "16.6", storage_encrypted: true, deletion_protection: true }));
    const globalAddress = addressOf(json, "aws_rds_global_cluster", (g) => g.global_cluster_identifier === "replica-prod-ledger-global");
    expect(clusterNamed(json, "replica-prod-ledger").global_cluster_identifier).toBe(`\${${globalAddress}.id}`);
  });

  test("the global primary gets its password from an ephemeral resource through write-only arguments", () => {
    const json = prod();
    const ledger = clusterNamed(json, "replica-prod-ledger");
    expect(ledger.manage_master_user_password).toBeUndefined();
    expect(ledger.master_password_wo).toMatch(/^\$\{ephemeral\.aws_secretsmanager_random_password\.[^.]+\.random_password\}$/);
    expect(ledger.master_password_wo_version).toBe(1);
    expect(Object.keys(json.ephemeral.aws_secretsmanager_random_password)).toHaveLength(2);
    expect(json.terraform.required_version).toBe(">= 1.11.0");
  });

  test("the same ephemeral password is written to a secret, after the cluster, and replicated to the DR region", () => {
    const json = prod();
    const ledger = clusterNamed(json, "replica-prod-ledger");
    const passwordRef = ledger.master_password_wo.slice(2, -1);
    const version = resources(json, "aws_secretsmanager_secret_version").find((v) => v.secret_string_wo.includes(passwordRef));
    expect(version.secret_string_wo_version).toBe(1);
    expect(version.depends_on).toEqual([addressOf(json, "aws_rds_cluster", (c) => c.cluster_identifier === "replica-prod-ledger")]);
    const [secret] = resources(json, "aws_secretsmanager_secret").filter((s) => s.name === "replica-prod-ledger-master");
    expect(secret.kms_key_id).toMatch(/aws_kms_key\./);
    expect(secret.replica).toEqual([{ region: "eu-west-1", kms_key_id: expect.stringMatching(/data\.aws_kms_alias\./) }]);
  });

  test("masterPasswordVersion rotates the global database's password and secret together", () => {
    const rotated = buildStacks((raw) => (raw.environments[2].databases[0].masterPasswordVersion = 2));
    const json = synth(rotated.get("prod-us-east-1")!);
    expect(clusterNamed(json, "replica-prod-ledger").master_password_wo_version).toBe(2);
    expect(resources(json, "aws_secretsmanager_secret_version").map((v) => v.secret_string_wo_version).sort()).toEqual([1, 2]);
  });

  test("the secondary cluster lives in the DR region, through the other-region provider, after the primary's instances", () => {
    const json = prod();
    const secondary = clusterNamed(json, "replica-prod-ledger-eu-west-1");
    expect(secondary).toEqual(expect.objectContaining({ provider: "aws.other_region", storage_encrypted: true, skip_final_snapshot: true, db_subnet_group_name: "replica-prod-eu-west-1-db" }));
    expect(secondary.master_username).toBeUndefined();
    expect(secondary.depends_on).toEqual(expect.arrayContaining([expect.stringMatching(/^aws_rds_cluster_instance\.database-ledger_instance-1/)]));
    expect(secondary.lifecycle.ignore_changes).toContain("replication_source_identifier");
  });

  test("the secondary is encrypted with the DR region's key, found by alias", () => {
    const json = prod();
    const alias = dataSources(json, "aws_kms_alias").find((a) => a.name === "alias/replica-prod" && a.provider === "aws.other_region");
    expect(alias).toBeDefined();
    expect(clusterNamed(json, "replica-prod-ledger-eu-west-1").kms_key_id).toMatch(/^\$\{data\.aws_kms_alias\.dr-region_key_[^.]+\.target_key_arn\}$/);
  });

  test("the secondary uses the DR VPC's database security group, found by name in the VPC found by Name tag", () => {
    const json = prod();
    const vpc = dataSources(json, "aws_vpc").find((v) => v.tags?.Name === "replica-prod-eu-west-1-vpc");
    expect(vpc).toEqual(expect.objectContaining({ provider: "aws.other_region", cidr_block: "10.31.0.0/16" }));
    const group = dataSources(json, "aws_security_group").find((g) => g.name === "replica-prod-eu-west-1-database");
    expect(group.provider).toBe("aws.other_region");
  });

  test("the DR-region stack prepares the subnet group and database security group the secondary needs", () => {
    const json = synth(stacks.get("prod-eu-west-1")!);
    expect(resources(json, "aws_db_subnet_group").map((g) => g.name)).toEqual(["replica-prod-eu-west-1-db"]);
    expect(resources(json, "aws_security_group").map((g) => g.name)).toContain("replica-prod-eu-west-1-database");
    expect(resources(json, "aws_rds_cluster")).toHaveLength(0);
  });

  test("secondary instances are placed in the DR region's zones", () => {
    const instances = resources(prod(), "aws_rds_cluster_instance").filter((i) => i.identifier.startsWith("replica-prod-ledger-eu-west-1-"));
    expect(instances).toHaveLength(2);
    expect(instances.every((i) => i.provider === "aws.other_region" && /data\.aws_availability_zones\.dr-region_zones/.test(i.availability_zone))).toBe(true);
  });

  test("the secondary's connection details are SSM parameters in the DR region", () => {
    const params = resources(prod(), "aws_ssm_parameter").filter((p) => p.provider === "aws.other_region");
    const byName = Object.fromEntries(params.map((p) => [p.name, p.value]));
    expect(byName["/app/prod/db/ledger/reader-endpoint"]).toMatch(/database-ledger-secondary_cluster/);
    expect(byName["/app/prod/db/ledger/secret-arn"]).toMatch(/replace\(.*:us-east-1:.*:eu-west-1:/);
  });

  test("staging without disasterRecovery gets regional clusters with RDS-managed passwords", () => {
    const json = synth(stacks.get("staging-us-east-1")!);
    expect(resources(json, "aws_rds_global_cluster")).toHaveLength(0);
    expect(json.ephemeral).toBeUndefined();
  });
});
