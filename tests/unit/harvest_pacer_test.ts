import assert from "node:assert/strict";
import { ManualClock } from "../../src/clock.ts";
import { Pacer } from "../../src/harvest/pacer.ts";

const T0 = Date.UTC(2026, 0, 1, 0, 0, 3); // epoch ms, so epoch-second reset headers make sense
const W = 10_000;
/** Limit 20 at rate target 0.8: 16 sends per window plus its 100 ms margin. */
const SPACING = (W + 100) / 16;

/** The largest number of sends in any half-open window [t, t + W). */
function maxInAnyWindow(times: number[], windowMs = W): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let lo = 0;
  for (let hi = 0; hi < sorted.length; hi++) {
    while (sorted[hi] - sorted[lo] >= windowMs) lo++;
    best = Math.max(best, hi - lo + 1);
  }
  return best;
}

Deno.test("pacer: limit 20, target 0.8 → never more than 16 in any 10 s window, ≥ 0.95×16 per window", async () => {
  const clock = new ManualClock(T0);
  const pacer = new Pacer({ rateTarget: 0.8, windowMs: W, clock, initialLimit: 20 });
  assert.equal(pacer.budget, 16);
  const times: number[] = [];
  for (let i = 0; i < 100; i++) {
    await pacer.acquire();
    times.push(clock.now());
    pacer.observe(new Headers({ "X-Ratelimit-Limit": "20" }), 200);
  }
  assert.ok(maxInAnyWindow(times) <= 16, `max ${maxInAnyWindow(times)}`);
  // Throughput: over the first six windows from the first send, at least 0.95 × 16 per window.
  const inSix = times.filter((t) => t < T0 + 6 * W).length;
  assert.ok(inSix >= 6 * 0.95 * 16, `only ${inSix} sends in 6 windows`);
  for (let k = 1; k <= 6; k++) {
    const sent = times.filter((t) => t < T0 + k * W).length;
    assert.ok(sent >= k * 0.95 * 16, `${sent} sends in ${k} windows`);
  }
  assert.ok(pacer.stats.waitedMs > 0);
  assert.equal(pacer.stats.sends, 100);
});

Deno.test("pacer: learns the limit from the first response before sending more", async () => {
  const clock = new ManualClock(T0);
  const pacer = new Pacer({ rateTarget: 0.8, windowMs: W, clock });
  assert.equal(pacer.limit, undefined);
  await pacer.acquire();
  let second = false;
  const p = pacer.acquire().then(() => (second = true));
  await new Promise((r) => setTimeout(r, 0));
  assert.equal(second, false, "a second request must wait for the probe's answer");
  pacer.observe(new Headers({ "x-ratelimit-limit": "50", "x-ratelimit-remaining": "49" }), 200);
  await p;
  assert.equal(pacer.limit, 50);
  assert.equal(pacer.budget, 40);
  // The probe was the schedule's first send: the second goes one spacing after it, not at once.
  assert.equal(clock.now(), T0 + (W + 100) / 40);
});

Deno.test("pacer: a probe that failed (no response) lets the next one through", async () => {
  const clock = new ManualClock(T0);
  const pacer = new Pacer({ rateTarget: 0.8, windowMs: W, clock });
  await pacer.acquire();
  const p = pacer.acquire();
  pacer.observe(new Headers(), 0);
  await p;
  assert.equal(pacer.limit, undefined);
  pacer.observe(new Headers(), 200); // a 2xx without headers: assume the fallback limit
  assert.equal(pacer.limit, 50);
});

Deno.test("pacer: concurrent acquires do not overshoot", async () => {
  const clock = new ManualClock(T0);
  const pacer = new Pacer({ rateTarget: 0.8, windowMs: W, clock, initialLimit: 20 });
  const times: number[] = [];
  await Promise.all(
    Array.from({ length: 40 }, () =>
      pacer.acquire().then(() => {
        times.push(clock.now());
        pacer.observe(new Headers(), 200);
      })),
  );
  assert.equal(times.length, 40);
  assert.equal(pacer.stats.sends, 40);
  assert.ok(maxInAnyWindow(times) <= 16, `max ${maxInAnyWindow(times)}`);
  // 40 sends on the even schedule from the first, one every (10 s + 100 ms) / 16, however many
  // ask at once: no burst at the start.
  assert.deepEqual(times, times.map((_, i) => T0 + i * SPACING));
});

Deno.test("pacer: never overshoots a fixed server window that starts anywhere (zero 429s)", async () => {
  const clock = new ManualClock(T0 + 7_777);
  const pacer = new Pacer({ rateTarget: 0.8, windowMs: W, clock });
  const limit = 20;
  const counts = new Map<number, number>();
  let tooMany = 0;
  for (let i = 0; i < 200; i++) {
    await pacer.acquire();
    const t = clock.now();
    const win = Math.floor(t / W);
    const used = (counts.get(win) ?? 0) + 1;
    counts.set(win, used);
    if (used > limit) tooMany++;
    clock.advance(120); // latency
    pacer.observe(
      new Headers({
        "X-Ratelimit-Limit": String(limit),
        "X-Ratelimit-Remaining": String(Math.max(0, limit - used)),
        "X-RateLimit-Reset": String(((win + 1) * W) / 1000),
      }),
      200,
    );
  }
  assert.equal(tooMany, 0);
  assert.ok(Math.max(...counts.values()) <= 16);
  const windows = (clock.now() - (T0 + 7_777)) / W;
  assert.ok(200 / windows >= 0.95 * 16 * 0.95, `rate ${200 / windows} per window`);
});

Deno.test("pacer: holds back when other clients used the key (X-RateLimit-Remaining)", async () => {
  const clock = new ManualClock(T0);
  const pacer = new Pacer({ rateTarget: 0.8, windowMs: W, clock, initialLimit: 20 });
  await pacer.acquire();
  // Others used 11 of 20: 8 remain; we keep 4 in reserve → 4 more now, then wait for the reset.
  const reset = String((T0 + 5_000) / 1000);
  pacer.observe(
    new Headers({
      "X-RateLimit-Limit": "20",
      "X-RateLimit-Remaining": "8",
      "X-RateLimit-Reset": reset,
    }),
    200,
  );
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    await pacer.acquire();
    times.push(clock.now());
  }
  // Four more on the even schedule, then nothing until the server's window resets.
  assert.deepEqual(times.slice(0, 4), [1, 2, 3, 4].map((k) => T0 + k * SPACING));
  assert.equal(times[4], T0 + 5_000);
});

Deno.test("pacer: without X-RateLimit-Reset, a hold-back ends one window after the oldest send", async () => {
  const clock = new ManualClock(T0);
  const pacer = new Pacer({ rateTarget: 0.8, windowMs: W, clock, initialLimit: 20 });
  await pacer.acquire();
  // The answer comes late; the server window that counted the send still ends by T0 + W.
  clock.advance(6_000);
  pacer.observe(new Headers({ "X-RateLimit-Limit": "20", "X-RateLimit-Remaining": "2" }), 200);
  await pacer.acquire();
  assert.equal(clock.now(), T0 + W + 100);
});

Deno.test("pacer: pause() after a 429 blocks every caller", async () => {
  const clock = new ManualClock(T0);
  const pacer = new Pacer({ rateTarget: 0.8, windowMs: W, clock, initialLimit: 50 });
  await pacer.acquire();
  pacer.observe(new Headers(), 429);
  pacer.pause(3_000);
  pacer.pause(1_000); // pauses only extend
  const times: number[] = [];
  await Promise.all([1, 2, 3].map(() => pacer.acquire().then(() => times.push(clock.now()))));
  assert.ok(times.every((t) => t >= T0 + 3_000), String(times));
  assert.ok(pacer.stats.waitedMs >= 3_000);
});

Deno.test("pacer: rejects nonsense options", () => {
  const clock = new ManualClock(T0);
  assert.throws(() => new Pacer({ rateTarget: 0, windowMs: W, clock }), RangeError);
  assert.throws(() => new Pacer({ rateTarget: 1.5, windowMs: W, clock }), RangeError);
  assert.equal(new Pacer({ rateTarget: 0.01, windowMs: W, clock, initialLimit: 20 }).budget, 1);
});

/** The largest number of sends in any window of `ms` (same as maxInAnyWindow, shorter window). */
const maxInAny = (times: number[], ms: number) => maxInAnyWindow(times, ms);

Deno.test("pacer: spreads each window's budget evenly over it, at the same throughput", async () => {
  const clock = new ManualClock(T0);
  const pacer = new Pacer({ rateTarget: 0.8, windowMs: W, clock, initialLimit: 20 });
  const times: number[] = [];
  for (let i = 0; i < 161; i++) {
    await pacer.acquire();
    times.push(clock.now());
    clock.advance(40); // latency
    pacer.observe(new Headers({ "X-Ratelimit-Limit": "20" }), 200);
  }
  // One send every (10 s + 100 ms) / 16 from the very first: at most 2 in any second (16 per
  // 10.1 s), never the budget in a burst, not even at the start.
  const gaps = times.slice(1).map((t, i) => t - times[i]);
  assert.ok(gaps.every((gap) => Math.abs(gap - SPACING) < 1e-6), `gaps ${gaps.slice(0, 5)}`);
  assert.equal(maxInAny(times, 1_000), 2);
  assert.ok(maxInAnyWindow(times) <= 16);
  // Throughput: 160 spacings take ten windows and their margins; ≥ 0.98 of the budget.
  const windows = (times[160] - times[0]) / W;
  assert.ok(160 / windows / 16 >= 0.98, `${160 / windows} per window`);
});

Deno.test("pacer: a second integration on the key keeps its share in every part of the window", async () => {
  // A leaky-bucket server (one reading of Harvest's limit): 20 per 10 s, draining continuously,
  // holding at most 8 at a time. Another integration sends its 4 (the 20% we leave) in a burst
  // at some moment of each window. Spread out, our sends leave room for that burst at any moment;
  // spent in a burst, they would fill the bucket and both integrations would be refused.
  const clock = new ManualClock(T0);
  const pacer = new Pacer({ rateTarget: 0.8, windowMs: W, clock, initialLimit: 20 });
  const capacity = 8;
  let level = 0;
  let at = T0;
  const take = (now: number): boolean => {
    level = Math.max(0, level - ((now - at) * 20) / W);
    at = now;
    if (level + 1 > capacity) return false;
    level++;
    return true;
  };
  let refusedOurs = 0;
  let refusedTheirs = 0;
  let nextOther = T0 + 3_700;
  for (let i = 0; i < 160; i++) {
    await pacer.acquire();
    while (nextOther <= clock.now()) {
      for (let k = 0; k < 4; k++) if (!take(nextOther)) refusedTheirs++;
      nextOther += W + ((i * 7_919) % 5_000) - 2_500;
    }
    if (!take(clock.now())) refusedOurs++;
    pacer.observe(new Headers({ "X-Ratelimit-Limit": "20" }), 200);
  }
  assert.deepEqual({ refusedOurs, refusedTheirs }, { refusedOurs: 0, refusedTheirs: 0 });
});

Deno.test("pacer: X-RateLimit-Remaining 0 with a reset an hour away waits one window, and says so", async () => {
  const clock = new ManualClock(T0);
  const waits: { ms: number; cause: string }[] = [];
  const pacer = new Pacer({
    rateTarget: 0.8,
    windowMs: W,
    clock,
    initialLimit: 20,
    onWait: (wait) => waits.push(wait),
  });
  await pacer.acquire();
  pacer.observe(
    new Headers({
      "X-RateLimit-Limit": "20",
      "X-RateLimit-Remaining": "0",
      "X-RateLimit-Reset": String((T0 + 3_600_000) / 1000),
    }),
    200,
  );
  const concurrent = [pacer.acquire(), pacer.acquire()];
  await Promise.all(concurrent);
  assert.ok(clock.now() - T0 <= W + 100 + SPACING, `waited ${clock.now() - T0} ms`);
  assert.deepEqual(waits, [{ ms: W + 100, cause: "used up" }], "one report for one wait");
});

Deno.test("pacer: a 429 pause is reported once, with its length", async () => {
  const clock = new ManualClock(T0);
  const waits: { ms: number; cause: string }[] = [];
  const pacer = new Pacer({
    rateTarget: 0.8,
    windowMs: W,
    clock,
    initialLimit: 20,
    onWait: (wait) => waits.push(wait),
  });
  pacer.pause(30_000);
  await Promise.all([pacer.acquire(), pacer.acquire()]);
  assert.deepEqual(waits, [{ ms: 30_000, cause: "paused" }]);
});

Deno.test("pacer: timers that fire late cost no throughput (the schedule is kept)", async () => {
  // A busy machine: every sleep ends 25 ms late.
  const clock = new ManualClock(T0);
  clock.sleep = (ms: number) => {
    clock.advance(Math.max(0, ms) + 25);
    return Promise.resolve();
  };
  const pacer = new Pacer({ rateTarget: 0.8, windowMs: W, clock, initialLimit: 20 });
  const times: number[] = [];
  for (let i = 0; i < 165; i++) {
    await pacer.acquire();
    times.push(clock.now());
    pacer.observe(new Headers({ "X-Ratelimit-Limit": "20" }), 200);
  }
  assert.ok(maxInAnyWindow(times) <= 16);
  const steady = times;
  const perWindow = (steady.length - 1) / ((steady[steady.length - 1] - steady[0]) / W);
  assert.ok(perWindow / 16 >= 0.98, `${perWindow.toFixed(2)} per window`);
});

Deno.test("pacer: no burst at the start: 50 per 10 s at 0.8 spaces every send 0.25 s from the first", async () => {
  // Harvest v1's documented 50 per 10 s: budget 40, spacing (10 s + 100 ms) / 40 ≈ 0.25 s, from
  // the probe that learns the limit on, for one caller and for many at once (activity_feeds).
  for (const callers of [1, 8]) {
    const clock = new ManualClock(T0);
    const pacer = new Pacer({ rateTarget: 0.8, windowMs: W, clock });
    const times: number[] = [];
    const send = async () => {
      await pacer.acquire();
      times.push(clock.now());
      clock.advance(5); // latency
      pacer.observe(new Headers({ "X-RateLimit-Limit": "50" }), 200);
    };
    await Promise.all(
      Array.from({ length: callers }, async () => {
        for (let i = 0; i < 24 / callers; i++) await send();
      }),
    );
    const gaps = times.slice(1).map((t, i) => t - times[i]);
    assert.equal(times.length, 24);
    assert.ok(
      gaps.every((gap) => gap >= (W + 100) / 40 - 1e-6),
      `${callers} caller(s): gaps ${gaps.slice(0, 10).map((g) => g.toFixed(1))}`,
    );
    assert.equal(maxInAny(times, 1_000), 4, `${callers} caller(s)`);
  }
});

Deno.test("pacer: after an idle spell the schedule starts over from the next send, without a burst", async () => {
  const clock = new ManualClock(T0);
  const pacer = new Pacer({ rateTarget: 0.8, windowMs: W, clock, initialLimit: 20 });
  await pacer.acquire();
  pacer.observe(new Headers(), 200);
  clock.advance(60_000); // idle for six windows
  const times: number[] = [];
  for (let i = 0; i < 4; i++) {
    await pacer.acquire();
    times.push(clock.now());
    pacer.observe(new Headers(), 200);
  }
  const start = T0 + 60_000;
  assert.deepEqual(times, [0, 1, 2, 3].map((k) => start + k * SPACING));
});
