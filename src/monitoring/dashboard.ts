import { CloudwatchDashboard } from "@cdktf/provider-aws/lib/cloudwatch-dashboard";
import { Construct } from "constructs";
import type { MetricRef } from "./alarms";
import { jsonAttribute } from "../json-attribute";

/** A markdown text widget. */
export interface TextWidget {
  readonly kind: "text";
  readonly markdown: string;
  /** Grid units of 1/24 of the width. @default 24 */
  readonly width?: number;
  /** @default 2 */
  readonly height?: number;
}

/** A time-series graph of one or more metrics. */
export interface GraphWidget {
  readonly kind: "graph";
  readonly title: string;
  readonly metrics: readonly MetricRef[];
  /** Horizontal line, e.g. an alarm threshold. @default none */
  readonly threshold?: { readonly label: string; readonly value: number };
  /** @default 12 */
  readonly width?: number;
  /** @default 6 */
  readonly height?: number;
}

/** The state of a set of alarms, by ARN. */
export interface AlarmStatusWidget {
  readonly kind: "alarms";
  readonly title: string;
  readonly alarmArns: readonly string[];
  /** @default 24 */
  readonly width?: number;
  /** @default 4 */
  readonly height?: number;
}

export type Widget = TextWidget | GraphWidget | AlarmStatusWidget;

/** Renders widgets to a CloudWatch dashboard body, flowing them left to right, top to bottom. */
export function dashboardBody(region: string, widgets: readonly Widget[]): string {
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  const placed = widgets.map((widget) => {
    const width = widget.width ?? (widget.kind === "graph" ? 12 : 24);
    const height = widget.height ?? (widget.kind === "text" ? 2 : widget.kind === "graph" ? 6 : 4);
    if (x + width > 24) {
      x = 0;
      y += rowHeight;
      rowHeight = 0;
    }
    const position = { x, y, width, height };
    x += width;
    rowHeight = Math.max(rowHeight, height);
    return { ...position, ...render(region, widget) };
  });
  return jsonAttribute({ widgets: placed });
}

function render(region: string, widget: Widget): Record<string, unknown> {
  switch (widget.kind) {
    case "text":
      return { type: "text", properties: { markdown: widget.markdown } };
    case "alarms":
      return { type: "alarm", properties: { title: widget.title, alarms: [...widget.alarmArns], sortBy: "stateUpdatedTimestamp" } };
    case "graph":
      return {
        type: "metric",
        properties: {
          title: widget.title,
          view: "timeSeries",
          region,
          stacked: false,
          metrics: widget.metrics.map((m) => [
            m.namespace,
            m.metricName,
            ...Object.entries(m.dimensions).flat(),
            { stat: m.statistic, period: m.period ?? 300, label: m.label ?? m.metricName, ...(m.region ? { region: m.region } : {}), ...(m.accountId ? { accountId: m.accountId } : {}) },
          ]),
          ...(widget.threshold ? { annotations: { horizontal: [{ label: widget.threshold.label, value: widget.threshold.value }] } } : {}),
        },
      };
  }
}

export interface FabricDashboardProps {
  readonly dashboardName: string;
  readonly region: string;
  readonly widgets: readonly Widget[];
}

/** A CloudWatch dashboard built from typed widgets; `url` opens it in the console. */
export class FabricDashboard extends Construct {
  readonly dashboard: CloudwatchDashboard;
  readonly url: string;

  constructor(scope: Construct, id: string, props: FabricDashboardProps) {
    super(scope, id);
    this.dashboard = new CloudwatchDashboard(this, "dashboard", { dashboardName: props.dashboardName, dashboardBody: dashboardBody(props.region, props.widgets) });
    this.url = `https://${props.region}.console.aws.amazon.com/cloudwatch/home?region=${props.region}#dashboards/dashboard/${props.dashboardName}`;
  }
}
