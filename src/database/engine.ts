import type { DatabaseConfig, DatabaseEngine } from "../config/types";

/** What differs between the two Aurora engines. */
export interface EngineTraits {
  readonly port: number;
  /** Log types exported to CloudWatch Logs. */
  readonly logExports: readonly string[];
  /**
   * Cluster parameters: TLS-only connections, and statement logging (seed 001 asked for
   * `log_statement = all`; MySQL's equivalents are the general, slow-query and audit logs).
   */
  readonly clusterParameters: Readonly<Record<string, string>>;
}

export const ENGINE_TRAITS: Readonly<Record<DatabaseEngine, EngineTraits>> = {
  "aurora-postgresql": {
    port: 5432,
    logExports: ["postgresql"],
    clusterParameters: {
      "rds.force_ssl": "1",
      log_statement: "all",
      log_min_duration_statement: "1000",
    },
  },
  "aurora-mysql": {
    port: 3306,
    logExports: ["audit", "error", "general", "slowquery"],
    clusterParameters: {
      require_secure_transport: "ON",
      server_audit_logging: "1",
      server_audit_events: "CONNECT,QUERY_DCL,QUERY_DDL",
      general_log: "1",
      slow_query_log: "1",
      long_query_time: "1",
      log_output: "FILE",
    },
  },
};

export function enginePort(engine: DatabaseEngine): number {
  return ENGINE_TRAITS[engine].port;
}

/** The parameter group family of a database: `aurora-postgresql16`, `aurora-mysql8.0`. */
export function parameterGroupFamily(database: Pick<DatabaseConfig, "engine" | "engineVersion">): string {
  if (database.engine === "aurora-mysql") return "aurora-mysql8.0";
  return `aurora-postgresql${database.engineVersion.split(".")[0]}`;
}

/** Master user name of every cluster (the password is never in Terraform; see master-password.ts). */
export const MASTER_USERNAME = "dbadmin";
