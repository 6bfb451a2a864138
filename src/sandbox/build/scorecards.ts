/**
 * Scorecard records (up to two per application): an interview of the application's job's plan
 * (interview_plan.ts), its kit's questions answered and the job's attributes rated, so v3's
 * scorecard answers and attribute ratings (scorecard_lists.ts) are these same facts.
 */
import type { ApiRecord } from "../../entities.ts";
import { DAY_MS, iso } from "../dates.ts";
import { idOf } from "../ids.ts";
import { mix, Rng } from "../prng.ts";
import * as V from "../vocab.ts";
import * as P from "./interview_plan.ts";
import { randomUserRef } from "./users.ts";
import type { TenantView } from "./view.ts";

const RATINGS = ["definitely_not", "no", "mixed", "yes", "strong_yes"] as const;

/** The answer an interviewer gave question `n` of the kit, as v1 writes it (text). */
function answerText(r: Rng, question: P.PlanQuestion): string {
  switch (question.answer_type) {
    case "single_select":
      // Never the removed last option.
      return question.options[r.int(question.options.length - 1)];
    case "yes_no":
      return r.chance(0.7) ? "Yes" : "No";
    default:
      return r.chance(0.3) ? 'Strong, "really" strong\nsystems thinking' : "Seems a good fit.";
  }
}

export function buildScorecard(t: TenantView, q: number): ApiRecord {
  const sk = t.skeleton;
  const s = sk.applicationOf(q);
  const r = new Rng(mix(t.seed, 18, q));
  const created = sk.scorecardCreated(q);
  const attrs = P.ATTRIBUTES.map(({ name, type }) => ({
    name,
    type,
    note: r.chance(0.2) ? 'Great, "really" great\ncommunicator' : null,
    rating: r.pick([...RATINGS, "no_decision"]),
  }));
  const byRating: ApiRecord = {};
  for (const k of RATINGS) byRating[k] = attrs.filter((a) => a.rating === k).map((a) => a.name);
  // A scored interview: one of the schedulable stages of the application's job.
  const k = 1 + r.int(P.INTERVIEW_STAGES - 1);
  const j = sk.applicationJobs(s)[0] ?? 0;
  const step = V.STAGES[k];
  const keyTakeAways = r.chance(0.3) ? "" : "Seems decent.";
  const kitAnswers = P.QUESTIONS.flatMap((question, n) =>
    question.active
      ? [{
        id: P.questionId(j, k, n),
        question: question.question,
        answer: answerText(r, question),
      }]
      : []
  );
  return {
    id: idOf("scorecard", q),
    updated_at: iso(sk.scorecardUpdated(q)),
    created_at: iso(created),
    interview: step,
    interview_step: { id: P.jobInterviewId(j, k), name: step },
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
      { id: null, question: "Key Take-Aways", answer: keyTakeAways },
      { id: null, question: "Private Notes", answer: "" },
      ...kitAnswers,
    ],
  };
}
