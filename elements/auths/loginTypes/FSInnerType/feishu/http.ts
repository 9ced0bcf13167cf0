import { setTimeout as sleep } from 'node:timers/promises';
import got, { type Got, type RequestError } from 'got';
import { Code } from '../../../../../runtime/errcode.js';
import { FSInnerErrors, fromFeishu } from '../feishu-errors.js';

/**
 * When a failed request may be sent again:
 *   idempotent   — reads and token fetches: network errors, timeouts, 5xx, rate limits;
 *   undelivered  — the code exchange: only when Feishu cannot have consumed the
 *                  code (connection never made, a rate limit, or 503 "unavailable").
 * A rate limit (HTTP 429, or HTTP 400 with body code 99991400 as some APIs send it,
 * events-and-scopes notes §7) is not retried here: it comes back as 45009 with
 * `details.retryAfterMs` from `x-ogw-ratelimit-reset` (1 s when absent), and the
 * caller (FeishuApi) pauses the endpoint's shared budget for every process and
 * sends again through it (quota.ts).
 */
export type RetryPolicy = 'idempotent' | 'undelivered';

export interface FeishuRequest {
  /** Short name for errors and stats, e.g. "oauth_token". */
  endpoint: string;
  method: 'GET' | 'POST';
  url: string;
  searchParams?: URLSearchParams;
  json?: Record<string, unknown>;
  bearer?: string;
  retry: RetryPolicy;
}

export interface FeishuReply<T> {
  body: T;
  logId: string | undefined;
}

export interface FeishuHttpOptions {
  timeoutMs?: number;
  retries?: number;
  /** Backoff base for 5xx and network errors (doubled per attempt). */
  backoffMs?: number;
}

/** Feishu's rate-limit code (events-and-scopes notes §7), whatever the HTTP status. */
const RATE_LIMITED_CODE = 99991400;

const NEVER_DELIVERED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EADDRINUSE']);
const TRANSIENT = new Set([...NEVER_DELIVERED, 'ETIMEDOUT', 'ECONNRESET', 'EPIPE', 'ERR_STREAM_PREMATURE_CLOSE']);

/**
 * Feishu over HTTP: JSON in and out, bounded retries (got's), and every
 * failure turned into a Code. Feishu answers business errors with HTTP 200
 * on old endpoints and 4xx/5xx on the v2 OAuth one, so the body's `code`
 * decides, never the status alone (contract, "Universal rule").
 */
export class FeishuHttp {
  private readonly client: Got;
  private readonly retries: number;
  private readonly backoffMs: number;

  constructor(options: FeishuHttpOptions = {}) {
    const backoff = options.backoffMs ?? 200;
    this.retries = options.retries ?? 3;
    this.backoffMs = backoff;
    this.client = got.extend({
      throwHttpErrors: false,
      responseType: 'text',
      timeout: { request: options.timeoutMs ?? 10_000 },
      retry: {
        limit: options.retries ?? 3,
        methods: ['GET', 'POST'],
        statusCodes: [500, 502, 503, 504],
        errorCodes: [...TRANSIENT],
        calculateDelay: ({ attemptCount, retryOptions, error, computedValue }) => {
          // got calls this for every failure, a 400 business error too; computedValue is 0 when
          // got's own rules (limit, methods, statusCodes, errorCodes above) say "do not retry".
          if (attemptCount > retryOptions.limit || computedValue === 0) return 0;
          const policy = (error.options.context as { retry?: RetryPolicy }).retry ?? 'idempotent';
          const status = error.response?.statusCode;
          if (policy === 'undelivered') {
            const unavailable = status === 503 && feishuCodeOf(error.response?.body) === 20072;
            if (!unavailable && !(status === undefined && NEVER_DELIVERED.has(error.code))) return 0;
          } else if (status === undefined && !TRANSIENT.has(error.code)) return 0;
          return backoff * 2 ** (attemptCount - 1) + Math.random() * backoff;
        },
      },
    });
  }

  async send<T extends { code?: number }>(request: FeishuRequest): Promise<FeishuReply<T>> {
    // A reply whose body is not JSON (cut short, or a gateway's HTML page with HTTP 200) is
    // transient like a 5xx: idempotent requests try again, as many times as got's retries.
    for (let attempt = 0; ; attempt++) {
      const result = await this.sendOnce<T>(request);
      if (!(result instanceof Code)) return result;
      if (request.retry !== 'idempotent' || attempt >= this.retries) {
        if (result.details) result.details['attempts'] = attempt + 1;
        throw result;
      }
      await sleep(this.backoffMs * 2 ** attempt + Math.random() * this.backoffMs);
    }
  }

  /** One request (with got's own retries); a 2xx body that is not JSON comes back as its Code, every other failure is thrown. */
  private async sendOnce<T extends { code?: number }>(request: FeishuRequest): Promise<FeishuReply<T> | Code> {
    let response;
    try {
      response = await this.client(request.url, {
        method: request.method,
        ...(request.searchParams ? { searchParams: request.searchParams } : {}),
        ...(request.json ? { json: request.json } : {}),
        headers: request.bearer ? { authorization: `Bearer ${request.bearer}` } : {},
        context: { retry: request.retry },
      });
    } catch (err) {
      const code = (err as RequestError).code;
      const mayBeConsumed = request.retry === 'undelivered' && !NEVER_DELIVERED.has(code);
      throw FSInnerErrors.FEISHU_FAILURE.create(
        { problem: `${request.endpoint} unreachable (${code ?? 'network error'})${mayBeConsumed ? '; the authorization code may have been used, scan again' : ''}` },
        { endpoint: request.endpoint, cause: code },
      );
    }
    const logId = header(response.headers['x-tt-logid']);
    let body: T;
    try {
      body = JSON.parse(response.body) as T;
      if (body === null || typeof body !== 'object') throw new Error('not an object');
    } catch {
      const failure = FSInnerErrors.FEISHU_FAILURE.create({ problem: `${request.endpoint} answered HTTP ${response.statusCode} with a body that is not JSON` }, {
        endpoint: request.endpoint,
        status: response.statusCode,
        contentType: header(response.headers['content-type']),
        ...(logId ? { logId } : {}),
      });
      if (response.ok) return failure; // a 5xx page was already retried by got
      throw failure;
    }
    const feishuCode = typeof body.code === 'number' ? body.code : response.statusCode === 429 ? RATE_LIMITED_CODE : response.ok ? 0 : -1;
    if (feishuCode !== 0) {
      const failure = feishuError(request.endpoint, feishuCode, body as Record<string, unknown>, response.statusCode, logId);
      if (feishuCode === RATE_LIMITED_CODE && failure.details) failure.details['retryAfterMs'] = resetMs(header(response.headers['x-ogw-ratelimit-reset']));
      throw failure;
    }
    return { body, logId };
  }
}

function feishuError(endpoint: string, feishuCode: number, body: Record<string, unknown>, status: number, logId: string | undefined): Code {
  const feishuMsg = String(body['msg'] ?? body['error_description'] ?? body['error'] ?? '');
  const scopes = violatedScopes(body);
  return fromFeishu({ endpoint, feishuCode, feishuMsg, scopes }, { endpoint, feishuCode, feishuMsg, status, ...(scopes.length ? { scopes } : {}), ...(logId ? { logId } : {}) });
}

/**
 * Permissions named in `error.permission_violations[].subject` (99991672 "the app lacks one of
 * these", 99991676/99991679: events-and-scopes notes §4.3), any one of which would do.
 */
function violatedScopes(body: Record<string, unknown>): string[] {
  const violations = (body['error'] as { permission_violations?: Array<{ subject?: unknown }> } | undefined)?.permission_violations;
  return Array.isArray(violations) ? violations.map((v) => v?.subject).filter((s): s is string => typeof s === 'string' && s.length > 0) : [];
}

/** `x-ogw-ratelimit-reset`: whole seconds until the window resets; 1 s when absent or unreadable. */
function resetMs(reset: string | undefined): number {
  const seconds = Number(reset);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 1000;
}

function feishuCodeOf(body: unknown): number | undefined {
  try {
    return (JSON.parse(String(body)) as { code?: number }).code;
  } catch {
    return undefined;
  }
}

const header = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value);
