// Settings: the settings YAML checked as one types, saved with the version it started
// from (someone else's change in between is a 409, said plainly), and its history.

import { get, put } from "./api.js";
import { announce, fill, h, time } from "./dom.js";
import { historyList, yamlEditor } from "./editing.js";

export async function render(view, ctx) {
  const current = await get("/api/settings");
  const history = await get("/api/settings/history").catch(() => ({ versions: [] }));
  const editor = yamlEditor({ label: "Settings YAML", text: current.yaml || "", validatePath: "/api/settings/validate", readOnly: !ctx.canEdit, onResult: (r) => { save.disabled = !r.ok; } });
  const panel = h("div", { class: "panel", "aria-live": "polite" });
  const save = h("button", { type: "button", class: "primary", "data-action": "save" }, "Save settings");
  save.addEventListener("click", async () => {
    await editor.check();
    if (!editor.result.ok) return;
    try {
      const answer = await put("/api/settings", { yaml: editor.value, expected_version: current.version ?? null });
      await render(view, ctx);
      announce(`Settings saved (version ${answer.version}).`, "ok");
    } catch (error) {
      if (error.status === 409) {
        fill(panel, h("div", { class: "conflict", role: "alert" }, h("h2", {}, "Someone else changed the settings"), h("p", {}, `They changed after you opened them (you started from version ${current.version}). Your edit is not saved. Reload to see their change, then make yours again.`), h("button", { type: "button", class: "primary", onclick: () => render(view, ctx) }, "Reload the settings")));
      } else if (error.status === 422) {
        fill(panel, h("ul", { class: "problems", role: "alert" }, (error.problems || []).map((p) => h("li", {}, h("code", {}, p.path), ": ", p.message))));
      } else if (error.status !== 401) announce(error.message, "error");
    }
  });
  fill(
    view,
    h("h1", {}, "Settings"),
    h("p", { class: "meta" }, `Version ${current.version ?? "–"}`, current.updated_by ? ` · changed by ${String(current.updated_by).replace(/^console:/, "")} ` : " ", current.updated_at ? time(current.updated_at) : null),
    editor.wrap,
    ctx.canEdit ? h("div", { class: "actions" }, save) : null,
    panel,
    h("section", { "aria-labelledby": "settings-history" }, h("h2", { id: "settings-history" }, "Versions"), historyList(history.versions || [], { current: current.version, canEdit: false })),
  );
  editor.check();
}
