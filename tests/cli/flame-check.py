#!/usr/bin/env python3
# flame-check.py FLAME.svg REGEX CLICK LOOK PROFILE_DIR: open a flame graph (profile/flame.c) in
# headless Chromium (the Browser of browser-check.py, over DevTools) and report, one "key value" line each:
#   frames N                 the frames drawn (g.f)
#   labels_fit N BAD         labels that fit their frame's width (7 px a character, 3 px margins), and those that do not
#   width_before W           the width attribute of the first frame named LOOK
#   click NAME               a real mouse click (press, release) on the first frame named CLICK
#   width_zoomed W           LOOK's width after it; hidden N: the frames the zoom hid
#   zoomed_labels_fit N BAD  the labels after the zoom, as above
#   screenshot_changed yes|no  the picture before and after the click
#   width_reset W            LOOK's width after a click on "Reset Zoom"
#   prompt TEXT              the question a click on "Search" asked (answered with REGEX)
#   highlighted N            the frames filled with the highlight colour
#   matched TEXT             the "Matched: ..." line
# Used by tests/cli/t0743-flame-interactive.sh. Exit 0, or 1 with the reason on stderr.
import importlib.util
import json
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("browser_check", os.path.join(here, "browser-check.py"))
bc = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bc)


def main():
    svg, regex, click_name, look, profile = os.path.abspath(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
    os.makedirs(profile, exist_ok=True)
    b = bc.Browser(profile)
    try:
        target = b.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        s = b.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        b.send("Page.enable", session=s)
        b.send("Page.navigate", {"url": "file://" + svg}, session=s)
        b.wait_event("Page.loadEventFired")

        def js(expr):
            r = b.send("Runtime.evaluate", {"expression": expr, "returnByValue": True}, session=s)
            if "exceptionDetails" in r:
                bc.fail(f"{expr}: {r['exceptionDetails']}")
            return r["result"].get("value")

        def shot():
            return b.send("Page.captureScreenshot", {"format": "png"}, session=s)["data"]

        find = ("(function (name) { var gs = document.querySelectorAll('#frames g.f');"
                " for (var i = 0; i < gs.length; i++) { var t = gs[i].querySelector('title').textContent;"
                " if (t.substring(0, t.lastIndexOf(': ')) === name) return gs[i]; } return null; })")
        width = lambda name: js(f"{find}({json.dumps(name)}).querySelector('rect').getAttribute('width')")
        fits = ("(function () { var ok = 0, bad = 0, gs = document.querySelectorAll('#frames g.f:not(.hide)');"
                " for (var i = 0; i < gs.length; i++) { var w = parseFloat(gs[i].querySelector('rect').getAttribute('width'));"
                " var n = gs[i].querySelector('text').textContent.length;"
                " if (n === 0 || n * 7 <= w - 6 + 0.01) ok++; else bad++; } return ok + ' ' + bad; })()")

        def center(expr):
            box = js(f"(function () {{ var e = {expr}; if (!e) return null;"
                     " var r = e.getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2]; })()")
            if not box:
                bc.fail(f"nothing to click: {expr}")
            return box

        def click(x, y, dialog_answer=None):
            """A press and a release; a prompt it opens is answered with dialog_answer (returned: its message)."""
            asked = None
            for kind in ("mousePressed", "mouseReleased"):
                b.next_id += 1
                want = b.next_id
                msg = {"id": want, "method": "Input.dispatchMouseEvent", "sessionId": s,
                       "params": {"type": kind, "x": x, "y": y, "button": "left", "clickCount": 1}}
                os.write(b.cmd_w, json.dumps(msg).encode() + b"\0")
                while True:
                    m = b.recv()
                    if m.get("id") == want:
                        break
                    if m.get("method") == "Page.javascriptDialogOpening":
                        asked = m["params"].get("message")
                        b.next_id += 1
                        ans = {"id": b.next_id, "method": "Page.handleJavaScriptDialog", "sessionId": s,
                               "params": {"accept": dialog_answer is not None, "promptText": dialog_answer or ""}}
                        os.write(b.cmd_w, json.dumps(ans).encode() + b"\0")
            return asked

        print("frames", js("document.querySelectorAll('#frames g.f').length"))
        print("labels_fit", js(fits))
        print("width_before", width(look))
        before = shot()
        print("click", click_name)
        click(*center(f"{find}({json.dumps(click_name)}).querySelector('rect')"))
        print("width_zoomed", width(look))
        print("hidden", js("document.querySelectorAll('#frames g.f.hide').length"))
        print("zoomed_labels_fit", js(fits))
        print("screenshot_changed", "yes" if shot() != before else "no")
        click(*center("document.getElementById('unzoom')"))
        print("width_reset", width(look))
        print("prompt", click(*center("document.getElementById('search')"), regex))
        print("highlighted", js("document.querySelectorAll('#frames rect[fill=\"rgb(230,0,230)\"]').length"))
        print("matched", js("document.getElementById('matched').textContent"))
    finally:
        b.close()


main()
