/** The sandbox's response value and JSON helpers, shared by the v1 and v3 routes. */

export const JSON_TYPE = "application/json;charset=utf-8";

export interface Reply {
  status: number;
  body: string | ReadableStream<Uint8Array> | null;
  headers: Record<string, string>;
}

export const json = (
  status: number,
  data: unknown,
  headers: Record<string, string> = {},
): Reply => ({
  status,
  body: JSON.stringify(data),
  headers: { "Content-Type": JSON_TYPE, ...headers },
});

export const notFound = (): Reply => json(404, { message: "Resource not found" });
