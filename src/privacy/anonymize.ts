/**
 * The anonymisation rules (DataGrail's:
 * https://docs.datagrail.io/docs/integrations/api-documentation/greenhouse): clear the contact
 * and profile fields and replace the names with random strings. Array fields get `[]`, which
 * the reference documents as clearing them
 * (https://developers.greenhouse.io/harvest.html#patch-edit-candidate); it says nothing of null,
 * which the sandbox refuses. An empty `custom_fields` array changes nothing, so each custom field
 * the candidate has is cleared by name with `delete_value: "true"`.
 */
import type { ApiRecord } from "../entities.ts";

/** Random letters from a cryptographic source (Web Crypto), unbiased. */
export function randomName(length = 12): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz";
  const out: string[] = [];
  const byte = new Uint8Array(1);
  while (out.length < length) {
    crypto.getRandomValues(byte);
    // 26 × 9 = 234: reject bytes above that so every letter is equally likely.
    if (byte[0] < 234) out.push(alphabet[byte[0] % 26]);
  }
  return out[0].toUpperCase() + out.slice(1).join("");
}

/** The custom field keys a candidate carries (both spellings the API returns). */
function customFieldKeys(candidate: ApiRecord): string[] {
  const keyed = candidate?.keyed_custom_fields;
  const plain = candidate?.custom_fields;
  const source = keyed && typeof keyed === "object" ? keyed : plain;
  return source && typeof source === "object" && !Array.isArray(source) ? Object.keys(source) : [];
}

/** The PATCH /candidates/{id} body that anonymises this candidate; fresh random names each call. */
export function anonymizeBody(candidate: ApiRecord): Record<string, unknown> {
  return {
    first_name: randomName(),
    last_name: randomName(),
    company: null,
    title: null,
    addresses: [],
    email_addresses: [],
    phone_numbers: [],
    social_media_addresses: [],
    website_addresses: [],
    tags: [],
    custom_fields: customFieldKeys(candidate).map((key) => ({
      name_key: key,
      delete_value: "true",
    })),
  };
}
