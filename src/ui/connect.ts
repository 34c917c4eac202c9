// Connects a Wi-Fi phone (POST /device/connect): host, port, and whether to go without the adb server. The
// API's refusal is shown under the form as it says it.
import { api } from "./api.ts";
import { errorText, h, notice } from "./dom.ts";

export function connectForm(connected: () => void): HTMLElement {
  const host = h("input", {
    id: "connect-host",
    name: "host",
    type: "text",
    placeholder: "192.168.1.20",
    required: true,
  });
  const port = h("input", {
    id: "connect-port",
    name: "port",
    type: "number",
    min: 1,
    max: 65535,
    value: 5555,
  });
  const direct = h("input", { id: "connect-direct", name: "direct", type: "checkbox" });
  const error = h("p", { class: "field-error", id: "connect-error", role: "alert", hidden: true });
  const submit = h("button", { type: "submit" }, "Connect");
  const form = h(
    "form",
    { class: "toolbar connect", "aria-label": "Connect a Wi-Fi phone" },
    h("label", { for: "connect-host" }, "Wi-Fi phone"),
    host,
    h("label", { for: "connect-port" }, "Port"),
    port,
    h("label", { for: "connect-direct" }, direct, "direct (without the adb server)"),
    submit,
    error,
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    error.hidden = true;
    submit.disabled = true;
    try {
      const body = { host: host.value.trim(), port: Number(port.value), direct: direct.checked };
      const d = await api("post", "/device/connect", { body });
      notice(`${d.serial} connected (${d.state})`, "info");
      host.value = "";
      connected();
    } catch (err) {
      error.textContent = errorText(err);
      error.hidden = false;
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}
