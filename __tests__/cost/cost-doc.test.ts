import { readFileSync } from "node:fs";
import { COST_DOC, documentedTables, renderCostTables } from "../../src/cost/cost-doc";
import { idleDrivers, totalMonthly } from "../../src/cost/idle-cost";

describe("docs/cost.md", () => {
  test("its generated tables match the counts recounted from the synthesized stacks (run npm run cost-doc after a change)", () => {
    // GIVEN the document WHEN the built-in example and every examples/*.json are synthesized and recounted
    // THEN the document shows exactly those counts and prices
    expect(documentedTables(readFileSync(COST_DOC, "utf8"))).toEqual(renderCostTables());
  });
});

describe("idle-cost drivers of one stack", () => {
  const stack = {
    resource: {
      aws_vpc_endpoint: {
        s3: { vpc_endpoint_type: "Gateway", route_table_ids: ["rt-1", "rt-2"] },
        secrets: { vpc_endpoint_type: "Interface", subnet_ids: ["a", "b", "c"] },
      },
      aws_rds_cluster: {
        primary: { serverlessv2_scaling_configuration: { min_capacity: 0.5, max_capacity: 4 }, manage_master_user_password: true },
        paused: { serverlessv2_scaling_configuration: { min_capacity: 0, max_capacity: 1, seconds_until_auto_pause: 300 } },
      },
      aws_rds_cluster_instance: {
        one: { identifier: "p-1", cluster_identifier: "${aws_rds_cluster.primary.id}" },
        two: { identifier: "p-2", cluster_identifier: "${aws_rds_cluster.primary.id}" },
        three: { identifier: "z-1", cluster_identifier: "${aws_rds_cluster.paused.id}" },
      },
      aws_secretsmanager_secret: { master: { replica: [{ region: "eu-west-1" }] } },
      aws_cloudwatch_metric_alarm: { cpu: {}, math: { metric_query: [{ id: "a", metric: {} }, { id: "b", metric: {} }, { id: "e", expression: "a+b" }] } },
      aws_kms_key: { key: {} },
      aws_cloudwatch_dashboard: { d: {} },
    },
  };

  test("counts endpoint-AZs, ACU floors (0 when paused), secrets with replicas and RDS-managed ones, alarm metrics", () => {
    expect(idleDrivers(stack)).toEqual({ interfaceEndpoints: 1, endpointAzs: 3, auroraInstances: 3, acuFloor: 1, kmsKeys: 1, alarmMetrics: 3, dashboards: 1, secrets: 3 });
  });

  test("prices them at the list prices for 730 hours", () => {
    // 3 × 7.30 + 1 × 87.60 + 1.00 + 3 × 0.10 + 3.00 + 3 × 0.40
    expect(totalMonthly(idleDrivers(stack))).toBeCloseTo(21.9 + 87.6 + 1 + 0.3 + 3 + 1.2, 6);
  });
});
