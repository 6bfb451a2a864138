/**
 * What `doctor` asks, from the entity table alone: the first page of every list the API version
 * has (with the list's own parameters), then the lists sync's candidate-dependent steps read
 * (v3: notes and attachments; v1: one candidate's activity feed). A new row of the table is a
 * new probe; nothing here names an entity.
 */
import {
  type ApiVersion,
  ENTITIES,
  entityListParams,
  type EntityName,
  entityNamesFor,
  entityPath,
} from "../entities.ts";
import type { Dialect } from "../harvest/mod.ts";
import { listPermission } from "../privacy/ping.ts";
import { schemaFor } from "../schemas/mod.ts";
import type { Schema } from "../schemas/mod.ts";

export interface Probe {
  /** The entity, or the sync step the list serves ("activity_feeds", "attachments"). */
  list: string;
  /** The path as shown: the list path, `{id}` standing for the candidate's. */
  path: string;
  params: Record<string, string>;
  /** A default sync fails when this list fails (false: it reports it unavailable). */
  required: boolean;
  /** The permission (v1) or scope (v3) the list needs. */
  permission: string;
  /** The schema its records are checked against (none for the dependent lists). */
  schema?: Schema;
  /** The path needs a candidate id (v1's activity feed): the first candidate listed. */
  perCandidate?: (id: number) => string;
  /** Where the records name attachment files (v3 attachments, v1 candidates). */
  namesFiles?: boolean;
}

/** The probes for this dialect, in the entity table's order, then the dependent lists. */
export function probesFor(dialect: Dialect, perPage: number): Probe[] {
  const version: ApiVersion = dialect.version;
  const page = (params: Record<string, string>) => ({ ...params, per_page: String(perPage) });
  const probes: Probe[] = entityNamesFor(version).map((name: EntityName) => {
    const entity = ENTITIES[name];
    return {
      list: name,
      path: entityPath(entity, dialect),
      params: page(entityListParams(entity, dialect)),
      required: !entity.optional,
      permission: listPermission(version, name),
      schema: schemaFor(name, version),
      namesFiles: version === "v1" && name === "candidates",
    };
  });
  const batch = dialect.candidateBatch;
  if (batch) {
    const scope = (path: string) => `harvest:${path.split("/")[1]}:list`;
    probes.push(
      {
        list: "activity_feeds",
        path: batch.notesPath,
        params: page({}),
        required: true,
        permission: scope(batch.notesPath),
      },
      {
        list: "attachments",
        path: batch.attachmentsPath,
        params: page({}),
        required: true,
        permission: scope(batch.attachmentsPath),
        namesFiles: true,
      },
    );
  } else {
    probes.push({
      list: "activity_feeds",
      path: "/candidates/{id}/activity_feed",
      params: {},
      required: true,
      permission: "Get: Retrieve Activity Feed",
      perCandidate: (id) => `/candidates/${id}/activity_feed`,
    });
  }
  return probes;
}
