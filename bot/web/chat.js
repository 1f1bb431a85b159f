/**
 * The local test page: talks to the bot over /api/local/messages the way Teams or Web Chat would,
 * so every flow can be tried in a browser without an Azure account. One file, because the server
 * serves exactly index.html, chat.js and chat.css.
 */

// ---- Adaptive Cards: Microsoft's renderer (the `AdaptiveCards` global from /vendor/adaptivecards.js),
// configured like Teams' light theme, so a card looks here roughly as it will in Teams and Web Chat.

const TEXT_COLORS = {
  default: { default: "#ff252424", subtle: "#bf252424" },
  dark: { default: "#252424", subtle: "#bf252424" },
  light: { default: "#ffffff", subtle: "#fff3f2f1" },
  accent: { default: "#6264a7", subtle: "#8b8cc7" },
  good: { default: "#92c353", subtle: "#e592c353" },
  warning: { default: "#f8d22a", subtle: "#e5f8d22a" },
  attention: { default: "#c4314b", subtle: "#e5c4314b" },
};

const FONT_SIZES = { small: 12, default: 14, medium: 14, large: 18, extraLarge: 24 };
const FONT_WEIGHTS = { lighter: 200, default: 400, bolder: 600 };

/** The values of Teams' light host config (as in Microsoft's Adaptive Cards designer). */
const TEAMS_HOST_CONFIG = {
  supportsInteractivity: true,
  spacing: { small: 8, default: 12, medium: 16, large: 20, extraLarge: 24, padding: 16 },
  separator: { lineThickness: 1, lineColor: "#EEEEEE" },
  imageSizes: { small: 32, medium: 52, large: 100 },
  fontTypes: {
    default: {
      fontFamily: "'Segoe UI', system-ui, -apple-system, 'Helvetica Neue', Arial, sans-serif",
      fontSizes: FONT_SIZES,
      fontWeights: FONT_WEIGHTS,
    },
    monospace: {
      fontFamily: "Consolas, 'Courier New', monospace",
      fontSizes: FONT_SIZES,
      fontWeights: FONT_WEIGHTS,
    },
  },
  containerStyles: {
    default: { backgroundColor: "#ffffff", foregroundColors: TEXT_COLORS },
    emphasis: { backgroundColor: "#fff9f8f7", foregroundColors: TEXT_COLORS },
  },
  actions: {
    maxActions: 6,
    spacing: "default",
    buttonSpacing: 8,
    showCard: { actionMode: "inline", inlineTopMargin: 16, style: "emphasis" },
    actionsOrientation: "horizontal",
    actionAlignment: "left",
  },
  adaptiveCard: { allowCustomStyle: false },
  factSet: {
    title: { size: "default", color: "default", weight: "bolder", wrap: true },
    value: { size: "default", color: "default", weight: "default", wrap: true },
    spacing: 16,
  },
};

const HTML_ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/**
 * The small Markdown subset Teams shows in a TextBlock (bold, italic, links, line breaks).
 * The text is HTML-escaped first, so a card that quotes user input can never inject markup.
 */
function markdownToHtml(text) {
  return text
    .replace(/[&<>"']/g, (ch) => HTML_ESCAPES[ch])
    .replace(/\*\*(.+?)\*\*/g, "<strong>$1</strong>")
    .replace(/(^|[\s(>])([_*])(\S(?:.*?\S)?)\2(?=$|[\s).,!?:;<])/g, "$1<em>$3</em>")
    .replace(
      /\[([^\]]+)\]\((https?:\/\/[^\s)]+)\)/g,
      '<a href="$2" target="_blank" rel="noopener noreferrer">$1</a>',
    )
    .replace(/\r?\n/g, "<br>");
}

/** False when /vendor/adaptivecards.js did not load; the page then says so instead of a card. */
function cardsAvailable() {
  return typeof window.AdaptiveCards !== "undefined";
}

let hostConfig;

/** Once per page: the Markdown hook is global to the renderer, the host config is shared by all cards. */
function teamsHostConfig(AdaptiveCards) {
  if (!hostConfig) {
    AdaptiveCards.AdaptiveCard.onProcessMarkdown = (text, result) => {
      result.outputHtml = markdownToHtml(text);
      result.didProcess = true;
    };
    hostConfig = new AdaptiveCards.HostConfig(TEAMS_HOST_CONFIG);
  }
  return hostConfig;
}

/**
 * Renders one card's JSON to a DOM element. `onAction(action)` is called for actions the host
 * must carry out (Submit, Execute, OpenUrl); ShowCard and ToggleVisibility the renderer handles.
 */
function renderCard(content, onAction) {
  const AdaptiveCards = window.AdaptiveCards;
  const card = new AdaptiveCards.AdaptiveCard();
  card.hostConfig = teamsHostConfig(AdaptiveCards);
  card.onExecuteAction = onAction;
  card.parse(content);
  return card.render();
}

// ---- The conversation

const API = "/api/local/messages";
const POLL_INTERVAL_MS = 3000;
const STORAGE_KEY = "borgerbot.localChat";
const ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive";
const SEND_FAILED = "Beskeden kunne ikke sendes. Prøv igen.";
const GREETING_FAILED = "Kunne ikke få forbindelse til botten. Genindlæs siden for at prøve igen.";

const log = document.getElementById("chat-log");
const typing = document.getElementById("typing");
const suggested = document.getElementById("suggested-actions");
const composer = document.getElementById("composer");
const input = document.getElementById("chat-input");
const nameInput = document.getElementById("display-name");
const userIdLabel = document.getElementById("user-id");
const newConversationButton = document.getElementById("new-conversation");

/** { userId, userName, greeted, after } – survives reloads so a conversation can go on. */
let state = loadState();

function loadState() {
  try {
    return JSON.parse(localStorage.getItem(STORAGE_KEY) ?? "{}") ?? {};
  } catch {
    return {};
  }
}

function saveState() {
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(state));
  } catch {
    // Private browsing can refuse storage; the page still works, it just forgets on reload.
  }
}

/** getRandomValues rather than randomUUID: the latter is missing on plain-http LAN addresses (phone tests). */
function newUserId() {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return "local-" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function scrollToEnd() {
  log.scrollTop = log.scrollHeight;
}

/** A message bubble; the hidden sender name lets screen readers tell who speaks. */
function appendMessage(role) {
  const bubble = document.createElement("div");
  bubble.className = `msg ${role}`;
  bubble.dataset.testid = `${role}-message`;
  const sender = document.createElement("span");
  sender.className = "visually-hidden";
  sender.textContent = role === "user" ? "Du skrev: " : "borgerbot: ";
  bubble.append(sender);
  log.append(bubble);
  return bubble;
}

function textBlock(text) {
  const paragraph = document.createElement("p");
  paragraph.className = "msg-text";
  // textContent, never innerHTML: the bot sometimes echoes what the user typed.
  paragraph.textContent = text;
  return paragraph;
}

function showUserMessage(text) {
  appendMessage("user").append(textBlock(text));
  scrollToEnd();
}

function showNote(text, kind = "note") {
  const note = document.createElement("p");
  note.className = `msg ${kind}`;
  note.textContent = text;
  log.append(note);
  scrollToEnd();
}

function showSendError(error, text = SEND_FAILED) {
  console.error(error);
  showNote(text, "error");
}

function showActivity(activity) {
  if (activity.type && activity.type !== "message") return;
  const attachments = activity.attachments ?? [];
  if (activity.text || attachments.length > 0) {
    const bubble = appendMessage("bot");
    if (activity.text) bubble.append(textBlock(activity.text));
    for (const attachment of attachments) bubble.append(renderAttachment(attachment));
    scrollToEnd();
  }
  const actions = activity.suggestedActions?.actions ?? [];
  if (actions.length > 0) showSuggestedActions(actions);
}

function renderAttachment(attachment) {
  if (attachment.contentType !== ADAPTIVE_CARD) {
    return textBlock(`(En vedhæftning af typen ${attachment.contentType} kan ikke vises her.)`);
  }
  if (!cardsAvailable()) {
    return textBlock("(Kortet kan ikke vises, fordi /vendor/adaptivecards.js ikke blev indlæst.)");
  }
  const holder = document.createElement("div");
  holder.className = "card";
  try {
    const rendered = renderCard(attachment.content, (action) => onCardAction(action, holder));
    holder.append(rendered ?? textBlock("(Kortet kunne ikke vises.)"));
  } catch (error) {
    console.error(error);
    holder.append(textBlock("(Kortet kunne ikke vises.)"));
  }
  return holder;
}

function setCardButtonsDisabled(holder, disabled) {
  holder.dataset.submitted = String(disabled);
  for (const button of holder.querySelectorAll("button")) button.disabled = disabled;
}

function onCardAction(action, holder) {
  const type = action.getJsonTypeName();
  if (type === "Action.OpenUrl") {
    openInNewTab(action.url);
    return;
  }
  if (type !== "Action.Submit" && type !== "Action.Execute") return;
  // One answer per card, as a member would expect; a second click must not send twice.
  if (holder.dataset.submitted === "true") return;
  setCardButtonsDisabled(holder, true);

  const { body, shownAs } = cardSubmission(action);
  showUserMessage(shownAs);
  hideSuggestedActions();
  // The clicked button is now disabled and has lost focus; the input is where the user goes next.
  input.focus();
  sendToBot(body).catch((error) => {
    setCardButtonsDisabled(holder, false);
    showSendError(error);
  });
}

/** What a card button sends, mirroring Teams and Web Chat. */
function cardSubmission(action) {
  const data = action.data;
  // Web Chat sends string data as the message text, like an imBack.
  if (typeof data === "string") return { body: { type: "message", text: data }, shownAs: data };

  const value =
    action.getJsonTypeName() === "Action.Execute" && action.verb
      ? { ...data, verb: action.verb }
      : (data ?? {});
  const body = { type: "message", value };
  const displayText = data?.msteams?.displayText;
  if (typeof displayText === "string") body.text = displayText;
  // Teams shows a messageBack's displayText in the chat; otherwise the button's title.
  return { body, shownAs: displayText ?? (action.title || "(svar fra kort)") };
}

function openInNewTab(url) {
  if (typeof url === "string" && /^(https?:|mailto:|tel:)/i.test(url)) {
    window.open(url, "_blank", "noopener,noreferrer");
  }
}

function showSuggestedActions(actions) {
  suggested.replaceChildren();
  for (const action of actions) {
    const text = String(action.value ?? action.title);
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = action.title ?? text;
    button.addEventListener("click", () => {
      sendText(text);
      input.focus();
    });
    suggested.append(button);
  }
  suggested.hidden = false;
}

/** Suggested actions only apply to the turn that offered them, as in Web Chat. */
function hideSuggestedActions() {
  suggested.hidden = true;
  suggested.replaceChildren();
}

let turnQueue = Promise.resolve();

/** Turns go one at a time so replies appear in the order the user sent things. */
function sendToBot(body) {
  const turn = turnQueue.then(() => postTurn(body));
  turnQueue = turn.catch(() => undefined);
  return turn;
}

async function postTurn(body) {
  const userId = state.userId;
  typing.hidden = false;
  try {
    const response = await fetch(API, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ userId, userName: state.userName || undefined, ...body }),
    });
    const payload = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(payload.error ?? `HTTP ${response.status}`);
    // "Ny samtale" may have been pressed while waiting; those replies belong to the old user.
    if (userId !== state.userId) return;
    for (const activity of payload.activities ?? []) showActivity(activity);
  } finally {
    typing.hidden = true;
  }
}

function sendText(text) {
  showUserMessage(text);
  hideSuggestedActions();
  sendToBot({ type: "message", text }).catch((error) => showSendError(error));
}

function greetNewUser() {
  const userId = state.userId;
  sendToBot({ type: "conversationUpdate" }).then(
    () => {
      if (userId !== state.userId) return;
      state.greeted = true;
      saveState();
    },
    (error) => showSendError(error, GREETING_FAILED),
  );
}

let pollGeneration = 0;

/** Proactive messages (reminders, organizers' answers) arrive by polling; a new user restarts it. */
function startPolling() {
  const generation = ++pollGeneration;
  const userId = state.userId;
  const tick = async () => {
    try {
      const query = `userId=${encodeURIComponent(userId)}&after=${encodeURIComponent(state.after ?? 0)}`;
      const response = await fetch(`${API}?${query}`);
      if (response.ok) {
        const payload = await response.json();
        if (generation !== pollGeneration) return;
        for (const activity of payload.activities ?? []) showActivity(activity);
        if (typeof payload.next === "number") {
          state.after = payload.next;
          saveState();
        }
      }
    } catch (error) {
      // The server may be restarting; the next tick tries again.
      console.warn(error);
    }
    if (generation === pollGeneration) setTimeout(tick, POLL_INTERVAL_MS);
  };
  tick();
}

function beginConversation() {
  userIdLabel.textContent = state.userId;
  if (!state.greeted) {
    greetNewUser();
  } else {
    showNote(
      "Du fortsætter samtalen fra sidst. Tidligere beskeder vises ikke efter genindlæsning – tryk »Ny samtale« for at starte forfra.",
    );
  }
  startPolling();
}

function startNewConversation() {
  state = { userName: state.userName, userId: newUserId(), greeted: false, after: 0 };
  saveState();
  log.replaceChildren();
  hideSuggestedActions();
  beginConversation();
  input.focus();
}

composer.addEventListener("submit", (event) => {
  event.preventDefault();
  const text = input.value.trim();
  if (!text) return;
  input.value = "";
  sendText(text);
});

nameInput.addEventListener("change", () => {
  state.userName = nameInput.value.trim();
  saveState();
});

newConversationButton.addEventListener("click", startNewConversation);

nameInput.value = state.userName ?? "";
if (state.userId) {
  beginConversation();
  input.focus();
} else {
  startNewConversation();
}
