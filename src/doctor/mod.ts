/**
 * The doctor engine's front door: first contact with a tenant, its report in text and JSON.
 * Commands import the doctor engine through this module only (scripts/check_imports.ts).
 */
export { type DoctorRun, runDoctor } from "./run.ts";
export { doctorJson, formatDoctor, writeDoctorReport } from "./format.ts";
export type { DoctorReport } from "./types.ts";
export { FileHostPolicy } from "../dependent/mod.ts";
