// Small DOM helpers. Every text goes in through textContent (never innerHTML), so what a
// fan wrote in a post, or a rule's YAML, always stays text.

/** h("p", {class: "x", onclick: f}, "text", child) -> an element. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") {
      el.addEventListener(key.slice(2), value);
    } else if (key === "class") {
      el.className = value;
    } else if (key === "dataset") {
      Object.assign(el.dataset, value);
    } else if (key === "value") {
      el.value = value;
    } else if (key === "checked") {
      el.checked = Boolean(value);
    } else {
      el.setAttribute(key, value === true ? "" : String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replace an element's children. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

let said = 0;
/** Say something in the page's aria-live region (screen readers hear it, everyone sees it). */
export function announce(message, kind = "info") {
  const region = document.getElementById("status");
  if (!region) return;
  const mine = ++said;
  region.className = `status ${kind}`;
  region.textContent = message;
  setTimeout(() => {
    if (mine === said) {
      region.textContent = "";
      region.className = "status";
    }
  }, 8000);
}

export function debounce(fn, ms) {
  let timer = null;
  const wrapped = (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
  wrapped.cancel = () => clearTimeout(timer);
  return wrapped;
}

let ids = 0;
/** A fresh id for a label's for= and aria-describedby. */
export function uid(prefix) {
  ids += 1;
  return `${prefix}-${ids}`;
}

/** A labelled field: {wrap, input, error}; the error sits between the label and the input. */
export function field(label, input, { hint = null, path = null } = {}) {
  input.id = input.id || uid("f");
  const error = h("span", { class: "error", id: `${input.id}-error`, hidden: true });
  const described = [];
  let hintEl = null;
  if (hint) {
    hintEl = h("span", { class: "hint", id: `${input.id}-hint` }, hint);
    described.push(hintEl.id);
  }
  if (described.length) input.setAttribute("aria-describedby", described.join(" "));
  const wrap = h("div", { class: "field", dataset: path ? { path } : {} }, h("label", { for: input.id }, label), hintEl, error, input);
  return { wrap, input, error, setError: (message) => setError({ wrap, input, error, hint: hintEl }, message) };
}

function setError(parts, message) {
  const { wrap, input, error, hint } = parts;
  const described = hint ? [hint.id] : [];
  if (input.dataset.describedAlso) described.push(input.dataset.describedAlso);
  if (message) {
    error.textContent = message;
    error.hidden = false;
    wrap.classList.add("invalid");
    input.setAttribute("aria-invalid", "true");
    described.push(error.id);
  } else {
    error.textContent = "";
    error.hidden = true;
    wrap.classList.remove("invalid");
    input.removeAttribute("aria-invalid");
  }
  if (described.length) input.setAttribute("aria-describedby", described.join(" "));
  else input.removeAttribute("aria-describedby");
}

/** "2026-12-04T10:00:00+00:00" -> "4 Dec 2026, 10:00" in the reader's time zone. */
export function when(iso) {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso);
  return date.toLocaleString(undefined, { day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit" });
}

/** How long ago, in words ("3 years", "5 days"). */
export function age(iso) {
  if (!iso) return "unknown";
  const days = Math.floor((Date.now() - new Date(iso).getTime()) / 86400000);
  if (Number.isNaN(days)) return "unknown";
  if (days >= 730) return `${Math.floor(days / 365)} years`;
  if (days >= 60) return `${Math.floor(days / 30)} months`;
  if (days === 1) return "1 day";
  return `${days} days`;
}

export function number(value, digits = 2) {
  return value === null || value === undefined ? "–" : Number(value).toFixed(digits);
}

/** A <time> element with the readable time as text and the ISO time as datetime. */
export function time(iso) {
  return h("time", { datetime: iso || "" }, when(iso));
}

/** A confirmation dialog (<dialog>, modal, focus kept inside): resolves true on confirm. */
export function confirmDialog({ title, body, confirmLabel, danger = false, requireText = null, requireLabel = null }) {
  return new Promise((resolve) => {
    const titleId = uid("dlg");
    const input = requireText ? h("input", { type: "text", autocomplete: "off", spellcheck: "false" }) : null;
    const typed = input ? field(requireLabel || `Type ${requireText} to confirm`, input) : null;
    const ok = h("button", { type: "submit", class: danger ? "danger" : "primary", disabled: Boolean(requireText) }, confirmLabel);
    const cancel = h("button", { type: "button", class: "secondary" }, "Cancel");
    const form = h("form", { method: "dialog" }, h("h2", { id: titleId }, title), body, typed && typed.wrap, h("div", { class: "actions" }, ok, cancel));
    const dialog = h("dialog", { "aria-labelledby": titleId }, form);
    if (input) input.addEventListener("input", () => { ok.disabled = input.value.trim() !== requireText; });
    let answer = false;
    form.addEventListener("submit", (event) => {
      if (input && input.value.trim() !== requireText) { event.preventDefault(); return; }
      answer = true;
    });
    cancel.addEventListener("click", () => dialog.close());
    dialog.addEventListener("close", () => { dialog.remove(); resolve(answer); });
    document.body.append(dialog);
    dialog.showModal();
    (input || cancel).focus();
  });
}
