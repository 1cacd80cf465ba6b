// Rules: the list (enabled, priority, today's matches and offers, cap used), and one rule
// as a form of its common fields and as YAML, checked as the marketer types; a diff before
// saving, a backtest over last week, version history with rollback, enable and disable.

import { get, post, put, q } from "./api.js";
import { announce, confirmDialog, field, fill, h, number, time } from "./dom.js";
import { diffView, historyList, yamlEditor } from "./editing.js";
import { read, write } from "./yaml_paths.js";

const FORM = [
  { path: "name", label: "Name" },
  { path: "description", label: "Description" },
  { path: "priority", label: "Priority", kind: "number", hint: "Lower runs first." },
  { path: "stop_after", label: "Stop later rules when this one acts", kind: "check" },
  { path: "actions[0].offer_sample.product", label: "Product" },
  { path: "actions[0].offer_sample.product_cost", label: "Cost of one sample", kind: "number" },
  { path: "actions[0].offer_sample.message", label: "Offer message", kind: "long", hint: "Placeholders such as {author_handle}, {product}, {claim_link}." },
  {
    path: "actions[0].offer_sample.review",
    label: "Review",
    kind: "choice",
    options: ["by_band", "manual", "automatic"],
    hint: "by_band: the judge's band decides (auto is sent, review waits for a person); manual: every offer waits; automatic: every offer is sent.",
  },
  { path: "actions[0].offer_sample.claim_within_days", label: "Days to claim", kind: "number" },
  { path: "limits.once_per_person", label: "Once per person" },
  { path: "limits.per_day", label: "Daily cap", kind: "number" },
  { path: "limits.per_week", label: "Weekly cap", kind: "number" },
  { path: "limits.total", label: "Total cap (budget)", kind: "number" },
];

const NEW_RULE = `id: my-new-rule
name: My new rule
priority: 100
enabled: false
triggers:
  kinds: [mention]
conditions:
  all:
    - field: sentiment.band
      one_of: [auto, review]
actions:
  - offer_sample:
      product: A sample
      product_cost: 5.00
      message: "Thank you {author_handle}! A gift for you: {claim_link}"
      review: manual
limits:
  once_per_person: forever
  per_day: 10
`;

export function render(view, ctx) {
  const [ruleId] = ctx.params;
  return ruleId ? renderRule(view, ctx, ruleId) : renderList(view, ctx);
}

async function renderList(view, ctx) {
  const data = await get("/api/rules");
  const rules = data.rules || [];
  fill(
    view,
    h("div", { class: "title-row" }, h("h1", {}, "Rules"), ctx.canEdit ? h("a", { class: "button secondary", href: "#/rules/new" }, "New rule") : null),
    rules.length
      ? h(
          "div",
          { class: "scroll", tabindex: "0", role: "region", "aria-label": "Rules" },
          h(
            "table",
            { class: "rules" },
            h("thead", {}, h("tr", {}, ["Rule", "Enabled", "Priority", "Matches today", "Offers today", "Cap used", "Version"].map((c) => h("th", { scope: "col" }, c)))),
            h(
              "tbody",
              {},
              rules.map((r) =>
                h(
                  "tr",
                  { dataset: { rule: r.rule_id } },
                  h("th", { scope: "row" }, h("a", { href: `#/rules/${encodeURIComponent(r.rule_id)}` }, r.rule_id), r.description ? h("span", { class: "sub" }, r.description) : null),
                  h("td", {}, r.enabled ? "on" : "off"),
                  h("td", { class: "num" }, r.priority),
                  h("td", { class: "num" }, (r.today || {}).matches ?? 0),
                  h("td", { class: "num" }, (r.today || {}).offers ?? 0),
                  h("td", {}, capText(r.cap)),
                  h("td", { class: "num" }, r.version),
                ),
              ),
            ),
          ),
        )
      : h("p", {}, "No rules yet."),
  );
}

function capText(cap) {
  if (!cap || cap.limit === null || cap.limit === undefined) return cap && cap.used ? `${cap.used} (no cap)` : "no cap";
  return `${cap.used} of ${cap.limit}`;
}

function backtestView(data, ruleId) {
  const result = Array.isArray(data.rules) ? data.rules.find((r) => r.rule_id === ruleId) || data.rules[0] || {} : data;
  const stopped = Object.entries(result.stopped_by || {});
  const facts = [
    ["Events considered", result.events_considered ?? 0, "events_considered"],
    ["Matched", result.matched ?? 0, "matched"],
    ["Offers", result.offers ?? 0, "offers"],
    ["… made automatically", result.offers_automatic ?? 0, "offers_automatic"],
    ["… waiting for review", result.offers_for_review ?? 0, "offers_for_review"],
    ["Estimated cost", number(result.estimated_cost ?? 0), "estimated_cost"],
  ];
  return h(
    "div",
    { class: "backtest" },
    h("h3", {}, "Last week, this rule would have:"),
    h("dl", { class: "numbers" }, facts.map(([k, v, key]) => h("div", { dataset: { key } }, h("dt", {}, k), h("dd", {}, String(v))))),
    h("h4", {}, "Stopped by"),
    stopped.length ? h("ul", { class: "stopped" }, stopped.map(([reason, n]) => h("li", { dataset: { reason } }, `${reason}: ${n}`))) : h("p", {}, "Nothing stopped it."),
    result.offers_without_cost ? h("p", { class: "hint" }, `${result.offers_without_cost} offers have no product_cost and are not in the estimate.`) : null,
    Array.isArray(result.recipients) && result.recipients.length ? h("p", { class: "hint" }, `${result.recipients.length} people would have received an offer.`) : null,
  );
}

async function renderRule(view, ctx, ruleId) {
  const isNew = ruleId === "new";
  const rule = isNew ? { rule_id: "", version: null, enabled: false, yaml: NEW_RULE } : await get(`/api/rules/${q(ruleId)}`);
  const history = isNew ? { versions: [] } : await get(`/api/rules/${q(ruleId)}/history`).catch(() => ({ versions: [] }));
  const readOnly = !ctx.canEdit;
  let saved = rule.yaml || "";
  const formFields = [];

  const formBox = h("div", { class: "rule-form", id: "rule-form" });
  const editor = yamlEditor({
    label: "Rule YAML",
    text: saved,
    validatePath: "/api/rules/validate",
    readOnly,
    onChange: () => syncForm(),
    onResult: (result) => showProblems(result),
  });
  const yamlBox = h("div", { class: "rule-yaml", id: "rule-yaml", hidden: true }, editor.wrap);

  function buildForm() {
    fill(formBox);
    formFields.length = 0;
    const missing = [];
    for (const spec of FORM) {
      const value = read(editor.value, spec.path);
      if (value === undefined) {
        missing.push(spec.label);
        continue;
      }
      let input;
      if (spec.kind === "check") input = h("input", { type: "checkbox", checked: value === true, disabled: readOnly });
      else if (spec.kind === "long") input = h("textarea", { rows: 3, readonly: readOnly });
      else if (spec.kind === "choice") {
        const options = [...new Set([...spec.options, String(value)])];
        input = h("select", { disabled: readOnly }, options.map((o) => h("option", { value: o }, o)));
      }
      else input = h("input", { type: "text", inputmode: spec.kind === "number" ? "decimal" : null, readonly: readOnly, autocomplete: "off" });
      if (spec.kind !== "check") input.value = value === null ? "" : String(value);
      input.dataset.path = spec.path;
      const box = spec.kind === "check" ? checkField(spec.label, input, spec.path) : field(spec.label, input, { hint: spec.hint, path: spec.path });
      input.addEventListener(spec.kind === "check" ? "change" : "input", () => {
        const raw = spec.kind === "check" ? input.checked : input.value;
        const typed = spec.kind === "number" && /^-?\d+(\.\d+)?$/.test(String(raw).trim()) ? Number(raw) : raw;
        const next = write(editor.value, spec.path, typed);
        if (next !== null) editor.set(next);
      });
      formFields.push({ spec, input, box });
      formBox.append(box.wrap);
    }
    formBox.append(formState, h("p", { class: "hint" }, "The form changes the YAML in place (its comments stay). ", missing.length ? `Not in this rule, so only in the YAML view: ${missing.join(", ")}.` : "", " Triggers, conditions and other actions are edited in the YAML view."));
  }

  function syncForm() {
    for (const { spec, input } of formFields) {
      if (document.activeElement === input) continue;
      const value = read(editor.value, spec.path);
      if (value === undefined) continue;
      if (spec.kind === "check") input.checked = value === true;
      else input.value = value === null ? "" : String(value);
    }
    dirty.textContent = editor.value !== saved ? "Changed: not saved yet." : "";
  }

  const mine = (spec, p) => p.path === spec.path || String(p.path).startsWith(`${spec.path}.`) || String(p.path).startsWith(`${spec.path}[`);
  const formState = h("div", { class: "form-state" });

  function showProblems(result) {
    for (const { spec, box } of formFields) {
      const here = result.problems.filter((p) => mine(spec, p));
      box.setError(here.length ? here.map((p) => p.message).join(" ") : null);
    }
    const elsewhere = result.problems.filter((p) => !formFields.some(({ spec }) => mine(spec, p)));
    const n = result.problems.length;
    fill(
      formState,
      h("p", { class: `check-state ${n ? "bad" : "good"}` }, n ? `${n} ${n === 1 ? "problem" : "problems"}: fix ${n === 1 ? "it" : "them"} before saving.` : "No problems found."),
      elsewhere.length ? h("ul", { class: "problems" }, elsewhere.map((p) => h("li", {}, p.path ? [h("code", {}, p.path), ": "] : null, p.message, " (in the YAML view)"))) : null,
    );
    saveButton.disabled = readOnly || !result.ok;
  }

  const formTab = h("button", { type: "button", class: "tab", "aria-pressed": "true", "aria-controls": "rule-form" }, "Form");
  const yamlTab = h("button", { type: "button", class: "tab", "aria-pressed": "false", "aria-controls": "rule-yaml" }, "YAML");
  function showView(which) {
    formTab.setAttribute("aria-pressed", String(which === "form"));
    yamlTab.setAttribute("aria-pressed", String(which === "yaml"));
    formBox.hidden = which !== "form";
    yamlBox.hidden = which !== "yaml";
    if (which === "form") {
      buildForm();
      showProblems(editor.result);
    }
  }
  formTab.addEventListener("click", () => showView("form"));
  yamlTab.addEventListener("click", () => showView("yaml"));

  const dirty = h("p", { class: "dirty", "aria-live": "polite" });
  const panel = h("div", { class: "panel", id: "rule-panel", "aria-live": "polite" });
  const saveButton = h("button", { type: "button", class: "primary", "data-action": "save" }, "Review and save…");
  const backtestButton = h("button", { type: "button", class: "secondary", "data-action": "backtest" }, "What would this have done last week?");

  async function review() {
    await editor.check();
    if (!editor.result.ok) {
      announce("Fix the problems first.", "error");
      return;
    }
    const id = isNew ? read(editor.value, "id") : ruleId;
    if (!id) {
      announce("The rule needs an id.", "error");
      return;
    }
    let diff = "";
    try {
      diff = isNew ? editor.value.split("\n").map((l) => `+${l}`).join("\n") : (await post(`/api/rules/${q(id)}/diff`, { yaml: editor.value })).diff;
    } catch (error) {
      fill(panel, h("p", { class: "error" }, error.message));
      return;
    }
    const confirm = h("button", { type: "button", class: "primary", "data-action": "confirm-save" }, "Save this change");
    const cancel = h("button", { type: "button", class: "secondary" }, "Keep editing");
    fill(panel, h("h2", {}, "Your change"), diffView(diff, "Your change"), h("div", { class: "actions" }, confirm, cancel));
    cancel.addEventListener("click", () => fill(panel));
    confirm.addEventListener("click", () => save(id));
    confirm.focus();
  }

  async function save(id) {
    try {
      const answer = await put(`/api/rules/${q(id)}`, { yaml: editor.value, expected_version: rule.version ?? null });
      if (isNew) location.hash = `#/rules/${encodeURIComponent(answer.rule_id)}`;
      else await renderRule(view, ctx, ruleId);
      announce(`Saved: ${answer.rule_id} is now version ${answer.version}.`, "ok");
    } catch (error) {
      if (error.status === 409) {
        const reload = h("button", { type: "button", class: "primary", onclick: () => renderRule(view, ctx, ruleId) }, "Reload the rule");
        fill(panel, h("div", { class: "conflict", role: "alert" }, h("h2", {}, "Someone else changed this rule"), h("p", {}, `It changed after you opened it (you started from version ${rule.version}). Your edit is not saved. Reload to see their change, then make yours again; copy your YAML first if you want to keep it.`), reload));
      } else if (error.status === 422) {
        fill(panel, h("div", { class: "conflict", role: "alert" }, h("h2", {}, "Not saved: the rule has problems"), h("ul", {}, (error.problems || []).map((p) => h("li", {}, h("code", {}, p.path), ": ", p.message)))));
      } else if (error.status !== 401) fill(panel, h("p", { class: "error", role: "alert" }, error.message));
    }
  }

  async function backtest() {
    backtestButton.disabled = true;
    fill(panel, h("p", {}, "Running last week's events through the rule…"));
    try {
      const changed = editor.value !== saved;
      const data = await post(`/api/rules/${q(isNew ? read(editor.value, "id") : ruleId)}/backtest`, { yaml: changed || isNew ? editor.value : null, since: "7d" });
      fill(panel, backtestView(data, ruleId), h("p", { class: "hint" }, changed ? "For the YAML as it is now, not saved." : "For the live version."));
    } catch (error) {
      fill(panel, h("p", { class: "error", role: "alert" }, error.message));
    } finally {
      backtestButton.disabled = false;
    }
  }

  async function toggle() {
    try {
      const answer = await post(`/api/rules/${q(ruleId)}/${rule.enabled ? "disable" : "enable"}`);
      await renderRule(view, ctx, ruleId);
      announce(`${ruleId} is ${answer.enabled ? "enabled" : "disabled"} (version ${answer.version}).`, "ok");
    } catch (error) {
      if (error.status !== 401) announce(error.message, "error");
    }
  }

  async function rollback(version) {
    const yes = await confirmDialog({
      title: `Roll back ${ruleId} to version ${version.version}?`,
      body: h("p", {}, `The rule becomes what it was in version ${version.version}, saved as a new version. Nothing is lost: you can roll forward again from the history.`),
      confirmLabel: `Roll back to version ${version.version}`,
    });
    if (!yes) return;
    try {
      const answer = await post(`/api/rules/${q(ruleId)}/rollback`, { version: version.version });
      await renderRule(view, ctx, ruleId);
      announce(`Rolled back: ${ruleId} is now version ${answer.version}, as version ${version.version} was.`, "ok");
    } catch (error) {
      if (error.status !== 401) announce(error.message, "error");
    }
  }

  saveButton.addEventListener("click", review);
  backtestButton.addEventListener("click", backtest);
  const toggleButton = !isNew && ctx.canEdit ? h("button", { type: "button", class: "secondary", "data-action": "toggle", onclick: toggle }, rule.enabled ? "Disable" : "Enable") : null;

  fill(
    view,
    h("p", { class: "crumbs" }, h("a", { href: "#/rules" }, "Rules"), " / ", isNew ? "new rule" : ruleId),
    h("h1", {}, isNew ? "New rule" : ruleId),
    isNew ? null : h("p", { class: "meta" }, h("strong", { class: rule.enabled ? "on" : "off" }, rule.enabled ? "Enabled" : "Disabled"), ` · version ${rule.version}`, rule.updated_by ? ` · changed by ${String(rule.updated_by).replace(/^console:/, "")} ` : " ", rule.updated_at ? time(rule.updated_at) : null, " ", toggleButton),
    h("div", { class: "tabs", role: "group", "aria-label": "View" }, formTab, yamlTab),
    formBox,
    yamlBox,
    dirty,
    h("div", { class: "actions" }, ctx.canEdit ? saveButton : null, isNew ? null : backtestButton),
    panel,
    isNew ? null : h("section", { "aria-labelledby": "history-title" }, h("h2", { id: "history-title" }, "Versions"), historyList(history.versions || [], { current: rule.version, canEdit: ctx.canEdit, onRollback: rollback })),
  );
  showView("form");
  editor.check();
}

function checkField(label, input, path) {
  input.id = input.id || `c-${path.replace(/\W/g, "-")}`;
  const error = h("span", { class: "error", id: `${input.id}-error`, hidden: true });
  const wrap = h("div", { class: "field check", dataset: { path } }, error, h("div", { class: "check-row" }, input, h("label", { for: input.id }, label)));
  return {
    wrap,
    input,
    setError(message) {
      error.textContent = message || "";
      error.hidden = !message;
      wrap.classList.toggle("invalid", Boolean(message));
    },
  };
}
