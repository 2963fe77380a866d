// The one HTTP client of the app: JSON in and out, bearer auth, and errors as typed values
// (ApiError for answers the server gave, NetworkError when no answer arrived at all).

import type { DeliveryResult, PendingAnswer } from '../lib/answer_queue';
import type {
  AnswerResponse,
  Checkin,
  Checkpoint,
  ConsistencyProof,
  ImportResult,
  Leaderboard,
  LeaderboardPeriod,
  LedgerEntryProof,
  NextTask,
  Profile,
  Project,
  ProjectInput,
  Review,
  RowError,
  Session,
  Stats,
  TaskFormat,
  User,
} from './types';

/** The server answered with an error status; fields follow docs/api.md's error object. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly rowErrors: RowError[] = [],
  ) {
    super(message);
  }
}

/** No HTTP answer at all: offline, DNS, connection reset, or the request was aborted. */
export class NetworkError extends Error {
  override name = 'NetworkError';
}

export type TokenSource = () => string | null;

export interface ClientOptions {
  baseUrl?: string;
  fetch?: typeof fetch;
}

type Body = { json: unknown } | { raw: BodyInit; contentType: string } | undefined;

export class ApiClient {
  private readonly baseUrl: string;
  private readonly fetchImpl: typeof fetch;

  constructor(
    private readonly token: TokenSource,
    options: ClientOptions = {},
  ) {
    this.baseUrl = options.baseUrl ?? '';
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
  }

  // Accounts
  register(input: {
    email: string;
    password: string;
    display_name?: string;
    role?: 'annotator' | 'requester';
    referral_code?: string;
  }): Promise<Session> {
    return this.json('POST', '/api/v1/auth/register', { json: input });
  }
  login(email: string, password: string): Promise<Session> {
    return this.json('POST', '/api/v1/auth/login', { json: { email, password } });
  }
  logout(): Promise<null> {
    return this.json('POST', '/api/v1/auth/logout');
  }
  me(): Promise<User> {
    return this.json('GET', '/api/v1/me');
  }

  // Projects
  createProject(input: ProjectInput): Promise<Project> {
    return this.json('POST', '/api/v1/projects', { json: input });
  }
  async listProjects(): Promise<Project[]> {
    return (await this.json<{ projects: Project[] }>('GET', '/api/v1/projects')).projects;
  }
  project(id: number): Promise<Project> {
    return this.json('GET', `/api/v1/projects/${id}`);
  }
  setPaused(id: number, paused: boolean): Promise<Project> {
    return this.json('POST', `/api/v1/projects/${id}/${paused ? 'pause' : 'resume'}`);
  }
  importTasks(id: number, format: TaskFormat, file: Blob): Promise<ImportResult> {
    const contentType = format === 'csv' ? 'text/csv' : format === 'jsonl' ? 'application/x-ndjson' : 'application/json';
    return this.json('POST', `/api/v1/projects/${id}/tasks?format=${format}`, { raw: file, contentType });
  }
  stats(id: number): Promise<Stats> {
    return this.json('GET', `/api/v1/projects/${id}/stats`);
  }
  async reviews(id: number): Promise<Review[]> {
    return (await this.json<{ reviews: Review[] }>('GET', `/api/v1/projects/${id}/reviews`)).reviews;
  }
  decideReview(id: number, annotator: string, decision: 'release' | 'reject'): Promise<Review> {
    return this.json('POST', `/api/v1/projects/${id}/reviews/${encodeURIComponent(annotator)}/${decision}`);
  }
  fund(id: number, amountAia: number): Promise<{ budget_aia: number }> {
    return this.json('POST', `/api/v1/projects/${id}/fund`, { json: { amount_aia: amountAia } });
  }
  /** The export file as a Blob (a plain link could not carry the bearer token). */
  async exportFile(id: number, format: TaskFormat): Promise<Blob> {
    const response = await this.send('GET', `/api/v1/projects/${id}/export?format=${format}`);
    return response.blob();
  }

  // Annotating
  /** The next task, or null when none is available (204). */
  nextTask(projectId?: number): Promise<NextTask | null> {
    const query = projectId ? `?project_id=${projectId}` : '';
    return this.json('GET', `/api/v1/tasks/next${query}`);
  }
  submitAnswer(answer: PendingAnswer): Promise<AnswerResponse> {
    return this.json(
      'POST',
      `/api/v1/assignments/${answer.assignmentId}/answer`,
      { json: { value: answer.value, duration_ms: answer.durationMs } },
      { 'Idempotency-Key': answer.idempotencyKey },
    );
  }

  /** submitAnswer as a delivery attempt for the AnswerQueue (see DeliveryResult). */
  async deliverAnswer(answer: PendingAnswer): Promise<DeliveryResult<AnswerResponse>> {
    try {
      return { kind: 'delivered', response: await this.submitAnswer(answer) };
    } catch (error) {
      if (error instanceof NetworkError) return { kind: 'retry', reason: 'network' };
      if (error instanceof ApiError) {
        if (isRetryableStatus(error.status)) return { kind: 'retry', reason: `${error.status} ${error.code}` };
        return { kind: 'rejected', status: error.status, code: error.code, message: error.message };
      }
      throw error;
    }
  }

  // Game and ledger
  checkin(): Promise<Checkin> {
    return this.json('POST', '/api/v1/checkins');
  }
  profile(): Promise<Profile> {
    return this.json('GET', '/api/v1/me/profile');
  }
  levelUp(): Promise<{ level: number }> {
    return this.json('POST', '/api/v1/me/level-up');
  }
  leaderboard(period: LeaderboardPeriod): Promise<Leaderboard> {
    return this.json('GET', `/api/v1/leaderboard?period=${period}`);
  }
  checkpoint(): Promise<Checkpoint> {
    return this.json('GET', '/api/v1/ledger/checkpoint');
  }
  entry(index: number, treeSize: number): Promise<LedgerEntryProof> {
    return this.json('GET', `/api/v1/ledger/entries/${index}?tree_size=${treeSize}`);
  }
  consistency(first: number, second: number): Promise<ConsistencyProof> {
    return this.json('GET', `/api/v1/ledger/consistency?first=${first}&second=${second}`);
  }

  private async json<T>(method: string, path: string, body?: Body, headers: Record<string, string> = {}): Promise<T> {
    const response = await this.send(method, path, body, headers);
    if (response.status === 204) return null as T;
    const text = await response.text();
    if (!text) return null as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new ApiError(response.status, 'bad_response', `the server sent a response that is not JSON`);
    }
  }

  private async send(method: string, path: string, body?: Body, extraHeaders: Record<string, string> = {}): Promise<Response> {
    const headers: Record<string, string> = { Accept: 'application/json', ...extraHeaders };
    const token = this.token();
    if (token) headers.Authorization = `Bearer ${token}`;
    let payload: BodyInit | undefined;
    if (body && 'json' in body) {
      headers['Content-Type'] = 'application/json';
      payload = JSON.stringify(body.json);
    } else if (body) {
      headers['Content-Type'] = body.contentType;
      payload = body.raw;
    }
    let response: Response;
    try {
      response = await this.fetchImpl(this.baseUrl + path, { method, headers, body: payload });
    } catch (error) {
      throw new NetworkError(error instanceof Error ? error.message : 'network request failed');
    }
    if (!response.ok) throw await toApiError(response);
    return response;
  }
}

/** Statuses after which the same request may succeed later. */
export function isRetryableStatus(status: number): boolean {
  return status === 401 || status === 408 || status === 425 || status === 429 || status >= 500;
}

async function toApiError(response: Response): Promise<ApiError> {
  let parsed: unknown = null;
  try {
    parsed = await response.json();
  } catch {
    // A proxy or a crashed server may answer without a JSON error object.
  }
  const body = (parsed ?? {}) as { error?: { code?: string; message?: string; field?: string }; errors?: RowError[] };
  const code = body.error?.code ?? `http_${response.status}`;
  const message = body.error?.message ?? (response.statusText || `HTTP ${response.status}`);
  return new ApiError(response.status, code, message, body.error?.field, Array.isArray(body.errors) ? body.errors : []);
}
