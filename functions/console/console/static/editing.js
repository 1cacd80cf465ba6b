// What the rules and settings pages share: a YAML editor checked as the marketer types
// (debounced POST …/validate), problems listed with their path and line, diffs drawn with
// added and removed lines marked, and version history.

import { post } from "./api.js";
import { debounce, field, fill, h, time } from "./dom.js";
import { lineOf } from "./yaml_paths.js";

export function diffView(text, label = "Changes") {
  if (!text || !text.trim()) return h("p", {}, "No changes.");
  const lines = text.split("\n").map((line) => {
    let cls = "";
    if (line.startsWith("+++") || line.startsWith("---")) cls = "file";
    else if (line.startsWith("@@")) cls = "hunk";
    else if (line.startsWith("+")) cls = "add";
    else if (line.startsWith("-")) cls = "del";
    return h("span", { class: `line ${cls}` }, line || " ");
  });
  return h("pre", { class: "diff", tabindex: "0", "aria-label": label }, lines);
}

/** A YAML textarea validated as one types; onResult({ok, problems, warnings}) after each check. */
export function yamlEditor({ label, text, validatePath, readOnly, onChange = () => {}, onResult = () => {} }) {
  const area = h("textarea", { class: "yaml", rows: 22, spellcheck: "false", autocapitalize: "off", autocomplete: "off", readonly: readOnly, "data-role": "yaml" });
  area.value = text;
  const box = field(label, area, { hint: readOnly ? "Read only: editors can change this." : "Checked as you type." });
  const state = h("p", { class: "check-state", id: `${area.id}-state` });
  const problems = h("ul", { class: "problems", "aria-label": "Problems in the YAML" });
  const warnings = h("ul", { class: "warnings", "aria-label": "Warnings" });
  box.wrap.append(state, problems, warnings);
  let last = { ok: true, problems: [], warnings: [] };
  let asked = 0;

  async function check() {
    const mine = ++asked;
    state.textContent = "Checking…";
    try {
      const result = await post(validatePath, { yaml: area.value });
      if (mine !== asked) return;
      last = { ok: Boolean(result.ok), problems: result.problems || [], warnings: result.warnings || [] };
    } catch (error) {
      if (mine !== asked) return;
      if (error.status === 422) last = { ok: false, problems: error.problems || [{ path: "", message: error.message }], warnings: [] };
      else {
        state.textContent = `Could not check: ${error.message}`;
        return;
      }
    }
    show();
    onResult(last);
  }

  function show() {
    const n = last.problems.length;
    state.textContent = n ? `${n} ${n === 1 ? "problem" : "problems"}: fix ${n === 1 ? "it" : "them"} before saving.` : "No problems found.";
    state.className = `check-state ${n ? "bad" : "good"}`;
    fill(
      problems,
      last.problems.map((p) => {
        const line = p.path ? lineOf(area.value, p.path) : null;
        return h("li", {}, p.path ? h("code", {}, p.path) : null, line ? h("span", { class: "line-no" }, ` (line ${line})`) : null, p.path ? ": " : "", p.message);
      }),
    );
    fill(warnings, last.warnings.map((w) => h("li", {}, "Warning: ", w)));
    if (n) {
      box.wrap.classList.add("invalid");
      area.setAttribute("aria-invalid", "true");
    } else {
      box.wrap.classList.remove("invalid");
      area.removeAttribute("aria-invalid");
    }
  }

  const later = debounce(check, 400);
  area.addEventListener("input", () => {
    onChange(area.value);
    later();
  });
  area.setAttribute("aria-describedby", `${area.getAttribute("aria-describedby") || ""} ${state.id}`.trim());
  return {
    wrap: box.wrap,
    area,
    check,
    set(value) {
      area.value = value;
      onChange(value);
      later();
    },
    get value() {
      return area.value;
    },
    get result() {
      return last;
    },
  };
}

/** Version history, newest first, each with its diff and (for editors) a Rollback button. */
export function historyList(versions, { current, canEdit, onRollback }) {
  if (!versions.length) return h("p", {}, "No earlier versions.");
  return h(
    "ol",
    { class: "history", reversed: true },
    versions.map((v) =>
      h(
        "li",
        { dataset: { version: v.version } },
        h("p", {}, h("strong", {}, `Version ${v.version}`), v.version === current ? " (live)" : "", " · ", v.updated_by ? String(v.updated_by).replace(/^console:/, "") : "unknown", " · ", time(v.updated_at), v.enabled === false ? " · disabled" : ""),
        h("details", {}, h("summary", {}, `What changed in version ${v.version}`), diffView(v.diff, `Changes in version ${v.version}`)),
        canEdit && onRollback && v.version !== current ? h("button", { type: "button", class: "secondary", "data-action": "rollback", onclick: () => onRollback(v) }, `Roll back to version ${v.version}`) : null,
      ),
    ),
  );
}
