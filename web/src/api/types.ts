// Types of the HTTP API, as documented in docs/api.md (the contract with src/tinydata/http).

import type { AnswerValue } from '../lib/answer_queue';

export type Role = 'annotator' | 'requester' | 'verifier' | 'admin';

export interface User {
  id: number;
  email: string;
  display_name: string;
  roles: Role[];
  level: number;
  xp: number;
  referral_code: string;
  created_at: string;
}

export interface Session {
  user: User;
  token: string;
}

export type QuestionType = 'single_choice' | 'multi_choice' | 'numeric' | 'text';

export interface QuestionOption {
  value: string;
  label: string;
}

export interface Question {
  type: QuestionType;
  options?: QuestionOption[];
  min?: number;
  max?: number;
  step?: number;
}

export const DOMAINS = ['general', 'driving', 'games', 'film', 'medical', 'technology'] as const;
export type Domain = (typeof DOMAINS)[number];

export interface Overlap {
  min_answers: number;
  max_answers: number;
  target_confidence: number;
}

export interface ProjectInput {
  title: string;
  instructions: string;
  question: Question;
  domain: Domain;
  tier: 1 | 2 | 3;
  min_level: number;
  overlap: Overlap;
  reward_aia: number;
  gold_rate: number;
}

export interface Project extends ProjectInput {
  id: number;
  owner_id: number;
  status: 'active' | 'paused';
  created_at: string;
  budget_aia?: number;
}

export type TaskFormat = 'jsonl' | 'csv' | 'labelstudio';

export interface ImportResult {
  imported: number;
  gold: number;
  /** Of the gold items, how many are training items (they explain their answer). */
  training: number;
}

export interface RowError {
  line: number;
  field?: string;
  message: string;
}

export interface Stats {
  tasks: { total: number; open: number; retired: number; gold: number };
  answers: number;
  completion: number;
  label_distribution: Record<string, number>;
  answers_per_task: Record<string, number>;
  annotator_accuracy: { annotator: string; accuracy: number; answers: number }[];
  confusion: { labels: string[]; matrix: number[][] };
  /** The median time a counted answer took, over how many answers (last re-inference). */
  answer_time?: { typical_ms: number; answers: number };
  review?: { held_answers: number; workers_under_review: number };
}

export type ReviewState = 'held' | 'released' | 'rejected';

/** A worker whose answers were held: far too fast, or a high spam score. */
export interface Review {
  annotator: string;
  state: ReviewState;
  reason: string;
  fast_answers: number;
  spam_score: number;
  held_answers: number;
  created_at: string;
  decided_at?: string;
}

export interface NextTask {
  assignment: { id: number; expires_at: string };
  task: { id: number; data: Record<string, unknown> };
  project: { id: number; title: string; instructions: string; question: Question };
}

export interface AnswerResponse {
  answer_id: number;
  /** Control items say only whether the answer was right; training items also explain. */
  gold?: { correct: boolean; training?: boolean; expected?: AnswerValue; explanation?: string };
  task_retired: boolean;
  reward_pending_aia: number;
}

export interface Checkin {
  day: string;
  streak: number;
  bonus_aia: number;
}

export interface Profile {
  user: User;
  /** The user's account in the public ledger: a pseudonym, not the user id. */
  ledger_account: string;
  level: number;
  xp: number;
  xp_to_next: number;
  streak: number;
  balances: { AIA: number; AGT: number };
  pending_aia: number;
  gold_accuracy: number | null;
  accuracy_history: { day: string; accuracy: number }[];
  /** AIA the next level costs (sent by tinydata serve; not in docs/api.md). */
  next_level_cost_aia?: number;
}

export type LeaderboardPeriod = 'daily' | 'weekly' | 'all';

export interface Leaderboard {
  period: LeaderboardPeriod;
  entries: { rank: number; display_name: string; xp: number }[];
}

export interface Checkpoint {
  tree_size: number;
  /** Hex (or base64) of the 32-byte root. */
  root_hash: string;
  timestamp: string | number;
  /** Ed25519 signature (hex/base64, 64 or 68 bytes) or the whole signed note. */
  signature: string;
  /** Ed25519 public key: hex/base64 of 32 bytes, or a note verifier key "name+id+key". */
  public_key: string;
  /** The log's name (first line of the signed note). */
  origin?: string;
  /** The C2SP signed checkpoint note, verbatim. */
  note?: string;
  signed_note?: string;
  verifier_key?: string;
  [extra: string]: unknown;
}

export interface LedgerEntryProof {
  entry: unknown;
  /** The entry's canonical bytes (hex or base64), when the server sends them (or as entry.canonical_hex). */
  leaf_input?: string;
  canonical_bytes?: string;
  leaf_hash: string;
  inclusion_proof: string[];
  tree_size: number;
  [extra: string]: unknown;
}

export interface ConsistencyProof {
  first: number;
  second: number;
  proof: string[];
}
