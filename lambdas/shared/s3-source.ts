/**
 * A `FileSource` (engine/source.ts) over one S3 "folder": the objects directly under a prefix.
 * Listing pages through ListObjectsV2 with a `/` delimiter, so objects in deeper folders are not
 * files of this source. Bytes read once are kept, with the object version they were read from, so a
 * caller can hash or promote exactly the bytes the engine ran even if the key is overwritten
 * meanwhile. Text is decoded strictly (the engine's decodeUtf8): a file that is not UTF-8 is refused
 * with its name, never decoded with replacement characters.
 */
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import { decodeUtf8, type FileSource } from "../../engine/source";

export interface S3FileSource extends FileSource {
  /** The object's bytes as stored, read once and kept: what promotion copies, so nothing is re-encoded. */
  readBytes(name: string): Promise<Uint8Array>;
  readonly bucket: string;
  /** The folder, ending with "/". */
  readonly prefix: string;
  /** The object key of a listed file name. */
  keyOf(name: string): string;
  /** Every file directly under the prefix with its last-modified time (all pages). */
  objects(): Promise<ListedFile[]>;
  /** The S3 VersionId of the object `read(name)` returned; undefined before a read or in an unversioned bucket. */
  versionOf(name: string): string | undefined;
}

export interface ListedFile {
  readonly name: string;
  readonly lastModified?: Date;
}

export function s3Source(client: S3Client, bucket: string, prefix: string): S3FileSource {
  if (prefix !== "" && !prefix.endsWith("/")) {
    throw new Error(`S3 source prefix "${prefix}" must end with "/" (it names a folder)`);
  }
  const bytes = new Map<string, Uint8Array>();
  const texts = new Map<string, string>();
  const versions = new Map<string, string>();
  const keyOf = (name: string): string => `${prefix}${name}`;
  const objects = async (): Promise<ListedFile[]> => {
    const files: ListedFile[] = [];
    let token: string | undefined;
    do {
      const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, Delimiter: "/", ContinuationToken: token }));
      for (const object of page.Contents ?? []) {
        const name = object.Key?.slice(prefix.length) ?? "";
        // The zero-byte "folder" object some tools create has the prefix itself as key.
        if (name !== "") files.push({ name, lastModified: object.LastModified });
      }
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    return files;
  };
  const readBytes = async (name: string): Promise<Uint8Array> => {
    const cached = bytes.get(name);
    if (cached !== undefined) return cached;
    const response = await client.send(new GetObjectCommand({ Bucket: bucket, Key: keyOf(name) }));
    if (response.Body === undefined) throw new Error(`s3://${bucket}/${keyOf(name)} has no body`);
    const body = await response.Body.transformToByteArray();
    bytes.set(name, body);
    if (response.VersionId !== undefined) versions.set(name, response.VersionId);
    return body;
  };
  return {
    bucket,
    prefix,
    description: `s3://${bucket}/${prefix}`,
    keyOf,
    objects,
    async list() {
      return (await objects()).map((f) => f.name);
    },
    versionOf: (name) => versions.get(name),
    readBytes,
    async read(name) {
      const cached = texts.get(name);
      if (cached !== undefined) return cached;
      const text = decodeUtf8(name, await readBytes(name));
      texts.set(name, text);
      return text;
    },
  };
}
