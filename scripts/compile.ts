/**
 * `deno task compile [--cache-dir PATH] [--also PATH]... [--also-host HOST]... [--target T]
 *   [--output NAME] [--print]`
 *
 * Builds the self-contained binary with `deno compile --no-prompt` and the permission set from
 * scripts/permissions.ts. `--print` prints the exact command instead of running it (compile needs
 * Deno's download host, which some machines cannot reach; the printed command is what is tested).
 */
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { dirname } from "node:path";
import {
  permissionFlags,
  type PermissionOptions,
  SCOPE_OPTIONS,
  SCOPE_USAGE,
  scopeFromValues,
  V8_FLAGS,
} from "./permissions.ts";

export const DEFAULT_OUTPUT = "greenhouse-extractor";

/** The targets the release builds; `deno compile --target` accepts these. */
export const TARGETS = [
  "x86_64-unknown-linux-gnu",
  "aarch64-unknown-linux-gnu",
  "x86_64-apple-darwin",
  "aarch64-apple-darwin",
  "x86_64-pc-windows-msvc",
  "aarch64-pc-windows-msvc",
] as const;

export interface CompileOptions extends PermissionOptions {
  target?: string;
  output?: string;
}

/** The `deno` arguments (after the executable) that build the binary. */
export function compileArgs(opts: CompileOptions = {}): string[] {
  if (opts.target !== undefined && !(TARGETS as readonly string[]).includes(opts.target)) {
    throw new Error(`unknown --target "${opts.target}"; one of: ${TARGETS.join(", ")}`);
  }
  return [
    "compile",
    V8_FLAGS,
    ...permissionFlags(opts),
    ...(opts.target ? ["--target", opts.target] : []),
    "--output",
    opts.output ?? DEFAULT_OUTPUT,
    "main.ts",
  ];
}

const USAGE = `usage: deno task compile [options]
${SCOPE_USAGE}
  --target T         cross-compile: ${TARGETS.join(", ")}
  --output NAME      the binary's file name (default ${DEFAULT_OUTPUT})
  --print            print the deno command instead of running it`;

/** Quotes an argument for a POSIX shell when it needs it. */
export function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`;
}

async function main(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        ...SCOPE_OPTIONS,
        target: { type: "string" },
        output: { type: "string" },
        print: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    console.error(`error: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  let args: string[];
  try {
    args = compileArgs({
      ...scopeFromValues(values),
      target: values.target,
      output: values.output,
    });
  } catch (error) {
    console.error(`error: ${(error as Error).message}`);
    return 2;
  }
  if (values.print) {
    console.log(["deno", ...args].map(shellQuote).join(" "));
    return 0;
  }
  // Compile from the repository root so main.ts and deno.json are the ones next to this script.
  const root = dirname(dirname(fileURLToPath(import.meta.url)));
  const status = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: root,
    stdout: "inherit",
    stderr: "inherit",
  }).spawn().status;
  return status.code;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
