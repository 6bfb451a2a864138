/** A candidate's activity feed (notes, emails, activities), touches and anonymizing included. */
import type { ApiRecord } from "../../entities.ts";
import { iso } from "../dates.ts";
import { idOf } from "../ids.ts";
import { mix, Rng } from "../prng.ts";
import { randomUserRef } from "./users.ts";
import type { TenantView } from "./view.ts";

export function buildActivityFeed(t: TenantView, i: number): ApiRecord {
  const r = new Rng(mix(t.seed, 19, i));
  const o = t.overlayOf(i);
  const created = t.skeleton.candidateCreated(i);
  // The seeded span, not the written one: a write must not move the seeded items' times.
  const span = Math.max(1, t.skeleton.candidateUpdated(i) - created);
  const at = () => iso(created + r.int(span));
  const userRef = () => randomUserRef(r, t.users);
  const email = t.candidateEmails(i)[0] ?? null;
  const notes = Array.from({ length: r.int(3) }, (_, n) => {
    const visibility = r.pick(["admin_only", "public", "private"]);
    return {
      id: idOf("note", i, n),
      created_at: at(),
      body: r.pick(["Very mysterious.", 'Call back, "after" lunch', "Line one\nLine two"]),
      user: userRef(),
      private: visibility === "private",
      // The documented feed carries the misspelt legacy key next to the right one.
      visiblity: visibility,
      visibility,
    };
  });
  const emails = Array.from({ length: r.int(2) }, (_, n) => {
    const user = userRef();
    return {
      id: idOf("email", i, n),
      created_at: at(),
      subject: r.chance(0.1) ? null : "Regarding your application",
      body: "Hey,  just wanted to touch base!",
      to: email,
      from: `${String(user.first_name).toLowerCase()}@example.com`,
      cc: r.chance(0.3) ? "sam.smith@example.com" : null,
      user,
    };
  });
  const activities: ApiRecord[] = Array.from({ length: 1 + r.int(3) }, (_, n) => {
    const nullSubject = r.chance(0.3);
    return {
      id: idOf("activity", i, n),
      created_at: at(),
      subject: nullSubject ? null : r.pick(["Candidate Stage Change", "Candidate Rejected"]),
      body: nullSubject
        ? "Someone added this candidate through Greenhouse."
        : "Moved into Recruiter Phone Screen for Accounting Manager",
      user: nullSubject || r.chance(0.2) ? null : userRef(),
    };
  });
  for (const added of o?.notes ?? []) {
    const user = userRef();
    if (added.kind === "note") {
      notes.push({
        id: added.id,
        created_at: iso(added.at),
        body: "Added by the sandbox.",
        user,
        private: false,
        visiblity: "public",
        visibility: "public",
      });
    } else {
      emails.push({
        id: added.id,
        created_at: iso(added.at),
        subject: "Following up",
        body: "Added by the sandbox.",
        to: email,
        from: `${String(user.first_name).toLowerCase()}@example.com`,
        cc: null,
        user,
      });
    }
  }
  // An edit changes the note's body (its updated_at is the v3 notes' concern).
  const edited = notes.find((n) => n.id === o?.editedNote?.id);
  if (edited) edited.body = `${edited.body} (edited)`;
  o?.touches.forEach((at, n) =>
    activities.push({
      id: o.touchIds[n],
      created_at: iso(at),
      subject: "Candidate Updated",
      body: `Sandbox touch ${n + 1}`,
      user: null,
    })
  );
  return {
    notes: o?.cleared.has("notes") ? [] : notes,
    emails: o?.cleared.has("emails") ? [] : emails,
    activities: o?.cleared.has("activities") ? [] : activities,
    linkedin_notes: [],
    linkedin_inmails: [],
  };
}
