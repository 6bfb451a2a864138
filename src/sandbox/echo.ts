/**
 * The `echoCredentials` fault's answer: a hostile or careless server that writes the request's
 * credentials back into an error body, in every spelling a client's redaction must catch (as
 * written, cut short, wrapped, inside base64 at each byte offset in both alphabets, hex,
 * percent-encoded, JSON- and HTML-escaped). Each firing starts the list further on, so that a
 * client which shows only the first part of an error still meets every spelling over a run.
 */
import { basicCredentials, bearerToken } from "./auth_header.ts";

/**
 * How far each firing moves the start of the list: about as many spellings as a 200-character
 * error detail shows once each is redacted, so a few firings show them all.
 */
const STEP = 12;

const utf8 = (text: string) => new TextEncoder().encode(text);
const base64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
const urlSafe = (b64: string) => b64.replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");

/** Every spelling of one credential. */
export function spellings(credential: string): string[] {
  const bytes = utf8(credential);
  const forms = [
    credential,
    `${credential.slice(0, Math.max(8, Math.ceil((credential.length * 2) / 3)))}...`,
    `${credential.slice(0, credential.length >> 1)}\r\n${credential.slice(credential.length >> 1)}`,
  ];
  for (const lead of ["", "u", "u:"]) {
    // A tail of 1 byte makes the padding show whatever the length.
    const padded = base64(utf8(`${lead}${credential}${lead.length === 2 ? "" : "!"}`));
    forms.push(padded, padded.replace(/=+$/, ""), urlSafe(padded));
  }
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  forms.push(
    base64(bytes).replace(/.{16}/g, "$&\r\n"), // MIME line wrapping
    hex,
    hex.toUpperCase(),
    [...bytes].map((b) => `%${b.toString(16).padStart(2, "0")}`).join(""),
    [...credential].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`).join(""),
    JSON.stringify(base64(utf8(`x${credential}`))).slice(1, -1).replaceAll("/", "\\/"),
    [...credential].map((c) => `&#${c.charCodeAt(0)};`).join(""),
  );
  return [...new Set(forms)];
}

/** The credentials a request carries, and those the server knows beside them. */
export interface EchoContext {
  req: Request;
  /** What else the server holds for this client: the v3 secret, Basic id:secret, tokens. */
  known: string[];
}

/**
 * The error body of the `firing`-th echo (from 0): `offset` characters of filler, then every
 * spelling of every credential, from a different start each firing.
 */
export function echoBody({ req, known }: EchoContext, firing: number, offset: number): string {
  const header = req.headers.get("authorization") ?? "";
  const carried: string[] = [];
  const basic = basicCredentials(req);
  // v1: the key is the user name; v3's token request: a client id (not a secret) and secret.
  if (basic?.password) carried.push(basic.password, `${basic.user}:${basic.password}`);
  else if (basic) carried.push(basic.user);
  const bearer = bearerToken(req);
  carried.push(bearer ?? header.split(" ")[1] ?? "");
  const credentials = [...new Set([...carried, ...known])].filter((c) => c.length >= 4);
  const all = [...credentials.flatMap(spellings), header, encodeURIComponent(header)];
  const start = (firing * STEP) % all.length;
  const rotated = [...all.slice(start), ...all.slice(0, start)];
  return "x".repeat(offset) + " " + rotated.join(" ");
}
