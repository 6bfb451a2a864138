/**
 * The extraction engine's front door: the stream that lists an entity page by page into an open
 * cache, and its schema.json. Commands import the extraction engine through this module only
 * (scripts/check_imports.ts).
 */
export { type EntityStream, streamEntity, type StreamResult } from "./stream.ts";
export { publishSchema } from "./schema.ts";
export { extractEntity, type ExtractOptions, type ExtractResult } from "./run.ts";
/** Names on disk the entity commands' help describes. */
export { INDEX_FILE } from "../cache/mod.ts";
