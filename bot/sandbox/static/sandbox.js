// The sandbox page: plays a Slack client for the demo people. Every action is sent to the
// sandbox server, which turns it into the signed request Slack would send the bot; what the
// bot does comes back through GET /sandbox/state (long-polled).
"use strict";

const ui = {
  state: null,
  version: -1,
  current: localStorage.getItem("sandbox.person") || "U0RITA",
  tab: "messages",
  seen: JSON.parse(localStorage.getItem("sandbox.seen") || "{}"),
  modalKey: null,
};

const $ = (selector) => document.querySelector(selector);

// The page's own texts, from the bot's catalogs, in the language of the person shown.
function pageLocale() {
  const person = (ui.state?.people || []).find((p) => p.id === ui.current);
  return person?.locale || "en";
}

function pageText(name, params = {}) {
  const texts = ui.state?.labels?.[pageLocale()] || ui.state?.labels?.en || {};
  const text = texts[name] ?? name;
  return text.replace(/\{(\w+)\}/g, (whole, key) => (key in params ? String(params[key]) : whole));
}

function applyLabels() {
  document.documentElement.lang = pageLocale();
  for (const node of document.querySelectorAll("[data-label]")) node.textContent = pageText(node.dataset.label);
  for (const node of document.querySelectorAll("[data-label-aria]")) {
    node.setAttribute("aria-label", pageText(node.dataset.labelAria));
  }
  for (const node of document.querySelectorAll("[data-label-title]")) node.title = pageText(node.dataset.labelTitle);
  for (const node of document.querySelectorAll("[data-label-placeholder]")) {
    node.placeholder = pageText(node.dataset.labelPlaceholder);
  }
}

function renderLanguage() {
  const select = $("#person-language");
  select.replaceChildren(...Object.entries(ui.state.languages || {}).map(([code, name]) =>
    el("option", { value: code, selected: code === pageLocale() }, name)));
}

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "class") node.className = value;
    else if (name === "html") node.innerHTML = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined) {
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
  }
  return node;
}

// --- Slack's mrkdwn (enough of it) -----------------------------------------------------------

function escapeHtml(text) {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}

function decodeSlack(text) {  // Slack escapes &, < and > in message text
  return text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

function nameOf(userId) {
  const person = (ui.state?.people || []).find((p) => p.id === userId);
  return person ? person.name : userId;
}

function formatRun(text) {
  return escapeHtml(decodeSlack(text))
    .replace(/`([^`\n]+)`/g, "<code>$1</code>")
    .replace(/(^|[\s(])\*([^*\n]+)\*/g, "$1<b>$2</b>")
    .replace(/(^|[\s(])_([^_\n]+)_/g, "$1<i>$2</i>")
    .replace(/(^|[\s(])~([^~\n]+)~/g, "$1<s>$2</s>")
    .replace(/\n/g, "<br>");
}

function mrkdwn(text) {
  let html = "";
  let last = 0;
  for (const match of text.matchAll(/<([^<>]+)>/g)) {
    html += formatRun(text.slice(last, match.index));
    const [target, label] = match[1].split("|");
    if (target.startsWith("@")) {
      html += `<span class="mention">@${escapeHtml(nameOf(target.slice(1)))}</span>`;
    } else if (target.startsWith("!")) {
      html += `<span class="mention">@${escapeHtml(target.slice(1))}</span>`;
    } else if (/^(https?:|mailto:|tel:)/.test(target)) {
      html += `<a href="${escapeHtml(target)}" target="_blank" rel="noopener">` +
        `${escapeHtml(label || target)}</a>`;
    } else {
      html += escapeHtml(label || target);
    }
    last = match.index + match[0].length;
  }
  return html + formatRun(text.slice(last));
}

function textOf(object) {
  if (!object) return el("span");
  if (object.type === "mrkdwn") return el("span", { html: mrkdwn(object.text || "") });
  return el("span", { class: "plain" }, object.text || "");
}

// --- Block Kit -------------------------------------------------------------------------------

function button(element, onClick) {
  const classes = element.style === "primary" ? "primary" : element.style === "danger" ? "danger" : "";
  return el("button", {
    type: "button", class: classes, "data-action-id": element.action_id,
    onclick: (event) => onClick(element, event.currentTarget),
  }, element.text?.text || "");
}

function renderBlocks(blocks, onClick) {
  const out = [];
  for (const block of blocks || []) {
    switch (block.type) {
      case "header":
        out.push(el("div", { class: "b-header" }, block.text?.text || ""));
        break;
      case "section": {
        const section = el("div", { class: "b-section" });
        if (block.text) section.append(textOf(block.text));
        if (block.fields) {
          section.append(el("div", { class: "b-fields" }, block.fields.map((f) => el("div", {}, textOf(f)))));
        }
        if (block.accessory?.type === "button") section.append(" ", button(block.accessory, onClick));
        out.push(section);
        break;
      }
      case "context":
        out.push(el("div", { class: "b-context" }, (block.elements || []).map((e) =>
          e.type === "image" ? null : textOf(e))));
        break;
      case "divider":
        out.push(el("hr", { class: "b-divider" }));
        break;
      case "image":
        out.push(el("img", { class: "b-image", src: block.image_url, alt: block.alt_text || "" }));
        break;
      case "actions":
        out.push(el("div", { class: "b-actions" }, (block.elements || []).map((e) =>
          e.type === "button" ? button(e, onClick) : el("span", { class: "unsupported" }, `[${e.type}]`))));
        break;
      case "input":
        out.push(renderInput(block));
        break;
      default:
        out.push(el("div", { class: "unsupported" }, `[${block.type} block]`));
    }
  }
  return out;
}

// --- Modals ----------------------------------------------------------------------------------

function inputId(block) {
  return `input-${block.block_id}`;
}

const INPUT_TYPES = {
  datepicker: "date", timepicker: "time", datetimepicker: "datetime-local", number_input: "number",
};

function localDateTime(epochSeconds) {
  const date = new Date(epochSeconds * 1000);
  const pad = (n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

// An element's value as Slack puts it in view.state.values, and whether it is empty.
function elementValue(element, wrapper) {
  const type = element.type;
  const field = wrapper.querySelector("select, input, textarea");
  const text = field ? field.value : "";
  switch (type) {
    case "static_select":
      return [{ type, selected_option: text ? optionOf(element, text) : null }, !text];
    case "multi_static_select": {
      const chosen = [...field.selectedOptions].map((o) => optionOf(element, o.value));
      return [{ type, selected_options: chosen }, chosen.length === 0];
    }
    case "users_select":
      return [{ type, selected_user: text || null }, !text];
    case "multi_users_select": {
      const chosen = [...field.selectedOptions].map((o) => o.value);
      return [{ type, selected_users: chosen }, chosen.length === 0];
    }
    case "radio_buttons": {
      const chosen = wrapper.querySelector("input:checked");
      return [{ type, selected_option: chosen ? optionOf(element, chosen.value) : null }, !chosen];
    }
    case "checkboxes": {
      const ticked = [...wrapper.querySelectorAll("input:checked")].map((i) => optionOf(element, i.value));
      return [{ type, selected_options: ticked }, ticked.length === 0];
    }
    case "datepicker":
      return [{ type, selected_date: text || null }, !text];
    case "timepicker":
      return [{ type, selected_time: text || null }, !text];
    case "datetimepicker":
      return [{ type, selected_date_time: text ? Math.floor(new Date(text).getTime() / 1000) : null }, !text];
    case "number_input":
    case "plain_text_input":
      return [{ type, value: text === "" ? null : text }, text.trim() === ""];
    default:
      return [null, false];
  }
}

const OPTIONAL_MARKER = { en: " (optional)", es: " (opcional)" };

function renderInput(block) {
  const element = block.element || {};
  const id = inputId(block);
  const label = block.label?.text || "";
  // Slack marks optional fields itself, in the person's language (the modal's, here).
  const marker = OPTIONAL_MARKER[ui.modalLocale] || OPTIONAL_MARKER.en;
  const optional = block.optional ? el("span", { class: "optional" }, marker) : null;
  const wrapper = el("div", {
    class: "b-input", "data-block-id": block.block_id, "data-action-id": element.action_id,
    "data-type": element.type, "data-optional": block.optional ? "true" : "false",
  });
  const choices = (element.options || []);
  if (element.type === "static_select") {
    const select = el("select", { id, name: block.block_id },
      el("option", { value: "" }, element.placeholder?.text || pageText("select_option")),
      choices.map((o) => el("option", {
        value: o.value, selected: element.initial_option?.value === o.value,
      }, o.text?.text || o.value)));
    wrapper.append(el("label", { for: id }, label, optional), select);
  } else if (element.type === "radio_buttons" || element.type === "checkboxes") {
    const type = element.type === "radio_buttons" ? "radio" : "checkbox";
    const initial = new Set((element.initial_options || [element.initial_option]).filter(Boolean)
      .map((o) => o.value));
    wrapper.append(el("div", { class: "label", id: `${id}-label` }, label, optional),
      el("div", { role: type === "radio" ? "radiogroup" : "group", "aria-labelledby": `${id}-label` },
        choices.map((o, i) => el("label", { class: "choice" },
          el("input", { type, name: block.block_id, value: o.value, id: `${id}-${i}`,
            checked: initial.has(o.value) }),
          " ", o.text?.text || o.value))));
  } else if (element.type === "multi_static_select") {
    const initial = new Set((element.initial_options || []).map((o) => o.value));
    wrapper.append(el("label", { for: id }, label, optional),
      el("select", { id, name: block.block_id, multiple: true },
        choices.map((o) => el("option", { value: o.value, selected: initial.has(o.value) },
          o.text?.text || o.value))));
  } else if (element.type === "users_select" || element.type === "multi_users_select") {
    const multiple = element.type === "multi_users_select";
    const initial = new Set(multiple ? element.initial_users || [] : [element.initial_user]);
    wrapper.append(el("label", { for: id }, label, optional),
      el("select", { id, name: block.block_id, multiple },
        multiple ? null : el("option", { value: "" }, pageText("select_person")),
        (ui.state?.people || []).map((p) => el("option", { value: p.id, selected: initial.has(p.id) },
          p.name))));
  } else if (INPUT_TYPES[element.type]) {
    const field = el("input", { type: INPUT_TYPES[element.type], id, name: block.block_id,
      step: element.type === "number_input" && element.is_decimal_allowed ? "any" : null,
      min: element.min_value, max: element.max_value });
    const initial = element.initial_date || element.initial_time || element.initial_value ||
      (element.initial_date_time ? localDateTime(element.initial_date_time) : "");
    if (initial) field.value = initial;
    wrapper.append(el("label", { for: id }, label, optional), field);
  } else if (element.type === "plain_text_input") {
    const field = element.multiline
      ? el("textarea", { id, name: block.block_id, maxlength: element.max_length })
      : el("input", { type: "text", id, name: block.block_id, maxlength: element.max_length });
    if (element.initial_value) field.value = element.initial_value;
    wrapper.append(el("label", { for: id }, label, optional), field);
  } else {
    wrapper.append(el("div", { class: "label" }, label),
      el("div", { class: "unsupported" }, `[${element.type} input]`));
  }
  if (block.hint) wrapper.append(el("div", { class: "input-hint" }, block.hint.text));
  wrapper.append(el("div", { class: "input-error", "aria-live": "polite" }));
  return wrapper;
}

function optionOf(element, value) {
  const option = (element.options || []).find((o) => o.value === value);
  return option ? { text: option.text, value: option.value } : null;
}

// Slack's view.state.values: block id -> action id -> the element's value.
function modalValues(view) {
  const values = {};
  const missing = [];
  for (const block of view.blocks || []) {
    if (block.type !== "input") continue;
    const element = block.element || {};
    const wrapper = document.querySelector(`.b-input[data-block-id="${block.block_id}"]`);
    const [value, empty] = elementValue(element, wrapper);
    if (value === null) continue;
    values[block.block_id] = { [element.action_id]: value };
    if (empty && !block.optional) missing.push(block.block_id);
  }
  return { values, missing };
}

function showErrors(errors) {
  for (const wrapper of document.querySelectorAll(".b-input")) {
    wrapper.querySelector(".input-error").textContent = errors[wrapper.dataset.blockId] || "";
  }
}

function renderModal(view) {
  const overlay = $("#overlay");
  if (!view) {
    overlay.hidden = true;
    overlay.replaceChildren();
    ui.modalKey = null;
    return;
  }
  const key = `${ui.current}:${view.id}:${view.hash}`;
  if (key === ui.modalKey) {
    showErrors(view.errors || {});
    return;
  }
  ui.modalKey = key;
  ui.modalLocale = (view.private_metadata || "en").slice(0, 2);
  const close = () => post("close", {});
  const submit = async (event) => {
    event.preventDefault();
    const { values, missing } = modalValues(view);
    if (missing.length) {  // Slack's client checks required fields before sending anything
      showErrors(Object.fromEntries(missing.map((id) => [id, pageText("required")])));
      return;
    }
    const button = event.submitter || overlay.querySelector("button[type=submit]");
    if (button) button.disabled = true;
    await post("submit", { values });
    if (button) button.disabled = false;
  };
  const form = el("form", { class: "modal", role: "dialog", "aria-modal": "true",
    "aria-label": view.title?.text || "", onsubmit: submit, novalidate: true },
    el("header", {}, el("h2", {}, view.title?.text || ""),
      el("button", { type: "button", "aria-label": pageText("close"), onclick: close }, "×")),
    el("div", { class: "modal-body" }, renderBlocks(view.blocks, (element, node) => {
      node.disabled = true;
      post("click", { modal: true, action_id: element.action_id });
    })),
    el("footer", {},
      el("button", { type: "button", onclick: close }, view.close?.text || pageText("close")),
      view.submit ? el("button", { type: "submit", class: "primary" }, view.submit.text) : null));
  overlay.replaceChildren(form);
  overlay.hidden = false;
  showErrors(view.errors || {});
}

// --- The page --------------------------------------------------------------------------------

function toast(text) {
  const box = $("#toast");
  box.textContent = text;
  box.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { box.hidden = true; }, 6000);
}

async function post(path, body) {
  try {
    const response = await fetch(`/sandbox/${path}`, {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ user: ui.current, ...body }),
    });
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) toast(answer.error || pageText("sandbox_answered", { status: response.status }));
    else if (answer.status && answer.status !== 200) toast(pageText("bot_answered", { status: answer.status }));
    return answer;
  } catch (error) {
    toast(pageText("unreachable", { error }));
    return {};
  }
}

function botMessages(user) {
  return ((ui.state?.dms || {})[user] || []).filter((m) => m.user !== user).length;
}

function markSeen() {
  ui.seen[ui.current] = botMessages(ui.current);
  localStorage.setItem("sandbox.seen", JSON.stringify(ui.seen));
}

function renderPeople() {
  const list = $("#people");
  list.replaceChildren(...ui.state.people.map((person) => {
    const unread = Math.max(0, botMessages(person.id) - (ui.seen[person.id] || 0));
    return el("li", {}, el("button", {
      type: "button", class: "person", "data-person": person.id,
      "aria-current": person.id === ui.current ? "true" : "false",
      onclick: () => choose(person.id),
    },
    el("span", { class: "who" }, el("span", { class: "name" }, person.name),
      el("span", { class: "role" }, person.role)),
    person.on_call ? el("span", { class: "on-call", title: pageText("on_call_now") }, person.on_call) : null,
    unread && person.id !== ui.current
      ? el("span", { class: "badge", "aria-label": pageText("unread", { count: unread }) }, unread) : null));
  }));
}

function renderMessages() {
  const pane = $("#messages");
  const atBottom = pane.scrollHeight - pane.scrollTop - pane.clientHeight < 40;
  const messages = (ui.state.dms || {})[ui.current] || [];
  if (!messages.length) {
    pane.replaceChildren(el("p", { class: "empty" }, pageText("empty")));
    return;
  }
  pane.replaceChildren(...messages.map((message) => {
    const mine = message.user === ui.current;
    const author = mine ? nameOf(ui.current) : "Peer Support";
    const onClick = (element, node) => {
      node.disabled = true;
      post("click", { ts: message.ts, action_id: element.action_id });
    };
    const content = message.blocks?.length ? renderBlocks(message.blocks, onClick)
      : [el("div", { class: "plain" }, decodeSlack(message.text || ""))];
    return el("article", { class: `message${mine ? " mine" : ""}`, "data-ts": message.ts },
      el("div", { class: "avatar", "aria-hidden": "true" }, author[0]),
      el("div", { class: "body" },
        el("div", { class: "meta" }, el("b", {}, author),
          mine ? null : el("span", { class: "app-tag" }, pageText("app_tag")),
          message.edited ? el("span", { class: "edited" }, pageText("edited")) : null,
          message.ephemeral ? el("span", { class: "ephemeral" }, pageText("ephemeral")) : null),
        content));
  }));
  if (atBottom || !renderMessages.done) pane.scrollTop = pane.scrollHeight;
  renderMessages.done = true;
}

function renderHome() {
  const pane = $("#home");
  const view = (ui.state.homes || {})[ui.current];
  if (!view) {
    pane.replaceChildren(el("p", { class: "empty" }, pageText("home_opening")));
    return;
  }
  pane.replaceChildren(...renderBlocks(view.blocks, (element, node) => {
    node.disabled = true;
    post("click", { home: true, action_id: element.action_id });
  }));
}

function renderClock() {
  const { now, time_zone: zone, offset_minutes: offset, next_job: next } = ui.state;
  const format = new Intl.DateTimeFormat(pageLocale() === "es" ? "es-ES" : "en-GB", {
    timeZone: zone, weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit",
  });
  $("#clock-now").textContent = pageText("time", { time: format.format(new Date(now)), zone });
  const days = Math.floor(offset / 1440);
  const hours = Math.floor((offset % 1440) / 60);
  const minutes = offset % 60;
  const ahead = `${days ? `${days} d ` : ""}${hours ? `${hours} h ` : ""}${minutes ? `${minutes} min` : ""}`;
  $("#clock-offset").textContent = offset ? pageText("ahead", { offset: ahead.trim() }) : pageText("real_time");
  const nextButton = $("#next-job");
  nextButton.disabled = !next;
  nextButton.textContent = next
    ? pageText("next_job", { kind: next.kind.replace(/_/g, " "), when: format.format(new Date(next.at)) })
    : pageText("no_job");
}

function render() {
  if (!ui.state) return;
  if (!ui.state.people.some((p) => p.id === ui.current)) ui.current = ui.state.people[0].id;
  const person = ui.state.people.find((p) => p.id === ui.current);
  $("#person-name").textContent = person.name;
  $("#person-role").textContent = person.role;
  $("#tab-messages").setAttribute("aria-selected", String(ui.tab === "messages"));
  $("#tab-home").setAttribute("aria-selected", String(ui.tab === "home"));
  $("#messages").hidden = ui.tab !== "messages";
  $("#home").hidden = ui.tab !== "home";
  if (ui.tab === "messages") markSeen();
  applyLabels();
  renderLanguage();
  renderClock();
  renderPeople();
  renderMessages();
  renderHome();
  renderModal((ui.state.modals || {})[ui.current]);
  document.body.dataset.version = String(ui.version);
}

function choose(userId) {
  ui.current = userId;
  localStorage.setItem("sandbox.person", userId);
  renderMessages.done = false;
  if (ui.tab === "home") post("home", {});
  render();
}

async function poll() {
  for (;;) {
    try {
      const response = await fetch(`/sandbox/state?since=${ui.version}`);
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      ui.state = await response.json();
      ui.version = ui.state.version;
      render();
    } catch (error) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

function wire() {
  $("#composer").addEventListener("submit", async (event) => {
    event.preventDefault();
    const input = $("#composer-input");
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    if (ui.tab !== "messages") { ui.tab = "messages"; render(); }
    await post(text.startsWith("/") ? "command" : "say", { text });
  });
  $("#person-language").addEventListener("change", async (event) => {
    await post("language", { locale: event.target.value });
    if (ui.tab === "home") post("home", {});  // the Home is published again, in the new language
  });
  $("#tab-messages").addEventListener("click", () => { ui.tab = "messages"; render(); });
  $("#tab-home").addEventListener("click", () => {
    ui.tab = "home";
    render();
    post("home", {});
  });
  for (const control of document.querySelectorAll(".controls button[data-minutes], .controls button[data-move]")) {
    control.addEventListener("click", async () => {
      control.disabled = true;
      const body = control.dataset.move ? { move: control.dataset.move }
        : { minutes: Number(control.dataset.minutes) };
      await post("clock", body);
      control.disabled = false;
    });
  }
  $("#reset").addEventListener("click", async () => {
    if (!window.confirm(pageText("reset_confirm"))) return;
    ui.seen = {};
    localStorage.removeItem("sandbox.seen");
    await post("reset", {});
  });
  poll();
}

wire();
