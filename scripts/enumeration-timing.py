#!/usr/bin/env python3
"""Measures whether the reset and magic-link requests answer faster for unknown addresses.

Starts `portcullis serve --dev` (per-IP limits off) in a scratch folder, creates one user, then
sends interleaved requests for that address and for two without an account, and prints the
medians: the gap between the two unknown addresses is the noise floor the other gap is read
against. A measurement for people to read, never a test assertion.

Usage: python3 scripts/enumeration-timing.py [PORTCULLIS_BIN] [ROUNDS]
"""

import http.cookiejar
import os
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def browser():
    jar = http.cookiejar.CookieJar()
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect())


def fetch(opener, url, data=None):
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    try:
        with opener.open(url, body) as r:
            return r.status, r.headers, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read().decode()


def field(html, name):
    m = re.search(r'name="%s" value="([^"]*)"' % name, html)
    return m.group(1) if m else ""


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else "target/release/portcullis"
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 100
    binary = os.path.abspath(binary)
    work = tempfile.mkdtemp()
    port = free_port()
    env = dict(os.environ, PORTCULLIS_LIMITS__LOGIN_PER_MINUTE="0", PORTCULLIS_LOG__LEVEL="warn")
    server = subprocess.Popen(
        [binary, "serve", "--dev", "--listen", f"127.0.0.1:{port}"],
        cwd=work, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    base = f"http://localhost:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/readyz")
                break
            except OSError:
                time.sleep(0.1)
        known = "timing@example.com"
        subprocess.run(
            [binary, "--dev", "user", "create", "--email", known, "--password-stdin"],
            cwd=work, input=secrets.token_urlsafe(24) + "\n", text=True,
            check=True, stdout=subprocess.DEVNULL,
        )
        b = browser()
        _, _, page = fetch(b, base + "/u/reset")
        csrf = field(page, "csrf")
        status, headers, page = fetch(
            b, base + "/authorize?response_type=code&client_id=portcullis-demo"
            "&redirect_uri=http%3A%2F%2Flocalhost%3A3000%2Fapi%2Fauth%2Fcallback%2Fportcullis"
            "&scope=openid&state=s")
        login = headers["Location"]
        _, _, page = fetch(b, base + login)
        state = field(page, "state")
        times = {}
        for endpoint, form in [
            ("/u/reset", {"csrf": csrf}),
            ("/u/login/magic", {"csrf": csrf, "state": state}),
        ]:
            samples = {"known": [], "unknown": [], "control": []}
            for i in range(rounds):
                # "control" is a second unknown address: its gap to "unknown" is the noise floor.
                for kind, email in (
                    ("known", known),
                    ("unknown", f"nobody{i}@example.com"),
                    ("control", f"nobody-else{i}@example.com"),
                ):
                    t = time.perf_counter()
                    status, _, _ = fetch(b, base + endpoint, dict(form, email=email))
                    samples[kind].append((time.perf_counter() - t) * 1000)
                    assert status == 200, (endpoint, status)
            times[endpoint] = samples
        print("| endpoint | known, median ms | unknown, median ms | known − unknown | control − unknown (noise) |")
        print("|---|---:|---:|---:|---:|")
        for endpoint, s in times.items():
            k, u, c = (statistics.median(s[x]) for x in ("known", "unknown", "control"))
            print(f"| `POST {endpoint}` | {k:.3f} | {u:.3f} | {k - u:+.3f} | {c - u:+.3f} |")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
