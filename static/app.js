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
