// The console API client: the ID token from /console/sign-in kept in sessionStorage (gone
// when the tab closes), sent as a Bearer token to /api/*. A 401 means the token expired or
// was refused: forget it and show the sign-in form again.

const KEY = "goodword.console.token";

export class ApiError extends Error {
  constructor(status, message, problems = []) {
    super(message);
    this.status = status;
    this.problems = problems;
  }
}

export function token() {
  try {
    const saved = JSON.parse(sessionStorage.getItem(KEY) || "null");
    if (saved && saved.id_token && saved.expires_at > Date.now()) return saved.id_token;
  } catch {
    // a broken entry is no token
  }
  sessionStorage.removeItem(KEY);
  return null;
}

export function forget() {
  sessionStorage.removeItem(KEY);
}

let onSignedOut = () => {};
/** What to do when the API says the token is no good (app.js shows the sign-in form). */
export function whenSignedOut(callback) {
  onSignedOut = callback;
}

export async function signIn(email, password) {
  const response = await fetch("/console/sign-in", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password }),
    credentials: "omit",
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiError(response.status, body.message || "Signing in did not work.");
  const seconds = Number(body.expires_in) || 3600;
  sessionStorage.setItem(KEY, JSON.stringify({ id_token: body.id_token, expires_at: Date.now() + (seconds - 30) * 1000 }));
}

async function send(method, path, body) {
  const bearer = token();
  if (!bearer) {
    onSignedOut();
    throw new ApiError(401, "Please sign in.");
  }
  const headers = { authorization: `Bearer ${bearer}` };
  if (body !== undefined) headers["content-type"] = "application/json";
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: "omit" });
  } catch {
    throw new ApiError(0, "The console cannot reach the server. Check your connection and try again.");
  }
  if (response.status === 401) {
    forget();
    onSignedOut("Your session ended. Please sign in again.");
    throw new ApiError(401, "Please sign in again.");
  }
  return response;
}

/** JSON in, JSON out; a non-2xx answer throws ApiError with the API's message and problems. */
export async function api(method, path, body) {
  const response = await send(method, path, body);
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const fallback = response.status === 403 ? "Only editors can change this." : `The server answered ${response.status}.`;
    throw new ApiError(response.status, data.message || fallback, data.problems || []);
  }
  return data;
}

export const get = (path) => api("GET", path);
export const post = (path, body = {}) => api("POST", path, body);
export const put = (path, body) => api("PUT", path, body);

/** A file from the API (with the token, which a plain link cannot send) saved as `filename`. */
export async function download(path, filename) {
  const response = await send("GET", path);
  if (!response.ok) throw new ApiError(response.status, `The server answered ${response.status}.`);
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

export const q = encodeURIComponent;
