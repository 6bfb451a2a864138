/**
 * `deno task start` and `deno task demo`: run main.ts from source with the binary's permission
 * set (scripts/permissions.ts) instead of blanket `--allow-*` flags. A deno.json task cannot
 * compute flags, so this launcher does and runs Deno again with exactly those: net to the
 * Greenhouse hosts, the file hosts and loopback; env to the named variables; read and write to
 * the cache folder (`--cache-dir`, else GREENHOUSE_CACHE_DIR, else ./greenhouse-cache), the
 * access, demo and export folders, and the folder `export --out` names. Paths come from the
 * command line and the environment, never from API data.
 *
 * The launcher itself may only start `deno` and read GREENHOUSE_CACHE_DIR (deno.json). It passes
 * stdin, stdout, stderr and the exit code through. Ctrl-C reaches the whole foreground process
 * group, the tool included, so SIGINT is not passed on (a second one would end the tool at once
 * instead of letting it finish what is in flight); SIGTERM, sent to one process, is.
 */
import { fileURLToPath } from "node:url";
import { DEFAULT_CACHE_DIR, permissionFlags, V8_FLAGS } from "./permissions.ts";

const MAIN = fileURLToPath(new URL("../main.ts", import.meta.url));
const CONFIG = fileURLToPath(new URL("../deno.json", import.meta.url));

/** The last value of `--name VALUE` or `--name=VALUE` before a `--`, if any. */
function optionValue(args: string[], name: string): string | undefined {
  let value: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--") break;
    if (arg === `--${name}`) value = args[++i];
    else if (arg.startsWith(`--${name}=`)) value = arg.slice(name.length + 3);
  }
  return value;
}

/**
 * The `deno` arguments that run main.ts with `args`, under the binary's permissions for the
 * folders this command line names; `cacheDirEnv` is GREENHOUSE_CACHE_DIR.
 */
export function startArgs(args: string[], cacheDirEnv?: string): string[] {
  const given = optionValue(args, "cache-dir");
  const cacheDir = given?.trim() ? given : cacheDirEnv?.trim() ? cacheDirEnv : DEFAULT_CACHE_DIR;
  const out = args[0] === "export" ? optionValue(args, "out") : undefined;
  // An empty --out is the tool's usage error to report, not a path to allow.
  const extraPaths = out?.trim() ? [out] : [];
  return [
    "run",
    "--config",
    CONFIG,
    V8_FLAGS,
    ...permissionFlags({ cacheDir, extraPaths }),
    MAIN,
    ...args,
  ];
}

function cacheDirFromEnvironment(): string | undefined {
  try {
    return Deno.env.get("GREENHOUSE_CACHE_DIR");
  } catch {
    return undefined; // run without --allow-env: the default folder
  }
}

async function start(args: string[]): Promise<number> {
  let denoArgs: string[];
  try {
    denoArgs = startArgs(args, cacheDirFromEnvironment());
  } catch (error) {
    // permissionFlags refuses a folder with a comma: the flag's list would split it.
    const why = (error as Error).message.replace(/^Cannot/, "cannot");
    console.error(`error: deno task start: ${why}; choose a folder without one`);
    return 2;
  }
  let child: Deno.ChildProcess;
  try {
    // `deno` from PATH: the one --allow-run=deno resolved (deno.json), the one running this task.
    child = new Deno.Command("deno", { args: denoArgs }).spawn();
  } catch (error) {
    console.error(
      `error: deno task start: cannot start deno (${(error as Error).message}); put Deno's ` +
        "folder on PATH, or run main.ts with the flags `deno task permissions` prints",
    );
    return 1;
  }
  const stay = () => {}; // the tool got the same Ctrl-C and decides when to stop
  const passOn = () => child.kill("SIGTERM");
  Deno.addSignalListener("SIGINT", stay);
  if (Deno.build.os !== "windows") Deno.addSignalListener("SIGTERM", passOn);
  try {
    return (await child.status).code;
  } finally {
    Deno.removeSignalListener("SIGINT", stay);
    if (Deno.build.os !== "windows") Deno.removeSignalListener("SIGTERM", passOn);
  }
}

if (import.meta.main) Deno.exit(await start(Deno.args));
