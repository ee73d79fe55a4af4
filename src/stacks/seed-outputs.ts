import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { DbSubnetGroup } from "@cdktf/provider-aws/lib/db-subnet-group";
import { TerraformOutput } from "cdktf";
import type { DatabaseSync } from "./database-sync";
import type { EnvironmentStack } from "./environment-stack";

/**
 * Outputs the seeds name that the data tier and database sync do not publish themselves: the
 * schema-sync and data-sync function ARNs, the DB subnet group's name and the clusters' CPU alarm
 * names. They reference the resources those compositions created (found in the construct tree), so
 * the values always match what was deployed, and the names are decided in one place only.
 */
export function addSeedOutputs(stack: EnvironmentStack, databaseSync: DatabaseSync | undefined): void {
  if (databaseSync) {
    new TerraformOutput(stack, "schema_sync_function_arn", { value: databaseSync.functions.schema.function.arn, description: `ARN of the ${stack.environment.name} schema-sync function` });
    new TerraformOutput(stack, "data_sync_function_arn", { value: databaseSync.functions.data.function.arn, description: `ARN of the ${stack.environment.name} data-sync function` });
  }
  const constructs = stack.node.findAll();
  const subnetGroup = constructs.find((c): c is DbSubnetGroup => c instanceof DbSubnetGroup);
  if (subnetGroup) {
    new TerraformOutput(stack, "db_subnet_group_name", { value: subnetGroup.name, description: `DB subnet group of ${stack.environment.name} in ${stack.region} (the Aurora clusters' private subnets)` });
  }
  // The data tier names each cluster's CPU alarm construct "cpu".
  const cpuAlarms = constructs.filter((c): c is CloudwatchMetricAlarm => c instanceof CloudwatchMetricAlarm && c.node.id === "cpu");
  if (cpuAlarms.length > 0) {
    new TerraformOutput(stack, "database_cpu_alarm_names", { value: cpuAlarms.map((a) => a.alarmName), description: `CPU utilisation alarms of the ${stack.environment.name} clusters in ${stack.region}` });
  }
}
