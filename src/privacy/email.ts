/**
 * The data subject's e-mail address: how it is normalised, compared, and recorded (as a hash,
 * never in clear).
 */
import { createHash } from "node:crypto";
import type { ApiRecord } from "../entities.ts";

/** Trimmed and lower-cased: the form searched for, compared and hashed. */
export function normalizeEmail(address: string): string {
  return address.trim().toLowerCase();
}

/** Hex SHA-256 of the normalised address: what the privacy log keeps instead of the address. */
export function emailSha256(address: string): string {
  return createHash("sha256").update(normalizeEmail(address)).digest("hex");
}

/** Whether any of the candidate's `email_addresses[].value` equals the address, normalised. */
export function carriesEmail(candidate: ApiRecord, address: string): boolean {
  return carriesEmailHash(candidate, emailSha256(address));
}

/** The same, knowing only the address's `emailSha256` (as the privacy files keep it). */
export function carriesEmailHash(candidate: ApiRecord, sha256: string): boolean {
  const list = Array.isArray(candidate?.email_addresses) ? candidate.email_addresses : [];
  return list.some((entry: ApiRecord) =>
    typeof entry?.value === "string" && emailSha256(entry.value) === sha256
  );
}
