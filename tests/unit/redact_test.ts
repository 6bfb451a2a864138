/**
 * The redactor (src/redact.ts) against every spelling of every credential a server may echo:
 * as written or cut short, split by a line break, inside base64 at every alignment (both
 * alphabets, padded or not), hex, percent-encoded, JSON- and HTML-escaped. Leaks are judged by
 * tests/support.ts's `leakedPiece`, which decodes the output on its own.
 */
import assert from "node:assert/strict";
import {
  redactAndCut,
  redactRegistered,
  redactSecrets,
  registerSecrets,
} from "../../src/redact.ts";
import { leakedPiece } from "../support.ts";

const CLIENT_ID = "ghx-client-4417-1";
const CLIENT_SECRET = "Zq8rT2-wKf7yN3pLx9Vb4sHd";
const BASIC = btoa(`${CLIENT_ID}:${CLIENT_SECRET}`);
const V1_KEY = "a7183e1b7e9ab09b8a5cfa87d1934c3c";
const jwtPart = (value: unknown) =>
  btoa(JSON.stringify(value)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
/** A JWT-shaped access token: a header and claims every token shares much of, and a signature. */
const ACCESS_TOKEN = [
  jwtPart({ alg: "RS256", typ: "JWT", kid: "harvest-2026" }),
  jwtPart({ sub: 4117, aud: "harvest", scope: "harvest:candidates:list", exp: 1798761600 }),
  "Q1mVfXo3Rk8c2Jd7wE9tLq4Hn6Zy0AbCdEfGhIjKlMnOpQrStUvWx-_yz",
].join(".");
const REFRESH_TOKEN = "rt_8Kp2Lm9Qx4Vn7Bz1Cw5Dy3Fj6Gh0";
const UNICODE_SECRET = "pässwört-Ünïcödé-7731";

/** Each credential and the secrets the tool registers for it. */
const CREDENTIALS: { name: string; secret: string; registered: string[] }[] = [
  { name: "v1 key", secret: V1_KEY, registered: [V1_KEY, btoa(`${V1_KEY}:`)] },
  { name: "client secret", secret: CLIENT_SECRET, registered: [CLIENT_SECRET, BASIC] },
  { name: "Basic client_id:client_secret", secret: BASIC, registered: [CLIENT_SECRET, BASIC] },
  { name: "access token", secret: ACCESS_TOKEN, registered: [ACCESS_TOKEN] },
  { name: "refresh token", secret: REFRESH_TOKEN, registered: [REFRESH_TOKEN] },
  { name: "non-ASCII secret", secret: UNICODE_SECRET, registered: [UNICODE_SECRET] },
];

const utf8 = (text: string) => new TextEncoder().encode(text);
function base64(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes));
}
const urlSafe = (b64: string) => b64.replaceAll("+", "-").replaceAll("/", "_");
const hexOf = (text: string) =>
  [...utf8(text)].map((b) => b.toString(16).padStart(2, "0")).join("");

function assertHidden(out: string, secret: string, what: string) {
  const piece = leakedPiece(out, secret);
  assert.equal(piece, undefined, `${what}: "${piece}" shows in ${out}`);
  assert.match(out, /\[redacted\]/, `${what}: ${out}`);
}

Deno.test("redaction: a secret inside base64, at every byte offset, both alphabets, padded or not", () => {
  for (const { name, secret, registered } of CREDENTIALS) {
    const bytes = utf8(secret);
    for (let lead = 0; lead <= 2; lead++) {
      for (let tail = 0; tail <= 2; tail++) {
        const before = utf8('{"k":"'.slice(0, lead + 3)); // 3 to 5 bytes before the secret
        const after = utf8('"}x'.slice(0, tail));
        const all = new Uint8Array([...before, ...bytes, ...after]);
        const padded = base64(all);
        for (const encoded of [padded, padded.replace(/=+$/, ""), urlSafe(padded)]) {
          const out = redactSecrets(`body: ${encoded} end`, registered);
          const what = `${name}, ${before.length} bytes before, ${after.length} after: ${encoded}`;
          assertHidden(out, secret, what);
          // What stays visible is the text around the secret and the at most 2 characters at
          // each end whose bits the secret shares with its neighbours: character j holds bits
          // 6j to 6j+5, so characters from ceil(8p/6) to floor(8(p+n)/6) are the secret's alone.
          const first = Math.ceil((before.length * 8) / 6);
          const last = Math.floor(((before.length + bytes.length) * 8) / 6);
          const shown = /^body: (\S*)\[redacted\](\S*) end$/.exec(out);
          assert.ok(shown, `${what}: ${out}`);
          assert.equal(shown[1], encoded.slice(0, first), `${what}: the text before stays`);
          assert.ok(encoded.endsWith(shown[2]), `${what}: ${out}`);
          assert.ok(shown[2].length <= encoded.length - last, `${what}: ${out}`);
        }
      }
    }
  }
});

Deno.test("redaction: as written, in any case, cut short by the server, or split by a line break", () => {
  for (const { name, secret, registered } of CREDENTIALS) {
    const samples = [
      `said ${secret} end`,
      `upper ${secret.toUpperCase()} end`,
      `cut at a limit ${secret.slice(0, Math.max(8, Math.floor(secret.length / 2)))}… end`,
      `only its end ${secret.slice(-9)}`,
      `wrapped ${secret.slice(0, 5)}\n${secret.slice(5, 12)}\r\n  ${secret.slice(12)} end`,
      `mime ${base64(utf8(secret)).replace(/.{6}/g, "$&\r\n")} end`,
      `quoted-printable ${secret.slice(0, 6)}=\r\n${secret.slice(6)} end`,
    ];
    for (const sample of samples) assertHidden(redactSecrets(sample, registered), secret, name);
  }
});

Deno.test("redaction: an access token shows no part of itself, not even a JWT's header and claims", () => {
  const [header, claims, signature] = ACCESS_TOKEN.split(".");
  const samples = [
    `invalid token ${ACCESS_TOKEN.slice(0, 185)}`,
    `token header ${header}`,
    `token claims ${claims}`,
    `signature ${signature}`,
    `Bearer ${ACCESS_TOKEN}`,
    `authorization=${encodeURIComponent(`Bearer ${ACCESS_TOKEN}`)}`,
  ];
  for (const sample of samples) {
    const out = redactSecrets(sample, [ACCESS_TOKEN]);
    assertHidden(out, ACCESS_TOKEN, sample.slice(0, 20));
    for (const part of [header, claims, signature]) {
      assert.equal(leakedPiece(out, part), undefined, `${part.slice(0, 8)}… in ${out}`);
    }
  }
});

Deno.test("redaction: hex of any case, percent-encoded once or twice, JSON and HTML escapes", () => {
  for (const { name, secret, registered } of CREDENTIALS) {
    const hex = hexOf(secret);
    const mixed = [...hex].map((c, i) => i % 3 ? c : c.toUpperCase()).join("");
    const percentAll = [...utf8(secret)].map((b) => `%${b.toString(16).padStart(2, "0")}`);
    const samples = [
      `hex ${hex} end`,
      `HEX ${hex.toUpperCase()} end`,
      `mixed ${mixed} end`,
      `percent ${encodeURIComponent(secret)} end`,
      `every byte ${percentAll.join("")} end`,
      `every byte, upper ${percentAll.join("").toUpperCase()} end`,
      `twice ${encodeURIComponent(encodeURIComponent(`u:${secret}`))} end`,
      `json ${JSON.stringify({ echo: secret })}`,
      `json slashes ${JSON.stringify(base64(utf8(`k:${secret}`))).replaceAll("/", "\\/")}`,
      `json \\u ${
        [...secret].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`).join("")
      }`,
      `json in json ${JSON.stringify(JSON.stringify({ echo: `\\/${secret}` }))}`,
      `html ${[...secret].map((c) => `&#${c.charCodeAt(0)};`).join("")} end`,
      `html hex ${[...secret].map((c) => `&#x${c.charCodeAt(0).toString(16)};`).join("")} end`,
    ];
    for (const sample of samples) {
      assertHidden(redactSecrets(sample, registered), secret, `${name}: ${sample.slice(0, 24)}`);
    }
  }
});

Deno.test("redaction: ordinary text is left as it is, even with a few characters of a secret", () => {
  const secrets = CREDENTIALS.flatMap((c) => c.registered);
  const texts = [
    "GET /v3/candidates: Greenhouse answered 422: Invalid field; check --per-page",
    `a7183e1 is a short piece of the key, ${CLIENT_SECRET.slice(0, 7)} of the secret`,
    JSON.stringify({ ok: true, url: "https://harvest.greenhouse.io/v1/candidates?page=2&x=%20" }),
    "a\\nb %41 &amp; = \r\n 100% done",
    "",
  ];
  for (const text of texts) assert.equal(redactSecrets(text, secrets), text);
  assert.equal(redactSecrets("one abcd two", ["abcd"]), "one [redacted] two", "short: whole only");
  assert.equal(redactSecrets("one abc two", ["abc"]), "one abc two", "under 4: not a secret");
});

Deno.test("redaction: spellings side by side become one [redacted]; the text around them stays", () => {
  const out = redactSecrets(`${V1_KEY}${hexOf(V1_KEY)}, then ${btoa(`${V1_KEY}:`)}.`, [V1_KEY]);
  assert.equal(out, "[redacted], then [redacted]M6.");
});

Deno.test("redaction: before the cut, so no secret straddling it survives in part", () => {
  for (let offset = 180; offset <= 200; offset++) {
    const text = redactAndCut("x".repeat(offset) + ` ${BASIC} tail`, [BASIC], 200);
    assert.equal(leakedPiece(text, BASIC), undefined, `offset ${offset}: ${text}`);
    assert.ok(text.length <= 201);
  }
});

Deno.test("redaction: a long text is read in overlapping chunks; a secret across a seam is found", () => {
  const secret = CLIENT_SECRET;
  for (const at of [(1 << 20) - 4100, (1 << 20) - 4096 - 3, (1 << 20) - 5]) {
    const text = "y".repeat(at) + secret + "z".repeat(1000);
    const out = redactSecrets(text, [secret]);
    assert.equal(out, "y".repeat(at) + "[redacted]" + "z".repeat(1000), `at ${at}`);
  }
});

Deno.test("redaction: registered sources are read at each call (tokens change during a run)", () => {
  const minted: string[] = [];
  registerSecrets(() => minted);
  const token = "tok_" + "Hq7Lm2Nx9Pz4Rv6Ts1Wb".repeat(2);
  assert.equal(redactRegistered(`answer ${token}`), `answer ${token}`);
  minted.push(token);
  assert.equal(redactRegistered(`answer ${token}`), "answer [redacted]");
  assert.equal(redactRegistered(`answer ${btoa(`x${token}`)}`).includes("[redacted]"), true);
});
