// Results: the report (GET /api/report) per day, per rule and per platform as charts drawn
// here, and the CSV (GET /api/report.csv, fetched with the token, saved as a file).

import { download, get, q } from "./api.js";
import { announce, field, fill, h, number } from "./dom.js";
import { barChart } from "./charts.js";

const WINDOWS = [["7d", "Last 7 days"], ["30d", "Last 30 days"], ["90d", "Last 90 days"]];

/** {per_day: [{day,..}]} or {days: {day: row}} -> [{key, ...row}] */
function rows(report, listKey, mapKey, keyName) {
  const list = report[listKey];
  if (Array.isArray(list)) return list.map((r) => ({ key: r[keyName] ?? r.key ?? r.day ?? r.rule_id ?? r.platform, ...r }));
  return Object.entries(report[mapKey] || {}).map(([key, r]) => ({ key, ...r }));
}

const claimRate = (r) => (r.claim_rate !== undefined && r.claim_rate !== null ? Number(r.claim_rate) : r.sent ? (r.claims || 0) / r.sent : null);
const budget = (r) => Number(r.cost_sent ?? r.budget_used ?? 0);
const pct = (v) => `${Math.round(v * 100)}%`;
const money = (v) => number(v, 2);

function section(id, title, data) {
  if (!data.length) return h("section", { "aria-labelledby": id }, h("h2", { id }, title), h("p", {}, "Nothing in this window."));
  const keys = data.map((r) => (/^\d{4}-\d{2}-\d{2}$/.test(r.key) ? new Date(`${r.key}T12:00:00`).toLocaleDateString(undefined, { month: "short", day: "numeric" }) : r.key));
  return h(
    "section",
    { "aria-labelledby": id, class: "charts" },
    h("h2", { id }, title),
    barChart({ title: `${title}: offers and claims`, categories: keys, series: [{ name: "Offers", values: data.map((r) => r.offers || 0) }, { name: "Sent", values: data.map((r) => r.sent || 0) }, { name: "Claims", values: data.map((r) => r.claims || 0) }] }),
    barChart({ title: `${title}: budget used`, categories: keys, series: [{ name: "Budget used", values: data.map(budget) }], format: money }),
    barChart({ title: `${title}: claim rate`, categories: keys, series: [{ name: "Claims per offer sent", values: data.map(claimRate) }], format: pct }),
  );
}

export async function render(view) {
  const select = h("select", { name: "since" }, WINDOWS.map(([v, label]) => h("option", { value: v }, label)));
  const since = field("Period", select);
  const body = h("div", { id: "report" });
  const csv = h("button", { type: "button", class: "secondary", "data-action": "csv" }, "Download CSV");

  async function load() {
    fill(body, h("p", {}, "Loading the report…"));
    const report = await get(`/api/report?since=${q(select.value)}`);
    const totals = report.totals || {};
    const facts = [
      ["Events", totals.events ?? 0],
      ["Offers", totals.offers ?? 0],
      ["Sent", totals.sent ?? 0],
      ["Claims", totals.claims ?? 0],
      ["Claim rate", claimRate(totals) === null ? "–" : pct(claimRate(totals))],
      ["Budget used", money(budget(totals))],
    ];
    fill(
      body,
      h("dl", { class: "numbers totals" }, facts.map(([k, v]) => h("div", {}, h("dt", {}, k), h("dd", {}, String(v))))),
      totals.dry_run ? h("p", { class: "hint" }, `${totals.dry_run === 1 ? "1 offer was" : `${totals.dry_run} offers were`} sent in dry run: nothing reached the platforms.`) : null,
      section("per-day", "Per day", rows(report, "per_day", "days", "day")),
      section("per-rule", "Per rule", rows(report, "per_rule", "rules", "rule_id")),
      section("per-platform", "Per platform", rows(report, "per_platform", "platforms", "platform")),
    );
  }

  select.addEventListener("change", () => load().catch((e) => fill(body, h("p", { class: "error" }, e.message))));
  csv.addEventListener("click", async () => {
    try {
      await download(`/api/report.csv?since=${q(select.value)}`, `goodword-report-${select.value}.csv`);
      announce("The CSV is downloading.", "ok");
    } catch (error) {
      if (error.status !== 401) announce(error.message, "error");
    }
  });
  fill(view, h("h1", {}, "Results"), h("div", { class: "toolbar" }, since.wrap, csv), body);
  await load();
}
