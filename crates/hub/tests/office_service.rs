//! The hub as an office service (issue 16): a real hub on loopback, no mocks.
//!
//! - Unauthenticated large bodies: the hub answers 401 without reading them, and its memory
//!   stays bounded (measured: the peak resident set of this process, which runs the hub).
//! - A second `serve` on the same store is refused with a clear message; once the first stops,
//!   the store can be served again.
//! - A device meeting a hub certificate it can never accept says so, and what to do.
#![allow(clippy::unwrap_used, clippy::too_many_lines)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use sene_app::org::*;
use sene_app::*;
use sene_domain::*;
use sene_hub::{client, enroll, ServeOptions};

/// The tests of this file run one at a time: one of them measures this process's memory.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Runs the test `name` in a process of its own (this test binary again, for that test
/// alone), where `body` runs: a measure of the process's memory must not count what other
/// tests allocated, nor be hidden by memory they freed.
fn alone(name: &str, body: impl FnOnce()) {
    const CHILD: &str = "SENE_OFFICE_SERVICE_ALONE";
    if std::env::var_os(CHILD).is_some() {
        body();
        return;
    }
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([name, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD, "1")
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    eprintln!("{stderr}");
    assert!(
        out.status.success() && stdout.contains("test result: ok. 1 passed"),
        "{name} in its own process:\n{stdout}\n{stderr}"
    );
}

/// A union with one cooperative and one field agent whose laptop is paired.
struct Office {
    store: PathBuf,
    coop: CooperativeId,
    agent: Actor,
    code: String,
}

fn office(dir: &Path) -> Office {
    let store = dir.join("hub.sqlite");
    let mut l = Ledger::open(&store).unwrap();
    let sec = l
        .init(&InitUnion {
            union_name: "Union de Ségou".into(),
            region: "Ségou".into(),
            agent_name: "Secrétariat".into(),
            device_label: "Bureau".into(),
            receipt_prefix: "U1".into(),
        })
        .unwrap();
    let (coop, agent) = l
        .run(&sec, |tx| {
            let coop = tx.add_cooperative(NewCooperative {
                id: None,
                code: "DIO".into(),
                name: "Dioro".into(),
                village: "Dioro".into(),
                commune: "Dioro".into(),
                cercle: "Ségou".into(),
                region: "Ségou".into(),
            })?;
            let ag = tx.add_agent(NewAgent {
                id: None,
                name: "Awa".into(),
                phone: None,
                role: Role::FieldAgent,
                cooperatives: vec![coop.id],
            })?;
            let dv = tx.add_device(NewDevice {
                id: None,
                label: "Portable Awa".into(),
                receipt_prefix: "A1".into(),
            })?;
            Ok((
                coop.id,
                Actor {
                    agent: ag.id,
                    device: dv.id,
                },
            ))
        })
        .unwrap();
    let code = enroll::pair(&mut l, agent.device, agent.agent, &[coop])
        .unwrap()
        .code;
    Office {
        store,
        coop,
        agent,
        code,
    }
}

/// A hub serving `opts` in its own thread and runtime, until `stop` is sent (or dropped); the
/// thread returns what `serve` returned (`Ok` when stopped).
struct Running {
    addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<Result<(), sene_hub::HubError>>>,
}

impl Running {
    /// Stops the hub (its `serve` future is dropped, as when the app's runtime goes).
    fn stop(mut self) -> Result<(), sene_hub::HubError> {
        drop(self.stop.take());
        self.thread.take().unwrap().join().unwrap()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Starts `serve`; `Err` when it stops before listening.
fn serve(opts: ServeOptions) -> Result<Running, sene_hub::HubError> {
    let (ready, listening) = tokio::sync::oneshot::channel();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let thread = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            tokio::select! {
                r = sene_hub::serve(opts, Some(ready)) => r,
                _ = stopped => Ok(()),
            }
        })
    });
    match listening.blocking_recv() {
        Ok(addr) => Ok(Running {
            addr,
            stop: Some(stop),
            thread: Some(thread),
        }),
        Err(_) => Err(thread
            .join()
            .unwrap()
            .expect_err("serve stopped before listening")),
    }
}

fn http(store: &Path) -> ServeOptions {
    ServeOptions {
        store: store.to_path_buf(),
        listen: "127.0.0.1:0".parse().unwrap(),
        tls: None,
        key: None,
        backups: None,
    }
}

fn member(tx: &Tx<'_, '_>, coop: CooperativeId, number: &str) -> Result<MemberId> {
    Ok(tx
        .register_member(
            sene_app::org::NewMember {
                id: None,
                cooperative_id: coop,
                number: number.into(),
                full_name: format!("Membre {number}"),
                sex: Sex::Female,
                birth_year: Some(1980),
                village: "Dioro".into(),
                phone: None,
                nina: None,
                crops: vec![],
            },
            true,
        )?
        .id)
}

/// A field from `/proc/self/status`, in KiB.
fn status_kib(field: &str) -> u64 {
    let text = std::fs::read_to_string("/proc/self/status").unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or_else(|| panic!("{field} in /proc/self/status"))
}

/// Posts `len` bytes (zeros, written 64 KiB at a time, never held whole) to `/v1/sync` with
/// the bearer token `token`, as a client that does not wait for `100 Continue`; reads the
/// answer while it writes. Returns the answer's status, and how many bytes of the body it
/// could write before the hub answered or closed.
fn post_large(addr: SocketAddr, token: &str, len: usize) -> (u16, usize) {
    let mut out = TcpStream::connect(addr).unwrap();
    let mut input = out.try_clone().unwrap();
    let reader = std::thread::spawn(move || {
        let mut got = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            match input.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
            // the status line and the headers are enough
            if got.windows(4).any(|w| w == b"\r\n\r\n") {
                break;
            }
        }
        let text = String::from_utf8_lossy(&got).into_owned();
        text.split(' ')
            .nth(1)
            .and_then(|s| s.parse::<u16>().ok())
            .unwrap_or_else(|| panic!("no HTTP answer: {text:?}"))
    });
    let head = format!(
        "POST /v1/sync HTTP/1.1\r\nhost: {addr}\r\nauthorization: Bearer {token}\r\nx-sene-session: 0123456789abcdef\r\ncontent-length: {len}\r\n\r\n"
    );
    out.write_all(head.as_bytes()).unwrap();
    let chunk = vec![0u8; 64 * 1024];
    let mut sent = 0;
    while sent < len && !reader.is_finished() {
        let n = chunk.len().min(len - sent);
        match out.write(&chunk[..n]) {
            Ok(w) => sent += w,
            Err(_) => break,
        }
    }
    (reader.join().unwrap(), sent)
}

#[test]
fn unauthenticated_large_bodies_are_refused_unread_and_memory_stays_bounded() {
    let _one = one_at_a_time();
    alone(
        "unauthenticated_large_bodies_are_refused_unread_and_memory_stays_bounded",
        unauthenticated_large_bodies,
    );
}

fn unauthenticated_large_bodies() {
    let dir = tempfile::tempdir().unwrap();
    let o = office(dir.path());
    let hub = serve(http(&o.store)).unwrap();
    let url = format!("http://{}", hub.addr);
    let mut a = Ledger::open(&dir.path().join("a.sqlite")).unwrap();
    client::enroll_with(&mut a, &url, o.agent.device, &o.code, None).unwrap();
    client::sync(&mut a, None, &mut |_| {}).unwrap();

    // the peak resident set from here on (writing 5 to clear_refs resets it, Linux >= 4.0)
    std::fs::write("/proc/self/clear_refs", "5").unwrap();
    let before = status_kib("VmHWM");
    const LEN: usize = 60_000_000;
    let posts: Vec<_> = (0..8)
        .map(|i| {
            let addr = hub.addr;
            std::thread::spawn(move || post_large(addr, &format!("faux-jeton-{i}"), LEN))
        })
        .collect();
    let answers: Vec<(u16, usize)> = posts.into_iter().map(|t| t.join().unwrap()).collect();
    let after = status_kib("VmHWM");
    let grown_mib = after.saturating_sub(before) / 1024;
    eprintln!(
        "peak RSS {} MiB before, {} MiB after eight unauthenticated 60 MB posts (+{grown_mib} MiB); bytes written before the answer: {:?}",
        before / 1024,
        after / 1024,
        answers.iter().map(|a| a.1).collect::<Vec<_>>()
    );
    for (status, _) in &answers {
        assert_eq!(*status, 401, "{answers:?}");
    }
    assert!(
        grown_mib < 64,
        "the hub's memory grew by {grown_mib} MiB for eight unauthenticated posts"
    );

    // a valid device still syncs afterwards
    let coop = o.coop;
    let m = a.run(&o.agent, |tx| member(tx, coop, "DIO-0001")).unwrap();
    let r = client::sync(&mut a, Some(&url), &mut |_| {}).unwrap();
    assert!(r.refused_by_hub.is_empty(), "{r:?}");
    assert!(Ledger::open(&o.store)
        .unwrap()
        .db()
        .member(m)
        .unwrap()
        .is_some());
    hub.stop().unwrap();
}

/// Posts `body` to `/v1/sync` as the device's client does for a large body: announcing it
/// (`Expect: 100-continue`) and sending it only if the hub says so.
fn post_announced(url: &str, token: &str, body: &[u8]) -> (u16, String) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_await_100(Some(std::time::Duration::from_secs(30)))
        .build()
        .into();
    let mut r = agent
        .post(format!("{url}/v1/sync"))
        .header("authorization", &format!("Bearer {token}"))
        .header("expect", "100-continue")
        .send(body)
        .unwrap();
    (
        r.status().as_u16(),
        r.body_mut().read_to_string().unwrap_or_default(),
    )
}

/// Announces a body of `len` bytes (`Expect: 100-continue`) to `/v1/sync` without sending
/// it, and reads the hub's first answer: its status (100 if the hub asks for the body) and
/// its text.
fn ask_first(addr: SocketAddr, token: &str, len: usize) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    let head = format!(
        "POST /v1/sync HTTP/1.1\r\nhost: {addr}\r\nauthorization: Bearer {token}\r\nexpect: 100-continue\r\ncontent-length: {len}\r\n\r\n"
    );
    s.write_all(head.as_bytes()).unwrap();
    let mut got = Vec::new();
    let mut byte = [0u8; 1];
    while !got.ends_with(b"\r\n\r\n") {
        assert_eq!(
            s.read(&mut byte).unwrap(),
            1,
            "the hub closed without answering"
        );
        got.push(byte[0]);
    }
    let head = String::from_utf8(got).unwrap();
    let status: u16 = head.split(' ').nth(1).unwrap().parse().unwrap();
    let length: usize = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse().ok())?
        })
        .unwrap_or(0);
    let mut text = vec![0u8; length];
    s.read_exact(&mut text).unwrap();
    (status, String::from_utf8_lossy(&text).into_owned())
}

#[test]
fn a_refused_device_announcing_a_large_body_hears_why_before_sending_it() {
    let _one = one_at_a_time();
    let dir = tempfile::tempdir().unwrap();
    let o = office(dir.path());
    let hub = serve(http(&o.store)).unwrap();
    let url = format!("http://{}", hub.addr);
    let mut a = Ledger::open(&dir.path().join("a.sqlite")).unwrap();
    client::enroll_with(&mut a, &url, o.agent.device, &o.code, None).unwrap();
    let token = a.setting(client::keys::HUB_TOKEN).unwrap().unwrap();
    const LEN: usize = 60_000_000;
    // the hub answers without asking for the body
    let (status, text) = ask_first(hub.addr, "faux-jeton", LEN);
    assert_eq!(status, 401, "{text}");
    assert!(text.contains("jeton inconnu"), "{text}");
    // above the limit: refused by its announced length, unread
    let (status, text) = ask_first(hub.addr, &token, sene_hub::MAX_BODY + 1);
    assert_eq!(status, 413, "{text}");
    assert!(text.contains("too_large"), "{text}");
    // a device it knows is asked for its body
    assert_eq!(ask_first(hub.addr, &token, LEN).0, 100);
    // revoked: the answer says so, and the device's client (which announces a large body)
    // hears it instead of a link cut mid-body
    let mut office = Ledger::open(&o.store).unwrap();
    assert!(enroll::revoke(&mut office, o.agent.device).unwrap());
    let (status, text) = ask_first(hub.addr, &token, LEN);
    assert_eq!(status, 401, "{text}");
    assert!(text.contains("révoqué"), "{text}");
    let (status, text) = post_announced(&url, &token, &vec![0u8; LEN]);
    assert_eq!(status, 401, "{text}");
    assert!(text.contains("révoqué"), "{text}");
    hub.stop().unwrap();
}

#[test]
fn authenticated_bodies_are_read_within_the_hubs_budget() {
    let _one = one_at_a_time();
    alone(
        "authenticated_bodies_are_read_within_the_hubs_budget",
        authenticated_large_bodies,
    );
}

fn authenticated_large_bodies() {
    let dir = tempfile::tempdir().unwrap();
    let o = office(dir.path());
    let hub = serve(http(&o.store)).unwrap();
    let url = format!("http://{}", hub.addr);
    let mut a = Ledger::open(&dir.path().join("a.sqlite")).unwrap();
    client::enroll_with(&mut a, &url, o.agent.device, &o.code, None).unwrap();
    let token = a.setting(client::keys::HUB_TOKEN).unwrap().unwrap();

    std::fs::write("/proc/self/clear_refs", "5").unwrap();
    let before = status_kib("VmHWM");
    const LEN: usize = 60_000_000;
    let posts: Vec<_> = (0..8)
        .map(|_| {
            let (addr, token) = (hub.addr, token.clone());
            std::thread::spawn(move || post_large(addr, &token, LEN))
        })
        .collect();
    let answers: Vec<(u16, usize)> = posts.into_iter().map(|t| t.join().unwrap()).collect();
    let after = status_kib("VmHWM");
    let grown_mib = after.saturating_sub(before) / 1024;
    eprintln!(
        "peak RSS {} MiB before, {} MiB after eight authenticated 60 MB posts (+{grown_mib} MiB); budget {} MiB",
        before / 1024,
        after / 1024,
        sene_hub::BODY_BUDGET >> 20
    );
    // read whole (they are not envelopes: 400), at most the budget's worth at a time
    for (status, sent) in &answers {
        assert_eq!((*status, *sent), (400, LEN), "{answers:?}");
    }
    // the bodies held at once stay within the budget; the process's peak may hold one more
    // body's worth: mimalloc gives a freed 60 MB body back to the system after a delay (its
    // `purge_delay`), and the next body admitted may be placed beside it meanwhile (measured
    // in release: +196–200 MiB for eight posts, +156–162 MiB for twenty-four; without the
    // budget, eight bodies at once would be over 450 MiB)
    let bound = ((sene_hub::BODY_BUDGET + sene_hub::MAX_BODY) >> 20) as u64 + 64;
    assert!(
        grown_mib < bound,
        "the hub's memory grew by {grown_mib} MiB for eight authenticated posts (bound {bound} MiB)"
    );
    hub.stop().unwrap();
}

#[test]
fn a_second_hub_on_the_same_store_is_refused_until_the_first_stops() {
    let _one = one_at_a_time();
    let dir = tempfile::tempdir().unwrap();
    let o = office(dir.path());
    let health = |addr: SocketAddr| {
        ureq::get(format!("http://{addr}/v1/health"))
            .call()
            .unwrap()
            .body_mut()
            .read_to_string()
            .unwrap()
    };
    let first = serve(http(&o.store)).unwrap();
    let Err(e) = serve(http(&o.store)) else {
        panic!("a second hub serves the same store")
    };
    let pid = std::process::id();
    assert!(
        matches!(&e, sene_hub::HubError::AlreadyServed { pid: Some(p), .. } if *p == pid),
        "{e:?}"
    );
    assert_eq!(e.code(), "already_served");
    assert!(
        e.message(Lang::Fr).starts_with(&format!(
            "le bureau sert déjà cette base (processus {pid}) : arrêtez-le d'abord"
        )),
        "{e}"
    );
    assert_eq!(e.to_string(), e.message(Lang::Fr));
    assert!(
        e.message(Lang::En).starts_with(&format!(
            "a hub already serves this store (process {pid}): stop it first"
        )),
        "{}",
        e.message(Lang::En)
    );
    // over HTTPS as well (the certificate is not even read)
    let mut tls = http(&o.store);
    tls.tls = Some((dir.path().join("none.pem"), dir.path().join("none.key")));
    assert!(matches!(
        serve(tls),
        Err(sene_hub::HubError::AlreadyServed { .. })
    ));
    // the first one still serves
    assert_eq!(health(first.addr), "ok");
    first.stop().unwrap();
    // once it stopped, the store can be served again
    let again = serve(http(&o.store)).unwrap();
    assert_eq!(health(again.addr), "ok");
    again.stop().unwrap();
}

/// A union's own certificate authority and hub certificates made with the `openssl` command:
/// `hub.pem` for 127.0.0.1, `other.pem` for another name, `old.pem` for 127.0.0.1 but expired;
/// all signed by `ca.pem`.
fn certificates(dir: &Path) {
    let run = |args: &[&str]| {
        let out = std::process::Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .output()
            .expect("openssl is installed by scripts/test.sh");
        assert!(
            out.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    let mut ca = vec!["req", "-x509"];
    ca.extend(ec);
    ca.extend([
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "30",
        "-subj",
        "/CN=Union test CA",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
    ]);
    run(&ca);
    for (name, san, days) in [
        ("hub", "IP:127.0.0.1,DNS:localhost", "30"),
        ("other", "DNS:bureau.example", "30"),
        // valid from now until yesterday: expired
        ("old", "IP:127.0.0.1,DNS:localhost", "-1"),
    ] {
        let (key, csr, pem, ext) = (
            format!("{name}.key"),
            format!("{name}.csr"),
            format!("{name}.pem"),
            format!("{name}.cnf"),
        );
        let mut req = vec!["req"];
        req.extend(ec);
        req.extend(["-keyout", &key, "-out", &csr, "-subj", "/CN=hub"]);
        run(&req);
        std::fs::write(dir.join(&ext), format!("subjectAltName={san}\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n")).unwrap();
        run(&[
            "x509",
            "-req",
            "-in",
            &csr,
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            &pem,
            "-days",
            days,
            "-extfile",
            &ext,
        ]);
    }
}

/// Serves `o`'s store over HTTPS with the certificate `name` of [`certificates`].
fn serve_tls(dir: &Path, store: &Path, name: &str) -> (Running, String) {
    let mut opts = http(store);
    opts.tls = Some((
        dir.join(format!("{name}.pem")),
        dir.join(format!("{name}.key")),
    ));
    let hub = serve(opts).unwrap();
    let url = format!("https://127.0.0.1:{}", hub.addr.port());
    (hub, url)
}

/// The error is the certificate's, says so in both languages, and does not tell to retry.
fn certificate_refused(e: &sene_hub::HubError, want: sene_hub::CertificateProblem, url: &str) {
    match e {
        sene_hub::HubError::Certificate {
            problem, url: u, ..
        } => {
            assert_eq!((*problem, u.as_str()), (want, url), "{e}");
        }
        other => panic!("not a certificate error: {other:?}"),
    }
    assert_eq!(e.code(), "certificate");
    let (fr, en) = (e.message(Lang::Fr), e.message(Lang::En));
    assert!(fr.contains(url) && en.contains(url), "{fr} / {en}");
    assert!(!fr.contains("rien n'est perdu"), "{fr}");
    assert!(!fr.contains("relancez"), "{fr}");
    assert!(!en.contains("nothing is lost"), "{en}");
    let (fr_what, en_what) = match want {
        sene_hub::CertificateProblem::UnknownIssuer => ("--ca", "union's CA certificate"),
        sene_hub::CertificateProblem::WrongName => {
            ("n'est pas fait pour l'adresse", "not made for the address")
        }
        sene_hub::CertificateProblem::Expired => ("a expiré", "has expired"),
        _ => unreachable!(),
    };
    assert!(fr.contains(fr_what), "{fr}");
    assert!(en.contains(en_what), "{en}");
}

#[test]
fn a_device_meeting_a_certificate_it_can_never_accept_says_so() {
    let _one = one_at_a_time();
    let dir = tempfile::tempdir().unwrap();
    certificates(dir.path());
    let ca = std::fs::read_to_string(dir.path().join("ca.pem")).unwrap();
    let o = office(dir.path());
    let (hub, url) = serve_tls(dir.path(), &o.store, "hub");
    let mut a = Ledger::open(&dir.path().join("a.sqlite")).unwrap();

    // without the union's authority: signed by no one it knows
    let e = client::enroll_with(&mut a, &url, o.agent.device, &o.code, None).unwrap_err();
    certificate_refused(&e, sene_hub::CertificateProblem::UnknownIssuer, &url);
    // with it, the device enrolls and syncs
    client::enroll_with(&mut a, &url, o.agent.device, &o.code, Some(&ca)).unwrap();
    client::sync(&mut a, None, &mut |_| {}).unwrap();
    hub.stop().unwrap();

    // the office's certificate now names another host: never accepted at this address
    let (hub, url) = serve_tls(dir.path(), &o.store, "other");
    let e = client::sync(&mut a, Some(&url), &mut |_| {}).unwrap_err();
    certificate_refused(&e, sene_hub::CertificateProblem::WrongName, &url);
    hub.stop().unwrap();

    // an expired one
    let (hub, url) = serve_tls(dir.path(), &o.store, "old");
    let e = client::sync(&mut a, Some(&url), &mut |_| {}).unwrap_err();
    certificate_refused(&e, sene_hub::CertificateProblem::Expired, &url);
    hub.stop().unwrap();

    // a hub that is not there is still the network: nothing lost, try again
    let e = client::sync(&mut a, Some(&url), &mut |_| {}).unwrap_err();
    assert!(matches!(e, sene_hub::HubError::Network(_)), "{e:?}");
    assert!(e.to_string().contains("relancez"), "{e}");
}
