/**
 * Validation of candidate writes (PATCH, anonymize; v1 and v3). Sandbox choices where the docs
 * are silent:
 * - `null` for an array field (phone_numbers, tags, …) is refused with 422, telling to send `[]`.
 * - Unknown type values in contact arrays are refused with 422.
 * - `custom_fields` items must name a known field by `id` or `name_key`; `delete_value: "true"`
 *   sets the value to null; an empty array does nothing.
 * - `recruiter` / `coordinator`: `{id}`, `{user_id}` or `{email}` of a known user, or null.
 */
import type { ApiRecord, ApiVersion } from "../entities.ts";
import { userRef } from "./build/users.ts";
import { ANONYMIZE_FIELD_NAMES } from "../harvest/anonymize_fields.ts";

export interface FieldError {
  message: string;
  field: string;
}

export type Validated<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

const ARRAY_TYPES: Record<string, readonly string[] | null> = {
  phone_numbers: ["home", "work", "mobile", "skype", "other"],
  addresses: ["home", "work", "other"],
  email_addresses: ["personal", "work", "other"],
  website_addresses: ["personal", "company", "portfolio", "blog", "other"],
  social_media_addresses: null,
};

/** Custom candidate fields: id → [custom_fields key, keyed_custom_fields key]. */
export const CANDIDATE_CUSTOM_FIELDS: Record<number, readonly [string, string]> = {
  1001: ["desired_salary", "desired_salary"],
  1002: ["work_remotely", "work_remotely"],
  1003: ["graduation_year", "graduation_year_1"],
};

/** The error for a non-array value; a null one is told what to send instead. */
function notAnArray(field: string, value: unknown, instead: string): FieldError {
  return { message: value === null ? `Must be an array; ${instead}` : "Must be an array", field };
}

export function validatePatch(
  body: unknown,
  current: ApiRecord,
  users: ApiRecord[],
): Validated<Record<string, unknown>> {
  const errors: FieldError[] = [];
  const out: Record<string, unknown> = {};
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return { ok: false, errors: [{ message: "Body must be a JSON object", field: "body" }] };
  }
  const b = body as Record<string, unknown>;
  for (const key of ["first_name", "last_name", "company", "title"]) {
    if (!(key in b)) continue;
    const v = b[key];
    if (v === null || typeof v === "string") out[key] = v;
    else errors.push({ message: "Must be a string", field: key });
  }
  if ("is_private" in b) {
    const v = b.is_private;
    if (v === true || v === "true") out.is_private = true;
    else if (v === false || v === "false") out.is_private = false;
    else errors.push({ message: "Must be true or false", field: "is_private" });
  }
  for (const [key, types] of Object.entries(ARRAY_TYPES)) {
    if (!(key in b)) continue;
    const v = b[key];
    if (!Array.isArray(v)) {
      errors.push(notAnArray(key, v, "send [] to clear"));
      continue;
    }
    const items: ApiRecord[] = [];
    for (const item of v) {
      if (typeof item !== "object" || item === null || typeof item.value !== "string") {
        errors.push({ message: "Each item needs a string value", field: key });
        break;
      }
      if (types) {
        if (!types.includes(item.type)) {
          errors.push({ message: `type must be one of: ${types.join(", ")}`, field: key });
          break;
        }
        items.push({ value: item.value, type: item.type });
      } else items.push({ value: item.value });
    }
    out[key] = items;
  }
  if ("tags" in b) {
    const v = b.tags;
    if (!Array.isArray(v)) {
      errors.push(notAnArray("tags", v, "send [] to clear"));
    } else if (!v.every((t) => typeof t === "string")) {
      errors.push({ message: "Tags must be strings", field: "tags" });
    } else out.tags = [...new Set(v as string[])];
  }
  for (const key of ["recruiter", "coordinator"]) {
    if (!(key in b)) continue;
    const v = b[key] as Record<string, unknown> | null;
    if (v === null) {
      out[key] = null;
      continue;
    }
    const wanted = v?.id ?? v?.user_id;
    const user = users.find((u) =>
      (wanted !== undefined && u.id === Number(wanted)) ||
      (typeof v?.email === "string" &&
        (u.emails as string[]).some((e) => e.toLowerCase() === String(v.email).toLowerCase()))
    );
    if (!user) errors.push({ message: "User not found", field: key });
    else out[key] = userRef(user);
  }
  if ("custom_fields" in b) {
    const v = b.custom_fields;
    if (!Array.isArray(v)) {
      errors.push(notAnArray("custom_fields", v, "send [] to change nothing"));
    } else if (v.length > 0) {
      const cf = structuredClone(current.custom_fields ?? {});
      const kcf = structuredClone(current.keyed_custom_fields ?? {});
      for (const item of v) {
        const entry = Object.entries(CANDIDATE_CUSTOM_FIELDS).find(([id, [plain, keyed]]) =>
          Number(item?.id) === Number(id) || item?.name_key === keyed || item?.name_key === plain
        );
        if (!entry) {
          errors.push({ message: "Unknown custom field", field: "custom_fields" });
          break;
        }
        const [plain, keyed] = entry[1];
        const value = item.delete_value === "true" || item.delete_value === true
          ? null
          : item.value ?? null;
        cf[plain] = value;
        if (kcf[keyed] && typeof kcf[keyed] === "object") kcf[keyed].value = value;
      }
      out.custom_fields = cf;
      out.keyed_custom_fields = kcf;
    }
  }
  return errors.length ? { ok: false, errors } : { ok: true, value: out };
}

/**
 * The fields `PATCH /v3/candidates/{id}` accepts, as the v3 spec's request body declares them
 * (`additionalProperties: false`): the request says `is_private` where the response says
 * `private`, and recruiter and coordinator belong to the application.
 */
const V3_PATCH_FIELDS = new Set([
  "first_name",
  "last_name",
  "preferred_name",
  "time_zone",
  "company",
  "title",
  "is_private",
  "can_email",
  "phone_numbers",
  "addresses",
  "email_addresses",
  "website_addresses",
  "social_media_addresses",
  "tags",
  "linked_user_ids",
  "custom_fields",
]);
/** Of those, the strings: the spec allows no null (send "" to empty one). */
const V3_PATCH_STRINGS = [
  "first_name",
  "last_name",
  "preferred_name",
  "time_zone",
  "company",
  "title",
];

/** The 422s for a v3 PATCH body's own rules (names, strings, booleans, custom field items). */
function v3PatchProblems(b: Record<string, unknown>): FieldError[] {
  const errors: FieldError[] = Object.keys(b).filter((key) => !V3_PATCH_FIELDS.has(key))
    .map((key) => ({ message: "Unknown field", field: key }));
  for (const key of V3_PATCH_STRINGS) {
    if (key in b && typeof b[key] !== "string") {
      errors.push({ message: 'Must be a string; send "" to empty it', field: key });
    }
  }
  for (const key of ["is_private", "can_email"]) {
    if (key in b && typeof b[key] !== "boolean") {
      errors.push({ message: "Must be true or false", field: key });
    }
  }
  const ids = b.linked_user_ids;
  if ("linked_user_ids" in b && !(Array.isArray(ids) && ids.every(Number.isSafeInteger))) {
    errors.push({ message: "Must be an array of user ids", field: "linked_user_ids" });
  }
  for (const item of Array.isArray(b.custom_fields) ? b.custom_fields : []) {
    const keys = item !== null && typeof item === "object" ? Object.keys(item) : [];
    const named = keys.includes("name_key") !== keys.includes("custom_field_id");
    if (!named || !keys.includes("value") || keys.length !== 2) {
      errors.push({
        message: "Each item is {name_key or custom_field_id, value}; value null clears the field",
        field: "custom_fields",
      });
      break;
    }
  }
  return errors;
}

/**
 * `PATCH /v3/candidates/{id}` as the v3 spec declares its body: only its fields, strings never
 * null, `is_private` (v3's response says `private`), custom fields as `{name_key, value}` (or
 * `custom_field_id`) with `value: null` to clear one (v1's `delete_value` is refused). The rest
 * is v1's validation.
 */
export function validateV3Patch(
  body: unknown,
  current: ApiRecord,
  users: ApiRecord[],
): Validated<Record<string, unknown>> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return { ok: false, errors: [{ message: "Body must be a JSON object", field: "body" }] };
  }
  const b = { ...body as Record<string, unknown> };
  const problems = v3PatchProblems(b);
  if (problems.length) return { ok: false, errors: problems };
  // v3-only fields go through as given; the rest as v1 would take them.
  const extra: Record<string, unknown> = {};
  for (const key of ["preferred_name", "time_zone", "can_email", "linked_user_ids"]) {
    if (key in b) extra[key] = structuredClone(b[key]);
    delete b[key];
  }
  if (Array.isArray(b.custom_fields)) {
    b.custom_fields = (b.custom_fields as Record<string, unknown>[]).map((item) => {
      const name = "name_key" in item ? { name_key: item.name_key } : { id: item.custom_field_id };
      return item.value === null
        ? { ...name, delete_value: "true" }
        : { ...name, value: item.value };
    });
  }
  const v = validatePatch(b, current, users);
  return v.ok ? { ok: true, value: { ...v.value, ...extra } } : v;
}

/**
 * `PATCH /v3/candidates/{id}/anonymize`: a JSON object `{"fields": [names]}` and nothing else,
 * at least one name, each from v3's fixed enum (the v3 spec's request body; 422 otherwise).
 */
export function validateV3AnonymizeBody(body: unknown): Validated<string[]> {
  const fields = (body as Record<string, unknown> | null)?.fields;
  if (
    typeof body !== "object" || body === null || Array.isArray(body) ||
    Object.keys(body).some((key) => key !== "fields") || !Array.isArray(fields) ||
    fields.length === 0 || !fields.every((f) => typeof f === "string")
  ) {
    return {
      ok: false,
      errors: [{ message: 'Body must be {"fields": [names, …]}', field: "fields" }],
    };
  }
  return validateAnonymizeFields(fields.join(","), "v3");
}

/** Parse the anonymize field names (v1's `fields=`, v3's body) against the version's names. */
export function validateAnonymizeFields(
  raw: string | null,
  version: ApiVersion,
): Validated<string[]> {
  if (raw === null || raw.trim() === "") {
    return { ok: false, errors: [{ message: "Missing required field: fields", field: "fields" }] };
  }
  const names = raw.split(",").map((s) => s.trim()).filter((s) => s !== "");
  const allowed = new Set<string>(ANONYMIZE_FIELD_NAMES[version]);
  const bad = names.filter((n) => !allowed.has(n));
  if (bad.length) {
    return {
      ok: false,
      errors: bad.map((n) => ({ message: `Unknown field: ${JSON.stringify(n)}`, field: "fields" })),
    };
  }
  return { ok: true, value: names };
}
