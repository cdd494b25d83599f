// The manager's REST API (docs/api.md). Every failure becomes an ApiError that says what went wrong in words.

const BASE = '/api/v1';
/** The API token lives in sessionStorage: this tab only, gone when the tab closes. */
const TOKEN_KEY = 'lbm.token';
/** A request that hangs becomes an error in words, and polling goes on. */
const TIMEOUT_MILLIS = 10000;

export class ApiError extends Error {
  constructor(method, path, status, message, field) {
    super(message);
    this.method = method;
    this.path = path;
    this.status = status;
    this.field = field || null;
  }

  /** True when the endpoint is not there (yet) on this manager. */
  get unavailable() {
    return this.status === 404 || this.status === 405 || this.status === 501;
  }

  /** "PUT /api/v1/services/x failed: HTTP 422: basePath must ... (field: basePath)" */
  describe() {
    const where = `${this.method} ${BASE}${this.path}`;
    if (this.status === 0) return `${where} failed: ${this.message}`;
    if (this.unavailable && /^HTTP 40[45]\b/.test(this.message)) {
      return `${where} failed: HTTP ${this.status}: this manager does not offer this endpoint (${this.message})`;
    }
    return `${where} failed: HTTP ${this.status}: ${this.message}${this.field ? ` (field: ${this.field})` : ''}`;
  }
}

let memoryToken = ''; // when sessionStorage is unavailable (private mode): this page only

export function token() {
  try { return sessionStorage.getItem(TOKEN_KEY) || ''; } catch { return memoryToken; }
}

export function setToken(value) {
  memoryToken = value.trim();
  try { sessionStorage.setItem(TOKEN_KEY, memoryToken); } catch { /* kept in memoryToken */ }
}

export function forgetToken() {
  memoryToken = '';
  try { sessionStorage.removeItem(TOKEN_KEY); } catch { /* nothing stored */ }
}

let unauthorized = () => {};
/** Called with the manager's words when it answers 401 (no token, or one it refuses). */
export function onUnauthorized(listener) { unauthorized = listener; }

/** Sends one request; resolves to {data, text} or rejects with an ApiError. */
export async function requestRaw(method, path, body) {
  const headers = {Accept: 'application/json'};
  if (token()) headers.Authorization = `Bearer ${token()}`;
  const init = {method, headers, cache: 'no-store', signal: AbortSignal.timeout(TIMEOUT_MILLIS)};
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(BASE + path, init);
  } catch (e) {
    if (e.name === 'TimeoutError') throw new ApiError(method, path, 0, `the manager did not answer within ${TIMEOUT_MILLIS / 1000} s`);
    throw new ApiError(method, path, 0, `cannot reach the manager (${e.message})`);
  }
  const text = await response.text();
  let data = null;
  let parsed = true;
  if (text) {
    try { data = JSON.parse(text); } catch { parsed = false; }
  }
  if (!response.ok) {
    const message = parsed && data && typeof data.message === 'string' && data.message
      ? data.message
      : (text ? text.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 300) : response.statusText || 'no message');
    if (response.status === 401) unauthorized(message);
    throw new ApiError(method, path, response.status, message, parsed && data ? data.field : null);
  }
  if (!parsed) throw new ApiError(method, path, response.status, 'the manager answered with something that is not JSON');
  return {data, text};
}

export async function request(method, path, body) {
  return (await requestRaw(method, path, body)).data;
}

/** For endpoints that may not exist yet: {available: true, data} or {available: false, reason}. */
export async function optional(path) {
  try {
    return {available: true, data: await request('GET', path)};
  } catch (e) {
    if (e instanceof ApiError && e.unavailable) return {available: false, reason: e.describe()};
    throw e;
  }
}

export const enc = encodeURIComponent;
