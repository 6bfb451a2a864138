/**
 * Validation of candidate writes (PATCH, anonymize; v1 and v3). Sandbox choices where the docs
 * are silent:
 * - `null` for an array field (phone_numbers, tags, …) is refused with 422, telling to send `[]`.
 * - Unknown type values in contact arrays are refused with 422.
 * - `custom_fields` items must name a known field by `id` or `name_key`; `delete_value: "true"`
 *   sets the value to null; an empty array does nothing.
 * - `recruiter` / `coordinator`: `{id}`, `{user_id}` or `{email}` of a known user, or null.
 */
import type { ApiRecord } from "../entities.ts";
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

/** The fields `PATCH /v3/candidates/{id}` accepts: v1's candidate fields in their v3 names. */
const V3_PATCH_FIELDS = new Set([
  "first_name",
  "last_name",
  "company",
  "title",
  "private",
  "phone_numbers",
  "addresses",
  "email_addresses",
  "website_addresses",
  "social_media_addresses",
  "tags",
  "custom_fields",
]);

/**
 * `PATCH /v3/candidates/{id}`, strictly: the v3 field names only (`private`, not `is_private`;
 * recruiter and coordinator belong to the application in v3), and custom fields as
 * `{name_key, value}` with `value: null` to clear one (v1's `delete_value` is refused). Sandbox
 * reading of the v3 write shape (docs/api-versions.md#writes-on-v3); the rest is v1's validation.
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
  const unknown = Object.keys(b).filter((key) => !V3_PATCH_FIELDS.has(key));
  if (unknown.length) {
    return {
      ok: false,
      errors: unknown.map((key) => ({ message: "Unknown field", field: key })),
    };
  }
  if ("private" in b) {
    b.is_private = b.private;
    delete b.private;
  }
  if (Array.isArray(b.custom_fields)) {
    const items: unknown[] = [];
    for (const item of b.custom_fields as Record<string, unknown>[]) {
      const keys = item !== null && typeof item === "object" ? Object.keys(item).sort() : [];
      if (keys.join(",") !== "name_key,value" || typeof item.name_key !== "string") {
        return {
          ok: false,
          errors: [{
            message: "Each item must be {name_key, value}; value null clears the field",
            field: "custom_fields",
          }],
        };
      }
      items.push(
        item.value === null
          ? { name_key: item.name_key, delete_value: "true" }
          : { name_key: item.name_key, value: item.value },
      );
    }
    b.custom_fields = items;
  }
  const v = validatePatch(b, current, users);
  if (!v.ok) {
    return {
      ok: false,
      errors: v.errors.map((e) => e.field === "is_private" ? { ...e, field: "private" } : e),
    };
  }
  return v;
}

/**
 * `PATCH /v3/candidates/{id}/anonymize`: a JSON object `{"fields": [names]}`, the names those of
 * v1's `fields=` (the sandbox's reading; docs/api-versions.md#writes-on-v3).
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
  return validateAnonymizeFields(fields.join(","));
}

/** Parse `fields=` of PUT …/anonymize against the 44 allowed names. */
export function validateAnonymizeFields(raw: string | null): Validated<string[]> {
  if (raw === null || raw.trim() === "") {
    return { ok: false, errors: [{ message: "Missing required field: fields", field: "fields" }] };
  }
  const names = raw.split(",").map((s) => s.trim()).filter((s) => s !== "");
  const allowed = new Set<string>(ANONYMIZE_FIELD_NAMES);
  const bad = names.filter((n) => !allowed.has(n));
  if (bad.length) {
    return {
      ok: false,
      errors: bad.map((n) => ({ message: `Unknown field: ${JSON.stringify(n)}`, field: "fields" })),
    };
  }
  return { ok: true, value: names };
}
