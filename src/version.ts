import config from "../deno.json" with { type: "json" };

/** The one place the version comes from: deno.json, which the release workflow also reads. */
export const VERSION: string = config.version;
export const USER_AGENT =
  `greenhouse-extractor/${VERSION} (+https://github.com/greenhouse-extractor)`;
