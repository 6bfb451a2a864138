/**
 * A small TypeScript tokenizer for the repository's own checks (check_imports.ts, check_sizes.ts):
 * comments dropped; strings, template literals and regular expressions each one token, so that
 * nothing written inside them reads as code. Not a parser: enough to find imports and function
 * bodies in code that `deno fmt` and `deno check` accept.
 */

export interface Token {
  /** The identifier, punctuator or `=>` as written; "string", "template", "regex" or "number". */
  text: string;
  line: number;
  /** A string literal's text, escapes taken as the character after the backslash. */
  value?: string;
}

/** The significant tokens of a source: comments, strings, templates and regexes dropped. */
export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  const templates: number[] = [];
  let braces = 0;
  let line = 1;
  let i = 0;
  const n = source.length;
  const previous = () => tokens[tokens.length - 1]?.text ?? "";
  const advanceTo = (end: number) => {
    for (; i < end && i < n; i++) if (source[i] === "\n") line++;
  };
  /** Reads a string literal up to its quote (or, unterminated, its line's end). */
  const readString = (quote: string): string => {
    let value = "";
    let j = i + 1;
    while (j < n && source[j] !== quote && source[j] !== "\n") {
      if (source[j] === "\\") {
        value += source[j + 1] ?? "";
        j += 2;
      } else value += source[j++];
    }
    advanceTo(j + 1);
    return value;
  };
  const skipTemplate = () => {
    let j = i;
    while (j < n) {
      if (source[j] === "\\") j += 2;
      else if (source[j] === "`") {
        advanceTo(j + 1);
        return;
      } else if (source[j] === "$" && source[j + 1] === "{") {
        advanceTo(j + 2);
        templates.push(braces);
        braces++;
        return;
      } else j++;
    }
    advanceTo(n);
  };
  const regexCanStart = () => {
    const p = previous();
    return p === "" || /^[(,=:[!&|?{};+\-*%<>~^]$/.test(p) || p === "=>" ||
      ["return", "typeof", "case", "do", "else", "in", "of", "void", "yield", "await"].includes(p);
  };
  while (i < n) {
    const c = source[i];
    if (c === "\n" || /\s/.test(c)) {
      advanceTo(i + 1);
    } else if (c === "/" && source[i + 1] === "/") {
      const end = source.indexOf("\n", i);
      advanceTo(end < 0 ? n : end);
    } else if (c === "/" && source[i + 1] === "*") {
      const end = source.indexOf("*/", i + 2);
      advanceTo(end < 0 ? n : end + 2);
    } else if (c === '"' || c === "'") {
      const value = readString(c);
      tokens.push({ text: "string", line, value });
    } else if (c === "`") {
      advanceTo(i + 1);
      skipTemplate();
      tokens.push({ text: "template", line });
    } else if (c === "/" && regexCanStart()) {
      let j = i + 1;
      let inClass = false;
      while (j < n && source[j] !== "\n") {
        const r = source[j];
        if (r === "\\") j++;
        else if (r === "[") inClass = true;
        else if (r === "]") inClass = false;
        else if (r === "/" && !inClass) break;
        j++;
      }
      j++;
      while (j < n && /[a-z]/i.test(source[j])) j++;
      advanceTo(j);
      tokens.push({ text: "regex", line });
    } else if (/[A-Za-z_$#]/.test(c)) {
      let j = i + 1;
      while (j < n && /[\w$]/.test(source[j])) j++;
      tokens.push({ text: source.slice(i, j), line });
      advanceTo(j);
    } else if (/[0-9]/.test(c)) {
      let j = i + 1;
      while (j < n && /[\w.]/.test(source[j])) j++;
      tokens.push({ text: "number", line });
      advanceTo(j);
    } else if (c === "=" && source[i + 1] === ">") {
      tokens.push({ text: "=>", line });
      advanceTo(i + 2);
    } else {
      if (c === "{") braces++;
      if (c === "}") {
        braces--;
        if (templates.length > 0 && templates[templates.length - 1] === braces) {
          templates.pop();
          advanceTo(i + 1);
          skipTemplate();
          tokens.push({ text: "template", line });
          continue;
        }
      }
      tokens.push({ text: c, line });
      advanceTo(i + 1);
    }
  }
  return tokens;
}
