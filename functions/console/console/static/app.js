// The console's shell: sign-in, who is signed in, the brand colour, and hash routes
// (#/review, #/rules/RULE, ...). Each page module exports render(view, ctx) and may return
// a function that stops what it started (the review page's polling).

import { ApiError, forget, get, signIn, token, whenSignedOut } from "./api.js";
import { announce, field, fill, h } from "./dom.js";
import * as claims from "./claims.js";
import * as people from "./people.js";
import * as results from "./results.js";
import * as review from "./review.js";
import * as rules from "./rules.js";
import * as settings from "./settings.js";

const PAGES = { review, rules, people, claims, results, settings };
const ctx = { me: null, canEdit: false };
let stop = null;
let routed = false;
let generation = 0;

function view() {
  return document.getElementById("view");
}

function signedOut(message) {
  ctx.me = null;
  generation += 1;
  if (stop) stop();
  stop = null;
  document.getElementById("nav").hidden = true;
  document.getElementById("who").hidden = true;
  showSignIn(message);
}

function showSignIn(message) {
  document.title = "Sign in · Goodword console";
  const email = field("Email", h("input", { type: "email", name: "email", autocomplete: "username", required: true }));
  const password = field("Password", h("input", { type: "password", name: "password", autocomplete: "current-password", required: true }));
  const problem = h("p", { class: "error", id: "sign-in-error", role: "alert", hidden: !message }, message || "");
  const button = h("button", { type: "submit", class: "primary" }, "Sign in");
  const form = h("form", { class: "sign-in", novalidate: true }, email.wrap, password.wrap, problem, button);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!email.input.value || !password.input.value) {
      problem.textContent = "Please fill in your email and password.";
      problem.hidden = false;
      return;
    }
    button.disabled = true;
    try {
      await signIn(email.input.value.trim(), password.input.value);
      await start();
    } catch (error) {
      problem.textContent = error.status === 401 ? "That email and password do not match. Please try again." : error.message;
      problem.hidden = false;
      password.input.value = "";
      password.input.focus();
    } finally {
      button.disabled = false;
    }
  });
  fill(view(), h("section", { class: "narrow", "aria-labelledby": "sign-in-title" }, h("h1", { id: "sign-in-title" }, "Sign in"), h("p", {}, "Sign in with the account your Goodword administrator gave you."), form));
  email.input.focus();
}

/** The brand colour from the settings, with black or white text on it (WCAG AA). */
function luminance(hex) {
  const channels = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255);
  const [r, g, b] = channels.map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function contrast(a, b) {
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
}

export function useBrandColour(colour) {
  if (!/^#[0-9a-fA-F]{6}$/.test(colour || "")) return;
  const root = document.documentElement.style;
  root.setProperty("--accent", colour);
  root.setProperty("--on-accent", contrast(colour, "#000000") >= contrast(colour, "#ffffff") ? "#000000" : "#ffffff");
  root.setProperty("--ink", contrast(colour, "#ffffff") >= 4.5 ? colour : "#1a1a1a");
}

async function start() {
  if (!token()) {
    signedOut();
    return;
  }
  try {
    const me = await get("/api/me");
    ctx.me = me;
    ctx.canEdit = Boolean(me.can_edit);
  } catch (error) {
    if (error.status !== 401) fill(view(), h("p", { class: "error" }, error.message));
    return;
  }
  document.getElementById("nav").hidden = false;
  document.getElementById("who").hidden = false;
  document.getElementById("who-name").textContent = `${ctx.me.user}${ctx.canEdit ? " (editor)" : " (viewer: read only)"}`;
  get("/api/settings").then((s) => useBrandColour((s.settings || {}).brand_colour)).catch(() => {});
  route();
}

function route() {
  if (!ctx.me) return;
  const hash = location.hash || "";
  if (hash && !hash.startsWith("#/") && routed) return; // the skip link and other in-page anchors
  routed = true;
  const [name, ...rest] = hash.replace(/^#\//, "").split("/").map(decodeURIComponent);
  const page = PAGES[name] ? name : "review";
  if (stop) stop();
  stop = null;
  for (const link of document.querySelectorAll("#nav a")) {
    if (link.getAttribute("href") === `#/${page}`) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  // each route draws into a box of its own: a page still loading when the reader moves on
  // draws into a box no longer on the page, never over the next page
  const box = h("div", { class: "page" }, h("p", {}, "Loading…"));
  fill(view(), box);
  const mine = ++generation;
  const params = rest.filter(Boolean);
  Promise.resolve(PAGES[page].render(box, { ...ctx, params }))
    .then((cleanup) => {
      const done = typeof cleanup === "function" ? cleanup : null;
      if (mine === generation) stop = done;
      else if (done) done();
    })
    .catch((error) => {
      if (error instanceof ApiError && error.status === 401) return;
      fill(box, h("h1", {}, "Something went wrong"), h("p", { class: "error" }, error.message || String(error)));
    });
}

whenSignedOut((message) => signedOut(message));
window.addEventListener("hashchange", route);
document.getElementById("sign-out").addEventListener("click", () => {
  forget();
  announce("You are signed out.");
  signedOut();
});
start();
