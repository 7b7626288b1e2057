//! A small W3C WebDriver client (classic protocol, JSON over HTTP) and the tauri-driver process
//! it talks to: enough to drive the real Sene window under Xvfb and take screenshots. The
//! real-window tests share one binary and its threads: a [`Driver`] holds [`WINDOW`] while it
//! lives, so one window runs at a time.

use std::io::Read;
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// How long to wait for something to appear on screen.
pub const PATIENCE: Duration = Duration::from_secs(30);

/// Held by the [`Driver`] of the one window running (a test that failed with it still lets the
/// next one take it).
static WINDOW: Mutex<()> = Mutex::new(());

/// `tauri-driver` running on two free ports; stopped with SIGTERM on drop (a killed driver
/// leaves WebKitWebDriver holding its port). No other test's driver runs while it lives.
pub struct Driver {
    child: Child,
    pub port: u16,
    /// Released once the driver is stopped (fields drop after [`Drop::drop`]).
    _window: MutexGuard<'static, ()>,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// Finds tauri-driver on the PATH or in cargo's bin folder.
pub fn tauri_driver() -> PathBuf {
    if let Some(p) = std::env::var_os("TAURI_DRIVER") {
        return PathBuf::from(p);
    }
    let mut dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    if let Some(home) = std::env::var_os("CARGO_HOME") {
        dirs.push(PathBuf::from(home).join("bin"));
    }
    if let Some(home) = std::env::var_os("HOME") {
        dirs.push(PathBuf::from(home).join(".cargo/bin"));
    }
    dirs.into_iter()
        .map(|d| d.join("tauri-driver"))
        .find(|p| p.is_file())
        .expect("tauri-driver not found: scripts/test.sh installs it (cargo install tauri-driver --locked)")
}

impl Driver {
    /// Starts tauri-driver with the given environment for the app it will launch, and waits
    /// until it answers; first waits until no other test's driver runs. The commands its app
    /// invokes are noted under the name of the calling test module (its file's name).
    #[track_caller]
    pub fn start(env: &[(&str, &Path)], extra: &[(&str, &str)]) -> Driver {
        let module = Path::new(std::panic::Location::caller().file())
            .file_stem()
            .map(|m| m.to_string_lossy().into_owned())
            .unwrap_or_default();
        assert!(
            std::env::var_os("DISPLAY").is_some(),
            "no DISPLAY: run the end-to-end tests under Xvfb (scripts/test.sh does: xvfb-run -a)"
        );
        let window = WINDOW.lock().unwrap_or_else(PoisonError::into_inner);
        let port = free_port();
        let native = free_port();
        let mut cmd = Command::new(tauri_driver());
        cmd.args([
            "--port",
            &port.to_string(),
            "--native-port",
            &native.to_string(),
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
        // every command the app runs is noted for tests/window_coverage.rs, in
        // <target>/command-log/<this test binary>.<test module>.<pid>.log (the binary:
        // <target>/debug/deps/…)
        if let Ok(exe) = std::env::current_exe() {
            let log = format!(
                "{}.{module}.{}.log",
                exe.file_name().unwrap_or_default().to_string_lossy(),
                std::process::id()
            );
            cmd.env(
                "SENE_COMMAND_LOG",
                exe.ancestors()
                    .nth(3)
                    .unwrap_or(Path::new("."))
                    .join("command-log")
                    .join(log),
            );
        }
        for (k, v) in env {
            cmd.env(k, v);
        }
        for (k, v) in extra {
            cmd.env(k, v);
        }
        let child = cmd.spawn().expect("start tauri-driver");
        let d = Driver {
            child,
            port,
            _window: window,
        };
        let start = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "tauri-driver did not open port {port}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        d
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(5) {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The union office on the demo union, in a new store in `store_dir`, on 15 January 2027 at
/// 09:00 UTC: the app started, its first account made (« Bureau », passphrase `passphrase`),
/// the demo loaded (its device is the secretariat's). Screenshots go to `shots`, emptied first.
#[track_caller]
pub fn demo_office(store_dir: &Path, shots: &Path, passphrase: &str) -> (Driver, Window) {
    let _ = std::fs::remove_dir_all(shots);
    let store = store_dir.join("sene.sqlite");
    let driver = Driver::start(
        &[("SENE_STORE", store.as_path())],
        &[("SENE_CLOCK", "2027-01-15T09:00:00Z")],
    );
    let app = PathBuf::from(env!("CARGO_BIN_EXE_sene-desktop"));
    let w = Window::open(&driver, &app, shots, 1);
    w.first_start("Bureau", passphrase);
    w.click_on("#demo-load");
    w.wait("#nav-dashboard");
    (driver, w)
}

/// One WebDriver session: the app's window.
pub struct Window {
    base: String,
    agent: ureq::Agent,
    shots: PathBuf,
    shot_no: u32,
}

/// An element on the page.
#[derive(Clone, Debug)]
pub struct El(String);

impl Window {
    /// Opens the app (the binary at `app`) through the driver.
    pub fn open(driver: &Driver, app: &Path, shots: &Path, first_shot: u32) -> Window {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(120)))
            .http_status_as_error(false)
            .build()
            .into();
        let root = format!("http://127.0.0.1:{}", driver.port);
        let caps = json!({
            "capabilities": {
                "alwaysMatch": {
                    "browserName": "wry",
                    "tauri:options": { "application": app.display().to_string() }
                }
            }
        });
        // the driver may answer on its port a moment before it accepts sessions
        let start = Instant::now();
        let id = loop {
            let v = try_post(&agent, &format!("{root}/session"), &caps);
            match v
                .as_ref()
                .ok()
                .and_then(|v| v["value"]["sessionId"].as_str())
            {
                Some(id) => break id.to_owned(),
                None if start.elapsed() < Duration::from_secs(20) => {
                    std::thread::sleep(Duration::from_millis(300));
                }
                None => panic!("no WebDriver session: {v:?}"),
            }
        };
        std::fs::create_dir_all(shots).expect("screenshot folder");
        Window {
            base: format!("{root}/session/{id}"),
            agent,
            shots: shots.to_path_buf(),
            shot_no: first_shot,
        }
    }

    fn post(&self, path: &str, body: &Value) -> Value {
        let v = post(&self.agent, &format!("{}{path}", self.base), body);
        if let Some(err) = v["value"]["error"].as_str() {
            panic!("WebDriver {path}: {err}: {}", v["value"]["message"]);
        }
        v["value"].clone()
    }

    fn try_post(&self, path: &str, body: &Value) -> Result<Value, String> {
        let v = post(&self.agent, &format!("{}{path}", self.base), body);
        match v["value"]["error"].as_str() {
            Some(e) => Err(format!("{e}: {}", v["value"]["message"])),
            None => Ok(v["value"].clone()),
        }
    }

    fn get(&self, path: &str) -> Value {
        let mut resp = self
            .agent
            .get(format!("{}{path}", self.base))
            .call()
            .expect("WebDriver GET");
        let text = resp.body_mut().read_to_string().expect("WebDriver body");
        let v: Value = serde_json::from_str(&text).expect("WebDriver JSON");
        if let Some(err) = v["value"]["error"].as_str() {
            panic!("WebDriver GET {path}: {err}: {}", v["value"]["message"]);
        }
        v["value"].clone()
    }

    /// Resizes the window so its page (the viewport) is `width` × `height` CSS pixels (the
    /// window's frame, if any, added), and waits until the page has that size.
    pub fn resize_page(&self, width: u32, height: u32) {
        let inner = |w: &Window| {
            let v = w.script("return [window.innerWidth, window.innerHeight]", &[]);
            (
                v[0].as_i64().unwrap_or_default(),
                v[1].as_i64().unwrap_or_default(),
            )
        };
        let (mut ow, mut oh) = (i64::from(width), i64::from(height));
        for _ in 0..3 {
            self.post("/window/rect", &json!({ "width": ow, "height": oh }));
            let start = Instant::now();
            let mut got = inner(self);
            while got != (i64::from(width), i64::from(height))
                && start.elapsed() < Duration::from_secs(3)
            {
                std::thread::sleep(Duration::from_millis(100));
                got = inner(self);
            }
            if got == (i64::from(width), i64::from(height)) {
                return;
            }
            // a frame around the page: grow the window by what is missing
            ow += i64::from(width) - got.0;
            oh += i64::from(height) - got.1;
        }
        panic!(
            "the page is not {width}×{height} after resizing: {:?}",
            inner(self)
        );
    }

    /// Runs a script in the page and returns its value.
    pub fn script(&self, script: &str, args: &[Value]) -> Value {
        self.post("/execute/sync", &json!({ "script": script, "args": args }))
    }

    /// Runs an async script (its last argument is the callback).
    pub fn script_async(&self, script: &str, args: &[Value]) -> Value {
        self.post("/execute/async", &json!({ "script": script, "args": args }))
    }

    /// Calls one of the app's own commands through the page's IPC (to read ids for the test).
    pub fn invoke(&self, cmd: &str, req: Option<Value>) -> Value {
        match self.try_invoke(cmd, req) {
            Ok(v) => v,
            Err(e) => panic!("{cmd}: {e}"),
        }
    }

    /// A command's answer, or the error it gave.
    pub fn try_invoke(&self, cmd: &str, req: Option<Value>) -> Result<Value, Value> {
        let v = self.script_async(
            "const done = arguments[arguments.length - 1];
             const args = arguments[1] === null ? {} : { req: arguments[1] };
             window.__TAURI_INTERNALS__.invoke(arguments[0], args)
               .then(v => done({ ok: v }), e => done({ err: e }));",
            &[json!(cmd), req.unwrap_or(Value::Null)],
        );
        if v["err"].is_null() {
            Ok(v["ok"].clone())
        } else {
            Err(v["err"].clone())
        }
    }

    /// The first element matching `css`, if any.
    pub fn find(&self, css: &str) -> Option<El> {
        self.try_post(
            "/element",
            &json!({ "using": "css selector", "value": css }),
        )
        .ok()
        .and_then(|v| v[ELEMENT].as_str().map(|s| El(s.to_owned())))
    }

    /// Every element matching `css`.
    pub fn find_all(&self, css: &str) -> Vec<El> {
        self.try_post(
            "/elements",
            &json!({ "using": "css selector", "value": css }),
        )
        .ok()
        .and_then(|v| {
            v.as_array().map(|a| {
                a.iter()
                    .filter_map(|e| e[ELEMENT].as_str().map(|s| El(s.to_owned())))
                    .collect()
            })
        })
        .unwrap_or_default()
    }

    /// Waits for a displayed element matching `css`.
    pub fn wait(&self, css: &str) -> El {
        let start = Instant::now();
        loop {
            if let Some(e) = self.find(css) {
                if self.displayed(&e) {
                    return e;
                }
            }
            if start.elapsed() > PATIENCE {
                let body = self.body_text();
                panic!("nothing matches {css} after {PATIENCE:?}; the page says:\n{body}");
            }
            std::thread::sleep(Duration::from_millis(150));
        }
    }

    /// Waits until an element matching `css` contains `text`.
    pub fn wait_text(&self, css: &str, text: &str) -> El {
        let start = Instant::now();
        loop {
            for e in self.find_all(css) {
                // the element may be redrawn between finding it and reading it: look again
                if self.try_text(&e).is_some_and(|t| t.contains(text)) {
                    return e;
                }
            }
            if start.elapsed() > PATIENCE {
                let body = self.body_text();
                panic!("no {css} shows \"{text}\" after {PATIENCE:?}; the page says:\n{body}");
            }
            std::thread::sleep(Duration::from_millis(150));
        }
    }

    /// Waits until nothing matches `css` (or it is hidden).
    pub fn wait_gone(&self, css: &str) {
        let start = Instant::now();
        while let Some(e) = self.find(css) {
            if !self.displayed(&e) {
                return;
            }
            assert!(start.elapsed() < PATIENCE, "{css} still shown");
            std::thread::sleep(Duration::from_millis(150));
        }
    }

    fn displayed(&self, e: &El) -> bool {
        self.try_post("/execute/sync", &json!({
            "script": "const r = arguments[0].getBoundingClientRect(); const s = getComputedStyle(arguments[0]); return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none';",
            "args": [{ ELEMENT: e.0 }]
        }))
        .map(|v| v.as_bool().unwrap_or(false))
        .unwrap_or(false)
    }

    /// The visible text of the page.
    pub fn body_text(&self) -> String {
        self.try_post(
            "/execute/sync",
            &json!({ "script": "return document.body ? document.body.innerText : ''", "args": [] }),
        )
        .map(|v| v.as_str().unwrap_or_default().to_owned())
        .unwrap_or_default()
    }

    /// An element's text, or None when it is gone from the page.
    pub fn try_text(&self, e: &El) -> Option<String> {
        let mut resp = self
            .agent
            .get(format!("{}/element/{}/text", self.base, e.0))
            .call()
            .ok()?;
        let v: Value = serde_json::from_str(&resp.body_mut().read_to_string().ok()?).ok()?;
        v["value"].as_str().map(str::to_owned)
    }

    /// An element's text.
    pub fn text(&self, e: &El) -> String {
        self.get(&format!("/element/{}/text", e.0))
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// Clicks an element.
    pub fn click(&self, e: &El) {
        self.post(&format!("/element/{}/click", e.0), &json!({}));
    }

    /// Waits for `css` and clicks it.
    pub fn click_on(&self, css: &str) {
        let e = self.wait(css);
        self.click(&e);
    }

    /// Clears a field and types into it, as a person would.
    pub fn type_into(&self, css: &str, text: &str) {
        let e = self.wait(css);
        self.post(&format!("/element/{}/clear", e.0), &json!({}));
        self.post(&format!("/element/{}/value", e.0), &json!({ "text": text }));
    }

    /// First start on a new store: the first account and its passphrase, then the recovery
    /// key, noted. Returns the key as the window showed it.
    pub fn first_start(&self, label: &str, passphrase: &str) -> String {
        self.wait("#gate #vault-create");
        self.type_into("#vault-label", label);
        self.type_into("#vault-passphrase", passphrase);
        self.type_into("#vault-confirm", passphrase);
        self.click_on("#vault-create");
        let key = self.text(&self.wait("#recovery-key")).trim().to_owned();
        self.click_on("#recovery-noted");
        self.click_on("#recovery-continue");
        self.wait_gone("#gate");
        key
    }

    /// Signs in on the gate with the preselected account.
    pub fn sign_in(&self, passphrase: &str) {
        self.wait("#gate #signin-submit");
        self.type_into("#signin-passphrase", passphrase);
        self.click_on("#signin-submit");
        self.wait_gone("#gate");
    }

    /// Signs in on the gate as one account (by its id).
    pub fn sign_in_as(&self, account: &str, passphrase: &str) {
        self.wait("#gate #signin-submit");
        self.select("#signin-account", account);
        self.type_into("#signin-passphrase", passphrase);
        self.click_on("#signin-submit");
        self.wait_gone("#gate");
    }

    /// The id of the device's account bound to `agent_id` (asked of the gate).
    pub fn account_of(&self, agent_id: &str) -> String {
        let v = self.invoke("vault_status", None);
        v["accounts"]
            .as_array()
            .and_then(|a| a.iter().find(|x| x["agent_id"] == agent_id))
            .and_then(|x| x["id"].as_str())
            .unwrap_or_else(|| panic!("no account for agent {agent_id}: {v}"))
            .to_owned()
    }

    /// The second person of a four-eyes action at this desk: the union's other secretariat
    /// agent gets an account on this device (Appareil screen), then the window is locked and
    /// signed in with it. Returns the name of the agent signed in before.
    pub fn sign_in_as_second_secretary(&self, passphrase: &str) -> String {
        let me = self.invoke("app_status", None)["agent_name"].clone();
        let agents = self.invoke("list_agents", None);
        let other = agents
            .as_array()
            .and_then(|a| {
                a.iter()
                    .find(|x| x["role"] == "secretariat" && x["name"] != me)
            })
            .and_then(|x| x["id"].as_str())
            .unwrap_or_else(|| panic!("a second secretariat agent: {agents}"))
            .to_owned();
        self.click_on("#nav-device");
        self.select("#account-agent", &other);
        self.type_into("#account-passphrase", passphrase);
        self.type_into("#account-confirm", passphrase);
        let before = self.find_all("[data-account]").len();
        self.click_on("#account-add");
        let start = Instant::now();
        while self.find_all("[data-account]").len() <= before {
            assert!(start.elapsed() < PATIENCE, "the account is not listed");
            std::thread::sleep(Duration::from_millis(150));
        }
        self.click_on("#lock-now");
        self.sign_in_as(&self.account_of(&other), passphrase);
        me.as_str().unwrap_or_default().to_owned()
    }

    /// The full path of the file ending with `ext` in an export's list (each item carries its
    /// path in its title), once the list shows one.
    pub fn listed_file(&self, list: &str, ext: &str) -> String {
        self.wait_text(list, ext);
        let files = self.script(
            &format!("return [...document.querySelectorAll('{list} li')].map(li => li.title)"),
            &[],
        );
        files
            .as_array()
            .expect("files")
            .iter()
            .filter_map(Value::as_str)
            .find(|f| f.ends_with(ext))
            .unwrap_or_else(|| panic!("no {ext} file listed in {list}: {files}"))
            .to_owned()
    }

    /// Chooses an option of a `<select>` by value, once the option is there (a screen fills its
    /// lists after it shows: CI once looked before the agents had loaded).
    pub fn select(&self, css: &str, value: &str) {
        let start = Instant::now();
        loop {
            let e = self.wait(css);
            let ok = self.script(
                "const s = arguments[0]; const v = arguments[1];
                 if (![...s.options].some(o => o.value === v)) return false;
                 s.value = v; s.dispatchEvent(new Event('input', {bubbles: true}));
                 s.dispatchEvent(new Event('change', {bubbles: true})); return true;",
                &[json!({ ELEMENT: e.0 }), json!(value)],
            );
            if ok == json!(true) {
                return;
            }
            assert!(
                start.elapsed() < PATIENCE,
                "{css} has no option {value}: {:?}",
                self.options(css)
            );
            std::thread::sleep(Duration::from_millis(150));
        }
    }

    /// The values of a `<select>`'s options.
    pub fn options(&self, css: &str) -> Vec<String> {
        let e = self.wait(css);
        self.script(
            "return [...arguments[0].options].map(o => o.value)",
            &[json!({ ELEMENT: e.0 })],
        )
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
    }

    /// Saves a screenshot of the window, after two animation frames so it shows what was just
    /// drawn; returns its path.
    pub fn shot(&mut self, name: &str) -> PathBuf {
        self.script_async(
            "const done = arguments[0]; requestAnimationFrame(() => requestAnimationFrame(() => done(true)));",
            &[],
        );
        let b64 = self.get("/screenshot");
        let bytes = base64_decode(b64.as_str().unwrap_or_default());
        assert!(bytes.starts_with(b"\x89PNG"), "screenshot is not a PNG");
        let path = self.shots.join(format!("{:02}-{name}.png", self.shot_no));
        self.shot_no += 1;
        std::fs::write(&path, bytes).expect("write screenshot");
        path
    }

    /// Saves a screenshot of the whole X screen (`import -window root`, ImageMagick): what the
    /// window's own screenshot cannot show, such as a system dialog over it.
    pub fn screen_shot(&mut self, name: &str) -> PathBuf {
        let path = self.shots.join(format!("{:02}-{name}.png", self.shot_no));
        self.shot_no += 1;
        let ok = std::process::Command::new("import")
            .args(["-window", "root"])
            .arg(&path)
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "import -window root {} failed", path.display());
        path
    }

    /// The number the next screenshot will carry.
    pub fn next_shot(&self) -> u32 {
        self.shot_no
    }

    /// Ends the session (the app closes).
    pub fn close(self) {
        let _ = self.agent.delete(&self.base).call();
    }
}

fn try_post(agent: &ureq::Agent, url: &str, body: &Value) -> Result<Value, String> {
    let mut resp = agent
        .post(url)
        .header("content-type", "application/json")
        .send(serde_json::to_vec(body).expect("json").as_slice())
        .map_err(|e| format!("WebDriver POST {url}: {e}"))?;
    let mut text = String::new();
    resp.body_mut()
        .as_reader()
        .read_to_string(&mut text)
        .map_err(|e| format!("WebDriver body: {e}"))?;
    serde_json::from_str(&text).map_err(|e| format!("WebDriver {url}: {e}: {text}"))
}

fn post(agent: &ureq::Agent, url: &str, body: &Value) -> Value {
    try_post(agent, url, body).unwrap_or_else(|e| panic!("{e}"))
}

fn base64_decode(s: &str) -> Vec<u8> {
    fn val(c: u8) -> Option<u32> {
        match c {
            b'A'..=b'Z' => Some(u32::from(c - b'A')),
            b'a'..=b'z' => Some(u32::from(c - b'a') + 26),
            b'0'..=b'9' => Some(u32::from(c - b'0') + 52),
            b'+' => Some(62),
            b'/' => Some(63),
            _ => None,
        }
    }
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for v in s.bytes().filter_map(val) {
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(u8::try_from((acc >> bits) & 0xff).unwrap_or(0));
        }
    }
    out
}
