/** The Authorization header's two schemes: Basic (v1 keys, v3 client credentials) and Bearer. */

export interface BasicCredentials {
  user: string;
  /** undefined when the decoded value has no colon. */
  password?: string;
}

/** The decoded credentials of a Basic Authorization header, or undefined. */
export function basicCredentials(req: Request): BasicCredentials | undefined {
  const m = /^Basic\s+(\S+)$/i.exec(req.headers.get("authorization") ?? "");
  if (!m) return undefined;
  let decoded: string;
  try {
    decoded = atob(m[1]);
  } catch {
    return undefined;
  }
  const colon = decoded.indexOf(":");
  return colon < 0
    ? { user: decoded }
    : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** The token of a Bearer Authorization header, or undefined. */
export function bearerToken(req: Request): string | undefined {
  return /^Bearer\s+(\S+)$/i.exec(req.headers.get("authorization") ?? "")?.[1];
}
