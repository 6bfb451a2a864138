import assert from "node:assert/strict";
import { parseLinkHeader } from "../../src/harvest/link.ts";

const N = "https://harvest.greenhouse.io/v1/candidates?page=2&per_page=100";
const L = "https://harvest.greenhouse.io/v1/candidates?page=142&per_page=100";

Deno.test("link: no header or empty header gives an empty map", () => {
  assert.equal(parseLinkHeader(null).size, 0);
  assert.equal(parseLinkHeader("").size, 0);
  assert.equal(parseLinkHeader("garbage").size, 0);
});

Deno.test("link: comma without a space (the gem README format)", () => {
  const m = parseLinkHeader(`<${N}>; rel="next",<${L}>; rel="last"`);
  assert.equal(m.get("next"), N);
  assert.equal(m.get("last"), L);
});

Deno.test("link: spaces and newlines, any order", () => {
  const m = parseLinkHeader(`<${L}>; rel="last" ,\n   <${N}>;rel="next"`);
  assert.equal(m.get("next"), N);
  assert.equal(m.get("last"), L);
  const p = parseLinkHeader(
    `<https://h/x?page=1>; rel="prev",\r\n <${N}>; rel="next", <${L}>; rel="last"`,
  );
  assert.equal(p.get("prev"), "https://h/x?page=1");
  assert.equal(p.get("next"), N);
});

Deno.test("link: several rels in one parameter, unquoted rel, other params, case", () => {
  const m = parseLinkHeader(`<${L}>; title="a; b, c"; rel="next last"`);
  assert.equal(m.get("next"), L);
  assert.equal(m.get("last"), L);
  const u = parseLinkHeader(`<${N}>; type=text/html; REL=Next`);
  assert.equal(u.get("next"), N);
});

Deno.test("link: commas and semicolons inside <...> URLs do not split", () => {
  const url = "https://h/v1/x?ids=1,2,3&f=a;b&page=2";
  const m = parseLinkHeader(`<${url}>; rel="next",<https://h/v1/x?ids=1,2,3&page=9>; rel="last"`);
  assert.equal(m.get("next"), url);
  assert.equal(m.get("last"), "https://h/v1/x?ids=1,2,3&page=9");
});

Deno.test("link: the first link for a rel wins; a single-page last link is fine", () => {
  const m = parseLinkHeader(`<https://h/a>; rel="next", <https://h/b>; rel="next"`);
  assert.equal(m.get("next"), "https://h/a");
  const single = parseLinkHeader(`<https://h/v1/offers?page=1&per_page=100>; rel="last"`);
  assert.equal(single.get("next"), undefined);
  assert.equal(single.get("last"), "https://h/v1/offers?page=1&per_page=100");
});
