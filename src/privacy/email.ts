/**
 * The data subject's e-mail address: how it is normalised, compared, and recorded. The privacy
 * files never hold an address: they hold its HMAC-SHA-256 under the cache's key
 * (address_key.ts). Entries written before the key existed hold a plain SHA-256 instead; both
 * are still read.
 */
import { createHash, createHmac } from "node:crypto";
import type { ApiRecord } from "../entities.ts";

/** Trimmed and lower-cased: the form searched for, compared and hashed. */
export function normalizeEmail(address: string): string {
  return address.trim().toLowerCase();
}

/** Hex HMAC-SHA-256 of the normalised address under the cache's key: what is recorded. */
export function emailHmac(key: Uint8Array, address: string): string {
  return createHmac("sha256", key).update(normalizeEmail(address)).digest("hex");
}

/** Hex SHA-256 of the normalised address: what older versions recorded (read, never written). */
export function emailSha256(address: string): string {
  return createHash("sha256").update(normalizeEmail(address)).digest("hex");
}

/** How a privacy file names an address: its keyed hash, or (older entries) its SHA-256. */
export interface AddressDigest {
  email_hmac?: string;
  email_sha256?: string;
}

/** Whether `digest` names `address` (the keyed form needs the key; without it, it cannot match). */
export function digestNames(
  digest: AddressDigest,
  address: string,
  key: Uint8Array | undefined,
): boolean {
  if (typeof digest.email_hmac === "string") {
    return key !== undefined && digest.email_hmac === emailHmac(key, address);
  }
  return typeof digest.email_sha256 === "string" && digest.email_sha256 === emailSha256(address);
}

/** The candidate's `email_addresses[].value` strings. */
export function emailsOf(candidate: ApiRecord): string[] {
  const list = Array.isArray(candidate?.email_addresses) ? candidate.email_addresses : [];
  return list.flatMap((entry: ApiRecord) => typeof entry?.value === "string" ? [entry.value] : []);
}

/** Whether any of the candidate's `email_addresses[].value` equals the address, normalised. */
export function carriesEmail(candidate: ApiRecord, address: string): boolean {
  const wanted = normalizeEmail(address);
  return emailsOf(candidate).some((value) => normalizeEmail(value) === wanted);
}

/** The same, knowing only the address's digest (as the privacy files keep it). */
export function carriesDigest(
  candidate: ApiRecord,
  digest: AddressDigest,
  key: Uint8Array | undefined,
): boolean {
  return emailsOf(candidate).some((value) => digestNames(digest, value, key));
}
