// wxsim's page: a follower's WeChat chat with the Official Account, and the
// wire details of each exchange. Plain JavaScript, no build step. Everything the
// bot or the follower wrote is put into the page as text, never as HTML.
"use strict";

const $ = (sel) => document.querySelector(sel);
const app = {
  state: null,        // GET /wxsim/api/state
  current: null,      // the follower's OpenID
  chats: new Map(),   // OpenID -> entries, oldest first
  menu: [],           // the current follower's menu
  menuID: 0,
  selected: null,     // {kind: "exchange"|"delivery", id}
  inputMode: false,   // the keyboard instead of the menu
  unread: new Map(),
};

// h builds an element: h("div", {class: "x", onclick: f}, child, "text", …).
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "class") el.className = v;
    else if (k === "style") Object.assign(el.style, v); // CSSOM: the page's CSP allows no style attributes
    else el.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

async function api(method, path, body) {
  const opts = { method, headers: {} };
  if (body instanceof FormData) opts.body = body;
  else if (body !== undefined) {
    opts.headers["Content-Type"] = "application/json";
    opts.body = JSON.stringify(body);
  }
  const resp = await fetch("/wxsim/api" + path, opts);
  const data = await resp.json().catch(() => ({}));
  if (!resp.ok) throw new Error(data.error || resp.statusText);
  return data;
}

function toast(text, ms = 1800) {
  const t = $("#toast");
  t.textContent = text;
  t.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { t.hidden = true; }, ms);
}

const fail = (err) => toast(err.message || String(err), 3500);

// ---- state, followers, account ------------------------------------------

async function loadState() {
  app.state = await api("GET", "/state");
  renderTop();
  renderAccount();
  if (!app.current || !follower(app.current)) app.current = app.state.followers[0]?.openid;
  renderFollowers();
  await openChat(app.current);
}

const follower = (openid) => app.state?.followers.find((f) => f.openid === openid);

function renderTop() {
  $("#webhook").textContent = app.state.webhook;
  for (const b of document.querySelectorAll(".modes button")) {
    b.setAttribute("aria-checked", String(b.dataset.mode === app.state.mode));
  }
  $("#account-name").textContent = app.state.account.name;
}

function renderAccount() {
  const a = app.state.account;
  const dl = $("#account");
  dl.replaceChildren(
    h("dt", {}, "名称"), h("dd", {}, a.name),
    h("dt", {}, "AppID"), h("dd", {}, a.appId),
    h("dt", {}, "原始 ID"), h("dd", {}, a.originalId),
    h("dt", {}, "Token"), h("dd", {}, a.token),
    h("dt", {}, "AESKey"), h("dd", {}, a.encodingAESKey),
  );
  $("#env").textContent = [
    "WECHAT_APPID=" + a.appId, "WECHAT_APPSECRET=…", "WECHAT_TOKEN=" + a.token,
    "WECHAT_ENCODING_AES_KEY=" + a.encodingAESKey, "WECHAT_API_BASE_URL=" + a.apiBaseUrl,
  ].join(" ") + "\n（完整的一行见 wxsim 的输出）";
}

function renderFollowers() {
  const ul = $("#followers");
  ul.replaceChildren(...app.state.followers.map((f) => {
    const n = app.unread.get(f.openid) || 0;
    return h("li", { class: f.openid === app.current ? "current" : "", "data-openid": f.openid, onclick: () => openChat(f.openid) },
      h("img", { src: f.avatar, alt: "" }),
      n ? h("span", { class: "badge" }, n) : null,
      h("div", { class: "who" },
        h("div", { class: "nick" }, f.nickname),
        h("div", { class: "state" + (f.following ? "" : " no") }, f.following ? "已关注" : "未关注"),
        h("div", { class: "oid", title: f.openid }, f.openid)));
  }));
}

async function openChat(openid) {
  if (!openid) return;
  app.current = openid;
  app.unread.delete(openid);
  renderFollowers();
  closeMore();
  const entries = await api("GET", `/followers/${encodeURIComponent(openid)}/chat`);
  if (app.current !== openid) return;
  app.chats.set(openid, entries || []);
  renderChat();
  await loadMenu();
  renderBottom();
  const last = [...entries].reverse().find((e) => e.exchange);
  select(last ? { kind: "exchange", id: last.exchange.id } : null);
}

// ---- the chat -------------------------------------------------------------

const modeNames = { plaintext: "明文模式", compatible: "兼容模式", safe: "安全模式" };

function renderChat() {
  const chat = $("#chat");
  const f = follower(app.current);
  const entries = app.chats.get(app.current) || [];
  const nodes = [];
  if (!entries.length) nodes.push(profileCard(f));
  let lastAt = 0;
  for (const e of entries) {
    const at = new Date((e.exchange || e.delivery).at).getTime();
    if (at - lastAt > 3 * 60 * 1000) nodes.push(h("div", { class: "time" }, clock(at)));
    lastAt = at;
    nodes.push(entryNode(e));
  }
  chat.replaceChildren(...nodes);
  chat.scrollTop = chat.scrollHeight;
}

function profileCard(f) {
  return h("div", { class: "profile-card" },
    h("div", { class: "avatar account big-avatar" }, "wx"),
    h("div", { class: "name" }, app.state.account.name),
    h("div", { class: "desc" }, f && f.following ? "你已关注这个公众号，发条消息试试" : "关注后可以给公众号发消息，点击菜单"));
}

function clock(ms) {
  const d = new Date(ms);
  return String(d.getHours()).padStart(2, "0") + ":" + String(d.getMinutes()).padStart(2, "0");
}

function entryNode(e) {
  const id = e.exchange ? "x" + e.exchange.id : "d" + e.seq;
  const node = h("div", { class: "entry", "data-entry": id, "data-seq": e.seq,
    onclick: () => select(e.exchange ? { kind: "exchange", id: e.exchange.id } : { kind: "delivery", id: e.seq }) });
  if (e.exchange) node.append(...exchangeNodes(e.exchange));
  else node.append(accountMsg(e.delivery.bubble, e.delivery.source));
  if (isSelected(e)) node.classList.add("selected");
  return node;
}

const isSelected = (e) => app.selected && (e.exchange ? app.selected.kind === "exchange" && app.selected.id === e.exchange.id
  : app.selected.kind === "delivery" && app.selected.id === e.seq);

function exchangeNodes(x) {
  const out = [];
  const f = follower(x.openid);
  const pending = x.outcome === "pending";
  const status = [];
  if (pending) {
    const tries = (x.attempts || []).length;
    if (tries > 0) status.push(h("span", { class: "retrying", title: "微信在重试" }, `重试 ${tries + 1}/${app.state.attempts}`));
    status.push(h("span", { class: "sending", title: "等待机器人回答" }));
  }
  if (x.sent.type === "event") {
    out.push(h("div", { class: "tip event" }, h("span", {}, eventText(x.sent)), ...status));
  } else {
    out.push(h("div", { class: "msg me" },
      h("img", { class: "avatar", src: f?.avatar || "", alt: "" }),
      followerBubble(x.sent), ...status));
  }
  if (x.outcome === "reply") for (const b of x.bubbles || []) out.push(accountMsg(b));
  if (x.outcome === "fallback") out.push(h("div", { class: "tip fallback" }, h("span", {}, "该公众号暂时无法提供服务，请稍后再试")));
  return out;
}

function eventText(s) {
  const name = s.label ? `「${s.label}」` : "";
  switch (s.event) {
    case "subscribe": return s.label ? `你扫码关注了公众号（场景 ${s.label}）` : "你关注了公众号";
    case "unsubscribe": return "你不再关注这个公众号";
    case "SCAN": return `你扫描了公众号的二维码（场景 ${s.label}）`;
    case "CLICK": return `你点击了菜单${name}`;
    case "VIEW": return `你点击了菜单${name}，打开了网页`;
    case "view_miniprogram": return `你点击了菜单${name}，打开了小程序`;
    case "scancode_push": case "scancode_waitmsg": return `你用菜单${name}扫码：${s.scanResult}`;
    case "location_select": return `你用菜单${name}发送了位置：${s.location?.label || ""}`;
    case "pic_sysphoto": case "pic_photo_or_album": case "pic_weixin": return `你用菜单${name}发了图片`;
    case "LOCATION": return "上报了地理位置";
  }
  return `事件 ${s.event}`;
}

function followerBubble(s) {
  switch (s.type) {
    case "text": return h("div", { class: "bubble" }, s.content);
    case "image": return h("div", { class: "bubble bare" }, h("img", { class: "img", src: s.imageUrl, alt: "图片" }));
    case "location": return h("div", { class: "bubble card" },
      h("div", { class: "card-body" }, h("div", { class: "card-title" }, s.location.label || "位置"),
        h("div", { class: "card-desc" }, `${s.location.latitude}, ${s.location.longitude}`)),
      h("div", { class: "loc-map" }, h("i", { class: "pin" })));
    case "link": return h("div", { class: "bubble card" },
      h("div", { class: "card-body" }, h("div", { class: "card-title" }, s.link.title),
        h("div", { class: "card-row" }, h("div", { class: "card-desc" }, s.link.description || s.link.url))));
  }
  return h("div", { class: "bubble" }, s.type);
}

function accountMsg(b, source) {
  if (b.type === "transfer") {
    return h("div", { class: "tip" }, h("span", {}, "消息已转给人工客服" + (b.kfAccount ? `（${b.kfAccount}）` : "")));
  }
  return h("div", { class: "msg them", "data-source": source || "reply", "data-type": b.type },
    h("div", { class: "avatar account" }, "wx"), accountBubble(b));
}

function accountBubble(b) {
  switch (b.type) {
    case "text": return h("div", { class: "bubble" }, richText(b.text));
    case "image": return h("div", { class: "bubble bare" }, b.imageUrl
      ? h("img", { class: "img", src: b.imageUrl, alt: "图片" }) : h("div", { class: "media-missing" }, "图片\n" + short(b.mediaId)));
    case "voice": return h("div", { class: "bubble voice", title: "media_id " + b.mediaId }, "((·  语音");
    case "video": return h("div", { class: "bubble card" },
      h("div", { class: "video", style: b.imageUrl ? { backgroundImage: `url("${cssURL(b.imageUrl)}")` } : null }, "▶"),
      b.title ? h("div", { class: "card-body" }, h("div", { class: "card-title" }, b.title), b.description ? h("div", { class: "card-desc" }, b.description) : null) : null);
    case "music": return h("div", { class: "bubble card" },
      h("div", { class: "music" }, h("div", { class: "note", style: b.imageUrl ? { backgroundImage: `url("${cssURL(b.imageUrl)}")` } : null }, b.imageUrl ? "" : "♪"),
        h("div", {}, h("div", { class: "card-title" }, b.title || "音乐"), h("div", { class: "card-desc" }, b.description || ""))),
      h("div", { class: "mini-label music-label" }, "音乐"));
    case "news": return newsCard(b.articles || []);
    case "template": return templateCard(b.template);
    case "mpnews": case "mpnewsarticle": return h("div", { class: "bubble card" },
      h("div", { class: "card-body" }, h("div", { class: "card-title" }, "图文消息"), h("div", { class: "card-desc" }, (b.type === "mpnews" ? "media_id " : "article_id ") + b.mediaId)));
    case "msgmenu": return menuMsg(b.menu);
    case "wxcard": return h("div", { class: "bubble card" }, h("div", { class: "card-body" }, h("div", { class: "card-title" }, "卡券"), h("div", { class: "card-desc" }, b.mediaId)));
    case "miniprogram": return h("div", { class: "bubble card" },
      h("div", { class: "card-body" }, h("div", { class: "card-title" }, b.title || "小程序"), h("div", { class: "card-desc" }, `${b.appid} ${b.pagepath}`)),
      h("div", { class: "mini-label" }, "小程序"));
  }
  return h("div", { class: "bubble" }, `[${b.rawType || b.type}]`);
}

const short = (s) => (s && s.length > 16 ? s.slice(0, 14) + "…" : s || "");
const cssURL = (u) => String(u).replace(/["\\\n]/g, "");

// richText turns WeChat's text into nodes: <a href="…">…</a> and bare URLs
// become links (as WeChat shows them), everything else stays text.
function richText(s) {
  const out = [];
  const re = /<a\s+[^>]*?href\s*=\s*["']([^"']*)["'][^>]*>([\s\S]*?)<\/a>|(https?:\/\/[^\s<>"'，。）]+)/gi;
  let last = 0, m;
  while ((m = re.exec(s))) {
    out.push(s.slice(last, m.index));
    const href = m[1] ?? m[3];
    const text = m[2] ?? m[3];
    out.push(/^https?:\/\//i.test(href) ? h("a", { href, target: "_blank", rel: "noopener noreferrer" }, text) : text);
    last = re.lastIndex;
  }
  out.push(s.slice(last));
  return out;
}

function newsCard(articles) {
  if (!articles.length) return h("div", { class: "bubble" }, "[图文]");
  const open = (a) => (ev) => { ev.stopPropagation(); if (/^https?:\/\//i.test(a.url)) window.open(a.url, "_blank", "noopener"); };
  if (articles.length === 1) {
    const a = articles[0];
    return h("div", { class: "bubble card news", onclick: open(a) },
      h("div", { class: "card-body" }, h("div", { class: "card-title" }, a.title),
        h("div", { class: "card-row" }, h("div", { class: "card-desc" }, a.description || ""),
          a.picUrl ? h("img", { class: "thumb", src: a.picUrl, alt: "" }) : null)));
  }
  const [first, ...rest] = articles;
  return h("div", { class: "bubble card news" },
    h("div", { class: "news-cover", style: first.picUrl ? { backgroundImage: `url("${cssURL(first.picUrl)}")` } : null, onclick: open(first) },
      h("div", { class: "card-title" }, first.title)),
    ...rest.map((a) => h("div", { class: "news-item", onclick: open(a) }, h("div", { class: "t" }, a.title),
      a.picUrl ? h("img", { class: "thumb", src: a.picUrl, alt: "" }) : null)));
}

function templateCard(t) {
  return h("div", { class: "bubble card template" },
    h("div", { class: "tpl-title" }, t.title || "模板消息"),
    h("div", { class: "tpl-rows" }, ...(t.rows || []).map((r) => h("div", { class: "tpl-row" },
      r.label ? h("span", { class: "k" }, r.label) : null, h("span", { class: "v" }, r.value)))),
    t.url || t.miniprogram ? h("div", { class: "card-foot" }, h("span", {}, t.miniprogram ? "进入小程序查看" : "详情"), h("span", {}, "›")) : null);
}

function menuMsg(m) {
  return h("div", { class: "bubble menu-msg" },
    m.head ? h("div", {}, m.head) : null,
    ...(m.list || []).map((o) => h("button", { class: "opt", onclick: (ev) => {
      ev.stopPropagation();
      send({ type: "text", content: o.content, bizmsgmenuid: o.id });
    } }, o.content)),
    m.tail ? h("div", {}, m.tail) : null);
}

// upsert puts an entry into its follower's chat, redrawing only that entry.
function upsert(openid, e) {
  const list = app.chats.get(openid);
  if (!list) return;
  const i = list.findIndex((x) => x.seq === e.seq);
  if (i >= 0) list[i] = e; else list.push(e);
  if (openid !== app.current) return;
  const chat = $("#chat");
  const atBottom = chat.scrollHeight - chat.scrollTop - chat.clientHeight < 80;
  const old = chat.querySelector(`[data-seq="${e.seq}"]`);
  if (old) old.replaceWith(entryNode(e));
  else renderChat();
  if (atBottom || !old) chat.scrollTop = chat.scrollHeight;
  if (app.selected && e.exchange && app.selected.kind === "exchange" && app.selected.id === e.exchange.id) renderWire();
}

// ---- the bottom: follow, menu, keyboard -------------------------------------

async function loadMenu() {
  const openid = app.current;
  const m = await api("GET", `/followers/${encodeURIComponent(openid)}/menu`);
  if (openid !== app.current) return;
  app.menu = m.button || [];
  app.menuID = m.menuid;
}

function renderBottom() {
  const f = follower(app.current);
  const following = !!f?.following;
  const hasMenu = app.menu.length > 0;
  $("#follow-bar").hidden = following;
  $("#menubar").hidden = !following || !hasMenu || app.inputMode;
  $("#inputbar").hidden = !following || (hasMenu && !app.inputMode);
  $("#to-menu").hidden = !hasMenu;
  if (!following) closeMore();
  renderMenu();
}

function renderMenu() {
  const box = $("#menu-buttons");
  const drawn = JSON.stringify(app.menu);
  if (box.dataset.drawn === drawn) return; // keep a sub-menu that is open
  box.dataset.drawn = drawn;
  box.replaceChildren(...app.menu.map((b, i) => {
    const hasSub = b.sub_button && b.sub_button.length;
    const btn = h("button", { class: "menu-button", "data-key": b.key || "", "data-index": i,
      onclick: (ev) => { ev.stopPropagation(); hasSub ? toggleSub(btn, b) : act(b); } },
    hasSub ? h("i", { class: "lines" }) : null, h("span", { class: "label-text" }, b.name));
    return btn;
  }));
}

function toggleSub(btn, b) {
  const open = btn.querySelector(".submenu");
  closeSubs();
  if (open) return;
  btn.append(h("div", { class: "submenu" }, ...b.sub_button.map((s) =>
    h("div", { class: "menu-item", role: "button", "data-key": s.key || "", onclick: (ev) => { ev.stopPropagation(); closeSubs(); act(s); } }, s.name))));
}

const closeSubs = () => document.querySelectorAll(".submenu").forEach((s) => s.remove());

// act does what tapping a menu button does in WeChat.
function act(b) {
  const base = { key: b.key, name: b.name };
  switch (b.type) {
    case "click": return event({ event: "CLICK", ...base });
    case "view":
      if (/^https?:\/\//i.test(b.url)) window.open(b.url, "_blank", "noopener");
      return event({ event: "VIEW", key: b.url, name: b.name });
    case "miniprogram":
      toast(`打开小程序 ${b.appid}\n${b.pagepath}`);
      return event({ event: "view_miniprogram", key: b.pagepath, name: b.name });
    case "scancode_push": case "scancode_waitmsg":
      return sheet("扫码（" + b.name + "）", [field("scan-result", "扫到的内容", "https://weixin.qq.com/r/example"),
        field("scan-type", "类型（qrcode 或 barcode）", "qrcode")], () => {
        if (b.type === "scancode_waitmsg") toast("消息接收中");
        return event({ event: b.type, ...base, scanResult: $("#scan-result").value, scanType: $("#scan-type").value });
      });
    case "location_select":
      return locationSheet("发送位置（" + b.name + "）", (loc) => event({ event: "location_select", ...base, ...loc }));
    case "pic_sysphoto": case "pic_photo_or_album": case "pic_weixin":
      return pickImage({ event: b.type, key: b.key, name: b.name });
    case "media_id": case "view_limited": case "article_id": case "article_view_limited":
      return toast(`这个按钮直接展示素材（${b.media_id || b.article_id}），微信不推送事件`);
  }
  toast("不认识的按钮类型 " + b.type);
}

// push posts what the follower did; the exchange comes back when it is over
// (the event stream shows it meanwhile, and a page that missed an event still
// ends up right).
async function push(path, body) {
  try {
    const x = await api("POST", `/followers/${encodeURIComponent(app.current)}/${path}`, body);
    upsert(x.openid, { seq: x.id, exchange: x });
    if (x.openid === app.current) select({ kind: "exchange", id: x.id });
  } catch (err) { fail(err); }
}

function event(body) {
  closeMore();
  return push("events", body);
}

const send = (body) => push("messages", body);

function sendText() {
  const t = $("#text");
  const content = t.value;
  if (!content.trim()) return;
  t.value = "";
  textChanged();
  send({ type: "text", content });
}

function textChanged() {
  const t = $("#text");
  $("#send").hidden = !t.value;
  $("#plus").hidden = !!t.value;
  t.style.height = "36px";
  t.style.height = Math.min(t.scrollHeight, 96) + "px";
}

function closeMore() { $("#more").hidden = true; }

let pickFor = null;
function pickImage(menuEvent) {
  pickFor = menuEvent || null;
  $("#file").value = "";
  $("#file").click();
}

async function sendImage(file) {
  const form = new FormData();
  form.append("image", file);
  if (pickFor) for (const [k, v] of Object.entries(pickFor)) form.append(k, v || "");
  pickFor = null;
  closeMore();
  await push("image", form);
}

// ---- sheets -------------------------------------------------------------------

function field(id, label, value, type = "text") {
  return [h("label", { for: id }, label), h("input", { id, value, type, autocomplete: "off" })];
}

function sheet(title, body, ok, okText = "确定") {
  $("#sheet-title").textContent = title;
  $("#sheet-body").replaceChildren(...[body].flat(2));
  $("#sheet-ok").textContent = okText;
  $("#sheet-ok").hidden = !ok;
  $("#sheet").hidden = false;
  sheet.ok = ok;
  $("#sheet-body input")?.focus();
}

function closeSheet() { $("#sheet").hidden = true; sheet.ok = null; }

function locationSheet(title, then) {
  sheet(title, [field("loc-label", "地点", "广州市海珠区新港中路397号"), field("loc-lat", "纬度", "23.134521", "number"),
    field("loc-lng", "经度", "113.358803", "number"), field("loc-scale", "缩放", "15", "number")], () =>
    then({ latitude: +$("#loc-lat").value, longitude: +$("#loc-lng").value, scale: +$("#loc-scale").value, label: $("#loc-label").value }));
}

function linkSheet() {
  sheet("发送链接", [field("link-title", "标题", "公众号开发文档"), field("link-desc", "描述", "消息推送与被动回复"),
    field("link-url", "网址", "https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Receiving_standard_messages.html", "url")], () =>
    send({ type: "link", title: $("#link-title").value, description: $("#link-desc").value, url: $("#link-url").value }));
}

async function scanSheet() {
  closeMore();
  let codes = [];
  try { codes = await api("GET", "/qrcodes"); } catch (err) { return fail(err); }
  const scan = (ticket) => { closeSheet(); event({ event: "scan", ticket }); };
  const list = codes.length
    ? h("div", { class: "qr-list" }, ...codes.map((c) => h("button", { class: "qr", "data-ticket": c.Ticket, onclick: () => scan(c.Ticket) },
      h("img", { src: c.image, alt: "二维码" }), h("div", { class: "scene" }, "场景 " + c.Scene),
      h("div", { class: "exp" }, c.ExpiresAt.startsWith("0001") ? "永久二维码" : "有效至 " + clock(Date.parse(c.ExpiresAt))))))
    : h("div", { class: "empty" }, "机器人还没有创建带参数二维码（/cgi-bin/qrcode/create）。也可以在下面贴一个 ticket。");
  sheet("扫描公众号的二维码", [list, field("ticket", "或贴 ticket", "")], () => {
    const t = $("#ticket").value.trim();
    if (t) scan(t);
  }, "扫描");
}

function profileSheet() {
  const f = follower(app.current);
  const body = f?.following
    ? [h("p", { class: "empty" }, `${f.nickname} 已关注“${app.state.account.name}”`), h("button", { class: "danger", id: "unfollow", onclick: () => { closeSheet(); event({ event: "unsubscribe" }); } }, "不再关注")]
    : [h("p", { class: "empty" }, `${f?.nickname || ""} 还没有关注`), h("button", { class: "primary", style: { width: "100%" }, onclick: () => { closeSheet(); event({ event: "subscribe" }); } }, "关注公众号")];
  sheet(app.state.account.name, body, null);
}

// ---- the wire -----------------------------------------------------------------

function select(sel) {
  app.selected = sel;
  document.querySelectorAll(".entry.selected").forEach((n) => n.classList.remove("selected"));
  if (sel) {
    const node = document.querySelector(`[data-entry="${sel.kind === "exchange" ? "x" + sel.id : "d" + sel.id}"]`);
    node?.classList.add("selected");
  }
  renderWire();
}

function findSelected() {
  const list = app.chats.get(app.current) || [];
  if (!app.selected) return null;
  return list.find((e) => app.selected.kind === "exchange" ? e.exchange?.id === app.selected.id : e.seq === app.selected.id && e.delivery);
}

const outcomeNames = { pending: "等待回答", reply: "已回复", silent: "不回复（success）", fallback: "该公众号暂时无法提供服务" };
const marks = { ok: "✓", fail: "✕", warn: "!", info: "i" };
const sentNames = { text: "文本消息", image: "图片消息", location: "位置消息", link: "链接消息" };
const eventNames = {
  subscribe: "关注", unsubscribe: "取消关注", SCAN: "扫描带参数二维码", CLICK: "点击菜单", VIEW: "点击菜单跳转链接",
  scancode_push: "扫码推事件", scancode_waitmsg: "扫码推事件且弹出“消息接收中”", pic_sysphoto: "系统拍照发图",
  pic_photo_or_album: "拍照或者相册发图", pic_weixin: "微信相册发图", location_select: "发送位置",
  view_miniprogram: "点击菜单跳转小程序", LOCATION: "上报地理位置",
};

function renderWire() {
  const e = findSelected();
  $("#wire-empty").hidden = !!e;
  const body = $("#wire-body");
  body.hidden = !e;
  if (!e) return;
  if (e.delivery) return body.replaceChildren(...deliveryWire(e.delivery));
  const x = e.exchange;
  const what = x.sent.type === "event" ? `事件 ${x.sent.event}${eventNames[x.sent.event] ? "（" + eventNames[x.sent.event] + "）" : ""}` : sentNames[x.sent.type] || x.sent.type;
  const nodes = [
    h("div", { class: "wire-head" }, h("h2", {}, `#${x.id} ${what}`),
      h("span", { class: "outcome " + x.outcome, id: "outcome" }, outcomeNames[x.outcome] || x.outcome),
      h("span", { class: "meta" }, `${modeNames[x.mode]} · ${clock(Date.parse(x.at))} · ${x.elapsedMs.toFixed(1)} ms`)),
  ];
  if (x.trimmed) nodes.push(h("p", { class: "hint" }, "这次交互较早，报文已清理（只保留最近 500 次交互的报文）。"));
  if (x.problem) nodes.push(h("div", { class: "problem" }, h("b", {}, x.problem), x.hint ? h("p", {}, x.hint) : null));
  nodes.push(h("ul", { class: "verdicts" }, ...(x.verdicts || []).map((v) =>
    h("li", { class: "verdict", "data-state": v.state }, h("span", { class: "mark" }, marks[v.state]),
      h("span", {}, h("span", { class: "name" }, v.name), v.detail ? h("span", { class: "detail" }, "　" + v.detail) : null)))));
  const u = new URL(x.request.url);
  nodes.push(section("请求", `${x.request.method} ${u.origin}${u.pathname}`, true,
    h("table", {}, h("tbody", {}, ...x.request.query.map(([k, v]) => h("tr", {}, h("th", {}, k), h("td", { class: "mono" }, v)))))));
  nodes.push(section("推送的消息（加密前）", "", true, h("pre", { id: "wire-plain" }, prettyXML(x.request.plain))));
  if (x.request.encrypted) nodes.push(section("请求体（线上）", x.mode === "safe" ? "只有 <Encrypt>" : "明文字段和 <Encrypt> 并存", false, h("pre", {}, prettyXML(x.request.body))));
  nodes.push(section("尝试", `${x.attempts.length} 次，每次最多等 ${x.timeoutMs / 1000} 秒`, true,
    h("table", {}, h("thead", {}, h("tr", {}, h("th", {}, "#"), h("th", {}, "开始"), h("th", {}, "用时"), h("th", {}, "结果"))),
      h("tbody", {}, ...x.attempts.map((a) => h("tr", { class: "attempt" + (a.timedOut ? " timeout" : "") },
        h("td", {}, a.n), h("td", {}, `+${(a.startMs / 1000).toFixed(2)} s`), h("td", {}, `${a.ms.toFixed(1)} ms`),
        h("td", {}, a.error ? (a.timedOut ? "超时，未回答" : a.error) : `HTTP ${a.status}`)))))));
  if (x.reply) {
    nodes.push(section("回复（线上）", `HTTP ${x.reply.status} ${x.reply.contentType || ""}`, !x.reply.encrypted, h("pre", {}, prettyXML(x.reply.body) || "（空）")));
    if (x.reply.xml && x.reply.encrypted) nodes.push(section("回复的消息（解密后）", "", true, h("pre", { id: "wire-reply" }, prettyXML(x.reply.xml))));
  }
  body.replaceChildren(...nodes);
}

function deliveryWire(d) {
  const names = { custom: "客服消息", template: "模板消息" };
  return [
    h("div", { class: "wire-head" }, h("h2", {}, names[d.source] + (d.bubble.type !== "template" ? " · " + d.bubble.type : "")),
      h("span", { class: "outcome reply" }, "已送达"), h("span", { class: "meta" }, clock(Date.parse(d.at)) + (d.msgid ? " · msgid " + d.msgid : ""))),
    h("p", { class: "hint" }, d.source === "custom"
      ? "机器人调用了 /cgi-bin/message/custom/send；模拟的平台按 48 小时窗口等规则接受了它。"
      : "机器人调用了 /cgi-bin/message/template/send。"),
    d.body ? section("请求体", "", true, h("pre", {}, prettyJSON(d.body))) : null,
  ].filter(Boolean);
}

function section(title, sub, open, ...content) {
  return h("details", { open }, h("summary", {}, title, sub ? h("span", { class: "sub" }, sub) : null), ...content);
}

// prettyXML breaks XML between elements, leaving CDATA as it is.
function prettyXML(s) {
  if (!s || s[0] !== "<") return s;
  let out = "", depth = 0;
  const tokens = s.match(/<!\[CDATA\[[\s\S]*?\]\]>|<[^>]+>|[^<]+/g) || [];
  let inline = false;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.startsWith("</")) {
      depth--;
      out += (inline ? "" : "\n" + "  ".repeat(Math.max(depth, 0))) + t;
      inline = false;
    } else if (t.startsWith("<") && !t.startsWith("<![CDATA[")) {
      out += (out ? "\n" : "") + "  ".repeat(depth) + t;
      if (!t.endsWith("/>")) depth++;
      inline = !!tokens[i + 1] && !tokens[i + 1].startsWith("<") || tokens[i + 1]?.startsWith("<![CDATA[");
    } else {
      out += t;
    }
  }
  return out;
}

function prettyJSON(s) {
  try { return JSON.stringify(JSON.parse(s), null, 2); } catch { return s; }
}

// ---- the event stream ------------------------------------------------------------

function connect() {
  const es = new EventSource("/wxsim/api/events");
  let opened = false;
  es.onopen = () => { if (opened) loadState().catch(fail); opened = true; }; // after a reconnect: what was missed
  es.addEventListener("entry", (m) => {
    const { openid, entry } = JSON.parse(m.data);
    if (openid !== app.current) {
      if (entry.delivery) { app.unread.set(openid, (app.unread.get(openid) || 0) + 1); renderFollowers(); }
      const list = app.chats.get(openid);
      if (list) upsert(openid, entry);
      return;
    }
    upsert(openid, entry);
    if (entry.exchange) select({ kind: "exchange", id: entry.exchange.id });
  });
  es.addEventListener("exchange", (m) => {
    const x = JSON.parse(m.data);
    const list = app.chats.get(x.openid);
    const e = list?.find((e) => e.exchange?.id === x.id);
    if (e) upsert(x.openid, { ...e, exchange: x });
  });
  es.addEventListener("followers", async (m) => {
    if (!app.state) return;
    app.state.followers = JSON.parse(m.data);
    renderFollowers();
    if (app.current) { await loadMenu().catch(() => {}); renderBottom(); }
  });
  es.addEventListener("menu", async () => { await loadMenu().catch(() => {}); renderBottom(); });
  es.addEventListener("mode", (m) => { if (!app.state) return; app.state.mode = JSON.parse(m.data); renderTop(); });
  es.addEventListener("webhook", (m) => { if (!app.state) return; app.state.webhook = JSON.parse(m.data); renderTop(); });
}

// ---- wiring ------------------------------------------------------------------------

function wire() {
  for (const b of document.querySelectorAll(".modes button")) {
    b.addEventListener("click", async () => {
      try {
        await api("PUT", "/mode", { mode: b.dataset.mode });
        app.state.mode = b.dataset.mode;
        renderTop();
      } catch (err) { fail(err); }
    });
  }
  $("#webhook-edit").addEventListener("click", async () => {
    const input = $("#webhook-input");
    if (input.hidden) {
      input.value = app.state.webhook;
      input.hidden = false;
      $("#webhook").hidden = true;
      $("#webhook-edit").textContent = "保存";
      input.focus();
      return;
    }
    try {
      await api("PUT", "/webhook", { url: input.value.trim() });
      app.state.webhook = input.value.trim();
      input.hidden = true;
      $("#webhook").hidden = false;
      $("#webhook-edit").textContent = "修改";
      renderTop();
    } catch (err) { setStatus(false, err.message); }
  });
  $("#verify").addEventListener("click", async () => {
    setStatus(null, "验证中…");
    try {
      const r = await api("POST", "/verify");
      setStatus(r.ok, r.ok ? "URL 验证通过" : r.error);
    } catch (err) { setStatus(false, err.message); }
  });
  $("#add-follower").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const nickname = $("#new-nickname").value.trim();
    if (!nickname) return;
    try {
      const f = await api("POST", "/followers", { nickname });
      $("#new-nickname").value = "";
      app.state.followers.push({ ...f, following: false, unread: 0 });
      await openChat(f.openid);
    } catch (err) { fail(err); }
  });
  $("#follow").addEventListener("click", () => event({ event: "subscribe" }));
  $("#scan-follow").addEventListener("click", scanSheet);
  $("#profile").addEventListener("click", profileSheet);
  $("#to-input").addEventListener("click", () => { app.inputMode = true; renderBottom(); $("#text").focus(); });
  $("#to-menu").addEventListener("click", () => { app.inputMode = false; closeMore(); renderBottom(); });
  $("#text").addEventListener("input", textChanged);
  $("#text").addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing) { ev.preventDefault(); sendText(); }
  });
  $("#send").addEventListener("click", sendText);
  $("#plus").addEventListener("click", () => { $("#more").hidden = !$("#more").hidden; });
  for (const b of document.querySelectorAll("[data-more]")) {
    b.addEventListener("click", () => {
      switch (b.dataset.more) {
        case "image": return pickImage();
        case "location": return locationSheet("发送位置", (loc) => send({ type: "location", ...loc }));
        case "link": return linkSheet();
        case "scan": return scanSheet();
      }
    });
  }
  $("#file").addEventListener("change", () => { const f = $("#file").files[0]; if (f) sendImage(f); });
  $("#sheet-cancel").addEventListener("click", closeSheet);
  $("#sheet-ok").addEventListener("click", () => { const ok = sheet.ok; closeSheet(); ok?.(); });
  document.addEventListener("click", closeSubs);
  const tick = () => { $("#clock").textContent = clock(Date.now()); };
  tick();
  setInterval(tick, 30000);
}

function setStatus(ok, text) {
  const s = $("#verify-status");
  s.textContent = text;
  s.className = "status" + (ok === true ? " ok" : ok === false ? " fail" : "");
}

wire();
connect();
loadState().catch(fail);
