import type { Env } from "../context.ts";
import type { OptionHelp, OptionsConfig, OptionValues } from "./options.ts";

/**
 * A command's parsing contract and its help text, colocated in the command's own module.
 * `parse` turns validated option values into that command's variant of the Command union,
 * throwing UsageError for anything invalid; it never sends a request or writes a file.
 */
export interface CommandSpec<C> {
  name: string;
  /** One line for the command list in --help. */
  summary: string;
  /** e.g. "candidates [options]". */
  usage: string;
  /** Extra paragraphs for `<command> --help`. */
  description?: string;
  options: OptionsConfig;
  help: OptionHelp;
  /** Whether positional arguments are accepted (most commands take none). */
  positionals?: boolean;
  parse(values: OptionValues, positionals: string[], env: Env): C;
}
