import { stackOf } from "./helpers";

// GIVEN the built-in example: ledger (PostgreSQL) and catalog (MySQL) in every environment, DR in prod.
describe("outputs the seeds name", () => {
  test("the schema-sync and data-sync function ARNs", () => {
    const dev = stackOf("dev-us-east-1");
    expect(dev.output("schema_sync_function_arn").value).toBe(`\${${dev.address("aws_lambda_function", "schema-sync/function/function")}.arn}`);
    expect(dev.output("data_sync_function_arn").value).toBe(`\${${dev.address("aws_lambda_function", "data-sync/function/function")}.arn}`);
    expect(stackOf("dev-eu-west-1").output("schema_sync_function_arn")).toBeUndefined();
  });

  test.each(["dev-us-east-1", "prod-eu-west-1"])("%s: the DB subnet group name", (name) => {
    const stack = stackOf(name);
    expect(stack.output("db_subnet_group_name").value).toBe(`\${${stack.address("aws_db_subnet_group", "db-subnet-group")}.name}`);
  });

  test("the CPU alarm names of every cluster", () => {
    const dev = stackOf("dev-us-east-1");
    const alarms = Object.entries(dev.resources("aws_cloudwatch_metric_alarm")).filter(([, a]: [string, any]) => a.metric_name === "CPUUtilization");
    expect(alarms.map(([, a]: [string, any]) => a.alarm_name).sort()).toEqual(["replica-dev-catalog-cpu-high", "replica-dev-ledger-cpu-high"]);
    expect([...dev.output("database_cpu_alarm_names").value].sort()).toEqual(alarms.map(([id]) => `\${aws_cloudwatch_metric_alarm.${id}.alarm_name}`).sort());
  });
});
