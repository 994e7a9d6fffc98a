// The sandbox page: shows the workspace as the chosen person sees it in Slack, renders the bot's
// Block Kit (messages, threads, modals, the App Home) and sends every click, command and form to
// the sandbox server, which turns them into Slack's signed payloads for the bot. The server tells
// the page of each change (/api/events); the page then reads the state and redraws only the
// regions that changed, so what a person is typing, and the errors they are reading, stay put.
"use strict";

// The sandbox clock runs on between changes: the time shown is moved on locally this often.
const TICK_MS = 15000;
const OFFLINE = "offline";
const EMOJI = {
  information_source: "ℹ️", warning: "⚠️", white_check_mark: "✅", x: "❌", tada: "🎉",
  calendar: "📆", memo: "📝", house: "🏠", wave: "👋", hourglass: "⏳", no_entry: "⛔",
  raised_hand: "✋", point_right: "👉", bell: "🔔", lock: "🔒", speech_balloon: "💬",
};

const ui = {
  state: null, // the last /api/state answer
  stateText: "", // its text, to skip work when nothing changed
  persona: new URLSearchParams(location.search).get("as") || localStorage.getItem("persona"),
  selected: localStorage.getItem("selected") || "", // a conversation id, or "home"
  thread: null, // {channel, ts} of the open thread
  drafts: new Map(), // "view_id|block_id|action_id" → the element's state, as Slack names it
  rendered: {}, // region → the JSON it was last drawn from
  errors: new Map(), // view_id → {block_id: message}: the field errors a person is reading
  viewsDrawn: new Map(), // view_id → the view JSON its errors belong to
  skew: 0, // the sandbox clock minus this browser's clock, in ms
  pickUnread: true, // on the next state, open the conversation with something new in it
  readAsked: "", // the last conversation and version reported read
  sending: false, // a command is on its way: Enter again does not send it twice
};
// The languages the person set in their browser, so dates and times read as they expect.
const LOCALE = navigator.languages && navigator.languages.length ? [...navigator.languages] : undefined;

const $ = (id) => document.getElementById(id);

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "html") node.innerHTML = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

// --- talking to the sandbox server -------------------------------------------------------------

async function api(path, body) {
  const response = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  const answer = await response.json().catch(() => ({ ok: false, error: response.statusText }));
  if (!response.ok && answer.ok === undefined) answer.ok = false;
  if (answer.ok === false && answer.error) notice(`${path}: ${answer.error}`);
  refresh();
  return answer;
}

// One banner at a time; `kind` OFFLINE is the one that goes by itself once the server answers.
function notice(text, kind = "") {
  const box = $("notice");
  box.textContent = text;
  box.dataset.kind = text ? kind : "";
  box.hidden = !text;
}

function answered() {
  if ($("notice").dataset.kind === OFFLINE) notice("");
}

let inFlight = false;
let again = false;

// Reads the state once; called when the server says something changed, and after each action.
async function refresh() {
  if (inFlight) {
    again = true;
    return;
  }
  inFlight = true;
  try {
    const asked = ui.persona || "";
    // Without a chosen person yet, the server shows its first persona.
    const query = asked ? `?as=${encodeURIComponent(asked)}` : "";
    const response = await fetch(`/api/state${query}`);
    const text = await response.text();
    // An answer for someone else arrived after a switch of person: the read it asked for
    // (switchPersona) brings theirs.
    if (response.ok) answered();
    if (response.ok && asked === (ui.persona || "") && text !== ui.stateText) {
      ui.stateText = text;
      ui.state = JSON.parse(text);
      ui.skew = Date.parse(ui.state.now) - Date.now();
      render();
    } else if (response.status === 400 && asked === ui.persona) {
      // A person remembered from another sandbox: start again from the server's first one.
      ui.persona = null;
      localStorage.removeItem("persona");
      again = true;
    }
  } catch (error) {
    notice(`The sandbox server is not answering (${error.message}).`, OFFLINE);
  } finally {
    inFlight = false;
    if (again) {
      again = false;
      refresh();
    }
  }
}

function listen() {
  const events = new EventSource("/api/events");
  events.onmessage = () => refresh();
  // EventSource connects again by itself; the banner says so meanwhile and goes once it has.
  // One the browser has given up on (an answer that is not an event stream) is made anew.
  events.onerror = () => {
    notice("The sandbox server is not answering; trying again…", OFFLINE);
    if (events.readyState === EventSource.CLOSED) setTimeout(listen, 3000);
  };
  events.onopen = answered;
}

// --- mrkdwn ------------------------------------------------------------------------------------

function escapeHtml(text) {
  return String(text)
    .replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

// Slack escapes only these three in message text; everything else arrives as typed.
function unescapeSlack(text) {
  return text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

function userName(id) {
  const user = ui.state && ui.state.users[id];
  return user ? user.name : id;
}

function safeUrl(url) {
  // "/…" is this page's own; "//host/…" would be another site's.
  return /^(https?:|mailto:|\/(?!\/))/i.test(url) ? url : null;
}

function ordinal(n) {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? "th" : ({ 1: "st", 2: "nd", 3: "rd" }[n % 10] || "th");
  return `${n}${suffix}`;
}

function personaTz() {
  const me = ui.state && ui.state.personas.find((p) => p.id === ui.state.me);
  return (me && me.tz) || "UTC";
}

// Slack's <!date^…> tokens are Slack's own English words; the rest of the page follows LOCALE.
function dateParts(date) {
  const parts = {};
  const format = new Intl.DateTimeFormat("en-GB", {
    timeZone: personaTz(), weekday: "long", year: "numeric", month: "long", day: "numeric",
    hour: "2-digit", minute: "2-digit", hour12: false,
  });
  for (const part of format.formatToParts(date)) parts[part.type] = part.value;
  return parts;
}

// <!date^seconds^format|fallback>: Slack shows the moment in the reader's own timezone.
function slackDate(seconds, format) {
  const p = dateParts(new Date(Number(seconds) * 1000));
  const day = Number(p.day);
  const month3 = p.month.slice(0, 3);
  const tokens = {
    date_num: new Intl.DateTimeFormat("en-CA", { timeZone: personaTz() }).format(new Date(seconds * 1000)),
    date: `${p.month} ${ordinal(day)}, ${p.year}`,
    date_short: `${month3} ${day}, ${p.year}`,
    date_long: `${p.weekday}, ${p.month} ${ordinal(day)}, ${p.year}`,
    date_pretty: `${p.month} ${ordinal(day)}, ${p.year}`,
    date_short_pretty: `${month3} ${day}, ${p.year}`,
    date_long_pretty: `${p.weekday}, ${p.month} ${ordinal(day)}, ${p.year}`,
    time: `${p.hour}:${p.minute}`,
    time_secs: `${p.hour}:${p.minute}:00`,
  };
  return format.replace(/\{(\w+)\}/g, (whole, name) => tokens[name] || whole);
}

function controlSequence(inner) {
  const bar = inner.indexOf("|");
  const target = bar < 0 ? inner : inner.slice(0, bar);
  const label = bar < 0 ? null : unescapeSlack(inner.slice(bar + 1));
  if (target.startsWith("@")) {
    return `<span class="mention">@${escapeHtml(userName(target.slice(1)))}</span>`;
  }
  if (target.startsWith("#")) {
    return `<span class="mention">#${escapeHtml(label || target.slice(1))}</span>`;
  }
  if (target.startsWith("!date^")) {
    const [, seconds, format] = target.split("^");
    return `<span class="date">${escapeHtml(slackDate(seconds, format))}</span>`;
  }
  if (target.startsWith("!")) {
    return `<span class="mention">@${escapeHtml(label || target.slice(1).split("^")[0])}</span>`;
  }
  const url = safeUrl(unescapeSlack(target));
  const text = escapeHtml(label || unescapeSlack(target));
  if (url && placeIn(url)) return `<a href="${escapeHtml(url)}" class="permalink">${text}</a>`;
  return url ? `<a href="${escapeHtml(url)}" target="_blank" rel="noopener">${text}</a>` : text;
}

function mrkdwn(source) {
  const kept = [];
  const keep = (html) => `\u0000${kept.push(html) - 1}\u0000`;
  let text = String(source).replace(/\u0000/g, "");
  text = text.replace(/```([\s\S]*?)```/g, (m, code) =>
    keep(`<pre>${escapeHtml(unescapeSlack(code.replace(/^\n/, "")))}</pre>`));
  text = text.replace(/`([^`\n]+)`/g, (m, code) => keep(`<code>${escapeHtml(unescapeSlack(code))}</code>`));
  text = text.replace(/<([^<>\n]+)>/g, (m, inner) => keep(controlSequence(inner)));
  text = escapeHtml(unescapeSlack(text));
  text = text.replace(/:([a-z0-9_+-]+):/g, (m, name) => EMOJI[name] || m);
  const edge = "(^|[\\s(\"'“‘\\u0000])";
  const end = "(?=$|[\\s.,;:!?)\"'”’\\u0000])";
  for (const [mark, tag] of [["\\*", "b"], ["_", "i"], ["~", "s"]]) {
    const pattern = new RegExp(`${edge}${mark}([^\\s${mark}](?:[^${mark}\\n]*?[^\\s${mark}])?)${mark}${end}`, "g");
    text = text.replace(pattern, (m, before, inner) => `${before}<${tag}>${inner}</${tag}>`);
  }
  const lines = text.split("\n").map((line) =>
    line.startsWith("&gt;")
      ? `<blockquote>${line.slice(4).replace(/^ /, "")}</blockquote>`
      : `${line}<br>`);
  text = lines.join("").replace(/<br>$/, "").replace(/<\/blockquote><blockquote>/g, "<br>");
  return text.replace(/\u0000(\d+)\u0000/g, (m, index) => kept[Number(index)]);
}

function textObject(object, tag) {
  if (!object) return null;
  const html = object.type === "mrkdwn" ? mrkdwn(object.text)
    : escapeHtml(object.text).replace(/\n/g, "<br>");
  return el(tag || "span", { class: `bk-text ${object.type}`, html });
}

function plain(object) {
  return object ? object.text : "";
}

// --- Block Kit: where a block came from, and what its interactive parts send ------------------

// A view's element state lives in `ui.drafts` so that a redraw (every poll that changes anything)
// keeps what the person typed or chose until the view is submitted or closed.
function draftKey(source, blockId, actionId) {
  const where = source.view_id || `${source.channel}/${source.ts}`;
  return `${where}|${blockId}|${actionId}`;
}

function sameOption(a, b) {
  return a && b && a.value === b.value;
}

function allOptions(element) {
  return element.option_groups ? element.option_groups.flatMap((g) => g.options) : element.options || [];
}

function initialState(element) {
  switch (element.type) {
    case "plain_text_input":
    case "number_input":
    case "email_text_input":
    case "url_text_input":
      return { type: element.type, value: element.initial_value ?? null };
    case "datepicker":
      return { type: element.type, selected_date: element.initial_date ?? null };
    case "timepicker":
      return { type: element.type, selected_time: element.initial_time ?? null };
    case "static_select":
    case "radio_buttons":
      return { type: element.type, selected_option: element.initial_option ?? null };
    case "multi_static_select":
    case "checkboxes":
      return { type: element.type, selected_options: element.initial_options ?? [] };
    case "users_select":
      return { type: element.type, selected_user: element.initial_user ?? null };
    case "multi_users_select":
      return { type: element.type, selected_users: element.initial_users ?? [] };
    default:
      return null;
  }
}

// What block_actions carries for the element that was used: Slack's field names.
function actionFields(current) {
  const { type, ...fields } = current;
  return fields;
}

function blockIdOf(block, index) {
  // Slack fills in a block_id the builder left out; this stands in for it, stable per view.
  return block.block_id || `b${index}`;
}

function actionIdOf(element, index) {
  return element.action_id || `a${index}`;
}

async function sendAction(source, blockId, element, fields) {
  const action = { block_id: blockId, action_id: element.action_id, type: element.type, ...fields };
  await api("/api/action", { as: ui.persona, source, action });
}

let confirming = null; // the answer of the confirmation on screen, if one is

function askConfirm(confirm) {
  if (confirming) confirming(false); // a second question replaces the first, which is declined
  return new Promise((resolve) => {
    $("confirm-title").textContent = plain(confirm.title) || "Are you sure?";
    $("confirm-text").replaceChildren(textObject(confirm.text, "div") || "");
    $("confirm-ok").textContent = plain(confirm.confirm) || "Yes";
    $("confirm-ok").className = `bk-button ${confirm.style === "danger" ? "danger" : "primary"}`;
    $("confirm-deny").textContent = plain(confirm.deny) || "Cancel";
    const finish = (answer) => {
      confirming = null;
      $("confirm-backdrop").hidden = true;
      $("confirm-ok").onclick = null;
      $("confirm-deny").onclick = null;
      resolve(answer);
    };
    $("confirm-ok").onclick = () => finish(true);
    $("confirm-deny").onclick = () => finish(false);
    confirming = finish;
    $("confirm-backdrop").hidden = false;
  });
}

function optionLabel(option) {
  return option.text.type === "mrkdwn" ? option.text.text.replace(/[*_~`]/g, "") : option.text.text;
}

// A <select> for static and user selects. `people` lists user ids instead of options.
function selectControl(element, current, people, onChange) {
  const multiple = element.type.startsWith("multi_");
  const options = people ? null : allOptions(element);
  const control = el("select", { multiple, class: "bk-select" });
  if (!multiple) control.append(el("option", { value: "" }, plain(element.placeholder) || "Choose…"));
  const chosenUsers = people
    ? (multiple ? current.selected_users : [current.selected_user]).filter(Boolean)
    : [];
  const chosenOptions = people ? []
    : (multiple ? current.selected_options : [current.selected_option]).filter(Boolean);
  const addOption = (parent, option, index) => parent.append(el("option", {
    value: index, selected: chosenOptions.some((o) => sameOption(o, option)),
  }, optionLabel(option)));
  if (people) {
    for (const id of people) {
      control.append(el("option", { value: id, selected: chosenUsers.includes(id) }, userName(id)));
    }
  } else if (element.option_groups) {
    let index = 0;
    for (const group of element.option_groups) {
      const optgroup = el("optgroup", { label: plain(group.label) });
      for (const option of group.options) addOption(optgroup, option, index++);
      control.append(optgroup);
    }
  } else {
    options.forEach((option, index) => addOption(control, option, index));
  }
  control.addEventListener("change", () => {
    const values = [...control.selectedOptions].map((o) => o.value).filter((v) => v !== "");
    const next = { type: element.type };
    if (people && multiple) next.selected_users = values;
    else if (people) next.selected_user = values[0] || null;
    else if (multiple) next.selected_options = values.map((v) => options[Number(v)]);
    else next.selected_option = values.length ? options[Number(values[0])] : null;
    onChange(next);
  });
  return control;
}

function choiceControl(element, current, onChange) {
  const many = element.type === "checkboxes";
  const name = `choice-${Math.random().toString(36).slice(2)}`;
  const chosen = (many ? current.selected_options : [current.selected_option]).filter(Boolean);
  const box = el("div", { class: `bk-choices ${element.type}` });
  element.options.forEach((option, index) => {
    const input = el("input", {
      type: many ? "checkbox" : "radio", name, value: index,
      checked: chosen.some((o) => sameOption(o, option)),
    });
    input.addEventListener("change", () => {
      const picked = [...box.querySelectorAll("input")].filter((i) => i.checked)
        .map((i) => element.options[Number(i.value)]);
      onChange(many ? { type: element.type, selected_options: picked }
        : { type: element.type, selected_option: picked[0] || null });
    });
    box.append(el("label", { class: "bk-choice" }, input,
      el("span", {}, textObject(option.text), option.description ? textObject(option.description, "small") : null)));
  });
  return box;
}

function textControl(element, current, onChange) {
  const number = element.type === "number_input";
  const attrs = {
    class: "bk-field",
    placeholder: plain(element.placeholder),
    minlength: element.min_length, maxlength: element.max_length,
  };
  let control;
  if (element.multiline) {
    control = el("textarea", { ...attrs, rows: 3 });
  } else {
    const type = number ? "number" : { email_text_input: "email", url_text_input: "url" }[element.type] || "text";
    control = el("input", {
      ...attrs, type,
      step: number ? (element.is_decimal_allowed ? "any" : "1") : null,
      min: element.min_value, max: element.max_value,
    });
  }
  control.value = current.value ?? "";
  control.addEventListener("input", () => onChange({ type: element.type, value: control.value === "" ? null : control.value }, false));
  control.addEventListener("change", () => onChange({ type: element.type, value: control.value === "" ? null : control.value }, true));
  return control;
}

// One interactive element. In a view, its state is kept as a draft; `dispatch` says whether a
// change is also sent to the bot at once (always outside input blocks, and for input blocks
// with dispatch_action).
function element(el_, ctx, blockId, index, dispatch) {
  const actionId = actionIdOf(el_, index);
  const element_ = { ...el_, action_id: actionId };
  const hooks = { "data-block-id": blockId, "data-action-id": actionId };
  if (element_.type === "button") {
    const button = el("button", {
      type: "button", class: `bk-button ${element_.style || ""}`, ...hooks,
    }, plain(element_.text));
    button.addEventListener("click", async () => {
      if (element_.confirm && !(await askConfirm(element_.confirm))) return;
      const place = element_.url && placeIn(element_.url);
      if (place) goTo(place);
      else if (element_.url && safeUrl(element_.url)) window.open(element_.url, "_blank", "noopener");
      button.disabled = true;
      await sendAction(ctx.source, blockId, element_, element_.value === undefined ? {} : { value: element_.value });
      button.disabled = false;
    });
    return button;
  }
  if (element_.type === "overflow") {
    const control = el("select", { class: "bk-overflow", "aria-label": "More actions", ...hooks },
      el("option", { value: "" }, "⋯"),
      element_.options.map((option, i) => el("option", { value: i }, optionLabel(option))));
    control.addEventListener("change", async () => {
      if (control.value === "") return;
      const option = element_.options[Number(control.value)];
      control.value = "";
      if (element_.confirm && !(await askConfirm(element_.confirm))) return;
      await sendAction(ctx.source, blockId, element_, { selected_option: option });
    });
    return control;
  }
  if (element_.type === "image") return image(element_);
  const start = initialState(element_);
  if (!start) return el("span", { class: "bk-unsupported" }, `[${element_.type}]`);
  const key = draftKey(ctx.source, blockId, actionId);
  const current = (key && ui.drafts.get(key)) || start;
  if (key) ui.drafts.set(key, current);
  const onChange = async (next, done = true) => {
    if (key) ui.drafts.set(key, next);
    if (ctx.source.view_id) clearError(ctx.source.view_id, blockId); // Slack clears an edited field's error
    if (!done || !dispatch) return;
    if (element_.confirm && !(await askConfirm(element_.confirm))) return;
    await sendAction(ctx.source, blockId, element_, actionFields(next));
  };
  let control;
  switch (element_.type) {
    case "static_select":
    case "multi_static_select":
      control = selectControl(element_, current, null, onChange);
      break;
    case "users_select":
    case "multi_users_select":
      control = selectControl(element_, current, [...ui.state.personas.map((p) => p.id), ui.state.bot.id], onChange);
      break;
    case "checkboxes":
    case "radio_buttons":
      control = choiceControl(element_, current, onChange);
      break;
    case "datepicker":
      control = el("input", { type: "date", class: "bk-field" });
      control.value = current.selected_date || "";
      control.addEventListener("input", () => onChange({ type: element_.type, selected_date: control.value || null }, false));
      control.addEventListener("change", () => onChange({ type: element_.type, selected_date: control.value || null }));
      break;
    case "timepicker":
      control = el("input", { type: "time", class: "bk-field" });
      control.value = current.selected_time || "";
      control.addEventListener("change", () => onChange({ type: element_.type, selected_time: control.value || null }));
      break;
    default:
      control = textControl(element_, current, onChange);
  }
  for (const [name, value] of Object.entries(hooks)) control.setAttribute(name, value);
  control.dataset.type = element_.type;
  return control;
}

function image(block) {
  // The page loads nothing from outside: an image from elsewhere is shown by its alt text.
  const url = safeUrl(block.image_url || "");
  return url && url.startsWith("/")
    ? el("img", { class: "bk-image", src: url, alt: block.alt_text })
    : el("span", { class: "bk-image-alt", title: block.image_url }, `🖼 ${block.alt_text}`);
}

function renderBlock(block, index, ctx) {
  const blockId = blockIdOf(block, index);
  const node = el("div", { class: `bk-block bk-${block.type}`, "data-block-id": blockId });
  switch (block.type) {
    case "header":
      node.append(el("div", { class: "bk-header-text" }, plain(block.text)));
      break;
    case "section": {
      const body = el("div", { class: "bk-section-body" });
      if (block.text) body.append(textObject(block.text, "div"));
      if (block.fields) body.append(el("div", { class: "bk-fields" }, block.fields.map((f) => textObject(f, "div"))));
      node.append(body);
      if (block.accessory) node.append(el("div", { class: "bk-accessory" }, element(block.accessory, ctx, blockId, 0, true)));
      break;
    }
    case "context":
      for (const item of block.elements) node.append(item.type === "image" ? image(item) : textObject(item));
      break;
    case "divider":
      node.append(el("hr"));
      break;
    case "image":
      if (block.title) node.append(el("div", {}, plain(block.title)));
      node.append(image(block));
      break;
    case "actions":
      block.elements.forEach((item, i) => node.append(element(item, ctx, blockId, i, true)));
      break;
    case "input": {
      const label = el("label", { class: "bk-label" }, plain(block.label),
        block.optional ? el("span", { class: "bk-optional" }, " (optional)") : null);
      const control = element(block.element, ctx, blockId, 0, Boolean(block.dispatch_action));
      node.append(label, control);
      if (block.hint) node.append(el("div", { class: "bk-hint" }, plain(block.hint)));
      const error = ctx.errors && ctx.errors[blockId];
      if (error) node.append(el("div", { class: "bk-error", "data-error-for": blockId }, error));
      break;
    }
    default:
      node.append(el("span", { class: "bk-unsupported" }, `[${block.type} block]`));
  }
  return node;
}

function renderBlocks(blocks, ctx) {
  return el("div", { class: "bk-blocks" }, blocks.map((block, i) => renderBlock(block, i, ctx)));
}

// --- the workspace -----------------------------------------------------------------------------

function conversationName(conversation) {
  const { me, bot } = ui.state;
  if (conversation.kind === "dm") return conversation.name || bot.name;
  const others = conversation.members.filter((id) => id !== me && id !== bot.id).map(userName);
  return conversation.kind === "channel" ? `#${conversation.name}` : others.join(", ") || conversation.name;
}

function timeOf(ts) {
  return new Intl.DateTimeFormat(LOCALE, { timeZone: personaTz(), hour: "numeric", minute: "2-digit" })
    .format(new Date(Number(ts) * 1000));
}

// The day a moment falls on for the person, as YYYY-MM-DD.
function dayOf(ms) {
  return new Intl.DateTimeFormat("en-CA", { timeZone: personaTz() }).format(new Date(ms));
}

// "Today", "Yesterday", or the day in the browser's words, by the sandbox clock.
function dayLabel(day) {
  const today = dayOf(Date.parse(ui.state.now));
  const yesterday = dayOf(Date.parse(ui.state.now) - 86400000);
  const relative = new Intl.RelativeTimeFormat(LOCALE, { numeric: "auto" });
  const capital = (words) => words.charAt(0).toLocaleUpperCase(LOCALE) + words.slice(1);
  if (day === today) return capital(relative.format(0, "day"));
  if (day === yesterday) return capital(relative.format(-1, "day"));
  return new Intl.DateTimeFormat(LOCALE, {
    timeZone: "UTC", weekday: "long", day: "numeric", month: "long", year: "numeric",
  }).format(new Date(`${day}T12:00:00Z`));
}

// Messages with a divider before each new day, as Slack shows them.
function withDays(messages, draw) {
  const nodes = [];
  let last = "";
  for (const message of messages) {
    const day = dayOf(Number(message.ts) * 1000);
    if (day !== last) nodes.push(el("div", { class: "day-divider", "data-day": day }, el("span", {}, dayLabel(day))));
    last = day;
    nodes.push(draw(message));
  }
  return nodes;
}

function renderMessage(message, channel, inThread) {
  const ctx = { source: { type: "message", channel, ts: message.ts } };
  const node = el("div", {
    class: `message${message.ephemeral ? " ephemeral" : ""}`, "data-ts": message.ts,
    "data-user": message.user,
  });
  const name = userName(message.user);
  node.append(el("div", { class: "avatar" }, name.slice(0, 1)));
  const body = el("div", { class: "message-body" });
  body.append(el("div", { class: "message-meta" },
    el("b", {}, name), message.user === ui.state.bot.id ? el("span", { class: "app-badge" }, "APP") : null,
    el("span", { class: "message-time" }, timeOf(message.ts)),
    message.edited ? el("span", { class: "edited" }, "(edited)") : null));
  if (message.ephemeral) body.append(el("div", { class: "only-you" }, "👁 Only visible to you"));
  body.append(message.blocks && message.blocks.length
    ? renderBlocks(message.blocks, ctx)
    : el("div", { class: "bk-text", html: mrkdwn(message.text || "") }));
  for (const file of message.files || []) {
    body.append(el("a", { class: "file", href: safeUrl(file.url) || "#", target: "_blank", rel: "noopener" }, `📄 ${file.name}`));
  }
  const replies = message.replies || [];
  if (!inThread && replies.length) {
    body.append(el("button", {
      type: "button", class: "reply-count", "data-thread-ts": message.ts,
      onclick: () => { ui.thread = { channel, ts: message.ts }; render(); },
    }, countOf(replies.length, "reply", "replies")));
  }
  node.append(body);
  return node;
}

function badge(count, label) {
  return count ? el("span", { class: "badge", "aria-label": label }, String(count)) : null;
}

function renderSidebar() {
  const list = $("conversations");
  list.replaceChildren(...ui.state.conversations.map((c) => el("li", {}, el("button", {
    type: "button",
    class: `sidebar-item${ui.selected === c.id ? " selected" : ""}${c.unread ? " unread" : ""}`,
    "data-conversation": c.id, "data-kind": c.kind, "data-unread": c.unread,
    onclick: () => select(c.id),
  }, el("span", { class: "sidebar-name" }, c.kind === "dm" ? "🤖 " : "👥 ", conversationName(c)),
  badge(c.unread, countOf(c.unread, "new message", "new messages"))))));
  $("tab-home").classList.toggle("selected", ui.selected === "home");
}

// Everyone the page lets you be, and what each has not seen yet: who has something waiting.
function renderPeople() {
  const { personas, me } = ui.state;
  const select_ = $("persona");
  // The options keep their elements and only change their words: one may be open in a person's hand.
  if ([...select_.options].map((o) => o.value).join() !== personas.map((p) => p.id).join()) {
    select_.replaceChildren(...personas.map((p) => el("option", { value: p.id })));
  }
  personas.forEach((p, i) => {
    select_.options[i].textContent = `${p.name} — ${p.title}${p.waiting ? ` (${p.waiting} waiting)` : ""}`;
  });
  select_.value = me;
  // Everyone else, with what they have not seen: "Hal has 1 waiting".
  $("people").replaceChildren(...personas.filter((p) => p.id !== me).map((p) => el("li", {},
    el("button", {
      type: "button", class: `sidebar-item${p.waiting ? " waiting unread" : ""}`, "data-person": p.id,
      title: `${p.name}, ${p.title}`, onclick: () => { select_.value = p.id; switchPersona(); },
    }, el("span", { class: "sidebar-name" },
      p.waiting ? `${p.name.split(" ")[0]} has ${p.waiting} waiting` : `${p.name} (${p.title})`),
    badge(p.waiting, countOf(p.waiting, "thing waiting", "things waiting"))))));
}

function renderPane() {
  const title = $("pane-title");
  const body = $("pane-body");
  if (ui.selected === "home") {
    title.textContent = `${ui.state.bot.name} · Home`;
    const home = ui.state.home;
    body.replaceChildren(el("div", { id: "home", "data-view-id": home ? home.view_id : "" },
      home ? renderBlocks(home.view.blocks, { source: { type: "home", view_id: home.view_id } })
        : el("p", { class: "empty" }, "The Home tab is loading…")));
    return;
  }
  const conversation = ui.state.conversations.find((c) => c.id === ui.selected);
  title.textContent = conversation ? conversationName(conversation) : "";
  const shown = ui.state.messages[ui.selected] || [];
  const messages = withDays(shown, (m) => renderMessage(m, ui.selected, false));
  const stick = body.scrollTop + body.clientHeight >= body.scrollHeight - 40;
  const waiting = ui.state.conversations.some((c) => c.unread && c.id !== ui.selected);
  body.replaceChildren(el("div", { id: "messages", "data-conversation": ui.selected },
    messages.length ? messages : el("p", { class: "empty" }, waiting
      ? "No messages here yet. Something new is waiting in a conversation marked in the sidebar."
      : "No messages yet. Type /secondment help below to see what the bot does.")));
  if (stick) body.scrollTop = body.scrollHeight;
}

function renderThread() {
  const aside = $("thread");
  const parent = ui.thread && (ui.state.messages[ui.thread.channel] || []).find((m) => m.ts === ui.thread.ts);
  aside.hidden = !parent;
  if (!parent) return;
  aside.dataset.ts = parent.ts;
  // The parent as its notification text: its buttons are in the conversation, once.
  const summary = { ...parent, blocks: null, files: [], text: parent.text || "(a message)" };
  $("thread-body").replaceChildren(
    el("div", { class: "thread-parent" }, renderMessage(summary, ui.thread.channel, true)),
    el("div", { class: "thread-divider" }, countOf(parent.replies.length, "reply", "replies")),
    ...withDays(parent.replies, (r) => renderMessage(r, ui.thread.channel, true)));
}

// "1 reply", "2 replies".
function countOf(count, one, many) {
  return `${count} ${count === 1 ? one : many}`;
}

function renderModal() {
  const top = ui.state.modals[ui.state.modals.length - 1];
  const backdrop = $("modal-backdrop");
  backdrop.hidden = !top;
  if (!top) return;
  const { view } = top;
  $("modal").dataset.viewId = top.view_id;
  $("modal").dataset.callbackId = view.callback_id || "";
  $("modal-title").textContent = plain(view.title);
  $("modal-depth").textContent = ui.state.modals.length > 1 ? ` (${ui.state.modals.length} open)` : "";
  $("modal-close").textContent = plain(view.close) || "Cancel";
  $("modal-submit").hidden = !view.submit;
  $("modal-submit").textContent = plain(view.submit) || "Submit";
  const source = { type: "view", view_id: top.view_id };
  // A view the bot replaced starts without errors, as in Slack; the same view keeps them.
  const drawn = JSON.stringify(view);
  if (ui.viewsDrawn.get(top.view_id) !== drawn) ui.errors.delete(top.view_id);
  ui.viewsDrawn.set(top.view_id, drawn);
  $("modal-body").replaceChildren(renderBlocks(view.blocks, { source, errors: ui.errors.get(top.view_id) || {} }));
}

// The errors of one view, drawn in place: the fields and what is typed in them stay as they are.
function paintErrors(viewId) {
  const errors = ui.errors.get(viewId) || {};
  if ($("modal").dataset.viewId !== viewId) return;
  for (const block of $("modal-body").querySelectorAll(".bk-input[data-block-id]")) {
    const blockId = block.dataset.blockId;
    block.querySelector(":scope > .bk-error")?.remove();
    if (errors[blockId]) block.append(el("div", { class: "bk-error", "data-error-for": blockId }, errors[blockId]));
  }
}

function clearError(viewId, blockId) {
  const errors = ui.errors.get(viewId);
  if (!errors || !errors[blockId]) return;
  delete errors[blockId];
  paintErrors(viewId);
}

// Draw each region only when what it shows has changed, so the focus and caret stay where the
// person is typing.
function region(name, data, draw) {
  const key = JSON.stringify(data);
  if (ui.rendered[name] === key) return;
  ui.rendered[name] = key;
  draw();
}

function drawClock() {
  if (!ui.state) return;
  const now = new Date(Date.now() + ui.skew);
  // Past midnight "Today" is yesterday: read the state again to redraw the dividers.
  if (dayOf(now.getTime()) !== dayOf(Date.parse(ui.state.now))) refresh();
  $("clock-now").textContent = new Intl.DateTimeFormat(LOCALE, {
    timeZone: personaTz(), weekday: "short", day: "numeric", month: "short", year: "numeric",
    hour: "numeric", minute: "2-digit",
  }).format(now);
  $("clock-now").dateTime = ui.state.now;
  $("clock-now").dataset.now = ui.state.now;
}

// On arriving as someone, the conversation with the newest thing they have not seen, if any.
function firstUnread(state) {
  const newest = (c) => Math.max(0, ...(state.messages[c.id] || []).flatMap((m) => [m, ...m.replies])
    .map((m) => Number(m.ts)));
  const unread = state.conversations.filter((c) => c.unread);
  unread.sort((a, b) => newest(b) - newest(a));
  return unread.length ? unread[0].id : null;
}

function render() {
  const state = ui.state;
  if (!ui.persona || !state.personas.some((p) => p.id === ui.persona)) ui.persona = state.me;
  if (state.me !== ui.persona) return;
  document.body.dataset.me = state.me;
  $("workspace").textContent = state.team.name;
  region("people", [state.personas, state.me], renderPeople);
  drawClock();
  if (ui.pickUnread) {
    ui.pickUnread = false;
    const unread = firstUnread(state);
    if (unread && ui.selected !== "home") ui.selected = unread;
  }
  if (!ui.selected || (ui.selected !== "home" && !state.conversations.some((c) => c.id === ui.selected))) {
    ui.selected = state.conversations.length ? state.conversations[0].id : "home";
  }
  // A modal's drafts go when it closes; a message's or the Home's stay while they are shown.
  const keep = new Set([...state.modals.map((m) => m.view_id), state.home && state.home.view_id,
    ...Object.entries(state.messages).flatMap(([c, ms]) => ms.flatMap((m) => [m, ...m.replies].map((x) => `${c}/${x.ts}`)))]);
  for (const key of ui.drafts.keys()) if (!keep.has(key.split("|")[0])) ui.drafts.delete(key);
  for (const viewId of ui.errors.keys()) if (!keep.has(viewId)) ui.errors.delete(viewId);
  region("sidebar", [state.users, state.conversations, ui.selected], renderSidebar);
  const pane = ui.selected === "home" ? state.home : state.messages[ui.selected];
  const today = dayOf(Date.parse(state.now));
  region("pane", [state.users, ui.selected, pane, personaTz(), today], renderPane);
  const thread = ui.thread && (state.messages[ui.thread.channel] || []).find((m) => m.ts === ui.thread.ts);
  region("thread", [state.users, ui.thread, thread || null, today], renderThread);
  // The modal is redrawn when its view changes, never for the errors the server keeps of it:
  // the page's own (ui.errors) are drawn in place.
  const top = state.modals[state.modals.length - 1];
  region("modal", [state.users, top ? [top.view_id, top.view] : null, state.modals.length], renderModal);
  if (ui.place) showPlace();
  markRead();
  document.body.dataset.rendered = `${state.run}/${state.version}/${state.now}/${state.me}`;
}

// What is on screen has been seen: the open conversation's unread count goes to 0.
function markRead() {
  const open = ui.state.conversations.find((c) => c.id === ui.selected);
  if (!open || !open.unread || document.visibilityState !== "visible") return;
  const asked = `${ui.state.run}|${ui.state.me}|${open.id}|${ui.state.version}`;
  if (ui.readAsked === asked) return;
  ui.readAsked = asked;
  api("/api/read", { as: ui.persona, channel: open.id });
}

// --- links to a message: "#<conversation>/<ts>" on this page, as the bot's permalinks are ------

function placeIn(url) {
  let parsed;
  try {
    parsed = new URL(url, location.href);
  } catch {
    return null;
  }
  const found = /^#([A-Z0-9]+)\/(\d+\.\d+)$/.exec(parsed.hash);
  // A permalink names the sandbox page it was made on: this one, on any port it has had, under
  // any of this machine's own names.
  const here = parsed.origin === location.origin
    || ["127.0.0.1", "localhost", "[::1]"].includes(parsed.hostname);
  if (!here || parsed.pathname !== "/" || !found) return null;
  return { channel: found[1], ts: found[2] };
}

function goTo(place) {
  ui.place = place;
  if (ui.state) showPlace();
}

// Open the conversation and the thread a link names, and point at the message.
function showPlace() {
  const { channel, ts } = ui.place;
  ui.place = null;
  const conversation = ui.state.conversations.find((c) => c.id === channel);
  if (!conversation) {
    notice(`That message is in a conversation ${userName(ui.state.me)} is not in: switch person to someone who is.`);
    return;
  }
  const messages = ui.state.messages[channel] || [];
  const parent = messages.find((m) => m.ts === ts || m.replies.some((r) => r.ts === ts));
  ui.selected = channel;
  localStorage.setItem("selected", channel);
  ui.thread = parent && (parent.replies.length || parent.ts !== ts) ? { channel, ts: parent.ts } : null;
  render();
  for (const node of document.querySelectorAll(`.message[data-ts="${CSS.escape(ts)}"]`)) {
    node.classList.add("highlight");
    node.scrollIntoView({ block: "center" });
  }
}

function select(id) {
  ui.selected = id;
  ui.thread = null;
  if (location.hash) history.replaceState(null, "", location.pathname + location.search);
  localStorage.setItem("selected", id);
  if (id === "home") openHome();
  render();
}

function openHome() {
  api("/api/home", { as: ui.persona });
}

// --- the person's own input ---------------------------------------------------------------------

function viewValues(top) {
  // view.state.values: every stateful element of the view, by block and action id.
  const values = {};
  top.view.blocks.forEach((block, index) => {
    const blockId = blockIdOf(block, index);
    const elements = block.type === "input" ? [block.element]
      : block.type === "actions" ? block.elements
        : block.type === "section" && block.accessory ? [block.accessory] : [];
    elements.forEach((element_, i) => {
      const actionId = actionIdOf(element_, block.type === "actions" ? i : 0);
      const current = ui.drafts.get(draftKey({ view_id: top.view_id }, blockId, actionId)) || initialState(element_);
      if (current) (values[blockId] ||= {})[actionId] = current;
    });
  });
  return values;
}

// Slack checks required inputs and lengths in the client before the bot sees a submission.
function clientErrors(top, values) {
  const errors = {};
  top.view.blocks.forEach((block, index) => {
    if (block.type !== "input") return;
    const blockId = blockIdOf(block, index);
    const state = values[blockId][actionIdOf(block.element, 0)];
    const filled = Object.entries(state).some(([k, v]) => k !== "type" && v !== null && !(Array.isArray(v) && !v.length));
    if (!filled && !block.optional) errors[blockId] = "Please complete this required field.";
    const min = block.element.min_length;
    if (filled && min && typeof state.value === "string" && state.value.length < min) {
      errors[blockId] = `Must have at least ${min} characters`;
    }
  });
  return errors;
}

async function submitModal() {
  const top = ui.state.modals[ui.state.modals.length - 1];
  if (!top) return;
  const values = viewValues(top);
  const local = clientErrors(top, values);
  if (Object.keys(local).length) {
    showErrors(top, local);
    return;
  }
  $("modal-submit").disabled = true;
  try {
    const answer = await api("/api/submit", { as: ui.persona, view_id: top.view_id, values });
    if (answer.ok === false && answer.errors) showErrors(top, answer.errors);
  } finally {
    $("modal-submit").disabled = false;
  }
}

function showErrors(top, errors) {
  ui.errors.set(top.view_id, { ...errors });
  paintErrors(top.view_id);
  // The first field to put right, in view and in hand: it may be below the fold.
  const first = $("modal-body").querySelector(".bk-error");
  const block = first && first.closest(".bk-block");
  if (block) {
    block.scrollIntoView({ block: "center" });
    block.querySelector("input, textarea, select")?.focus({ preventScroll: true });
  }
}

function closeModal() {
  const top = ui.state.modals[ui.state.modals.length - 1];
  if (top) api("/api/close", { as: ui.persona, view_id: top.view_id });
}

async function sendCommand(event) {
  event.preventDefault();
  const composer = $("composer");
  const line = composer.value.trim();
  if (!line) return;
  const match = /^(\/\S+)\s*([\s\S]*)$/.exec(line);
  if (!match) {
    notice("The bot answers slash commands: try /secondment help.", "composer");
    return;
  }
  if (ui.sending) return;
  notice("");
  const channel = ui.selected === "home" ? ui.state.conversations[0].id : ui.selected;
  const text = withMentions(match[2]);
  ui.sending = true;
  // Typed on the Home, a command is answered in the DM with the bot, as in Slack: show it.
  if (ui.selected === "home") select(channel);
  try {
    const answer = await api("/api/command", { as: ui.persona, channel, command: match[1], text });
    // What was typed meanwhile stays; the line sent goes once the command has gone.
    if (answer.ok !== false && composer.value.trim() === line) composer.value = "";
  } finally {
    ui.sending = false;
  }
}

// --- mentions: "@" in the composer offers people; each is sent as Slack sends it, <@U…|name> ----

function handleOf(id) {
  return userName(id).split(" ")[0].toLowerCase();
}

// Slack sends a command's text with &, < and > as entities ("escape users" is on in the
// manifest) and each "@Full Name" or "@handle" of a person, at the start or after a space, as
// <@U…|handle>.
function withMentions(text) {
  const names = new Map();
  for (const p of ui.state.personas) {
    names.set(`@${p.name}`.toLowerCase(), p.id);
    names.set(`@${handleOf(p.id)}`, p.id);
  }
  const longestFirst = [...names.keys()].sort((a, b) => b.length - a.length);
  const escape = (part) => part.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  let out = "";
  let plain = "";
  for (let at = 0; at < text.length;) {
    const rest = text.slice(at);
    const starts = rest.startsWith("@") && (at === 0 || /\s/.test(text.charAt(at - 1)));
    const name = starts && longestFirst.find((n) => rest.toLowerCase().startsWith(n)
      && !/[\p{L}\p{N}_]/u.test(rest.charAt(n.length)));
    if (name) {
      const id = names.get(name);
      out += `${escape(plain)}<@${id}|${handleOf(id)}>`;
      plain = "";
      at += name.length;
    } else {
      plain += text.charAt(at);
      at += 1;
    }
  }
  return out + escape(plain);
}

// The "@partial" just before the caret, if the person is typing a mention.
function typedMention() {
  const composer = $("composer");
  const before = composer.value.slice(0, composer.selectionStart);
  const found = /(^|\s)@([\p{L}\p{N}_. ]{0,30})$/u.exec(before);
  if (!found) return null;
  const partial = found[2].toLowerCase();
  // Those whose name starts so come first, then those with another word that does.
  const rank = (p) => (p.name.toLowerCase().startsWith(partial) ? 0
    : p.name.toLowerCase().split(" ").some((w) => w.startsWith(partial)) ? 1 : 2);
  // You come last: a mention is nearly always of someone else.
  const order = (p) => rank(p) + (p.id === ui.state.me ? 2 : 0);
  const people = ui.state.personas.filter((p) => rank(p) < 2).sort((a, b) => order(a) - order(b));
  return people.length ? { start: before.length - found[2].length - 1, end: before.length, people } : null;
}

function offerMentions() {
  const list = $("mention-list");
  const typed = ui.state && typedMention();
  list.hidden = !typed;
  if (!typed) return;
  const picked = Math.min(Number(list.dataset.picked || 0), typed.people.length - 1);
  list.dataset.picked = picked;
  list.replaceChildren(...typed.people.map((p, i) => el("li", {
    role: "option", "aria-selected": i === picked ? "true" : "false", "data-person": p.id,
    onmousedown: (event) => { event.preventDefault(); chooseMention(p); },
  }, el("b", {}, p.name), ` ${p.title}`)));
}

function chooseMention(person) {
  const typed = typedMention();
  if (!typed) return;
  const composer = $("composer");
  const inserted = `@${person.name} `;
  composer.value = composer.value.slice(0, typed.start) + inserted + composer.value.slice(typed.end);
  const caret = typed.start + inserted.length;
  composer.setSelectionRange(caret, caret);
  $("mention-list").hidden = true;
  $("mention-list").dataset.picked = 0;
}

function mentionKeys(event) {
  const list = $("mention-list");
  if (list.hidden) return;
  const typed = typedMention();
  if (!typed) return;
  const picked = Number(list.dataset.picked || 0);
  if (event.key === "ArrowDown" || event.key === "ArrowUp") {
    event.preventDefault();
    const step = event.key === "ArrowDown" ? 1 : typed.people.length - 1;
    list.dataset.picked = (picked + step) % typed.people.length;
    offerMentions();
  } else if (event.key === "Enter" || event.key === "Tab") {
    event.preventDefault();
    chooseMention(typed.people[Math.min(picked, typed.people.length - 1)]);
  } else if (event.key === "Escape") {
    list.hidden = true;
  }
}

async function moveClock(days) {
  if (!Number.isInteger(days) || days < 1 || days > 3650) {
    notice("Move the clock on by a whole number of days, from 1 to 3650.");
    return;
  }
  notice("");
  for (const button of document.querySelectorAll("#clock button")) button.disabled = true;
  try {
    const answer = await api("/api/clock", { days, hours: 0 });
    if (answer.now) $("clock-now").dataset.now = answer.now;
    // The Home is drawn when it is opened: open it again so it says what is true today.
    if (answer.ok !== false && ui.selected === "home") openHome();
  } finally {
    for (const button of document.querySelectorAll("#clock button")) button.disabled = false;
  }
}

function switchPersona() {
  ui.persona = $("persona").value;
  localStorage.setItem("persona", ui.persona);
  ui.thread = null;
  ui.drafts.clear();
  ui.errors.clear();
  ui.rendered = {};
  ui.stateText = "";
  ui.pickUnread = true;
  if (ui.selected === "home") openHome();
  else refresh();
}

async function resetSandbox() {
  const sure = await askConfirm({
    title: { type: "plain_text", text: "Reset the sandbox?" },
    text: { type: "plain_text", text: "Every request, message and answer goes, and the clock goes back to today. This cannot be undone." },
    confirm: { type: "plain_text", text: "Reset" },
    deny: { type: "plain_text", text: "Keep it" },
    style: "danger",
  });
  if (!sure) return;
  const answer = await api("/api/reset", {});
  if (answer.ok === false) return;
  ui.thread = null;
  ui.drafts.clear();
  ui.errors.clear();
  ui.selected = "";
  localStorage.removeItem("selected");
  ui.rendered = {};
  ui.stateText = "";
  refresh();
}

// --- a first-minute tour, once, until dismissed ---------------------------------------------------

const TOUR = [
  ["#persona", "You are Ada Employee. This sandbox is a Slack workspace with four people and the bot; the list outlined at the top chooses whose eyes you see it through."],
  ["#composer", "Type /secondment request here and press Enter. A form opens: fill it in to ask for a secondment."],
  ["#people", "Then become Hal Home and Hope Host, the two managers: here, and as a badge on each conversation, is who has something waiting. Each approves in the group conversation."],
  ["#clock", "Move the clock on to reach the start date, the check-ins and the end of the term. Reset starts everything over."],
];

function showTour(step) {
  for (const node of document.querySelectorAll(".tour-target")) node.classList.remove("tour-target");
  const box = $("tour");
  if (step < 0 || step >= TOUR.length) {
    box.hidden = true;
    localStorage.setItem("toured", "yes");
    return;
  }
  const [target, text] = TOUR[step];
  $(target.slice(1))?.classList.add("tour-target");
  box.dataset.step = step;
  $("tour-count").textContent = `${step + 1} of ${TOUR.length}`;
  $("tour-text").textContent = text;
  $("tour-back").hidden = step === 0;
  $("tour-next").textContent = step === TOUR.length - 1 ? "Done" : "Next";
  box.hidden = false;
}

function start() {
  $("persona").addEventListener("change", switchPersona);
  $("reset").addEventListener("click", resetSandbox);
  $("tour-next").addEventListener("click", () => showTour(Number($("tour").dataset.step) + 1));
  $("tour-back").addEventListener("click", () => showTour(Number($("tour").dataset.step) - 1));
  $("tour-skip").addEventListener("click", () => showTour(-1));
  $("tour-open").addEventListener("click", () => showTour(0));
  $("composer").addEventListener("input", () => {
    if ($("notice").dataset.kind === "composer") notice("");
    offerMentions();
  });
  $("composer").addEventListener("keydown", mentionKeys);
  $("composer").addEventListener("blur", () => { $("mention-list").hidden = true; });
  document.addEventListener("click", (event) => {
    const link = event.target.closest && event.target.closest("a[href]");
    const place = link && placeIn(link.getAttribute("href"));
    if (!place) return;
    event.preventDefault();
    goTo(place);
  });
  window.addEventListener("hashchange", () => { const place = placeIn(location.href); if (place) goTo(place); });
  document.addEventListener("visibilitychange", () => { if (ui.state) markRead(); });
  setInterval(drawClock, TICK_MS);
  const arrived = placeIn(location.href);
  if (arrived) goTo(arrived);
  if (!localStorage.getItem("toured")) showTour(0);
  listen();
  $("tab-home").addEventListener("click", () => select("home"));
  $("composer-form").addEventListener("submit", sendCommand);
  $("modal-submit").addEventListener("click", submitModal);
  $("modal-close").addEventListener("click", closeModal);
  $("modal-x").addEventListener("click", closeModal);
  $("modal-body").addEventListener("submit", (event) => { event.preventDefault(); submitModal(); });
  $("thread-close").addEventListener("click", () => { ui.thread = null; render(); });
  for (const button of document.querySelectorAll(".clock-step")) {
    button.addEventListener("click", () => moveClock(Number(button.dataset.days)));
  }
  $("clock-advance").addEventListener("click", () => moveClock(Number($("clock-days").value)));
  if (ui.selected === "home" && ui.persona) openHome();
  else refresh();
}

start();
