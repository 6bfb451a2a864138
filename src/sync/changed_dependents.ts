/**
 * Harvest v3: the candidates whose notes or attachments changed since a time, read from the
 * notes and attachments lists themselves (`GET /v3/notes?updated_at=gte|…`,
 * `GET /v3/attachments?updated_at=gte|…`, no candidate filter), as Airbyte's v3 connector reads
 * them (github.com/airbytehq/airbyte, airbyte-integrations/connectors/source-greenhouse:
 * manifest.yaml streams `activity_feed` and `attachments`; AGENTS.md: "/v3/notes … list every
 * record without a parent filter"). A new note or e-mail moves a candidate's `last_activity_at`,
 * not necessarily its `updated_at`, so the candidates step alone would miss it.
 *
 * Only `updated_at` is sent (a v3 list never takes it together with `created_at`); a new note or
 * file has an `updated_at` at least its `created_at`, so it is found as well as an edited one.
 */
import type { HarvestClient } from "../harvest/mod.ts";
import { positiveId } from "../ids.ts";

/** Which list tells that a dependent step's data changed. */
export type ChangeList = "notes" | "attachments";

/**
 * The candidate ids named by the records of `list` updated at or after `since`; undefined when
 * the API version has no such list (v1: there the candidates step finds the changes).
 */
export async function candidatesChangedSince(
  client: HarvestClient,
  list: ChangeList,
  since: Date,
): Promise<Set<number> | undefined> {
  const batch = client.dialect.candidateBatch;
  if (!batch) return undefined;
  const path = list === "notes" ? batch.notesPath : batch.attachmentsPath;
  const ids = new Set<number>();
  // The v1 filter name is only the table's vocabulary; the v3 dialect sends `updated_at`.
  const params = client.dialect.updatedSince("updated_after", since);
  for await (const page of client.paginateLazily(path, params)) {
    for (const record of page.records.values()) {
      // An attachment whose application's candidate cannot be resolved names none (null).
      const id = positiveId((record as { candidate_id?: unknown } | null)?.candidate_id);
      if (id !== undefined) ids.add(id);
    }
    page.records.release();
  }
  return ids;
}
