// Claims: what fans claimed on the claim page, held ones first (a repeat claimer, an empty
// code pool wait for a person). An editor marks a claim fulfilled (they sent the sample) or
// refuses it (nothing is sent). No name, email or address is ever shown: the console's API
// cannot decrypt them; `goodword claims show ID` reveals them to someone with the key.

import { get, post, q } from "./api.js";
import { announce, confirmDialog, fill, h, time, uid } from "./dom.js";

const STATES = [
  ["held", "Held (waiting for a person)"],
  ["failed", "Failed"],
  ["claimed", "Claimed"],
  ["fulfilled", "Fulfilled"],
  ["refused", "Refused"],
  ["redeemed", "Redeemed"],
  ["", "All claims"],
];
const HELD_BECAUSE = {
  repeat_claimer: "a repeat claimer: the same email or address claimed before",
  code_pool_empty: "the rule's code pool is empty",
};
const FULFILLABLE = new Set(["claimed", "held", "failed"]);
const REFUSABLE = new Set(["held", "failed"]);

function short(id) {
  return String(id || "").slice(0, 8);
}

function handleOf(claim) {
  return claim.handle ? `@${String(claim.handle).replace(/^@/, "")}` : null;
}

function facts(claim) {
  const rows = [
    ["Rule", h("code", {}, claim.rule_id || "")],
    ["Product", claim.product || "unknown"],
    ["Platform", claim.platform || ""],
    ["Fulfilment", claim.fulfilment || ""],
    ["Claimed", time(claim.created_at)],
  ];
  if (claim.held_because) rows.push(["Why held", HELD_BECAUSE[claim.held_because] || claim.held_because]);
  if ((claim.similar_to || []).length) rows.push(["Like earlier claims", claim.similar_to.map((id) => h("code", { title: id }, short(id))).flatMap((c, i) => (i ? [", ", c] : [c]))]);
  if (claim.fulfilled_at) rows.push(["Fulfilled", [time(claim.fulfilled_at), claim.fulfilled_by ? ` by ${claim.fulfilled_by.replace(/^console:/, "")}` : ""]]);
  if (claim.redeemed_at) rows.push(["Redeemed", time(claim.redeemed_at)]);
  if (claim.refused_by) rows.push(["Refused by", claim.refused_by.replace(/^console:/, "")]);
  else if (claim.reason) rows.push(["Reason", claim.reason]);
  return h("dl", { class: "facts-list" }, rows.map(([k, v]) => h("div", {}, h("dt", {}, k), h("dd", {}, v))));
}

function card(claim, ctx, decide) {
  const titleId = uid("claim");
  const handle = handleOf(claim);
  const who = handle
    ? h("a", { href: `#/people/${encodeURIComponent(`${claim.platform}:${handle}`)}` }, handle)
    : "someone whose handle is unknown";
  const article = h(
    "article",
    { class: `item claim state-${claim.state}`, "aria-labelledby": titleId, dataset: { id: claim.id } },
    h("h3", { id: titleId }, `Claim ${short(claim.id)}`, h("span", { class: "visually-hidden" }, ` (${claim.id})`), " · ", h("span", { class: `state state-${claim.state}` }, claim.state)),
    h("p", { class: "meta" }, "By ", who, " · ", h("code", {}, claim.id)),
    facts(claim),
  );
  if (!ctx.canEdit) return article;
  const buttons = [];
  if (FULFILLABLE.has(claim.state)) {
    buttons.push(h("button", { type: "button", class: "primary", "data-action": "mark-fulfilled", "aria-describedby": titleId, onclick: () => decide(claim, "mark-fulfilled") }, "Mark fulfilled"));
  }
  if (REFUSABLE.has(claim.state)) {
    buttons.push(h("button", { type: "button", class: "danger", "data-action": "refuse", "aria-describedby": titleId, onclick: () => decide(claim, "refuse") }, "Refuse"));
  }
  if (buttons.length) article.append(h("div", { class: "actions" }, buttons));
  return article;
}

export async function render(view, ctx) {
  const [wanted] = ctx.params;
  const state = STATES.some(([value]) => value === wanted) ? wanted : wanted === "all" ? "" : "held";
  const select = h("select", { id: "claims-state", name: "state" }, STATES.map(([value, label]) => h("option", { value, selected: value === state }, label)));
  select.value = state;
  select.addEventListener("change", () => {
    location.hash = `#/claims/${select.value || "all"}`;
  });
  const list = h("div", { class: "queue", id: "claims" }, h("p", {}, "Loading…"));
  const count = h("p", { class: "lead claims-count", id: "claims-count" });
  fill(
    view,
    h("h1", {}, "Claims"),
    h("p", {}, "What fans claimed with their offers. A claim is held when the same email or address claimed before, or the rule's code pool ran out: a person decides."),
    h("p", { class: "hint" }, "No name, email or address is shown here: the console cannot read them. Someone with the claims key sees them with ", h("code", {}, "goodword claims show ID"), "."),
    h("div", { class: "toolbar" }, h("div", { class: "field" }, h("label", { for: select.id }, "Show"), select)),
    count,
    h("section", { "aria-labelledby": "claims-title" }, h("h2", { id: "claims-title", class: "visually-hidden" }, "Claims"), list),
    ctx.canEdit ? null : h("p", { class: "hint" }, "You can read the claims; an editor marks them fulfilled or refuses them."),
  );

  async function decide(claim, action) {
    const name = `claim ${short(claim.id)}${handleOf(claim) ? ` by ${handleOf(claim)}` : ""}`;
    const fulfil = action === "mark-fulfilled";
    const yes = await confirmDialog({
      title: fulfil ? `Mark ${name} fulfilled?` : `Refuse ${name}?`,
      body: h("p", {}, fulfil
        ? `Say the ${claim.product || "sample"} went out (you sent it yourself). It is recorded as yours.`
        : "Nothing is sent to the fan. It is recorded as yours and cannot be undone here."),
      confirmLabel: fulfil ? "Mark fulfilled" : "Refuse the claim",
      danger: !fulfil,
    });
    if (!yes) return;
    const article = list.querySelector(`[data-id="${claim.id}"]`);
    try {
      const answer = await post(`/api/claims/${q(claim.id)}/${action}`);
      const updated = answer.claim;
      announce(answer.changed ? `Claim ${short(claim.id)} is now ${updated.state}.` : `Claim ${short(claim.id)} was ${updated.state} already.`, "ok");
      if (article) {
        const fresh = card(updated, ctx, decide);
        article.replaceWith(fresh);
        fresh.setAttribute("tabindex", "-1");
        fresh.focus();
      }
    } catch (error) {
      if (error.status === 401) return;
      announce(`Claim ${short(claim.id)}: ${error.message}`, "error");
    }
  }

  const answer = await get(`/api/claims${state ? `?state=${q(state)}` : ""}`);
  const claims = answer.claims || [];
  const label = (STATES.find(([value]) => value === state) || ["", ""])[1].replace(/ \(.*\)$/, "").toLowerCase();
  count.textContent = claims.length === 1 ? `1 claim (${label}).` : `${claims.length} claims (${label}).`;
  fill(list, claims.length ? claims.map((c) => card(c, ctx, decide)) : h("p", {}, state ? `No ${label} claims.` : "No claims yet."));
}
