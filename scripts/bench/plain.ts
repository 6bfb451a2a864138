/**
 * Issue 8's comparison: the plain approach (scripts/plain_extract.ts: pages of 100, sequential,
 * no pacing) against ours on the same sandbox tenant and rate limit, both as subprocesses.
 */
import { fileURLToPath } from "node:url";
import { startSandbox } from "../../src/sandbox/mod.ts";
import type { PlainResult } from "../plain_extract.ts";
import type { Bench, BenchFigure } from "./types.ts";
import { expectSuccess, runCliMeasured, summaryRequests, withTempDir } from "./support.ts";

const PLAIN = fileURLToPath(new URL("../plain_extract.ts", import.meta.url));
const LIMIT = 50; // Harvest v1's usual limit per 10 s

async function runPlain(cwd: string, env: Record<string, string>): Promise<PlainResult> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net=127.0.0.1",
      `--allow-write=${cwd}`,
      "--allow-env",
      PLAIN,
      "candidates",
      `${cwd}/plain`,
    ],
    cwd,
    env: { ...env, NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(output.stderr);
  if (output.code !== 0) throw new Error(`plain_extract exited ${output.code}: ${stderr}`);
  return JSON.parse(new TextDecoder().decode(output.stdout));
}

export const bench: Bench = {
  group: "plain approach",
  async run({ quick }) {
    const candidates = quick ? 6_000 : 20_000;
    const sandbox = await startSandbox({ candidates, rateLimit: LIMIT });
    try {
      const env = { GREENHOUSE_BASE_URL: sandbox.url, GREENHOUSE_API_KEY: sandbox.apiKey };
      return await withTempDir(async (dir) => {
        // Ours first, then plain, on fresh windows: wait out the window ours used.
        const oursRun = expectSuccess(
          await runCliMeasured(["candidates", "-q"], { cwd: dir, env }),
          "candidates",
        );
        const ours429 = sandbox.counts().rateLimited;
        await new Promise((resolve) => setTimeout(resolve, 10_500));
        const plain = await runPlain(dir, env);
        if (plain.records !== candidates) throw new Error(`plain wrote ${plain.records} records`);
        const oursRequests = summaryRequests(oursRun.stdout);
        const figure = (name: string, value: number, unit: string, note?: string): BenchFigure => ({
          group: "plain approach",
          name,
          value,
          unit,
          target: "",
          note,
        });
        return [
          figure(
            `plain: requests for ${candidates.toLocaleString("en-US")} candidates`,
            plain.requests,
            "requests",
            `Same tenant, sandbox limit ${LIMIT} per 10 s. The plain script asks for pages of ` +
              "100 one after another with no pacing, waiting out each 429 (Retry-After); ours " +
              "asks for pages of 500, paced at 80% of the limit.",
          ),
          figure("plain: 429 responses", plain.rateLimited, "responses"),
          figure("plain: time", plain.ms / 1000, "s"),
          figure("ours: requests", oursRequests, "requests"),
          figure("ours: 429 responses", ours429, "responses"),
          figure("ours: time (CLI subprocess, start-up included)", oursRun.ms / 1000, "s"),
          figure("requests saved (plain / ours)", plain.requests / oursRequests, "×"),
          figure("speed-up (plain time / ours)", plain.ms / oursRun.ms, "×"),
        ];
      });
    } finally {
      await sandbox.close();
    }
  },
};
