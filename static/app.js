// Small conveniences; every page works without this file.
document.addEventListener("htmx:configRequest", function (e) {
  var meta = document.querySelector('meta[name="csrf-token"]');
  if (meta) { e.detail.headers["X-CSRF-Token"] = meta.content; }
});
// A receipt rule shown next to the channel: in-person submissions fix the receipt date.
document.addEventListener("change", function (e) {
  if (e.target && e.target.id === "channel") {
    var r = document.getElementById("received_on");
    if (r) { r.disabled = e.target.value === "in_person"; }
  }
});
// An upload's progress on the <progress> inside the form that sends it (CSV import).
document.addEventListener("htmx:xhr:progress", function (e) {
  var p = e.target && e.target.querySelector ? e.target.querySelector("progress") : null;
  if (p && e.detail && e.detail.lengthComputable) { p.max = e.detail.total; p.value = e.detail.loaded; }
});
// A form sent by htmx that the server refused outright (expired token, server error):
// say so next to its button instead of doing nothing.
document.addEventListener("htmx:responseError", function (e) {
  var form = e.detail && e.detail.elt;
  var sel = form && form.getAttribute ? form.getAttribute("data-fail") : null;
  var out = sel ? document.querySelector(sel) : null;
  if (out) { out.textContent = "提交失败（" + e.detail.xhr.status + "），请刷新页面后重试。"; }
});
