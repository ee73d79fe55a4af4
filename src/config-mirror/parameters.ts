/** ARNs of an environment's configuration hierarchy: the path itself (GetParametersByPath) and every parameter below it. */
export function configParameterArns(region: string, accountId: string, environment: string): string[] {
  const root = `arn:aws:ssm:${region}:${accountId}:parameter/app/${environment}/config`;
  return [root, `${root}/*`];
}

/** ARN of one parameter under `/app/<env>/config/`. */
export function configParameterArn(region: string, accountId: string, environment: string, key: string): string {
  return `arn:aws:ssm:${region}:${accountId}:parameter/app/${environment}/config/${key}`;
}

/** `/app/<env>/config/`: the prefix of change events to mirror. */
export function configRoot(environment: string): string {
  return `/app/${environment}/config/`;
}
