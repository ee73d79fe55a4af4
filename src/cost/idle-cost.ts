/**
 * What a synthesized platform costs at rest: the resources that bill by the hour or month whether or
 * not anything happens, counted from each stack's Terraform JSON and priced at list prices. Usage
 * (requests, data processed, storage, replication traffic) is not counted here; docs/cost.md says what
 * scales with it.
 */

/** Hours in the month the prices are multiplied by (AWS's own convention: 730). */
export const HOURS_PER_MONTH = 730;

/**
 * us-east-1 list prices in USD, as published on the AWS pricing pages and looked up on the date
 * below; not measured from a bill. Every stack is priced with them, including DR-region stacks (whose
 * region may cost a little more), so configurations compare on one scale.
 */
export const LIST_PRICES = {
  lookedUp: "2026-12-02",
  region: "us-east-1",
  /** AWS PrivateLink: per interface endpoint and availability zone, per hour. */
  interfaceEndpointAzHour: 0.01,
  /** Aurora Serverless v2 (Aurora Standard storage configuration): per ACU-hour. */
  auroraAcuHour: 0.12,
  /** AWS KMS: per customer-managed key, per month. */
  kmsKeyMonth: 1.0,
  /** CloudWatch: per standard-resolution alarm metric, per month. */
  alarmMetricMonth: 0.1,
  /** CloudWatch: per dashboard, per month (the first three per account are free; not deducted). */
  dashboardMonth: 3.0,
  /** Secrets Manager: per secret, and per replica of a secret, per month. */
  secretMonth: 0.4,
} as const;

/** The drivers of one stack's idle cost. */
export interface IdleDrivers {
  readonly interfaceEndpoints: number;
  /** Interface endpoints × the availability zones each is in: what PrivateLink bills per hour. */
  readonly endpointAzs: number;
  readonly auroraInstances: number;
  /** Sum of the instances' minimum capacity (0 for a cluster that pauses when idle). */
  readonly acuFloor: number;
  readonly kmsKeys: number;
  readonly alarmMetrics: number;
  readonly dashboards: number;
  /** Secrets, their replicas, and the master secrets RDS manages for regional clusters. */
  readonly secrets: number;
}

export type Driver = keyof Omit<IdleDrivers, "interfaceEndpoints" | "auroraInstances">;

/** Monthly list price of each priced driver's unit. */
export const DRIVER_PRICES: Readonly<Record<Driver, { readonly unit: string; readonly monthly: number }>> = {
  endpointAzs: { unit: "interface endpoint × AZ", monthly: LIST_PRICES.interfaceEndpointAzHour * HOURS_PER_MONTH },
  acuFloor: { unit: "ACU at the floor", monthly: LIST_PRICES.auroraAcuHour * HOURS_PER_MONTH },
  kmsKeys: { unit: "KMS key", monthly: LIST_PRICES.kmsKeyMonth },
  alarmMetrics: { unit: "alarm metric", monthly: LIST_PRICES.alarmMetricMonth },
  dashboards: { unit: "dashboard", monthly: LIST_PRICES.dashboardMonth },
  secrets: { unit: "secret or replica", monthly: LIST_PRICES.secretMonth },
};

type Resources = Readonly<Record<string, Readonly<Record<string, any>>>>;

function resourcesOf(json: any, type: string): Array<[string, any]> {
  return Object.entries((json?.resource as Resources | undefined)?.[type] ?? {});
}

/** `${aws_rds_cluster.<name>.id}` → `<name>`. */
function referencedCluster(reference: unknown): string | undefined {
  return /^\$\{aws_rds_cluster\.([^.]+)\.id\}$/.exec(String(reference))?.[1];
}

/** Counts the idle-cost drivers of one synthesized stack. */
export function idleDrivers(json: any): IdleDrivers {
  const endpoints = resourcesOf(json, "aws_vpc_endpoint").filter(([, e]) => e.vpc_endpoint_type === "Interface");
  const clusters = new Map(resourcesOf(json, "aws_rds_cluster"));
  const instances = resourcesOf(json, "aws_rds_cluster_instance");
  const floorOf = (instance: any): number => {
    const cluster = clusters.get(referencedCluster(instance.cluster_identifier) ?? "");
    if (!cluster) throw new Error(`Aurora instance ${instance.identifier} names no cluster of its stack (${instance.cluster_identifier})`);
    return Number(cluster.serverlessv2_scaling_configuration?.min_capacity ?? 0);
  };
  const alarmMetrics = resourcesOf(json, "aws_cloudwatch_metric_alarm")
    .map(([, a]) => (Array.isArray(a.metric_query) ? a.metric_query.filter((q: any) => q.metric !== undefined).length : 1))
    .reduce((sum, n) => sum + n, 0);
  const secrets =
    resourcesOf(json, "aws_secretsmanager_secret").reduce((sum, [, s]) => sum + 1 + (Array.isArray(s.replica) ? s.replica.length : 0), 0) +
    [...clusters.values()].filter((c) => c.manage_master_user_password === true).length;
  return {
    interfaceEndpoints: endpoints.length,
    endpointAzs: endpoints.reduce((sum, [, e]) => sum + (Array.isArray(e.subnet_ids) ? e.subnet_ids.length : 0), 0),
    auroraInstances: instances.length,
    acuFloor: instances.reduce((sum, [, i]) => sum + floorOf(i), 0),
    kmsKeys: resourcesOf(json, "aws_kms_key").length + resourcesOf(json, "aws_kms_replica_key").length,
    alarmMetrics,
    dashboards: resourcesOf(json, "aws_cloudwatch_dashboard").length,
    secrets,
  };
}

/** Monthly list cost of each priced driver. */
export function monthlyCost(drivers: IdleDrivers): Record<Driver, number> {
  return Object.fromEntries((Object.keys(DRIVER_PRICES) as Driver[]).map((d) => [d, drivers[d] * DRIVER_PRICES[d].monthly])) as Record<Driver, number>;
}

export function totalMonthly(drivers: IdleDrivers): number {
  return Object.values(monthlyCost(drivers)).reduce((sum, n) => sum + n, 0);
}

export function sumDrivers(all: readonly IdleDrivers[]): IdleDrivers {
  const zero: IdleDrivers = { interfaceEndpoints: 0, endpointAzs: 0, auroraInstances: 0, acuFloor: 0, kmsKeys: 0, alarmMetrics: 0, dashboards: 0, secrets: 0 };
  return all.reduce((sum, d) => Object.fromEntries(Object.keys(zero).map((k) => [k, sum[k as keyof IdleDrivers] + d[k as keyof IdleDrivers]])) as unknown as IdleDrivers, zero);
}
