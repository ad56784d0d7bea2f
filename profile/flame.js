// flame.js: the flame graph's own script (embedded in every SVG profile/flame.c draws): zoom, search, reset.
// Click a frame to zoom into it, the Reset Zoom button (or Escape) to zoom out; Search (or Ctrl-F)
// highlights the frames whose name matches a regular expression and shows the share of samples
// they hold; ?s=REGEX in the URL searches on load.
var svg = document.documentElement, frames = document.getElementById("frames");
var details = document.getElementById("details"), unzoombtn = document.getElementById("unzoom");
var searchbtn = document.getElementById("search"), matchedtxt = document.getElementById("matched");
var XPAD = 10, CHARW = 7, HL = "rgb(230,0,230)";
var W = parseFloat(svg.getAttribute("width")) - 2 * XPAD, searching = false;

function title(g) { return g.querySelector("title").textContent; }
function fname(g) { var t = title(g); return t.substring(0, t.lastIndexOf(": ")); }
function fsamples(g) { var t = title(g); return parseInt(t.substring(t.lastIndexOf(": ") + 2), 10); }
// An attribute as first drawn, kept in data-o<name> before the first change.
function orig(e, n) {
	var o = e.getAttribute("data-o" + n);
	if (o === null) { o = e.getAttribute(n); e.setAttribute("data-o" + n, o); }
	return parseFloat(o);
}
function label(g) {
	var r = g.querySelector("rect"), t = g.querySelector("text"), w = parseFloat(r.getAttribute("width"));
	var name = fname(g), room = Math.floor((w - 6) / CHARW);
	if (!t) return;
	t.setAttribute("x", (parseFloat(r.getAttribute("x")) + 3).toFixed(1));
	if (w < 3 * CHARW + 6) t.textContent = "";
	else if (name.length <= room) t.textContent = name;
	else t.textContent = name.substring(0, room - 2) + "..";
}
function place(g, x, w) {
	var r = g.querySelector("rect"), t = g.querySelector("text");
	orig(r, "x"); orig(r, "width");
	if (t) { orig(t, "x"); t.setAttribute("data-otext", t.getAttribute("data-otext") || t.textContent); }
	r.setAttribute("x", x.toFixed(1));
	r.setAttribute("width", w.toFixed(1));
	label(g);
}
function zoom(g) {
	var r = g.querySelector("rect"), x0 = orig(r, "x"), w0 = orig(r, "width"), y0 = parseFloat(r.getAttribute("y"));
	var ratio = W / w0, tol = 0.15, all = frames.children, i;
	for (i = 0; i < all.length; i++) {
		var f = all[i], fr = f.querySelector("rect"), x = orig(fr, "x"), w = orig(fr, "width");
		var y = parseFloat(fr.getAttribute("y"));
		f.classList.remove("hide", "parent");
		if (y > y0 && x <= x0 + tol && x + w >= x0 + w0 - tol) {
			place(f, XPAD, W);          // a caller: across the whole width, dimmed
			f.classList.add("parent");
		} else if (y <= y0 && x >= x0 - tol && x + w <= x0 + w0 + tol) {
			place(f, XPAD + (x - x0) * ratio, w * ratio);
		} else {
			f.classList.add("hide");
		}
	}
	unzoombtn.classList.remove("hide");
	if (searching) search(searching);
}
function unzoom() {
	var all = frames.children, i;
	for (i = 0; i < all.length; i++) {
		var f = all[i], r = f.querySelector("rect"), t = f.querySelector("text");
		f.classList.remove("hide", "parent");
		if (r.getAttribute("data-ox") === null) continue;
		r.setAttribute("x", r.getAttribute("data-ox"));
		r.setAttribute("width", r.getAttribute("data-owidth"));
		if (t) { t.setAttribute("x", t.getAttribute("data-ox")); t.textContent = t.getAttribute("data-otext"); }
	}
	unzoombtn.classList.add("hide");
	if (searching) search(searching);
}
// Highlight the frames matching `term`; "Matched" gives the samples under any of them, each
// sample counted once (a match nested in a match adds nothing).
function search(term) {
	var re, all = frames.children, hits = [], i, total = 0, matched = 0, end = -1;
	try { re = new RegExp(term); } catch (e) { matchedtxt.textContent = "bad expression: " + e.message; return; }
	searching = term;
	for (i = 0; i < all.length; i++) {
		var f = all[i], r = f.querySelector("rect");
		if (r.getAttribute("data-ofill") === null) r.setAttribute("data-ofill", r.getAttribute("fill"));
		if (i === 0) total = fsamples(f);
		if (re.test(fname(f)) && i > 0) {
			r.setAttribute("fill", HL);
			f.classList.add("match");
			hits.push({ x: orig(r, "x"), y: parseFloat(r.getAttribute("y")), n: fsamples(f), w: orig(r, "width") });
		} else {
			r.setAttribute("fill", r.getAttribute("data-ofill"));
			f.classList.remove("match");
		}
	}
	// Callers (lower, larger y) first at one x: they cover what they call.
	hits.sort(function (a, b) { return a.x - b.x || b.y - a.y; });
	for (i = 0; i < hits.length; i++)
		if (hits[i].x >= end - 0.05) { matched += hits[i].n; end = hits[i].x + hits[i].w; }
	matchedtxt.textContent = "Matched: " + matched + " of " + total + " samples (" +
		(total ? (100 * matched / total).toFixed(1) : "0.0") + "%)";
	searchbtn.textContent = "Reset Search";
}
function reset_search() {
	var all = frames.children, i;
	for (i = 0; i < all.length; i++) {
		var r = all[i].querySelector("rect");
		if (r.getAttribute("data-ofill") !== null) r.setAttribute("fill", r.getAttribute("data-ofill"));
		all[i].classList.remove("match");
	}
	searching = false;
	matchedtxt.textContent = "";
	searchbtn.textContent = "Search";
}
function search_prompt() {
	if (searching) { reset_search(); return; }
	var term = prompt("Search for (a regular expression):", "");
	if (term) search(term);
}
function frame_of(e) {
	while (e && e !== frames && !(e.classList && e.classList.contains("f"))) e = e.parentNode;
	return e && e !== frames ? e : null;
}
frames.addEventListener("click", function (e) { var g = frame_of(e.target); if (g) zoom(g); });
frames.addEventListener("mouseover", function (e) { var g = frame_of(e.target); if (g) details.textContent = title(g); });
frames.addEventListener("mouseout", function () { details.textContent = " "; });
unzoombtn.addEventListener("click", unzoom);
searchbtn.addEventListener("click", search_prompt);
window.addEventListener("keydown", function (e) {
	if (e.keyCode === 114 || ((e.ctrlKey || e.metaKey) && e.keyCode === 70)) { e.preventDefault(); search_prompt(); }
	else if (e.keyCode === 27) { unzoom(); reset_search(); }
});
// Without scripts (an <img>, GitHub) the controls stay hidden: they would do nothing there.
searchbtn.classList.remove("hide");
details.classList.remove("hide");
(function () {
	var q = /[?&]s=([^&]*)/.exec(location.search);
	if (q) search(decodeURIComponent(q[1].replace(/[+]/g, " ")));
})();
