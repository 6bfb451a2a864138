/**
 * A JSON array body kept as its bytes, with each element's byte range: elements are parsed one at
 * a time when read. A list page (500 records, a few MB once parsed) parsed whole stays alive
 * through several young-generation collections, and that survival is what makes V8 grow its
 * young generation to ~64 MB; one record at a time, almost nothing survives.
 */
export class JsonArrayBytes {
  #bytes: Uint8Array;
  /** Pairs of [start, end) byte offsets, one pair per element. */
  #ranges: Uint32Array;

  private constructor(bytes: Uint8Array, ranges: Uint32Array) {
    this.#bytes = bytes;
    this.#ranges = ranges;
  }

  /**
   * The elements of `bytes` (UTF-8 JSON), or undefined unless it is one complete, valid JSON
   * array (each element is parsed once here to check it; the parsed values are not kept).
   */
  static from(bytes: Uint8Array): JsonArrayBytes | undefined {
    const ranges = splitJsonArray(bytes);
    if (ranges === undefined) return undefined;
    const array = new JsonArrayBytes(bytes, ranges);
    try {
      for (let i = 0; i < array.length; i++) array.#parse(i);
    } catch {
      return undefined;
    }
    return array;
  }

  get length(): number {
    return this.#ranges.length / 2;
  }

  /** Parses the elements one by one, in order. */
  *values(): Generator<unknown> {
    for (let i = 0; i < this.length; i++) yield this.#parse(i);
  }

  /**
   * Frees the bytes now (detaches their buffer) rather than when V8 gets round to collecting them:
   * external memory is collected lazily. The elements cannot be read afterwards.
   */
  release(): void {
    const buffer = this.#bytes.buffer;
    if (buffer instanceof ArrayBuffer && !buffer.detached) buffer.transfer(0);
    this.#bytes = new Uint8Array(0);
    this.#ranges = new Uint32Array(0);
  }

  #parse(i: number): unknown {
    const text = decoder.decode(this.#bytes.subarray(this.#ranges[2 * i], this.#ranges[2 * i + 1]));
    return JSON.parse(text);
  }
}

const decoder = new TextDecoder();

const SPACE = 0x20, TAB = 0x09, LF = 0x0a, CR = 0x0d;
const QUOTE = 0x22, BACKSLASH = 0x5c, COMMA = 0x2c;
const OPEN_ARRAY = 0x5b, CLOSE_ARRAY = 0x5d, OPEN_OBJECT = 0x7b, CLOSE_OBJECT = 0x7d;

function isSpace(c: number): boolean {
  return c === SPACE || c === LF || c === CR || c === TAB;
}

/**
 * Byte ranges of the top-level elements of a JSON array, found by tracking strings and nesting
 * only (UTF-8 multi-byte sequences never contain ASCII bytes). Undefined if the text is not one
 * balanced array or an element is empty. Elements are not validated here.
 */
export function splitJsonArray(bytes: Uint8Array): Uint32Array | undefined {
  const n = bytes.length;
  let i = 0;
  if (n >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) i = 3; // BOM
  while (i < n && isSpace(bytes[i])) i++;
  if (bytes[i] !== OPEN_ARRAY) return undefined;
  i++;
  const ranges: number[] = [];
  let depth = 0;
  let start = -1;
  let end = -1; // just past the last non-space byte of the current element
  for (; i < n; i++) {
    const c = bytes[i];
    if (c === QUOTE) {
      if (start < 0) start = i;
      i++;
      while (i < n && bytes[i] !== QUOTE) i += bytes[i] === BACKSLASH ? 2 : 1;
      if (i >= n) return undefined; // unterminated string
      end = i + 1;
      continue;
    }
    if (isSpace(c)) continue;
    if (depth === 0 && (c === COMMA || c === CLOSE_ARRAY)) {
      if (start < 0) {
        // `[]` is the only place an element may be missing.
        if (c === CLOSE_ARRAY && ranges.length === 0) break;
        return undefined;
      }
      ranges.push(start, end);
      start = -1;
      if (c === CLOSE_ARRAY) break;
      continue;
    }
    if (start < 0) start = i;
    if (c === OPEN_ARRAY || c === OPEN_OBJECT) depth++;
    else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) {
      if (--depth < 0) return undefined;
    }
    end = i + 1;
  }
  if (i >= n) return undefined; // no closing bracket
  for (i++; i < n; i++) if (!isSpace(bytes[i])) return undefined;
  return Uint32Array.from(ranges);
}
