/**
 * Attachment files: S3-presigned-style URLs (`/files/<token>?Expires=<epoch s>&Signature=<hex>`)
 * and deterministic file bytes, streamed in chunks so a 300 MB file never sits in memory.
 */
import { createHash } from "node:crypto";
import { fromBase64Url, toBase64Url } from "./base64url.ts";
import { hashString, Rng } from "./prng.ts";

/** What a token names: an attachment of a candidate (`c`) or of an application (`p`). */
export interface FileRef {
  kind: "c" | "p";
  /** Candidate index or application slot. */
  index: number;
  /** Attachment number within its owner. */
  n: number;
}

/** What the file route serves for a token. */
export interface FileSpec {
  size: number;
  contentType: string;
  /** Extra seed for the bytes (changes when the attachment is replaced). */
  salt: number;
}

export function encodeToken(ref: FileRef): string {
  return toBase64Url(`att:${ref.kind}.${ref.index}.${ref.n}`);
}

export function decodeToken(token: string): FileRef | undefined {
  const text = fromBase64Url(token);
  if (text === undefined) return undefined;
  const m = /^att:([cp])\.(\d+)\.(\d+)$/.exec(text);
  if (!m) return undefined;
  return { kind: m[1] as "c" | "p", index: Number(m[2]), n: Number(m[3]) };
}

export function contentTypeFor(filename: string): string {
  const ext = /\.([A-Za-z0-9]+)$/.exec(filename)?.[1]?.toLowerCase();
  switch (ext) {
    case "pdf":
      return "application/pdf";
    case "docx":
      return "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
    case "txt":
    case "ini":
      return "text/plain";
    case "zip":
      return "application/zip";
    case "png":
      return "image/png";
    default:
      return "application/octet-stream";
  }
}

/**
 * Keyed signatures for file URLs: 128 bits from four keyed FNV-1a passes. Not cryptographic (a
 * simulator only needs "a changed URL fails"), but ~20x cheaper than HMAC, which matters when a
 * 500-candidate page carries a thousand URLs.
 */
export class UrlSigner {
  #key: number;
  constructor(seed: number, apiKey: string) {
    this.#key = hashString(`sandbox-files:${seed}:${apiKey}`);
  }
  sign(token: string, expires: number): string {
    const text = `${token}\n${expires}`;
    let out = "";
    for (let k = 0; k < 4; k++) {
      let h = (0x811c9dc5 ^ Math.imul(this.#key + k, 0x9e3779b1)) >>> 0;
      for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
      h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
      h = Math.imul(h ^ (h >>> 12), 0x297a2d39);
      out += ((h ^ (h >>> 15)) >>> 0).toString(16).padStart(8, "0");
    }
    return out;
  }
  verify(token: string, expires: number, signature: string): boolean {
    return this.sign(token, expires) === signature.toLowerCase();
  }
}

const CHUNK = 64 * 1024;

function headerFor(contentType: string, token: string): Uint8Array {
  const text = contentType === "application/pdf"
    ? `%PDF-1.4\n%sandbox ${token}\n`
    : contentType === "application/zip"
    ? `PK\u0003\u0004sandbox ${token}\n`
    : `sandbox file ${token}\n`;
  return new TextEncoder().encode(text);
}

/** Fill `out` with the file's bytes from byte `offset` on (offset must be CHUNK-aligned). */
function fillChunk(out: Uint8Array, offset: number, header: Uint8Array, rng: Rng): void {
  for (let i = 0; i < out.length; i += 4) {
    const v = rng.u32();
    out[i] = v & 0xff;
    if (i + 1 < out.length) out[i + 1] = (v >>> 8) & 0xff;
    if (i + 2 < out.length) out[i + 2] = (v >>> 16) & 0xff;
    if (i + 3 < out.length) out[i + 3] = (v >>> 24) & 0xff;
  }
  if (offset < header.length) out.set(header.subarray(offset, offset + out.length));
}

/** The file's bytes as chunks, generated lazily. */
export function* fileChunks(
  seed: number,
  token: string,
  spec: FileSpec,
): Generator<Uint8Array> {
  const header = headerFor(spec.contentType, token);
  const rng = new Rng(hashString(`${seed}:${token}:${spec.salt}`));
  for (let offset = 0; offset < spec.size; offset += CHUNK) {
    const out = new Uint8Array(Math.min(CHUNK, spec.size - offset));
    fillChunk(out, offset, header, rng);
    yield out;
  }
}

/** A ReadableStream of the file's bytes (pull-based: memory stays at one chunk). */
export function fileStream(
  seed: number,
  token: string,
  spec: FileSpec,
): ReadableStream<Uint8Array> {
  const chunks = fileChunks(seed, token, spec);
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = chunks.next();
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
    cancel() {
      chunks.return(undefined);
    },
  }, { highWaterMark: 0 });
}

/** All bytes of a (small) file. */
export function fileBytes(seed: number, token: string, spec: FileSpec): Uint8Array {
  const out = new Uint8Array(spec.size);
  let offset = 0;
  for (const chunk of fileChunks(seed, token, spec)) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

/** Hex sha256 of a file, computed chunk by chunk (fine for huge files). */
export function fileSha256(seed: number, token: string, spec: FileSpec): string {
  const hash = createHash("sha256");
  for (const chunk of fileChunks(seed, token, spec)) hash.update(chunk);
  return hash.digest("hex");
}

/** S3-style XML error body. */
export function s3Error(code: string, message: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}` +
    `</Message><RequestId>SANDBOX</RequestId><HostId>sandbox</HostId></Error>`;
}
