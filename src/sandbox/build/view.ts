/**
 * What the record builders read from the tenant. Builders are pure functions of this view and a
 * slot, so the same seed and the same writes give the same records.
 */
import type { ApiRecord } from "../../entities.ts";
import type { FileRef } from "../files.ts";
import type { Overlay } from "../overlay.ts";
import type { Skeleton } from "../skeleton.ts";

export interface TenantView {
  readonly seed: number;
  readonly skeleton: Skeleton;
  /** All users, in slot order (the last one disabled). */
  readonly users: readonly ApiRecord[];
  /** Exact size of every generated attachment; undefined = 2–20 KB varying. */
  readonly attachmentBytes: number | undefined;
  /** Size of the one huge attachment (0 = none). */
  readonly hugeAttachmentBytes: number;
  /** What writes changed on candidate i, if anything. */
  overlayOf(i: number): Readonly<Overlay> | undefined;
  /** updated_at of candidate i, writes included. */
  candidateUpdated(i: number): number;
  /** last_activity_at of application s, writes to its candidate included. */
  applicationLastActivity(s: number): number;
  /** Lower-cased email addresses of candidate i, writes included. */
  candidateEmails(i: number): string[];
  /** A signed URL for a file, valid for the attachment lifetime from now. */
  signedUrl(ref: FileRef): string;
}
