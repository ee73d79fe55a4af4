/** The ledger's key schema, as `lambdas/shared/ledger.ts` writes it: string keys `pk` and `sk`. */
export const LEDGER_KEYS = { hashKey: "pk", rangeKey: "sk" } as const;

/** The TTL attribute of ledger items (epoch seconds), as written by `lambdas/shared/ledger.ts`. */
export const LEDGER_TTL_ATTRIBUTE = "expiresAt";
