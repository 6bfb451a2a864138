/** Job records, with departments, offices, hiring team and openings embedded as in v1. */
import type { ApiRecord } from "../../entities.ts";
import { clone } from "../clone.ts";
import { DAY_MS, iso } from "../dates.ts";
import { idOf } from "../ids.ts";
import { mix, Rng } from "../prng.ts";
import * as V from "../vocab.ts";
import { randomUserRef } from "./users.ts";
import type { TenantView } from "./view.ts";

/** Job names repeat with a " #2", " #3" … suffix once the vocabulary runs out. */
export function jobName(j: number): string {
  const base = V.JOB_NAMES[j % V.JOB_NAMES.length];
  return j < V.JOB_NAMES.length ? base : `${base} #${Math.floor(j / V.JOB_NAMES.length) + 1}`;
}

export function buildJob(t: TenantView, j: number): ApiRecord {
  const sk = t.skeleton;
  const r = new Rng(mix(t.seed, 16, j));
  const created = sk.jobCreated(j);
  const status = sk.jobStatus(j);
  const opened = status === "draft" ? null : created + r.int(5) * DAY_MS;
  const closed = status === "closed" ? (opened ?? created) + r.range(10, 200) * DAY_MS : null;
  const team = (responsible: boolean) =>
    Array.from({ length: r.int(3) }, (_, n) => {
      const ref = randomUserRef(r, t.users);
      return responsible ? { ...ref, responsible: n === 0 } : ref;
    });
  const min = 50_000 + r.int(50) * 1000;
  return {
    id: idOf("job", j),
    name: jobName(j),
    requisition_id: r.chance(0.7) ? `REQ-${1000 + j}` : null,
    notes: r.chance(0.5) ? "<p>Resistance to electro-magnetic radiation a plus!</p>" : null,
    confidential: r.chance(0.1),
    status,
    created_at: iso(created),
    opened_at: opened === null ? null : iso(opened),
    closed_at: closed === null ? null : iso(closed),
    updated_at: iso(sk.jobUpdated(j)),
    is_template: r.chance(0.1) ? true : r.chance(0.2) ? null : false,
    copied_from_id: j > 0 && r.chance(0.2) ? idOf("job", r.int(j)) : null,
    departments: [clone(r.pick(V.DEPARTMENTS))],
    offices: r.chance(0.8) ? [clone(r.pick(V.OFFICES))] : [],
    custom_fields: {
      employment_type: "Full-Time",
      salary_range: { min_value: min, max_value: min + 20_000, unit: "USD" },
    },
    keyed_custom_fields: {
      employment_type: { name: "Time type", type: "single_select", value: "Full-Time" },
      salary_range: {
        name: "Salary Range",
        type: "currency_range",
        value: { min_value: min, max_value: min + 20_000, unit: "USD" },
      },
    },
    hiring_team: {
      hiring_managers: team(false),
      recruiters: team(true),
      coordinators: team(true),
      sourcers: team(false),
    },
    openings: Array.from({ length: 1 + r.int(2) }, (_, n) => {
      const closedOpening = status === "closed" || (n > 0 && r.chance(0.5));
      return {
        id: idOf("opening", j, n),
        opening_id: r.chance(0.8) ? `${j}-${n + 1}` : null,
        status: closedOpening ? "closed" : "open",
        opened_at: iso(created + n * 1000),
        closed_at: closedOpening ? iso(closed ?? created + 30 * DAY_MS) : null,
        application_id: null,
        close_reason: closedOpening ? { id: 689, name: "Hired" } : null,
      };
    }),
  };
}
