/** How a classification is stored (jsonb). The same shape the triage ruleset returns. */
export type StoredLevel = 'routine' | 'worrying';

export interface StoredReason {
  code: string;
  kind: 'critical' | 'aggravating';
  weight: number | null;
  source: string;
}

export interface StoredClassification {
  level: StoredLevel;
  score: number;
  reasons: StoredReason[];
  rulesetVersion: string;
  evaluatedAt: string;
  nextReviewAt: string | null;
}
