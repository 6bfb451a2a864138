/** Offer records (one version per application that has an offer). */
import type { ApiRecord } from "../../entities.ts";
import { DAY_MS, iso, isoDate } from "../dates.ts";
import { idOf } from "../ids.ts";
import { mix, Rng } from "../prng.ts";
import type { TenantView } from "./view.ts";

export function buildOffer(t: TenantView, s: number): ApiRecord {
  const sk = t.skeleton;
  const r = new Rng(mix(t.seed, 17, s));
  const created = sk.offerCreated(s);
  const status = sk.offerStatus(s);
  const updated = sk.offerUpdated(s);
  const job = sk.applicationJobs(s)[0] ?? 0;
  const sent = status === "unresolved" && r.chance(0.5) ? null : isoDate(created + DAY_MS);
  const salary = r.chance(0.5) ? { value: 40_000 + r.int(80) * 1000, currency: "EUR" } : null;
  const seasons = r.chance(0.5) ? ["Season 1", "Season 2"] : null;
  return {
    id: idOf("offer", s),
    version: 1,
    application_id: idOf("application", s),
    job_id: idOf("job", job),
    candidate_id: idOf("candidate", sk.candidateOf(s)),
    opening: r.chance(0.5)
      ? {
        id: idOf("opening", job),
        opening_id: `${job}-1`,
        status: "open",
        opened_at: iso(sk.jobCreated(job)),
        closed_at: null,
        application_id: null,
        close_reason: null,
      }
      : null,
    created_at: iso(created),
    updated_at: iso(updated),
    sent_at: sent,
    resolved_at: status === "unresolved" ? null : iso(updated),
    starts_at: isoDate(created + r.range(20, 90) * DAY_MS),
    status,
    custom_fields: { employment_type: "Full-Time", best_seasons: seasons, salary },
    keyed_custom_fields: {
      time_type: { name: "Employment Type", type: "single_select", value: "Full-Time" },
      best_seasons: { name: "Best seasons", type: "multi_select", value: seasons },
      salary: { name: "Salary", type: "currency", value: salary },
    },
  };
}
