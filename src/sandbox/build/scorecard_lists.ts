/**
 * v3's lists of what a v1 scorecard embeds: its answers to the kit's questions (answer options for
 * the select question), and its ratings of the job's candidate attributes. Built from the v1
 * scorecard (scorecards.ts), so both versions hold the same answers: v1's answer text is v3's
 * `answer` (text questions), `boolean_value` (yes/no) or chosen option (single select; its name is
 * v1's text). The scorecard's "Key Take-Aways" and "Private Notes" are v3 scorecard fields
 * (`notes`, `private_notes`), not answers.
 *
 * Slots: scorecard q owns slots q × K … q × K + K - 1 (K per list below), created with it.
 */
import type { ApiRecord } from "../../entities.ts";
import { idOf } from "../ids.ts";
import * as P from "./interview_plan.ts";
import { buildScorecard } from "./scorecards.ts";
import type { TenantView } from "./view.ts";

/** The kit's questions a scorecard answers (the active ones), by their QUESTIONS index. */
const ANSWERED = P.QUESTIONS.flatMap((q, n) => q.active ? [n] : []);
/** The answer slot of the select question. */
const SELECT_ANSWER = ANSWERED.indexOf(P.SELECT_QUESTION);

/** Slots each scorecard owns in each list. */
export const PER_SCORECARD = {
  answers: ANSWERED.length,
  answerOptions: 1,
  attributes: P.ATTRIBUTES.length,
} as const;

const scorecardOf = (slot: number, per: number) => Math.floor(slot / per);

export const scorecardListExists = (per: number) => (t: TenantView, slot: number) => {
  const q = scorecardOf(slot, per);
  return q < t.skeleton.applicationSlots() * 2 && t.skeleton.scorecardExists(q);
};

export const scorecardListCreated = (per: number) => (t: TenantView, slot: number) =>
  t.skeleton.scorecardCreated(scorecardOf(slot, per));

export const scorecardListUpdated = (per: number) => (t: TenantView, slot: number) =>
  t.skeleton.scorecardUpdated(scorecardOf(slot, per));

/** The scorecard, the stage it scored (job j, stage k) and its answer to kit question `n`. */
function scored(t: TenantView, q: number) {
  const card = buildScorecard(t, q);
  const { j, k } = P.ofJobInterview(card.interview_step.id)!;
  const answerTo = (n: number): string =>
    (card.questions as ApiRecord[]).find((x) => x.id === P.questionId(j, k, n))?.answer;
  return { card, j, k, answerTo };
}

const times = (card: ApiRecord) => ({ created_at: card.created_at, updated_at: card.updated_at });

/** v3 scorecard question answer: one of the v1 scorecard's kit answers. */
export function buildAnswerV3(t: TenantView, slot: number): ApiRecord {
  const q = scorecardOf(slot, PER_SCORECARD.answers);
  const a = slot % PER_SCORECARD.answers;
  const n = ANSWERED[a];
  const { card, j, k, answerTo } = scored(t, q);
  const question = P.QUESTIONS[n];
  const text = answerTo(n);
  const shaped = question.answer_type === "text"
    ? { answer: text, answer_with_tags: text, boolean_value: null, value: text }
    : question.answer_type === "yes_no"
    ? { answer: null, answer_with_tags: null, boolean_value: text === "Yes", value: text === "Yes" }
    : {
      answer: null,
      answer_with_tags: null,
      boolean_value: null,
      value: P.optionId(j, k, question.options.indexOf(text)),
    };
  return {
    id: idOf("scorecardAnswer", q, a),
    scorecard_id: card.id,
    scorecard_question_id: P.questionId(j, k, n),
    ...shaped,
    ...times(card),
  };
}

/** v3 scorecard question answer option: the option chosen in the select question's answer. */
export function buildAnswerOptionV3(t: TenantView, q: number): ApiRecord {
  const { card, j, k, answerTo } = scored(t, q);
  const question = P.QUESTIONS[P.SELECT_QUESTION];
  return {
    id: idOf("answerOption", q),
    scorecard_question_option_id: P.optionId(
      j,
      k,
      question.options.indexOf(answerTo(P.SELECT_QUESTION)),
    ),
    scorecard_question_answer_id: idOf("scorecardAnswer", q, SELECT_ANSWER),
    ...times(card),
  };
}

/** v3 scorecard candidate attribute: one of the v1 scorecard's attribute ratings. */
export function buildAttributeRatingV3(t: TenantView, slot: number): ApiRecord {
  const q = scorecardOf(slot, PER_SCORECARD.attributes);
  const a = slot % PER_SCORECARD.attributes;
  const { card, j } = scored(t, q);
  const attribute = card.attributes[a];
  return {
    id: idOf("scorecardAttribute", q, a),
    scorecard_id: card.id,
    candidate_attribute_rating: attribute.rating,
    job_candidate_attribute_id: P.jobAttributeId(j, a),
    note: attribute.note,
    value: attribute.rating,
    ...times(card),
  };
}
