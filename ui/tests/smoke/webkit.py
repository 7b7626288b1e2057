# The built UI in WebKitGTK (the engine of the Linux desktop app), driven by WebKitWebDriver
# through MiniBrowser, with the IPC test double: focus trap, inert background, Escape,
# focus return, Enter to submit, Alt+number; then the gate (the desktop's __SENE_VAULT__ at
# start-up, first passphrase, recovery key, lock, sign-in). No Rust build needed.
#   xvfb-run -a -s "-screen 0 1366x768x24" python3 tests/smoke/webkit.py
# Needs: webkit2gtk-driver (WebKitWebDriver), libwebkit2gtk-4.1 (MiniBrowser), xvfb.
import json, os, subprocess, time, urllib.request, base64, threading, http.server, functools
HERE = os.path.dirname(os.path.abspath(__file__))
DIST = os.path.join(HERE, '..', '..', 'dist'); FAKE = os.path.join(HERE, 'fake-ipc.js')
SHOTS = os.environ.get('SHOTS', os.path.join(HERE, 'shots')); os.makedirs(SHOTS, exist_ok=True)
MINIBROWSER = os.environ.get('MINIBROWSER', '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser')
class H(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a): pass
    def do_GET(self):
        if self.path == '/__fake.js':
            body = open(FAKE, 'rb').read(); ctype = 'text/javascript'
        elif self.path.startswith('/?vault='):
            # as the desktop starts: the lock's state injected before the page runs
            state = self.path.split('=', 1)[1]
            boot = json.dumps({'state': state, 'accounts': [], 'store_path': '/home/awa/.local/share/sene/sene.sqlite', 'problem': None})
            html = open(DIST + '/index.html').read()
            html = html.replace('<head>', f"<head><script>window.__FAKE_VAULT__='{state}';window.__SENE_VAULT__={boot}</script><script src=\"/__fake.js\"></script>", 1)
            body = html.encode(); ctype = 'text/html'
        elif self.path in ('/', '/index.html'):
            html = open(DIST + '/index.html').read()
            html = html.replace('<head>', '<head><script>window.__FAKE_INIT__=true</script><script src="/__fake.js"></script>', 1)
            body = html.encode(); ctype = 'text/html'
        else:
            return super().do_GET()
        self.send_response(200); self.send_header('content-type', ctype); self.end_headers(); self.wfile.write(body)
srv = http.server.ThreadingHTTPServer(('127.0.0.1', 0), functools.partial(H, directory=DIST))
threading.Thread(target=srv.serve_forever, daemon=True).start()
URL = f'http://127.0.0.1:{srv.server_address[1]}/'
BASE = 'http://127.0.0.1:4446'
def req(method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    r = urllib.request.Request(BASE + path, data=data, method=method, headers={'content-type': 'application/json'})
    with urllib.request.urlopen(r, timeout=60) as f:
        return json.loads(f.read())['value']
drv = subprocess.Popen(['WebKitWebDriver', '--port=4446'], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
ok = []
try:
    for _ in range(100):
        try: urllib.request.urlopen(BASE + '/status', timeout=1); break
        except Exception: time.sleep(0.1)
    caps = {'capabilities': {'alwaysMatch': {'browserName': 'MiniBrowser', 'webkitgtk:browserOptions': {'binary': MINIBROWSER, 'args': ['--automation']}}}}
    s = req('POST', '/session', caps)['sessionId']; P = f'/session/{s}'
    req('POST', P + '/window/rect', {'width': 1366, 'height': 768, 'x': 0, 'y': 0})
    req('POST', P + '/url', {'url': URL})
    def find(css): return list(req('POST', P + '/element', {'using': 'css selector', 'value': css}).values())[0]
    def wait(css, t=20):
        end = time.time() + t
        while time.time() < end:
            try: return find(css)
            except Exception: time.sleep(0.15)
        raise SystemExit('timeout ' + css)
    def js(script, args=[]): return req('POST', P + '/execute/sync', {'script': script, 'args': args})
    def click(css): req('POST', P + f'/element/{wait(css)}/click', {})
    def typ(css, text):
        e = wait(css); req('POST', P + f'/element/{e}/clear', {}); req('POST', P + f'/element/{e}/value', {'text': text})
    def keys(text): req('POST', P + '/actions', {'actions': [{'type': 'key', 'id': 'k', 'actions': sum([[{'type': 'keyDown', 'value': c}, {'type': 'keyUp', 'value': c}] for c in text], [])}]})
    def shot(name):
        js('return 1'); time.sleep(0.25)
        open(os.path.join(SHOTS, f'webkit-{name}.png'), 'wb').write(base64.b64decode(req('GET', P + '/screenshot')))
    def check(c, what): ok.append((c, what)); print('ok  ' if c else 'FAIL', what)
    wait('#nav-members'); 
    typ('#member-search', 'traore'); wait('.member-result'); click('.member-result')
    wait('#member-card .contract-row'); shot('m1-card')
    click('.contract-row[data-contract-id="k-a"] .contract-disburse')
    typ('#disb-amount', '100000'); keys('\ue007')
    wait('#confirm-dialog'); time.sleep(0.3)
    check(js("return document.activeElement && document.activeElement.id") == 'confirm-yes', 'focus on #confirm-yes')
    keys('\ue004\ue004\ue004\ue004\ue004')
    check(js("return !!document.activeElement.closest('#confirm-dialog')"), 'Tab stays in the dialog')
    check(js("return document.getElementById('shell').inert === true"), 'shell inert under the dialog')
    shot('m2-confirm')
    keys('\ue00c')
    time.sleep(0.3)
    check(js("return !document.getElementById('confirm-dialog')"), 'Escape closes')
    check(js("return document.activeElement && document.activeElement.id") == 'disb-amount', 'focus returns to the amount')
    click('#disb-submit'); wait('#confirm-dialog'); click('#confirm-yes'); wait('#receipt'); shot('m3-receipt')
    check(js("return document.getElementById('saved') !== null"), 'saved banner')
    # Alt+5 → collection
    req('POST', P + '/actions', {'actions': [{'type': 'key', 'id': 'k', 'actions': [{'type': 'keyDown', 'value': '\ue00a'}, {'type': 'keyDown', 'value': '5'}, {'type': 'keyUp', 'value': '5'}, {'type': 'keyUp', 'value': '\ue00a'}]}]})
    time.sleep(0.4)
    check(js("return !!document.getElementById('coll-coop')"), 'Alt+5 opens the collection sheet')
    # the gate, from a fresh store
    def text(css): return req('GET', P + f'/element/{wait(css)}/text')
    req('POST', P + '/url', {'url': URL + '?vault=new'})
    wait('#gate #vault-create'); shot('g1-new')
    check(js("return document.activeElement && document.activeElement.id") == 'vault-label', 'gate: focus on the sign-in name')
    typ('#vault-label', 'Awa'); typ('#vault-passphrase', 'court'); typ('#vault-confirm', 'court'); click('#vault-create')
    check('trop faible' in text('#vault-passphrase-err'), "gate: Rust's refusal on the passphrase field")
    typ('#vault-passphrase', 'mil et sorgho'); typ('#vault-confirm', 'mil et sorgho'); click('#vault-create')
    wait('#recovery-key'); shot('g2-recovery')
    check(text('#recovery-key') == 'ABCD-EFGH-JKMN-PQRS-TVWX-YZ23-4567-89AB-CDEF-GHJK-MNPQ-RSTV-WXYZ-2345', 'gate: the recovery key, exactly')
    check(js("return document.getElementById('recovery-continue').disabled") is True, 'gate: continue waits for the checkbox')
    click('#recovery-noted'); click('#recovery-continue')
    wait('#init-submit')
    check(js("return !document.getElementById('gate')") and text('#signed-in-as') == 'Awa', 'gate: gone, signed in as Awa')
    click('#lock-now'); wait('#gate #signin-submit'); time.sleep(0.3)
    check(js("return document.activeElement && document.activeElement.id") == 'signin-passphrase', 'sign-in: the only account chosen, focus on the passphrase')
    typ('#signin-passphrase', 'pas la bonne'); keys('\ue007')
    check('incorrecte' in text('#gate div.error'), 'sign-in: wrong passphrase said'); shot('g3-wrong')
    typ('#signin-passphrase', 'mil et sorgho'); click('#signin-submit')
    wait('#init-submit')
    req('DELETE', P)
finally:
    drv.terminate(); drv.wait(10); srv.shutdown()
failed = [w for c, w in ok if not c]
print(f'{len(failed)} FAILURES' if failed else 'ALL OK')
raise SystemExit(1 if failed else 0)
