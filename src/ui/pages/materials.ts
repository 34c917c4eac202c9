// Materials: the library of videos and images (drag-and-drop upload with progress, tags, used-by).
import { api, currentToken, type DataOf } from "../api.ts";
import { attempt, h, select } from "../dom.ts";
import { size, when } from "../format.ts";
import { list } from "../list.ts";

type Material = DataOf<"/material", "get">["materials"][number];

export function materialsPage(root: HTMLElement) {
  const filter = { tag: "", type: "", used: "", page: 1, page_size: 50 };
  const materials = list({
    prefix: "m",
    filter,
    columns: [
      { title: "Name" },
      { title: "Type" },
      { title: "Size" },
      { title: "Tags" },
      { title: "Used by" },
      { title: "Added" },
      { title: h("span", { class: "visually-hidden" }, "Actions"), label: "" },
    ],
    fetch: async (f) => {
      const r = await api("get", "/material", { query: f });
      return { ...r, rows: r.materials };
    },
    row: (m: Material) =>
      h(
        "tr",
        { dataset: { id: String(m.id) } },
        h("td", { title: m.path }, m.name),
        h("td", {}, `${m.type} (${m.format})`),
        h("td", {}, size(m.size)),
        h("td", {}, m.tags.join(", ")),
        h(
          "td",
          {},
          m.used_by.length
            ? m.used_by.map((u) =>
                h(
                  "div",
                  {},
                  `${u.username ?? u.serial} `,
                  h("a", { href: `#/tasks/${u.task_id}` }, `#${u.task_id}`),
                ),
              )
            : "—",
        ),
        h("td", {}, when(m.created_at)),
        h(
          "td",
          { class: "actions" },
          h(
            "button",
            {
              type: "button",
              class: "danger",
              "aria-label": `Delete ${m.name}`,
              onclick: attempt(async () => {
                if (!confirm(`Forget ${m.name}?${m.uploaded ? " The uploaded copy is deleted." : ""}`))
                  return;
                await api("delete", "/material/{id}", { path: { id: m.id } });
                await materials.load();
              }),
            },
            "Delete",
          ),
        ),
      ),
    empty: "No material.",
  });
  materials.addFilter("tag", "Tag", h("input", { type: "text", size: 10 }));
  materials.addFilter(
    "type",
    "Type",
    select([
      ["", "any"],
      ["video", "video"],
      ["image", "image"],
    ]),
  );
  materials.addFilter(
    "used",
    "Used",
    select([
      ["", "any"],
      ["1", "used"],
      ["0", "unused"],
    ]),
  );

  const fileInput = h("input", { type: "file", id: "upload-file", multiple: true });
  const tagsInput = h("input", { type: "text", id: "upload-tags", placeholder: "demo, cats" });
  const progress = h("div", { "aria-live": "polite" });
  const drop = h(
    "div",
    { class: "drop", id: "drop" },
    h("p", {}, "Drop videos or images here, or choose them."),
    h(
      "div",
      { class: "toolbar" },
      h("label", { for: "upload-file" }, "Files"),
      fileInput,
      h("label", { for: "upload-tags" }, "Tags"),
      tagsInput,
    ),
    progress,
  );
  drop.addEventListener("dragover", (e) => {
    e.preventDefault();
    drop.classList.add("over");
  });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => {
    e.preventDefault();
    drop.classList.remove("over");
    void uploadAll([...(e.dataTransfer?.files ?? [])]);
  });
  fileInput.addEventListener("change", () => {
    void uploadAll([...(fileInput.files ?? [])]);
    fileInput.value = "";
  });

  async function uploadAll(files: File[]) {
    for (const f of files) await upload(f);
    await materials.load();
  }

  /** XHR, not fetch: only XHR reports upload progress. */
  function upload(file: File) {
    return new Promise<void>((resolve) => {
      const bar = h("progress", { max: 100, value: 0, "aria-label": `Uploading ${file.name}` });
      const line = h("div", {}, h("span", {}, file.name), bar);
      progress.append(line);
      const data = new FormData();
      data.append("file", file);
      if (tagsInput.value.trim()) data.append("tags", tagsInput.value.trim());
      const xhr = new XMLHttpRequest();
      xhr.open("POST", "/api/v1/material");
      const token = currentToken();
      if (token) xhr.setRequestHeader("authorization", `Bearer ${token}`);
      xhr.upload.onprogress = (e) => {
        if (e.lengthComputable) bar.value = Math.round((e.loaded / e.total) * 100);
      };
      xhr.onload = () => {
        let envelope: { code: number; message: string };
        try {
          envelope = JSON.parse(xhr.responseText);
        } catch {
          envelope = { code: -1, message: `HTTP ${xhr.status}` };
        }
        if (envelope.code === 0) line.replaceChildren(`${file.name}: uploaded`);
        else line.replaceChildren(h("span", { class: "field-error" }, `${file.name}: ${envelope.message}`));
        resolve();
      };
      xhr.onerror = () => {
        line.replaceChildren(h("span", { class: "field-error" }, `${file.name}: the upload broke off`));
        resolve();
      };
      xhr.send(data);
    });
  }

  root.append(h("h2", {}, "Materials"), drop, materials.filters, materials.el, materials.pager);
  void materials.load();
}
