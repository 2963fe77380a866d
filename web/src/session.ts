// The signed-in session (token + user) kept in localStorage, and the app's ApiClient.

import { ApiClient } from './api/client';
import type { AnswerResponse, Session, User } from './api/types';
import { AnswerQueue } from './lib/answer_queue';

const TOKEN_KEY = 'tinydata.token';
const USER_KEY = 'tinydata.user';

export function storedSession(): Session | null {
  const token = localStorage.getItem(TOKEN_KEY);
  const user = localStorage.getItem(USER_KEY);
  if (!token || !user) return null;
  try {
    return { token, user: JSON.parse(user) as User };
  } catch {
    return null;
  }
}

export function saveSession(session: Session | null): void {
  if (session) {
    localStorage.setItem(TOKEN_KEY, session.token);
    localStorage.setItem(USER_KEY, JSON.stringify(session.user));
  } else {
    localStorage.removeItem(TOKEN_KEY);
    localStorage.removeItem(USER_KEY);
  }
}

export const api = new ApiClient(() => localStorage.getItem(TOKEN_KEY));

const queues = new Map<number, AnswerQueue<AnswerResponse>>();

/** The answer outbox of one user (one per user, so a shared device never mixes accounts). */
export function answerQueueFor(userId: number): AnswerQueue<AnswerResponse> {
  let queue = queues.get(userId);
  if (!queue) {
    queue = new AnswerQueue(localStorage, (a) => api.deliverAnswer(a), { storageKey: `tinydata.pending_answers.${userId}` });
    queues.set(userId, queue);
  }
  return queue;
}

export const isRequester = (user: User) => user.roles.includes('requester') || user.roles.includes('admin');
