//! `sene hub cert` through the binary: the union's authority and the office's certificate are
//! written, the authority's key is private, a second run keeps the authority.
#![allow(clippy::unwrap_used)]

use crate::common::json;

#[test]
fn hub_cert_writes_the_unions_authority_once_and_the_offices_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("bureau.sqlite");
    json(&store, &["demo"]);
    let out = dir.path().join("certificats");
    let args = [
        "hub",
        "cert",
        "--name",
        "192.168.1.10",
        "--name",
        "bureau.local",
        "--out",
        out.to_str().unwrap(),
    ];
    let first = json(&store, &args);
    assert_eq!(first["ca_created"], true);
    for f in [
        "autorite-union.pem",
        "autorite-union.key",
        "bureau.pem",
        "bureau.key",
    ] {
        assert!(out.join(f).exists(), "{f}");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(out.join("autorite-union.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "the authority's key is readable by others");
    }
    let ca = std::fs::read(out.join("autorite-union.pem")).unwrap();
    let server = std::fs::read(out.join("bureau.pem")).unwrap();
    let second = json(&store, &args);
    assert_eq!(second["ca_created"], false);
    assert_eq!(std::fs::read(out.join("autorite-union.pem")).unwrap(), ca);
    assert_ne!(std::fs::read(out.join("bureau.pem")).unwrap(), server);
    // no name: refused with what to give
    let o = crate::common::sene(&store, &["hub", "cert", "--out", out.to_str().unwrap()]);
    assert!(!o.status.success());
}
