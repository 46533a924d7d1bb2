/* Parley console: the inputs of a site's custom ticket fields (text, number, date, select) for
 * the new-ticket form and the ticket view (tickets.js), and API validation errors shown next
 * to the field they name (details.field, e.g. "custom_fields.plan" or "subject"). */
const X = window.ParleyConsole && window.ParleyConsole.ext;

function opt(value, text) { return X.el("option", {value, text}); }
function shown(v) { return v === undefined || v === null ? "" : String(v); }

/* an error line under an input, tied to it for screen readers */
export function withError(input, id) {
  const err = X.el("p", {class: "error field-error", id: id + "-err", role: "alert", hidden: true});
  input.setAttribute("aria-describedby", err.id);
  return err;
}

/* inputs for the site's custom fields; changed() gives {key: value or null} of the edits,
   values() every non-empty value (a new ticket) */
export function customInputs(fields, values, prefix) {
  const {el, field, lang} = X;
  const inputs = fields.map((f) => {
    let input;
    if (f.kind === "select") {
      input = el("select", {}, [opt("", "—")].concat((f.options || []).map((o) => opt(o, o))));
    } else {
      input = el("input", {type: f.kind === "number" ? "number" : f.kind === "date" ? "date" : "text",
        maxlength: f.kind === "text" ? "2000" : null, step: f.kind === "number" ? "any" : null});
    }
    input.id = prefix + f.key;
    input.value = shown(values[f.key]);
    if (f.required) input.setAttribute("aria-required", "true");
    const err = withError(input, input.id);
    const label = (lang() === "zh" && f.label_zh) || f.label;
    return {f, input, err, node: el("div", {class: "tk-cf"}, [field(label + (f.required ? " *" : ""), input), err])};
  });
  const parse = (f, input) => (input.value === "" ? null : f.kind === "number" ? Number(input.value) : input.value);
  return {
    nodes: inputs.map((x) => x.node),
    errors: Object.fromEntries(inputs.map((x) => ["custom_fields." + x.f.key, {input: x.input, err: x.err}])),
    changed: () => {
      const out = {};
      inputs.forEach(({f, input}) => { if (input.value !== shown(values[f.key])) out[f.key] = parse(f, input); });
      return out;
    },
    values: () => {
      const out = {};
      inputs.forEach(({f, input}) => { if (input.value !== "") out[f.key] = parse(f, input); });
      return out;
    }
  };
}

/* clear the per-field errors */
export function clearErrors(places) {
  Object.values(places).forEach(({input, err}) => {
    err.textContent = ""; err.hidden = true; input.removeAttribute("aria-invalid");
  });
}

/* show an API error next to the field it names (focusing it), else in the form's box */
export function showFieldError(places, box, e) {
  const name = e && e.details && e.details.field;
  const place = name && places[name];
  if (!place) return X.showErr(box, e);
  place.err.textContent = e.message;
  place.err.hidden = false;
  place.input.setAttribute("aria-invalid", "true");
  place.input.focus();
}
