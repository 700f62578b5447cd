package main

import (
	"html/template"
	"net/url"
)

func queryEscape(s string) string { return url.QueryEscape(s) }

const head = `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>wxkit weblogin</title>
<style>body{font-family:sans-serif;max-width:560px;margin:32px auto;padding:0 16px;color:#333}
a.button,button{display:inline-block;padding:10px 18px;background:#07c160;color:#fff;border:0;border-radius:6px;text-decoration:none;font-size:16px;cursor:pointer}
img.avatar{width:96px;height:96px;border-radius:8px}pre{background:#f6f6f6;padding:12px;overflow:auto}nav a{margin-right:12px}</style></head><body>
<nav><a href="/">首页</a><a href="/profile">我的资料</a><a href="/jssdk">JS-SDK</a><a href="/qrcode">带参数二维码</a></nav>`

var (
	homeTmpl = template.Must(template.New("home").Parse(head + `
<h1>wxkit 网页授权示例</h1>
{{if .SignedIn}}<p>已登录：<span id="who">{{.User.Nickname}}</span></p>
<form method="post" action="/logout"><button id="logout">退出</button></form>
{{else}}<p><a class="button" id="login" href="/login?next=/profile">用微信登录</a></p>{{end}}
</body></html>`))

	profileTmpl = template.Must(template.New("profile").Parse(head + `
<h1>我的资料</h1>
{{if .Snapshot}}<p id="snapshot">快照页用户：资料是虚拟的，点「使用完整服务」后重新授权。</p>{{end}}
{{if .Avatar}}<img class="avatar" id="avatar" src="{{.Avatar}}" alt="头像">{{end}}
<p>昵称：<span id="nickname">{{.Nickname}}</span></p>
<p>OpenID：<code id="openid">{{.OpenID}}</code></p>
</body></html>`))

	jssdkTmpl = template.Must(template.New("jssdk").Parse(head + `
<h1>JS-SDK wx.config</h1>
<p>签名的页面地址（去掉 # 之后的部分）：<code id="page-url"></code></p>
<p>状态：<strong id="status">签名中…</strong></p>
<pre id="config"></pre>
<script src="{{.Script}}"></script>
<script>
(function () {
  var page = location.href.split("#")[0];
  document.getElementById("page-url").textContent = page;
  var status = document.getElementById("status");
  fetch("/jssdk/config?url=" + encodeURIComponent(page)).then(function (r) { return r.json(); }).then(function (cfg) {
    if (cfg.error) { status.textContent = "签名失败：" + cfg.error; return; }
    document.getElementById("config").textContent = JSON.stringify(cfg, null, 2);
    wx.ready(function () { status.textContent = "wx.ready：签名有效"; });
    wx.error(function (res) { status.textContent = "wx.error：" + res.errMsg; });
    wx.config(cfg);
  }).catch(function (e) { status.textContent = "出错：" + e; });
})();
</script>
</body></html>`))

	qrcodeTmpl = template.Must(template.New("qrcode").Parse(head + `
<h1>带参数二维码</h1>
<form method="post" action="/qrcode">
<label>场景值 scene_str：<input id="scene" name="scene" value="{{if .Scene}}{{.Scene}}{{else}}promo2024{{end}}" maxlength="64"></label>
<button id="create" type="submit">生成临时二维码（10 分钟）</button>
</form>
{{if .Error}}<p id="error">{{.Error}}</p>{{end}}
{{if .Ticket}}
<p><img id="qr" src="{{.Image}}" alt="二维码" width="215" height="215"></p>
<p>二维码内容：<code id="qr-url">{{.URL}}</code></p>
<p>扫码状态：<strong id="scan-status">等待扫码…</strong></p>
{{if .Sandbox}}<p><button id="scan" type="button">模拟扫码（沙盒）</button></p>{{end}}
<script>
(function () {
  var ticket = {{.Ticket}};
  var status = document.getElementById("scan-status");
  function poll() {
    fetch("/qrcode/status?ticket=" + encodeURIComponent(ticket)).then(function (r) { return r.json(); }).then(function (res) {
      if (res.scans.length) {
        var last = res.scans[res.scans.length - 1];
        status.textContent = "已扫码：" + last.event + "，场景值 " + last.scene + "，OpenID " + last.openid + "（共 " + res.scans.length + " 次）";
      }
    }).finally(function () { setTimeout(poll, 500); });
  }
  poll();
  var scan = document.getElementById("scan");
  if (scan) scan.onclick = function () {
    fetch("/qrcode/scan", {method: "POST", headers: {"Content-Type": "application/x-www-form-urlencoded"}, body: "ticket=" + encodeURIComponent(ticket)});
  };
})();
</script>
{{end}}
</body></html>`))
)
