import { Construct } from "constructs";
import { ArtifactReplication } from "../artifacts/artifact-replication";
import type { PlatformConfig } from "../config/types";
import { artifactsBucketName } from "../cross-account/trust-map";
import type { MetricRef } from "./alarms";
import { FabricDashboard, type Widget } from "./dashboard";
import { CANARY_CHANNELS, handlerDimensions } from "./metrics";
import { ledgerTableName } from "../ledger/global-ledger";

export interface OverviewDashboardProps {
  readonly platform: PlatformConfig;
  readonly metricsNamespace: string;
}

/**
 * The operations environment's overview: for every environment, in promotion order, S3 replication
 * failures and latency per rule, ledger replication latency, canary lag and drift. Metrics of other
 * accounts carry their `accountId`, which CloudWatch cross-account observability (a monitoring-account
 * link, set up outside this platform) resolves.
 */
export class OverviewDashboard extends Construct {
  readonly dashboard: FabricDashboard;

  constructor(scope: Construct, id: string, props: OverviewDashboardProps) {
    super(scope, id);
    const { platform } = props;
    const region = platform.primaryRegion;
    const widgets: Widget[] = [{ kind: "text", markdown: `# ${platform.project} replication overview\nPromotion order: ${platform.promotionOrder.join(" → ")}; DR region ${platform.drRegion}.` }];
    platform.promotionOrder.forEach((name, position) => {
      const environment = platform.environments.find((e) => e.name === name)!;
      const next = platform.environments.find((e) => e.name === platform.promotionOrder[position + 1]);
      const account = { accountId: environment.accountId, region };
      const source = artifactsBucketName(platform, environment, region);
      const rules = [
        { id: ArtifactReplication.drRuleId(), destination: artifactsBucketName(platform, environment, platform.drRegion) },
        ...(next ? [{ id: ArtifactReplication.promotionRuleId(next.name), destination: artifactsBucketName(platform, next, region) }] : []),
      ];
      const s3 = (metricName: string, statistic: MetricRef["statistic"]): MetricRef[] =>
        rules.map((rule) => ({ namespace: "AWS/S3", metricName, dimensions: { SourceBucket: source, DestinationBucket: rule.destination, RuleId: rule.id }, statistic, label: rule.id, ...account }));
      const canary = CANARY_CHANNELS.map((channel): MetricRef => ({
        namespace: props.metricsNamespace,
        metricName: "ReplicationLagSeconds",
        dimensions: handlerDimensions(name, "replication-monitor", { Channel: channel }),
        statistic: "Maximum",
        label: channel,
        ...account,
      }));
      widgets.push(
        { kind: "text", markdown: `## ${name} (${environment.accountId})`, height: 1 },
        { kind: "graph", title: `${name}: S3 replication latency (s)`, metrics: s3("ReplicationLatency", "Maximum"), width: 6 },
        { kind: "graph", title: `${name}: S3 failed replications`, metrics: s3("OperationsFailedReplication", "Sum"), width: 6 },
        {
          kind: "graph",
          title: `${name}: ledger replication latency (ms)`,
          metrics: [{ namespace: "AWS/DynamoDB", metricName: "ReplicationLatency", dimensions: { TableName: ledgerTableName(platform, name), ReceivingRegion: platform.ledgerGlobalTable.enabled ? platform.primaryRegion : platform.drRegion }, statistic: "Average", period: 60, ...account }],
          width: 6,
        },
        { kind: "graph", title: `${name}: canary lag (s)`, metrics: canary, width: 6 },
      );
    });
    this.dashboard = new FabricDashboard(this, "dashboard", { dashboardName: `${platform.project}-replication-overview`, region, widgets });
  }

  get url(): string {
    return this.dashboard.url;
  }
}
