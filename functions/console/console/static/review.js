// Review (the home page): offers and flags waiting for a person, newest first, with what
// the judge thought and who the person is; approve, edit and approve, or reject with a
// reason. Polls for new items every 10 s; j/k move, a approves, r rejects.

import { get, post, q } from "./api.js";
import { age, announce, field, fill, h, number, time, uid } from "./dom.js";

const POLL_MS = 10000;
const REASONS = [
  ["", "Choose a reason"],
  ["not-praise", "Not praise (teaches the judge)"],
  ["not-eligible", "Not eligible"],
  ["duplicate", "Duplicate"],
  ["other", "Other"],
];

export function stateLabel(offer) {
  if (offer.kind === "flag") return { approved: "done", rejected: "dismissed" }[offer.state] || offer.state.replace("_", " ");
  if (offer.state === "sent" && offer.dry_run) return "sent (dry run)";
  return (offer.state || "").replace("_", " ");
}

function platformName(platform) {
  const names = { x: "X", instagram: "Instagram", facebook: "Facebook", linkedin: "LinkedIn", twitch: "Twitch", mastodon: "Mastodon", bluesky: "Bluesky", youtube: "YouTube", tiktok: "TikTok" };
  return names[platform] || platform || "";
}

function judgementPart(item) {
  const j = item.judgement || {};
  const facts = [];
  if (j.praise !== undefined && j.praise !== null) facts.push(h("li", {}, h("span", { class: "k" }, "praise "), h("strong", {}, number(j.praise))));
  if (j.sarcasm !== undefined && j.sarcasm !== null) facts.push(h("li", {}, h("span", { class: "k" }, "“sounds sarcastic” "), h("strong", {}, number(j.sarcasm))));
  if (j.band) facts.push(h("li", {}, h("span", { class: "k" }, "band "), h("strong", {}, j.band)));
  if (j.label) facts.push(h("li", {}, h("span", { class: "k" }, "label "), h("strong", {}, j.label)));
  return h(
    "div",
    { class: "judgement" },
    h("h3", {}, "What the judge thought"),
    h("ul", { class: "chips" }, facts),
    j.words ? h("p", {}, j.words) : null,
    j.second_opinion ? h("p", {}, h("strong", {}, "Second opinion: "), j.second_opinion) : null,
  );
}

function personPart(item) {
  const p = item.person || {};
  const handle = p.handle || item.author_handle || item.author_id || "unknown";
  const rows = [
    ["Followers", p.followers_count ?? "unknown"],
    ["Account age", age(p.account_created_at)],
    ["Past mentions", `${p.mention_count ?? 0} (${p.positive_mention_count ?? 0} positive)`],
    ["Offers received", p.offers_received ?? 0],
    ["Claims", p.claims_total ?? 0],
    ["Linked identities", (p.linked_identities || []).length ? p.linked_identities.join(", ") : "none"],
  ];
  if (p.opted_out) rows.push(["Opted out", p.opted_out]);
  if (item.held_because) rows.push(["Why held", item.held_because]);
  if (item.flag_reason) rows.push(["Why flagged", item.flag_reason]);
  return h(
    "div",
    { class: "person" },
    h("h3", {}, "Who: ", h("a", { href: `#/people/${encodeURIComponent(`${item.platform}:@${handle.replace(/^@/, "")}`)}` }, handle.startsWith("@") ? handle : `@${handle}`)),
    h("dl", {}, rows.map(([k, v]) => h("div", {}, h("dt", {}, k), h("dd", {}, String(v))))),
  );
}

function messagePart(item, ctx) {
  const edit = item.edit || { placeholders: [], max_length: 280 };
  const area = h("textarea", { rows: 4, name: "message", "data-role": "message", readonly: !ctx.canEdit });
  area.value = item.message || "";
  const box = field(`Message to ${item.author_handle ? `@${item.author_handle.replace(/^@/, "")}` : "the person"}`, area, {
    hint: edit.placeholders && edit.placeholders.length ? `Placeholders you can use: ${edit.placeholders.map((p) => `{${p}}`).join(" ")}` : null,
  });
  const count = h("span", { class: "count", id: uid("count") });
  area.dataset.describedAlso = count.id;
  area.setAttribute("aria-describedby", `${area.getAttribute("aria-describedby") || ""} ${count.id}`.trim());
  const update = () => {
    const n = area.value.length;
    count.textContent = `${n} of ${edit.max_length} characters`;
    count.classList.toggle("over", n > edit.max_length);
    box.wrap.dispatchEvent(new CustomEvent("message-changed", { bubbles: true }));
  };
  area.addEventListener("input", update);
  box.wrap.append(count);
  update();
  return { box, area, limit: edit.max_length, original: item.message || "" };
}

function card(item, ctx, actions) {
  const isFlag = item.kind === "flag";
  const titleId = uid("item");
  const article = h("article", { class: "item", tabindex: "-1", "aria-labelledby": titleId, dataset: { id: item.id } });
  const head = h(
    "header",
    {},
    h("h3", { id: titleId }, isFlag ? "Flag: " : "Offer: ", item.product || item.rule_id || "", " · ", platformName(item.platform)),
    h("p", { class: "meta" }, time(item.event_time || item.created_at), " · rule ", h("code", {}, item.rule_id || ""), item.post_url ? [" · ", h("a", { href: item.post_url, rel: "noopener noreferrer", target: "_blank" }, "Open the post", h("span", { class: "visually-hidden" }, " (opens a new tab)"))] : null),
  );
  const quote = h("blockquote", { class: "post" }, item.event_text || item.text || "(no text)");
  article.append(head, quote, h("div", { class: "facts" }, personPart(item), judgementPart(item)));
  if (isFlag) {
    if (ctx.canEdit) {
      article.append(
        h("div", { class: "actions" },
          h("button", { type: "button", class: "primary", "data-action": "approve", onclick: () => actions.approve(item, null) }, "Done"),
          h("button", { type: "button", class: "secondary", "data-action": "reject", onclick: () => actions.reject(item, "other", "dismissed") }, "Dismiss")),
      );
    }
    return article;
  }
  const message = messagePart(item, ctx);
  article.append(message.box.wrap);
  if (!ctx.canEdit) {
    article.append(h("p", { class: "hint" }, "You can read this offer; an editor approves or rejects it."));
    return article;
  }
  const approve = h("button", { type: "button", class: "primary", "data-action": "approve" }, "Approve");
  const editApprove = h("button", { type: "button", class: "secondary", "data-action": "edit-approve", disabled: true }, "Edit and approve");
  const select = h("select", { "data-role": "because" }, REASONS.map(([value, label]) => h("option", { value }, label)));
  const because = field("Why reject", select);
  const note = field("Note (optional)", h("input", { type: "text", "data-role": "reason", maxlength: 300 }));
  const reject = h("button", { type: "button", class: "danger", "data-action": "reject" }, "Reject");
  const changed = () => message.area.value !== message.original;
  message.box.wrap.addEventListener("message-changed", () => {
    const over = message.area.value.length > message.limit;
    editApprove.disabled = !changed() || over || !message.area.value.trim();
    approve.disabled = changed();
    message.box.setError(over ? `The message is ${message.area.value.length - message.limit} characters too long.` : null);
  });
  approve.addEventListener("click", () => actions.approve(item, null));
  editApprove.addEventListener("click", () => actions.approve(item, message.area.value, message.box));
  reject.addEventListener("click", () => {
    if (!select.value) {
      because.setError("Choose why you reject it.");
      select.focus();
      return;
    }
    because.setError(null);
    actions.reject(item, select.value, note.input.value.trim() || null);
  });
  article.append(
    h("div", { class: "actions" }, approve, editApprove),
    h("div", { class: "reject" }, because.wrap, note.wrap, reject),
  );
  return article;
}

function offersTable(offers) {
  if (!offers.length) return h("p", {}, "No offers in the last 7 days.");
  return h(
    "div",
    { class: "scroll", tabindex: "0", role: "region", "aria-label": "Recent offers" },
    h(
      "table",
      { class: "offers" },
      h("thead", {}, h("tr", {}, ["When", "Platform", "Person", "Product", "State", "Reviewed by"].map((c) => h("th", { scope: "col" }, c)))),
      h(
        "tbody",
        {},
        offers.map((o) =>
          h("tr", { dataset: { id: o.id } },
            h("td", {}, time(o.created_at)),
            h("td", {}, platformName(o.platform)),
            h("td", {}, o.author_handle ? `@${o.author_handle.replace(/^@/, "")}` : o.author_id || ""),
            h("td", {}, o.product || o.kind || ""),
            h("td", { class: `state state-${o.state}` }, stateLabel(o)),
            h("td", {}, o.reviewed_by ? o.reviewed_by.replace(/^console:/, "") : "")),
        ),
      ),
    ),
  );
}

export async function render(view, ctx) {
  const waiting = h("div", { class: "queue", id: "queue" });
  const recent = h("div", { id: "recent" });
  const count = h("p", { class: "lead", id: "waiting-count" });
  fill(
    view,
    h("h1", {}, "Review"),
    count,
    h("p", { class: "hint keys" }, "Keys: ", h("kbd", {}, "j"), " next, ", h("kbd", {}, "k"), " previous", ctx.canEdit ? [", ", h("kbd", {}, "a"), " approve, ", h("kbd", {}, "r"), " reject"] : null, " (not while typing in a field)."),
    h("section", { "aria-labelledby": "waiting-title" }, h("h2", { id: "waiting-title", class: "visually-hidden" }, "Waiting for review"), waiting),
    h("section", { "aria-labelledby": "recent-title" }, h("h2", { id: "recent-title" }, "Recent offers (7 days)"), recent),
  );

  const shown = new Map(); // id -> article
  let selected = null;

  function select(article, focus = true) {
    if (selected) selected.classList.remove("selected");
    selected = article;
    if (!article) return;
    article.classList.add("selected");
    if (focus) {
      article.focus({ preventScroll: true });
      article.scrollIntoView({ block: "nearest" });
    }
  }

  function updateCount() {
    const n = shown.size;
    count.textContent = n ? `${n} waiting for you, newest first.` : "Nothing is waiting for review. New offers appear here by themselves.";
  }

  function removeItem(id) {
    const article = shown.get(id);
    if (!article) return;
    const next = article.nextElementSibling || article.previousElementSibling;
    article.remove();
    shown.delete(id);
    if (selected === article) select(next, Boolean(next));
    updateCount();
  }

  async function refreshRecent() {
    try {
      const data = await get(`/api/offers?since=${q("7d")}`);
      fill(recent, offersTable(data.offers || []));
    } catch (error) {
      if (error.status !== 401) fill(recent, h("p", { class: "error" }, error.message));
    }
  }

  const actions = {
    async approve(item, message, box) {
      try {
        const answer = await post(`/api/review/${q(item.id)}/approve`, { message });
        removeItem(item.id);
        announce(item.kind === "flag" ? "Marked as done." : answer.queued ? "Approved: the offer is on its way." : `Approved (${answer.state}).`, "ok");
        refreshRecent();
      } catch (error) {
        if (error.status === 422 && box) {
          const problem = (error.problems || []).find((p) => p.path === "message");
          box.setError(problem ? problem.message : error.message);
          box.input.focus();
        } else if (error.status === 409) {
          announce(`${error.message} It is no longer waiting; the list is up to date now.`, "error");
          removeItem(item.id);
          refreshRecent();
        } else if (error.status !== 401) announce(error.message, "error");
      }
    },
    async reject(item, because, reason) {
      try {
        await post(`/api/review/${q(item.id)}/reject`, { because, reason });
        removeItem(item.id);
        announce(item.kind === "flag" ? "Dismissed." : "Rejected.", "ok");
        refreshRecent();
      } catch (error) {
        if (error.status === 409) removeItem(item.id);
        if (error.status !== 401) announce(error.message, "error");
      }
    },
  };

  async function poll(first = false) {
    let data;
    try {
      data = await get("/api/review");
    } catch (error) {
      if (first) throw error;
      return;
    }
    const items = [...(data.offers || []), ...(data.flags || [])].sort((a, b) => String(b.created_at).localeCompare(String(a.created_at)));
    const ids = new Set(items.map((i) => i.id));
    let added = 0;
    for (const id of [...shown.keys()]) {
      const article = shown.get(id);
      const busy = article.contains(document.activeElement) && document.activeElement.matches("textarea, input, select");
      if (!ids.has(id) && !busy) removeItem(id);
    }
    let previous = null;
    for (const item of items) {
      let article = shown.get(item.id);
      if (!article) {
        article = card(item, ctx, actions);
        shown.set(item.id, article);
        if (previous) previous.after(article);
        else waiting.prepend(article);
        added += 1;
      }
      previous = article;
    }
    updateCount();
    if (!first && added) announce(`${added} new ${added === 1 ? "item" : "items"} to review.`);
    if (!first) refreshRecent(); // an approved offer becomes "sent" a moment later
    if (!selected && waiting.firstElementChild) select(waiting.firstElementChild, false);
  }

  function onKey(event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target;
    if (target.closest && target.closest("input, textarea, select, [contenteditable], dialog")) return;
    const articles = [...waiting.querySelectorAll("article.item")];
    if (!articles.length) return;
    const at = articles.indexOf(selected);
    if (event.key === "j") select(articles[Math.min(at + 1, articles.length - 1)]);
    else if (event.key === "k") select(articles[Math.max(at - 1, 0)]);
    else if (event.key === "a" && ctx.canEdit && selected) {
      const button = selected.querySelector("[data-action=approve]:not([disabled])") || selected.querySelector("[data-action=edit-approve]:not([disabled])");
      if (button) button.click();
    } else if (event.key === "r" && ctx.canEdit && selected) {
      const reason = selected.querySelector("[data-role=because]");
      if (reason && !reason.value) {
        reason.focus();
        announce("Choose why you reject it, then press Reject.");
      } else selected.querySelector("[data-action=reject]")?.click();
    } else return;
    event.preventDefault();
  }

  await poll(true);
  await refreshRecent();
  document.addEventListener("keydown", onKey);
  const timer = setInterval(() => poll(false), POLL_MS);
  return () => {
    clearInterval(timer);
    document.removeEventListener("keydown", onKey);
  };
}
