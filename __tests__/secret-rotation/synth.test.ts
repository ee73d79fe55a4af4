/**
 * What the stacks hold for credential rotation: the function and its role, the permission and the
 * schedule of each secret, the application users' secrets and keys, and the monitoring defaults.
 */
import { addressOf, buildStacks, resources, synth } from "../data-tier/helpers";
import { parseJsonAttribute } from "../../src/json-attribute";

/** The example with application users in dev (both engines) and prod, and prod's catalog rotating weekly. */
function withUsers(raw: any): void {
  raw.environments[0].databases[0].users = [{ name: "app", grant: "read-write" }, { name: "reporting", grant: "read-only" }];
  raw.environments[0].databases[1].users = [{ name: "shop", grant: "owner" }];
  raw.environments[2].databases[0].users = [{ name: "app", grant: "read-write" }];
  raw.environments[2].databases[1].credentialRotationDays = 7;
}

const plain = buildStacks();
const users = buildStacks(withUsers);
const json = (stacks: typeof plain, name: string) => synth(stacks.get(name)!);

const rotationFunction = (stack: any) => resources(stack, "aws_lambda_function").find((f) => f.function_name.endsWith("-secret-rotation"));
const rotationPolicy = (stack: any) => parseJsonAttribute(resources(stack, "aws_iam_role_policy").find((p) => p.role.includes("secret-rotation"))!.policy);
const targets = (stack: any) => parseJsonAttribute(rotationFunction(stack).environment.variables.ROTATION_TARGETS);
const secretRef = (stack: any, name: string) => `\${${addressOf(stack, "aws_secretsmanager_secret", (s) => s.name === name)}.arn}`;

describe("the rotation function", () => {
  test("runs in the private subnets with the lambda security group and verifies the databases' TLS certificates", () => {
    const prod = json(plain, "prod-us-east-1");
    const fn = rotationFunction(prod);
    expect(fn.function_name).toBe("replica-prod-secret-rotation");
    expect(fn.vpc_config.security_group_ids).toEqual([`\${${addressOf(prod, "aws_security_group", (g) => g.name === "replica-prod-us-east-1-lambda")}.id}`]);
    expect(fn.vpc_config.subnet_ids).toHaveLength(2);
    for (const subnet of fn.vpc_config.subnet_ids) expect(subnet).toMatch(/aws_subnet\.network_private-\d/);
    expect(fn.environment.variables.NODE_EXTRA_CA_CERTS).toBe("/var/runtime/ca-cert.pem");
    expect(fn.environment.variables.DB_TLS).toBeUndefined();
    expect(fn.kms_key_arn).toMatch(/aws_kms_key\.key/);
  });

  test("reaches Secrets Manager through the VPC's interface endpoint, with private DNS", () => {
    const prod = json(plain, "prod-us-east-1");
    const endpoint = resources(prod, "aws_vpc_endpoint").find((e) => e.service_name === "com.amazonaws.us-east-1.secretsmanager");
    expect(endpoint).toMatchObject({ vpc_endpoint_type: "Interface", private_dns_enabled: true });
    const endpointAddress = addressOf(prod, "aws_vpc_endpoint", (e) => e.service_name === "com.amazonaws.us-east-1.secretsmanager");
    // The function waits for the endpoint, and every rotation (through its function's ARN) for the function.
    const rotationFunction = addressOf(prod, "aws_lambda_function", (f) => f.function_name === "replica-prod-secret-rotation");
    expect(resources(prod, "aws_lambda_function").find((f) => f.function_name === "replica-prod-secret-rotation").depends_on).toContain(endpointAddress);
    for (const rotation of resources(prod, "aws_secretsmanager_secret_rotation")) expect(rotation.rotation_lambda_arn).toBe(`\${${rotationFunction}.arn}`);
  });

  test("rotates the global databases' master secrets (single user) and nothing else without users", () => {
    const prod = json(plain, "prod-us-east-1");
    expect(targets(prod)).toEqual({
      databases: {
        ledger: { engine: "postgres", host: expect.stringMatching(/aws_rds_global_cluster\.database-ledger_global.*\.endpoint/), port: 5432, database: "ledger", masterSecretArn: secretRef(prod, "replica-prod-ledger-master") },
        catalog: { engine: "mysql", host: expect.stringMatching(/aws_rds_global_cluster\.database-catalog_global.*\.endpoint/), port: 3306, database: "catalog", masterSecretArn: secretRef(prod, "replica-prod-catalog-master") },
      },
      secrets: {
        "replica-prod-ledger-master": { strategy: "single-user", database: "ledger", user: "dbadmin" },
        "replica-prod-catalog-master": { strategy: "single-user", database: "catalog", user: "dbadmin" },
      },
    });
  });

  test("exists only where something rotates: not in dev without users, never in a DR-region stack", () => {
    expect(rotationFunction(json(plain, "dev-us-east-1"))).toBeUndefined();
    expect(rotationFunction(json(plain, "staging-us-east-1"))).toBeUndefined();
    expect(rotationFunction(json(users, "prod-eu-west-1"))).toBeUndefined();
    expect(resources(json(plain, "dev-us-east-1"), "aws_secretsmanager_secret_rotation")).toEqual([]);
    expect(rotationFunction(json(users, "dev-us-east-1"))).toBeDefined();
  });

  test("too many secrets for Lambda's 4 KB of variables fail synth with the reason", () => {
    const many = Array.from({ length: 40 }, (_, i) => ({ name: `user${String(i).padStart(2, "0")}`, grant: "read-only" }));
    expect(() => buildStacks((raw) => (raw.environments[0].databases[0].users = many))).toThrow(
      /replica-dev-secret-rotation: the 40 secrets to rotate need about \d+ characters of ROTATION_TARGETS, more than Lambda's 4096-byte limit on variables allows; declare fewer application users/,
    );
    expect(() => buildStacks((raw) => (raw.environments[0].databases[0].users = many.slice(0, 20)))).not.toThrow();
  });
});

describe("the rotation role", () => {
  test("may use exactly the rotated secrets, read the master secrets it creates users with, and use the key only through Secrets Manager", () => {
    const dev = json(users, "dev-us-east-1");
    const statements = rotationPolicy(dev).Statement;
    const bySid = (sid: string) => statements.find((s: any) => s.Sid === sid);
    const userSecrets = ["replica-dev-ledger-user-app", "replica-dev-ledger-user-reporting", "replica-dev-catalog-user-shop"].map((n) => secretRef(dev, n));
    expect(bySid("RotateOwnSecrets")).toEqual({
      Sid: "RotateOwnSecrets",
      Effect: "Allow",
      Action: ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue", "secretsmanager:UpdateSecretVersionStage"],
      Resource: userSecrets,
    });
    // dev's clusters are regional: their master secrets are RDS-managed, read only
    expect(bySid("ReadMasterSecrets").Action).toEqual(["secretsmanager:GetSecretValue"]);
    expect(bySid("ReadMasterSecrets").Resource).toEqual([
      expect.stringMatching(/aws_rds_cluster\.database-ledger_cluster_\w+\.master_user_secret\[0\]\.secret_arn/),
      expect.stringMatching(/aws_rds_cluster\.database-catalog_cluster_\w+\.master_user_secret\[0\]\.secret_arn/),
    ]);
    expect(bySid("UseKeyThroughSecretsManager")).toEqual({
      Sid: "UseKeyThroughSecretsManager",
      Effect: "Allow",
      Action: ["kms:Decrypt", "kms:GenerateDataKey"],
      Resource: [expect.stringMatching(/aws_kms_key\.key_\w+\.arn/)],
      Condition: { StringEquals: { "kms:ViaService": ["secretsmanager.us-east-1.amazonaws.com"] } },
    });
    // no Secrets Manager action on anything but named secrets, no wildcard action at all
    for (const statement of statements) {
      for (const action of statement.Action) expect(action).not.toContain("*");
      if (statement.Action.some((a: string) => a.startsWith("secretsmanager:"))) expect(statement.Resource).not.toContain("*");
    }
    expect(statements.flatMap((s: any) => s.Action)).not.toContain("secretsmanager:GetRandomPassword");
  });

  test("in prod also rotates the master secrets; application users there read the same master secrets", () => {
    const prod = json(users, "prod-us-east-1");
    const statements = rotationPolicy(prod).Statement;
    const rotate = statements.find((s: any) => s.Sid === "RotateOwnSecrets");
    expect(rotate.Resource).toEqual(["replica-prod-ledger-master", "replica-prod-ledger-user-app", "replica-prod-catalog-master"].map((n) => secretRef(prod, n)));
    expect(statements.find((s: any) => s.Sid === "ReadMasterSecrets").Resource).toEqual([secretRef(prod, "replica-prod-ledger-master")]);
  });
});

describe("invocation and schedule", () => {
  test("Secrets Manager may invoke the function only for each rotated secret of this account", () => {
    const dev = json(users, "dev-us-east-1");
    const permissions = resources(dev, "aws_lambda_permission").filter((p) => p.principal === "secretsmanager.amazonaws.com");
    expect(permissions.map((p) => p.source_arn).sort()).toEqual(["replica-dev-catalog-user-shop", "replica-dev-ledger-user-app", "replica-dev-ledger-user-reporting"].map((n) => secretRef(dev, n)).sort());
    for (const permission of permissions) {
      expect(permission).toMatchObject({ action: "lambda:InvokeFunction", source_account: "111111111111", function_name: expect.stringMatching(/aws_lambda_function\.secret-rotation_function/) });
    }
  });

  test("each secret rotates every credentialRotationDays (30 by default), first right after it is enabled", () => {
    const prod = json(users, "prod-us-east-1");
    const rotations = resources(prod, "aws_secretsmanager_secret_rotation");
    const daysOf = (name: string) => rotations.find((r) => r.secret_id === secretRef(prod, name))!.rotation_rules.automatically_after_days;
    expect(rotations).toHaveLength(3);
    expect(daysOf("replica-prod-ledger-master")).toBe(30);
    expect(daysOf("replica-prod-ledger-user-app")).toBe(30);
    expect(daysOf("replica-prod-catalog-master")).toBe(7);
    for (const rotation of rotations) {
      expect(rotation.rotate_immediately).toBe(true);
      expect(rotation.rotation_lambda_arn).toMatch(/aws_lambda_function\.secret-rotation_function_\w+\.arn/);
    }
  });

  test("the first rotation waits for the permission, the cluster's instances and the secret's first version", () => {
    const prod = json(plain, "prod-us-east-1");
    const rotation = resources(prod, "aws_secretsmanager_secret_rotation").find((r) => r.secret_id === secretRef(prod, "replica-prod-ledger-master"))!;
    expect(rotation.depends_on).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^aws_lambda_permission\.secret-rotation_invoke-replica-prod-ledger-master/),
        expect.stringMatching(/^aws_rds_cluster_instance\.database-ledger_instance-1/),
        expect.stringMatching(/^aws_rds_cluster_instance\.database-ledger_instance-2/),
        expect.stringMatching(/^aws_secretsmanager_secret_version\.database-ledger_master-secret_version/),
      ]),
    );
  });
});

describe("application users' secrets", () => {
  test("are encrypted with the environment key, hold no password in the JSON, and are described", () => {
    const dev = json(users, "dev-us-east-1");
    const secret = resources(dev, "aws_secretsmanager_secret").find((s) => s.name === "replica-dev-ledger-user-app")!;
    expect(secret.kms_key_id).toMatch(/aws_kms_key\.key_\w+\.arn/);
    expect(secret.description).toMatch(/Application user app \(read-write\)/);
    expect(secret.replica).toBeUndefined();
    const version = resources(dev, "aws_secretsmanager_secret_version").find((v) => v.secret_id.includes("database-ledger-users_app_secret"))!;
    expect(version.secret_string).toBeUndefined();
    expect(version.secret_string_wo).toMatch(/^\$\{jsonencode\(\{ username = "app", password = ephemeral\.aws_secretsmanager_random_password\.\S+\.random_password \}\)\}$/);
    expect(version.secret_string_wo_version).toBe(1);
    expect(version.lifecycle).toEqual({ ignore_changes: ["version_stages"] });
    // each user has its own ephemeral password
    expect(Object.keys(dev.ephemeral.aws_secretsmanager_random_password)).toHaveLength(3);
  });

  test("are replicated to the DR region with the DR key for a global database", () => {
    const prod = json(users, "prod-us-east-1");
    const secret = resources(prod, "aws_secretsmanager_secret").find((s) => s.name === "replica-prod-ledger-user-app")!;
    expect(secret.replica).toEqual([{ region: "eu-west-1", kms_key_id: expect.stringMatching(/data\.aws_kms_alias\.dr-region/) }]);
  });

  test("are published as SSM parameters and outputs", () => {
    const dev = json(users, "dev-us-east-1");
    const parameter = resources(dev, "aws_ssm_parameter").find((p) => p.name === "/app/dev/db/ledger/users/app/secret-arn")!;
    expect(parameter).toMatchObject({ type: "String", value: secretRef(dev, "replica-dev-ledger-user-app") });
    expect(dev.output.db_ledger_user_app_secret_arn.value).toBe(secretRef(dev, "replica-dev-ledger-user-app"));
    const prod = json(users, "prod-us-east-1");
    const drParameter = resources(prod, "aws_ssm_parameter").find((p) => p.name === "/app/prod/db/ledger/users/app/secret-arn" && p.provider === "aws.other_region")!;
    expect(drParameter.value).toContain(":eu-west-1:");
  });

  test("the function is told each user's strategy, level and database", () => {
    const dev = json(users, "dev-us-east-1");
    expect(targets(dev).secrets).toEqual({
      "replica-dev-ledger-user-app": { strategy: "alternating-users", database: "ledger", user: "app", grant: "read-write" },
      "replica-dev-ledger-user-reporting": { strategy: "alternating-users", database: "ledger", user: "reporting", grant: "read-only" },
      "replica-dev-catalog-user-shop": { strategy: "alternating-users", database: "catalog", user: "shop", grant: "owner" },
    });
  });
});

describe("Terraform never fights a rotated master password", () => {
  test("the global cluster's password and secret are write-only, versioned by masterPasswordVersion only, and version_stages is ignored", () => {
    const prod = json(plain, "prod-us-east-1");
    const cluster = resources(prod, "aws_rds_cluster").find((c) => c.cluster_identifier === "replica-prod-ledger")!;
    expect(cluster.master_password).toBeUndefined();
    expect(cluster.master_password_wo_version).toBe(1);
    const version = resources(prod, "aws_secretsmanager_secret_version").find((v) => v.secret_id.includes("database-ledger_master-secret"))!;
    expect(version.secret_string).toBeUndefined();
    expect(version.secret_string_wo_version).toBe(1);
    expect(version.lifecycle).toEqual({ ignore_changes: ["version_stages"] });
    expect(JSON.stringify(prod)).not.toMatch(/"(master_password|secret_string|password)"\s*:/);
  });
});

describe("monitoring defaults", () => {
  test("production instances have Performance Insights (environment key, 7 days) and 60-second enhanced monitoring", () => {
    const prod = json(plain, "prod-us-east-1");
    const role = `\${${addressOf(prod, "aws_iam_role", (r) => r.name === "replica-prod-us-east-1-rds-monitoring")}.arn}`;
    const instances = resources(prod, "aws_rds_cluster_instance");
    expect(instances.length).toBeGreaterThanOrEqual(8);
    for (const instance of instances) {
      expect(instance).toMatchObject({ performance_insights_enabled: true, performance_insights_retention_period: 7, monitoring_interval: 60, monitoring_role_arn: role });
      expect(instance.performance_insights_kms_key_id).toMatch(/aws_kms_key|data\.aws_kms_alias/);
    }
  });

  test("the other environments have neither, and no monitoring role", () => {
    for (const name of ["dev-us-east-1", "staging-us-east-1"]) {
      const stack = json(plain, name);
      for (const instance of resources(stack, "aws_rds_cluster_instance")) expect(instance).toMatchObject({ performance_insights_enabled: false, monitoring_interval: 0 });
      expect(resources(stack, "aws_iam_role").filter((r) => r.name.endsWith("rds-monitoring"))).toEqual([]);
    }
  });
});
