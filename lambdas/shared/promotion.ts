/**
 * Promotion of artifacts that applied cleanly: each file's bytes, exactly as the engine ran them, are
 * written (PutObject) to the promotion folder, whose prefix the fabric replicates into the next
 * environment's artifacts bucket. Writing the bytes that ran, rather than copying the key, means a
 * file overwritten after it was read is never promoted in its new, untested form. S3 does not
 * replicate replicas again, so every hop has to write a fresh object; the copy carries the
 * content's sha256 (and the source VersionId, when the bucket is versioned) as metadata, and a file
 * whose copy already holds the same sha256 is not written again (re-runs and re-deliveries are no-ops).
 */
import { HeadObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { createHash } from "node:crypto";

/** User metadata of a promoted copy (S3 stores it as `x-amz-meta-<name>`). */
export const PROMOTION_METADATA = { sha256: "sha256", from: "promoted-from", sourceKey: "source-key", sourceVersionId: "source-version-id" } as const;

export interface PromotionFile {
  /** The file's key in the folder that was read. */
  readonly sourceKey: string;
  /** Where the copy goes. */
  readonly destinationKey: string;
  /** The exact bytes the engine ran: what the copy holds, byte for byte. */
  readonly content: Uint8Array;
  /** S3 VersionId of the object that content was read from, recorded on the copy. @default none (unversioned bucket) */
  readonly sourceVersionId?: string;
}

export type PromotionOutcome = { readonly key: string; readonly action: "copied" | "unchanged" };

export interface PromoteOptions {
  readonly s3: S3Client;
  readonly destinationBucket: string;
  /** Recorded on the copy, for people tracing where a file came from. */
  readonly environment: string;
}

export function sha256(content: string | Uint8Array): string {
  return createHash("sha256").update(content).digest("hex");
}

/** Writes each file unless its copy already has the same content; sequential, in the given order. */
export async function promoteFiles(files: readonly PromotionFile[], options: PromoteOptions): Promise<PromotionOutcome[]> {
  const outcomes: PromotionOutcome[] = [];
  for (const file of files) {
    const checksum = sha256(file.content);
    const existing = await existingChecksum(options.s3, options.destinationBucket, file.destinationKey);
    if (existing === checksum) {
      outcomes.push({ key: file.destinationKey, action: "unchanged" });
      continue;
    }
    const metadata: Record<string, string> = { [PROMOTION_METADATA.sha256]: checksum, [PROMOTION_METADATA.from]: options.environment, [PROMOTION_METADATA.sourceKey]: file.sourceKey };
    if (file.sourceVersionId !== undefined) metadata[PROMOTION_METADATA.sourceVersionId] = file.sourceVersionId;
    await options.s3.send(
      new PutObjectCommand({
        Bucket: options.destinationBucket,
        Key: file.destinationKey,
        Body: file.content,
        ContentType: "text/plain; charset=utf-8",
        // No encryption headers: the copy gets the bucket's default encryption (its policy denies other keys).
        Metadata: metadata,
      }),
    );
    outcomes.push({ key: file.destinationKey, action: "copied" });
  }
  return outcomes;
}

async function existingChecksum(s3: S3Client, bucket: string, key: string): Promise<string | undefined> {
  try {
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return head.Metadata?.[PROMOTION_METADATA.sha256];
  } catch (error) {
    const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
    if (e.name === "NotFound" || e.name === "NoSuchKey" || e.$metadata?.httpStatusCode === 404) return undefined;
    throw error;
  }
}

