#!/usr/bin/env python3
# browser-check.py PAGE.html PROFILE_DIR: load a history page (nightly/site.c) in headless Chromium
# through its DevTools protocol (--remote-debugging-pipe) and report, one "key value" line each:
#   screenshot W H NONWHITE RED   the page's pixels: not white, and of the plots' red (#c92a2a)
#   points N / links N            the plot's points (.pt) and those linking to a report (.pt.rep)
#   row HASH ID                   the URL's fragment and the :target after a click on a point without a report
#   tooltip TEXT                  #tip after the mouse moved onto the first linked point (" | " for newlines)
#   navigated URL MIME            where a real click (press and release) on that point went
#   opened LINE                   the first line of the document then shown
# Used by tests/cli/t0806-history-site-browser.sh. Exit 0, or 1 with the reason on stderr.
import base64
import json
import os
import select
import signal
import subprocess
import sys
import time
import zlib

DEADLINE = time.monotonic() + 120  # a bound for a wedged browser on a loaded machine, not a timing


def fail(msg):
    print("browser-check: " + msg, file=sys.stderr)
    sys.exit(1)


def png_pixels(data):
    """(width, height, rows of RGB(A) bytes) of an 8-bit RGB or RGBA PNG."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        fail("the screenshot is not a PNG")
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        n = int.from_bytes(data[pos:pos + 4], "big")
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + n]
        pos += 12 + n
        if kind == b"IHDR":
            width, height = int.from_bytes(body[0:4], "big"), int.from_bytes(body[4:8], "big")
            depth, colour = body[8], body[9]
            if depth != 8 or colour not in (2, 6):
                fail(f"unexpected PNG format (depth {depth}, colour type {colour})")
            bpp = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
    raw, stride, rows, prev = zlib.decompress(idat), width * bpp, [], bytearray(width * bpp)
    for y in range(height):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(line)
        prev = line
    return width, height, bpp, rows


class Browser:
    def __init__(self, profile):
        cmd_r, self.cmd_w = os.pipe()
        self.res_r, res_w = os.pipe()

        def child():
            # Chromium reads commands on fd 3 and answers on fd 4.
            a, b = os.dup(cmd_r), os.dup(res_w)
            os.dup2(a, 3)
            os.dup2(b, 4)

        args = ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                "--remote-debugging-pipe", "--no-first-run", "--user-data-dir=" + profile,
                "--window-size=1000,900", "about:blank"]
        self.proc = subprocess.Popen(args, close_fds=False, preexec_fn=child, start_new_session=True,
                                     stdout=subprocess.DEVNULL,
                                     stderr=open(os.path.join(profile, "chromium.log"), "w"))
        os.close(cmd_r)
        os.close(res_w)
        self.buf, self.next_id, self.events = b"", 0, []

    def recv(self):
        while b"\0" not in self.buf:
            left = DEADLINE - time.monotonic()
            if left <= 0 or not select.select([self.res_r], [], [], left)[0]:
                fail("no answer from chromium within the test's bound")
            data = os.read(self.res_r, 1 << 16)
            if not data:
                fail("chromium closed its DevTools pipe (see chromium.log in the profile)")
            self.buf += data
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def send(self, method, params=None, session=None):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.cmd_w, json.dumps(msg).encode() + b"\0")
        while True:
            m = self.recv()
            if m.get("id") == self.next_id:
                if "error" in m:
                    fail(f"{method}: {m['error']}")
                return m["result"]
            self.events.append(m)

    def wait_event(self, method):
        while True:
            for i, e in enumerate(self.events):
                if e.get("method") == method:
                    return self.events.pop(i)["params"]
            self.events.append(self.recv())

    def close(self):
        try:
            self.send("Browser.close")
            self.proc.wait(timeout=30)
        except Exception:
            pass
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


def main():
    page, profile = os.path.abspath(sys.argv[1]), sys.argv[2]
    os.makedirs(profile, exist_ok=True)
    b = Browser(profile)
    try:
        target = b.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        s = b.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        b.send("Page.enable", session=s)
        b.send("Page.navigate", {"url": "file://" + page}, session=s)
        b.wait_event("Page.loadEventFired")

        def js(expr):
            r = b.send("Runtime.evaluate", {"expression": expr, "returnByValue": True}, session=s)
            if "exceptionDetails" in r:
                fail(f"{expr}: {r['exceptionDetails']}")
            return r["result"].get("value")

        shot = base64.b64decode(b.send("Page.captureScreenshot", {"format": "png"}, session=s)["data"])
        w, h, bpp, rows = png_pixels(shot)
        nonwhite = red = 0
        for line in rows:
            for x in range(0, w * bpp, bpp):
                r, g, bl = line[x], line[x + 1], line[x + 2]
                nonwhite += r < 240 or g < 240 or bl < 240
                red += r > 150 and g < 100 and bl < 100
        print(f"screenshot {w} {h} {nonwhite} {red}")
        print("points", js("document.querySelectorAll('.pt').length"))
        print("links", js("document.querySelectorAll('a > .pt.rep').length"))
        def click(x, y):
            for kind in ("mousePressed", "mouseReleased"):
                b.send("Input.dispatchMouseEvent", {"type": kind, "x": x, "y": y, "button": "left",
                                                    "clickCount": 1}, session=s)

        # A point without a report: a click marks its row in the table (the URL's fragment).
        box = js("(function () { var c = document.querySelector('.pt:not(.rep) circle:last-child');"
                 " if (!c) return null; c.scrollIntoView({block: 'center'});"
                 " var r = c.getBoundingClientRect();"
                 " return [r.left + r.width / 2, r.top + r.height / 2]; })()")
        if box:
            click(*box)
            print("row", js("location.hash + ' ' + (document.querySelector(':target') || {}).id"))
        # The visible dot of the first linked point, brought into view: where a person would click.
        box = js("(function () { var c = document.querySelector('.pt.rep circle:last-child');"
                 " if (!c) return null; c.scrollIntoView({block: 'center'});"
                 " var r = c.getBoundingClientRect();"
                 " return [r.left + r.width / 2, r.top + r.height / 2]; })()")
        if not box:
            fail("no point links to a report")
        x, y = box
        b.send("Input.dispatchMouseEvent", {"type": "mouseMoved", "x": x, "y": y}, session=s)
        tip = js("(function () { var t = document.getElementById('tip');"
                 " return t && !t.hidden ? t.textContent : '(hidden)'; })()")
        print("tooltip", tip.replace("\n", " | "))
        b.events.clear()  # the page's own load is done: what follows is the click's
        click(x, y)
        nav = b.wait_event("Page.frameNavigated")["frame"]
        print("navigated", nav["url"], nav.get("mimeType", "?"))
        b.wait_event("Page.loadEventFired")
        print("opened", js("document.body.innerText.split('\\n')[0]"))
    finally:
        b.close()


if __name__ == "__main__":  # flame-check.py imports Browser and png_pixels
    main()
