/**
 * What a sandbox list is (catalog.ts, catalog_v3.ts): where it lives per version, how its records
 * are made (a sequence of slots), which filters it honours. catalog_routes.ts answers them.
 */
import type { ApiRecord } from "../entities.ts";
import { clone } from "./clone.ts";
import type { Seq } from "./slots.ts";
import type { Tenant } from "./tenant.ts";

/** A predicate over built records for a request's parameters, or undefined for none. */
export type RecordFilter = (
  params: URLSearchParams,
) => ((record: ApiRecord) => boolean) | undefined;

export interface ListDef {
  /** The list's name: its v3 cursor key and its key in per-tenant state. */
  name: string;
  /**
   * Small static lists are built whole (v1 serves them in table order, v3 by id descending);
   * the others are lazy slot lists whose ids rise with the slot.
   */
  fixed: boolean;
  /** The records: v1's shape where v1 lists them, else v3's. */
  seq(t: Tenant): Seq;
  /** Lazy lists: the id a slot's record has (rises with the slot). */
  idOfSlot?(slot: number): number;
  /** Lazy lists: a slot's updated time, without building the record. */
  updated?(t: Tenant, slot: number): number;
  v1?: {
    paging: "pages" | "next";
    created: boolean;
    updated: boolean;
    filter?: RecordFilter;
  };
  v3?: {
    /** Whether created_at / updated_at filters apply. */
    dates: boolean;
    /** v1 record → v3 record (absent: the seq already has the v3 shape). */
    shape?: (t: Tenant, slot: number, record: ApiRecord) => ApiRecord;
    /** Parameters assumed when absent, e.g. job posts' `active=true`. */
    defaults?: Record<string, string>;
    filter?: RecordFilter;
    /**
     * Lazy lists whose v3 records are built as they are: a slot's updated time without building
     * it, so an `updated_at` filter skips unchanged records cheaply (it must equal the record's).
     */
    updated?(t: Tenant, slot: number): number;
  };
}

/** A fixed list's sequence (created 0: v1 gives these records no creation time to filter on). */
export function fixedSeq(items: () => readonly ApiRecord[]): (t: Tenant) => Seq {
  return () => {
    const list = items();
    return {
      size: () => list.length,
      exists: () => true,
      created: () => 0,
      build: (slot) => clone(list[slot]),
    };
  };
}

/** A lazy per-owner list: `per` slots per job or application. */
export function lazySeq(
  owners: (t: Tenant) => number,
  per: number,
  exists: (t: Tenant, slot: number) => boolean,
  created: (t: Tenant, slot: number) => number,
  build: (t: Tenant, slot: number) => ApiRecord,
): (t: Tenant) => Seq {
  return (t) => ({
    size: () => owners(t) * per,
    exists: (slot) => exists(t, slot),
    created: (slot) => created(t, slot),
    build: (slot) => build(t, slot),
  });
}
