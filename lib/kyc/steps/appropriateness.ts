/**
 * The CFD appropriateness assessment (MiFID II Art. 25(3)): does the trader have the knowledge
 * and experience to understand the risks of leveraged products? Experience questions score
 * points; knowledge questions have one right answer each. The product is appropriate when
 * enough knowledge questions are right and the total reaches the pass mark.
 *
 * When it is not appropriate the trader sees a clear warning and may continue only by
 * acknowledging it (ESMA allows proceeding after a warning). The answers, the score, the
 * result, the questionnaire version and the acknowledgment are kept as evidence.
 */
import {
  choice,
  parseWithSchema,
  postedText,
  stepObject,
  type FieldSpec,
  type StepParse,
  type StepValues,
} from "./fields";

export const QUESTIONNAIRE_VERSION = "2026-11";

/** Each question: its options in display order with the points each earns. */
export const QUESTIONS = {
  experienceYears: { none: 0, under_1y: 1, "1_3y": 2, over_3y: 3 },
  tradesLastYear: { none: 0, "1_10": 1, "11_50": 2, over_50: 3 },
  qualification: { none: 0, education: 1, profession: 2 },
  // Knowledge: the right answer earns 2 points, the others none.
  leverageMargin: { margin_100: 2, margin_1000: 0, margin_10000: 0 },
  marginCall: { positions_closed: 2, nothing_happens: 0, broker_covers: 0 },
  riskOfLoss: { lose_quickly: 2, guaranteed_return: 0, capital_protected: 0 },
} as const satisfies Record<string, Record<string, number>>;
type QuestionId = keyof typeof QUESTIONS;

const KNOWLEDGE: readonly QuestionId[] = ["leverageMargin", "marginCall", "riskOfLoss"];
export const PASS_SCORE = 7;
export const MIN_KNOWLEDGE_CORRECT = 2;
export const MAX_SCORE = Object.values(QUESTIONS).reduce(
  (sum, options) => sum + Math.max(...Object.values(options)),
  0,
);

export const NOT_APPROPRIATE_WARNING = "notAppropriate";

export const appropriatenessFields: readonly FieldSpec[] = [
  ...(Object.keys(QUESTIONS) as QuestionId[]).map((name): FieldSpec => ({
    name,
    kind: "radio",
    options: Object.keys(QUESTIONS[name]),
    required: true,
  })),
  { name: "acknowledgeWarning", kind: "acknowledge", onWarning: NOT_APPROPRIATE_WARNING },
];

export type AppropriatenessData = {
  answers: Record<QuestionId, string>;
  score: number;
  maxScore: number;
  knowledgeCorrect: number;
  result: "appropriate" | "not_appropriate";
  warningAcknowledged: boolean;
  questionnaireVersion: string;
  assessedAt: string;
};

export function scoreAppropriateness(answers: Record<QuestionId, string>): {
  score: number;
  knowledgeCorrect: number;
  appropriate: boolean;
} {
  let score = 0;
  let knowledgeCorrect = 0;
  for (const id of Object.keys(QUESTIONS) as QuestionId[]) {
    const points = (QUESTIONS[id] as Record<string, number>)[answers[id]] ?? 0;
    score += points;
    if (KNOWLEDGE.includes(id) && points > 0) knowledgeCorrect += 1;
  }
  return {
    score,
    knowledgeCorrect,
    appropriate: score >= PASS_SCORE && knowledgeCorrect >= MIN_KNOWLEDGE_CORRECT,
  };
}

/** The questions in display order. */
export const QUESTION_IDS = Object.keys(QUESTIONS) as [QuestionId, ...QuestionId[]];

/**
 * The answers, scored. Only a complete, valid set of answers is scored: the acknowledgment is
 * asked for (an issue on `acknowledgeWarning`) once the answers are right and the result is
 * "not appropriate".
 */
export function appropriatenessSchema(now: Date) {
  const answers = Object.fromEntries(
    QUESTION_IDS.map((id) => [id, choice(Object.keys(QUESTIONS[id]))]),
  ) as Record<QuestionId, ReturnType<typeof choice>>;
  return stepObject(appropriatenessFields, {
    ...answers,
    acknowledgeWarning: postedText.transform((value) => value === "yes"),
  })
    .transform(({ acknowledgeWarning, ...answers }): AppropriatenessData => {
      const { score, knowledgeCorrect, appropriate } = scoreAppropriateness(answers);
      return {
        answers,
        score,
        maxScore: MAX_SCORE,
        knowledgeCorrect,
        result: appropriate ? "appropriate" : "not_appropriate",
        warningAcknowledged: !appropriate && acknowledgeWarning,
        questionnaireVersion: QUESTIONNAIRE_VERSION,
        assessedAt: now.toISOString(),
      };
    })
    .refine((data) => data.result === "appropriate" || data.warningAcknowledged, {
      error: "mustAcknowledge",
      path: ["acknowledgeWarning"],
    });
}

export function parseAppropriateness(
  values: StepValues,
  now: Date,
): StepParse<AppropriatenessData> {
  const parsed = parseWithSchema(appropriatenessSchema(now), values);
  const warned = parsed.ok
    ? parsed.data.result === "not_appropriate"
    : parsed.errors.acknowledgeWarning === "mustAcknowledge";
  return warned ? { ...parsed, warning: NOT_APPROPRIATE_WARNING } : parsed;
}
