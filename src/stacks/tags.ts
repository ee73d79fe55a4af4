/** Tags every resource carries, through the providers' `default_tags`. */
export function platformTags(project: string, environment: string, extra: Readonly<Record<string, string>>): Record<string, string> {
  return { ...extra, Project: project, Environment: environment, ManagedBy: "cdktf" };
}
