/* Parley console: attachments on a ticket comment, by the same flow as the composer's chat
 * attachments (app/composer.js): ask the API for a presigned upload (POST
 * /agent/tickets/{id}/uploads, the chat's size and type rules), POST the file to it, and keep
 * the returned attachment until the comment is sent with it. Names are shown as text. */
const X = window.ParleyConsole && window.ParleyConsole.ext;

export const MAX_FILES = 5;

export const EN = {tku_attach: "Attach files", tku_remove: "Remove {name}", tku_uploading: "Uploading {name}…",
  tku_failed: "Upload failed ({status})", tku_too_many: "At most {n} files on a comment.", tku_files: "Attachments"};
export const ZH = {tku_attach: "添加附件", tku_remove: "移除 {name}", tku_uploading: "正在上传 {name}…",
  tku_failed: "上传失败({status})", tku_too_many: "每条评论最多 {n} 个附件。", tku_files: "附件"};


function upload(ticketId, file) {
  return X.api("POST", "/agent/tickets/" + encodeURIComponent(ticketId) + "/uploads",
    {name: file.name, content_type: file.type || "application/octet-stream", size: file.size}).then((r) => {
    const form = new FormData();
    Object.keys(r.upload.fields || {}).forEach((k) => form.append(k, r.upload.fields[k]));
    form.append("file", file);
    return fetch(r.upload.url, {method: "POST", body: form}).then((resp) => {
      if (!resp.ok && resp.status !== 204) throw new Error(X.t("tku_failed", {status: resp.status}));
      return r.attachment;
    });
  });
}

/* the picker: node (a file input and the list of uploaded files), attachments() what to
   send, reset() after sending; errors go to errBox */
export function attachmentPicker(ticketId, errBox) {
  const {t, el, clear, showErr} = X;
  const done = [];
  const list = el("ul", {class: "tk-uploads row wrap", id: "tk-uploads", "aria-label": t("tku_files")});
  const status = el("span", {class: "muted", id: "tk-upload-status", "aria-live": "polite"});
  const input = el("input", {type: "file", id: "tk-file", multiple: true, "aria-label": t("tku_attach")});
  function show() {
    clear(list);
    done.forEach((a, i) => list.appendChild(el("li", {class: "chip tk-upload"}, [el("span", {text: a.name}),
      el("button", {type: "button", class: "link", text: "×", "aria-label": t("tku_remove", {name: a.name}),
        onclick: () => { done.splice(i, 1); show(); input.focus(); }})])));
  }
  input.addEventListener("change", () => {
    const files = Array.from(input.files || []);
    input.value = "";
    errBox.textContent = "";
    if (done.length + files.length > MAX_FILES) { errBox.textContent = t("tku_too_many", {n: MAX_FILES}); return; }
    files.reduce((chain, f) => chain.then(() => {
      status.textContent = t("tku_uploading", {name: f.name});
      return upload(ticketId, f).then((a) => { done.push(a); show(); });
    }), Promise.resolve()).catch((e) => showErr(errBox, e)).then(() => { status.textContent = ""; });
  });
  return {
    node: el("div", {class: "row wrap tk-attach"}, [X.field(t("tku_attach"), input), status, list]),
    attachments: () => done.slice(),
    busy: () => status.textContent !== ""
  };
}

if (X) X.addStrings(EN, ZH);
