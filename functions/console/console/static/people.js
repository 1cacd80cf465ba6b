// People: find a person, see their timeline across platforms, record an opt-in, link or
// unlink identities, and erase them (after a preview of what goes, typing their handle).

import { get, post, q } from "./api.js";
import { announce, confirmDialog, field, fill, h, number, time } from "./dom.js";

export function render(view, ctx) {
  const [person] = ctx.params;
  return person ? renderPerson(view, ctx, person) : renderSearch(view, ctx);
}

function platformHandle(p) {
  const handle = p.handle ? `@${String(p.handle).replace(/^@/, "")}` : p.person || "";
  return p.platform ? `${handle} on ${p.platform}` : handle;
}

async function renderSearch(view) {
  const params = new URLSearchParams(location.hash.split("?")[1] || "");
  const input = h("input", { type: "search", name: "q", autocomplete: "off", value: params.get("q") || "" });
  const box = field("Find a person", input, { hint: "A handle (maya_brews) or words they wrote." });
  const results = h("div", { id: "people-results", "aria-live": "polite" });
  const form = h("form", { role: "search", class: "search" }, box.wrap, h("button", { type: "submit", class: "primary" }, "Search"));
  async function search() {
    const text = input.value.trim();
    if (!text) {
      fill(results, h("p", {}, "Type a handle or some words to search."));
      return;
    }
    fill(results, h("p", {}, "Searching…"));
    try {
      const data = await get(`/api/people?q=${q(text)}`);
      const people = data.people || [];
      fill(
        results,
        h("p", {}, people.length ? `${people.length} ${people.length === 1 ? "person" : "people"} found.` : "Nobody found."),
        people.length
          ? h("ul", { class: "people" }, people.map((p) =>
              h("li", {},
                h("a", { href: `#/people/${encodeURIComponent(p.person)}` }, platformHandle(p)),
                p.name ? ` · ${p.name}` : "",
                ` · ${p.mention_count ?? 0} ${p.mention_count === 1 ? "mention" : "mentions"}`,
                p.last_seen ? [" · last seen ", time(p.last_seen)] : null)))
          : null,
      );
    } catch (error) {
      if (error.status !== 401) fill(results, h("p", { class: "error" }, error.message));
    }
  }
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    search();
  });
  fill(view, h("h1", {}, "People"), form, results);
  if (input.value) search();
}

function identityKey(identity) {
  if (typeof identity === "string") return identity;
  return identity.person || identity.key || identity.id || (identity.platform && identity.handle ? `${identity.platform}:@${String(identity.handle).replace(/^@/, "")}` : "");
}

function identityText(identity, handles = {}) {
  if (typeof identity === "string") {
    const platform = identity.startsWith("PERSON#") ? identity.split("#")[1] : null;
    return handles[identity] && platform ? `@${handles[identity]} on ${platform}` : identity;
  }
  return identity.platform && identity.handle ? `@${String(identity.handle).replace(/^@/, "")} on ${identity.platform}` : identityKey(identity);
}

// the facts Goodword holds, without the empty ones (the heading already says the handle)
function facts(person) {
  const rows = Object.entries(person || {}).filter(([k, v]) => k !== "handle" && v !== null && v !== "" && ["string", "number", "boolean"].includes(typeof v));
  const shown = (v) => (typeof v === "boolean" ? (v ? "yes" : "no") : /^\d{4}-\d{2}-\d{2}T/.test(String(v)) ? time(String(v)) : String(v));
  return h("dl", { class: "facts-list" }, rows.map(([k, v]) => h("div", {}, h("dt", {}, k.replace(/_/g, " ")), h("dd", {}, shown(v)))));
}

function timelineEntry(entry) {
  const kind = entry.kind || "event";
  const bits = [];
  if (entry.praise !== undefined && entry.praise !== null) bits.push(`praise ${number(entry.praise)}`);
  if (entry.band) bits.push(`band ${entry.band}`);
  if (entry.state) bits.push(String(entry.state).replace(/_/g, " "));
  if (entry.product) bits.push(entry.product);
  return h(
    "li",
    { class: `timeline-${kind}` },
    h("p", { class: "meta" }, time(entry.at), " · ", entry.platform || "", " · ", h("strong", {}, kind), bits.length ? ` · ${bits.join(" · ")}` : ""),
    entry.text ? h("blockquote", { class: "post" }, entry.text) : null,
  );
}

async function renderPerson(view, ctx, personId) {
  const data = await get(`/api/person?id=${q(personId)}`);
  const person = data.person || {};
  // the handle the person goes by (their newest post's); the key when no post is left
  const handle = String(person.handle || personId.split(":@")[1] || person.person || personId).replace(/^@/, "");
  const identities = data.identities || [];
  const handles = data.handles || {};
  const timeline = data.timeline || [];
  const reload = () => renderPerson(view, ctx, personId);

  async function act(path, body, done) {
    try {
      await post(path, body);
      await reload();
      announce(done, "ok");
    } catch (error) {
      if (error.status !== 401) announce(error.message, "error");
    }
  }

  const other = h("input", { type: "text", autocomplete: "off" });
  const otherBox = field("Another identity of this person", other, { hint: "Like instagram:@maya.brews" });
  const linkForm = h("form", { class: "inline-form" }, otherBox.wrap, h("button", { type: "submit", class: "secondary" }, "Link"));
  linkForm.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!other.value.trim()) {
      otherBox.setError("Type the other identity to link.");
      return;
    }
    otherBox.setError(null);
    act("/api/person/link", { person: personId, other: other.value.trim() }, `Linked ${other.value.trim()}.`);
  });

  async function erase() {
    let preview;
    try {
      preview = await get(`/api/person/erase-preview?id=${q(personId)}`);
    } catch (error) {
      if (error.status !== 401) announce(error.message, "error");
      return;
    }
    const yes = await confirmDialog({
      title: `Erase @${handle}?`,
      body: h("div", {}, h("p", {}, "This removes, for good:"), h("ul", {}, (preview.will_remove || []).map((w) => h("li", {}, w))), h("p", {}, "Counts stay in the reports without the person. This cannot be undone.")),
      confirmLabel: "Erase for good",
      danger: true,
      requireText: handle,
      requireLabel: `Type ${handle} to confirm`,
    });
    if (!yes) return;
    try {
      const answer = await post("/api/person/erase", { person: personId, confirm: personId });
      const removed = Object.entries(answer.removed || {}).map(([k, n]) => `${n} ${k.replace(/_/g, " ")}`).join(", ");
      announce(`Erased @${handle}${removed ? `: ${removed}` : ""}.`, "ok");
      location.hash = "#/people";
    } catch (error) {
      if (error.status !== 401) announce(error.message, "error");
    }
  }

  fill(
    view,
    h("p", { class: "crumbs" }, h("a", { href: "#/people" }, "People"), " / ", `@${handle}`),
    h("h1", {}, `@${handle}`),
    facts(person),
    h("section", { "aria-labelledby": "ids-title" },
      h("h2", { id: "ids-title" }, "Identities"),
      identities.length
        ? h("ul", { class: "identities" }, identities.map((identity) =>
            h("li", {}, identityText(identity, handles), " ",
              ctx.canEdit && identities.length > 1 ? h("button", { type: "button", class: "link", onclick: () => act("/api/person/unlink", { person: identityKey(identity) }, `Unlinked ${identityText(identity, handles)}.`) }, "Unlink", h("span", { class: "visually-hidden" }, ` ${identityText(identity, handles)}`)) : null)))
        : h("p", {}, "Only this identity."),
      ctx.canEdit ? linkForm : null),
    h("section", { "aria-labelledby": "timeline-title" },
      h("h2", { id: "timeline-title" }, "Timeline"),
      timeline.length ? h("ol", { class: "timeline" }, timeline.map(timelineEntry)) : h("p", {}, "Nothing yet.")),
    ctx.canEdit
      ? h("section", { "aria-labelledby": "manage-title", class: "manage" },
          h("h2", { id: "manage-title" }, "Consent and erasure"),
          h("div", { class: "actions" },
            h("button", { type: "button", class: "secondary", "data-action": "opt-in", onclick: () => act("/api/person/opt-in", { person: personId }, `@${handle} is opted in again.`) }, "Record an opt-in"),
            h("button", { type: "button", class: "danger", "data-action": "erase", onclick: erase }, "Erase this person…")))
      : null,
  );
}
