/** Application records (candidate and prospect), as listed and as embedded in their candidate. */
import type { ApiRecord } from "../../entities.ts";
import { clone } from "../clone.ts";
import { DAY_MS, iso } from "../dates.ts";
import { idOf } from "../ids.ts";
import { mix, Rng } from "../prng.ts";
import * as V from "../vocab.ts";
import { attachmentJson, offerPacket } from "./attachments.ts";
import { jobName } from "./jobs.ts";
import { randomUserRef } from "./users.ts";
import type { TenantView } from "./view.ts";

/** Application s; `full` = as the applications list has it, else as embedded in a candidate. */
export function buildApplication(t: TenantView, s: number, full: boolean): ApiRecord {
  const sk = t.skeleton;
  const r = new Rng(mix(t.seed, 15, s));
  const prospect = sk.isProspect(s);
  const status = sk.applicationStatus(s);
  const applied = sk.applicationCreated(s);
  const jobs = sk.applicationJobs(s).map((j) => ({ id: idOf("job", j), name: jobName(j) }));
  const rejected = status === "rejected";
  const packet = offerPacket(t, s);
  const pool = prospect ? V.PROSPECT_POOLS[r.int(V.PROSPECT_POOLS.length)] : null;
  const stage = pool?.prospect_stages.length ? pool.prospect_stages[0] : null;
  const userRef = () => randomUserRef(r, t.users);
  const rec: ApiRecord = {
    id: idOf("application", s),
    candidate_id: idOf("candidate", sk.candidateOf(s)),
    prospect,
    applied_at: iso(applied),
    rejected_at: rejected ? iso(applied + r.range(1, 30) * DAY_MS) : null,
    last_activity_at: iso(t.applicationLastActivity(s)),
    location: prospect || r.chance(0.3) ? null : { address: "New York, New York, USA" },
    source: (() => {
      const src = r.pick(V.SOURCES);
      return { id: src.id, public_name: src.name };
    })(),
    credited_to: r.chance(0.7) ? userRef() : null,
    recruiter: r.chance(0.5) ? userRef() : null,
    coordinator: r.chance(0.3) ? userRef() : null,
    rejection_reason: rejected ? clone(r.pick(V.REJECTION_REASONS)) : null,
    rejection_details: rejected
      ? {
        custom_fields: { custom_rejection_question_field: "Not a good fit" },
        keyed_custom_fields: {
          custom_rejection_question_field: {
            name: "Was this candidate a good fit?",
            type: "short_text",
            value: "Not a good fit",
          },
        },
      }
      : null,
    jobs,
    job_post_id: !prospect && r.chance(0.7) ? 700_000_003 + (jobs[0]?.id ?? 0) % 100_000 : null,
    status,
    current_stage: prospect || jobs.length === 0
      ? null
      : { id: 62_828 + r.int(V.STAGES.length), name: r.pick(V.STAGES) },
    answers: prospect || r.chance(0.4) ? [] : [
      {
        question: "Why do you want to work for us?",
        answer: 'I heard you\'re awesome, "really"!',
      },
      { question: "Willing to relocate?", answer: r.chance(0.5) ? "Yes" : "No" },
    ],
    // Every prospect has both (v3's prospect details require them).
    prospective_office: prospect ? clone(V.OFFICES[r.chance(0.5) ? 0 : 1]) : null,
    prospective_department: prospect ? clone(V.DEPARTMENTS[r.chance(0.5) ? 2 : 0]) : null,
    prospect_detail: {
      prospect_pool: pool ? { id: pool.id, name: pool.name } : null,
      prospect_stage: stage ? clone(stage) : null,
      prospect_owner: prospect ? (({ id, name }) => ({ id, name }))(userRef()) : null,
    },
    custom_fields: {},
    keyed_custom_fields: {},
    attachments: packet ? [attachmentJson(t, { kind: "p", index: s, n: 0 }, packet)] : [],
  };
  const custom = r.chance(0.5) ? "Option 1" : null;
  rec.custom_fields = { application_custom_test: custom };
  rec.keyed_custom_fields = {
    application_custom_test: {
      name: "Application Custom Test",
      type: "single_select",
      value: custom,
    },
  };
  if (!full) {
    delete rec.custom_fields;
    delete rec.keyed_custom_fields;
    // Keep the documented key order: attachments last.
    const att = rec.attachments;
    delete rec.attachments;
    rec.attachments = att;
  }
  return rec;
}
