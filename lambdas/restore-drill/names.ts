/**
 * Names of a restore drill's temporary cluster and instance: `<project>-<env>-restore-drill-<db>-<YYMMDD>`
 * and `<cluster>-1`. Live clusters are `<project>-<env>-<db>[-<region>]` with database names that have
 * no hyphen and regions that never start with "drill", so nothing live can ever match the prefix the
 * drill function's IAM policy is scoped to. The longest name (12-character project, 10-character
 * environment, 16-character database) is 63 characters with the instance suffix, RDS's limit.
 *
 * Imported by the infrastructure too (`src/restore-drill`), so the role's ARN patterns and the
 * function's names cannot drift apart.
 */
export function drillPrefix(project: string, environment: string): string {
  return `${project}-${environment}-restore-drill-`;
}

export function drillClusterIdentifier(prefix: string, database: string, startedAt: Date): string {
  const iso = startedAt.toISOString();
  return `${prefix}${database}-${iso.slice(2, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}`;
}

export function drillInstanceIdentifier(clusterIdentifier: string): string {
  return `${clusterIdentifier}-1`;
}
