/** URL-safe base64 without padding, for file tokens, v3 cursors and v3 access tokens. */

/** A binary string (one char per byte) as URL-safe base64. */
export function toBase64Url(binary: string): string {
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/** The binary string URL-safe base64 stands for, or undefined when it is not such text. */
export function fromBase64Url(text: string): string | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return undefined;
  try {
    return atob(text.replaceAll("-", "+").replaceAll("_", "/"));
  } catch {
    return undefined;
  }
}
