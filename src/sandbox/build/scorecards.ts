/** Scorecard records (up to two per application). */
import type { ApiRecord } from "../../entities.ts";
import { DAY_MS, iso } from "../dates.ts";
import { idOf } from "../ids.ts";
import { mix, Rng } from "../prng.ts";
import * as V from "../vocab.ts";
import { randomUserRef } from "./users.ts";
import type { TenantView } from "./view.ts";

const RATINGS = ["definitely_not", "no", "mixed", "yes", "strong_yes"] as const;

export function buildScorecard(t: TenantView, q: number): ApiRecord {
  const sk = t.skeleton;
  const s = sk.applicationOf(q);
  const r = new Rng(mix(t.seed, 18, q));
  const created = sk.scorecardCreated(q);
  const attrs = ["Communication", "Adaptable", "Problem Solver", "Analytical"].map((name) => ({
    name,
    type: r.chance(0.5) ? "Skills" : "Qualifications",
    note: r.chance(0.2) ? 'Great, "really" great\ncommunicator' : null,
    rating: r.pick([...RATINGS, "no_decision"]),
  }));
  const byRating: ApiRecord = {};
  for (const k of RATINGS) byRating[k] = attrs.filter((a) => a.rating === k).map((a) => a.name);
  const step = r.pick(V.STAGES);
  return {
    id: idOf("scorecard", q),
    updated_at: iso(sk.scorecardUpdated(q)),
    created_at: iso(created),
    interview: step,
    interview_step: { id: 432 + V.STAGES.indexOf(step), name: step },
    candidate_id: idOf("candidate", sk.candidateOf(s)),
    application_id: idOf("application", s),
    interviewed_at: iso(created - DAY_MS),
    submitted_by: randomUserRef(r, t.users),
    interviewer: randomUserRef(r, t.users),
    submitted_at: iso(created),
    overall_recommendation: r.pick(["definitely_not", "no", "yes", "strong_yes", "no_decision"]),
    attributes: attrs,
    ratings: byRating,
    questions: [
      { id: null, question: "Key Take-Aways", answer: r.chance(0.3) ? "" : "Seems decent." },
      { id: null, question: "Private Notes", answer: "" },
      {
        id: 1_234_567,
        question: "Does the candidate have experience designing <b>APIs</b>?",
        answer: "Yes",
      },
    ],
  };
}
