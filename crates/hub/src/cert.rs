//! `sene hub cert`: the union's own certificate authority and the office server's certificate,
//! for a hub served in HTTPS on the office network. The laptops are given the authority's
//! certificate (`autorite-union.pem`) once, at enrollment (`sene enroll --ca`); the server's
//! certificate can be made again (a new address, a renewal) under the same authority without
//! touching the laptops.
//!
//! The authority's key stays in the office (`autorite-union.key`, readable by its owner only).
//! An existing authority is used again as it is: its key is read back and its name made again
//! from the union's name, so the certificates it signs chain to the one the laptops hold.

use std::net::IpAddr;
use std::path::{Path, PathBuf};

use chrono::Datelike;
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, SanType,
};

use crate::HubError;

/// The authority's certificate, given to the laptops.
pub const CA_CERT: &str = "autorite-union.pem";
/// The authority's key, kept at the office.
pub const CA_KEY: &str = "autorite-union.key";
/// The server's certificate (`hub serve --cert`).
pub const SERVER_CERT: &str = "bureau.pem";
/// The server's key (`hub serve --key`).
pub const SERVER_KEY: &str = "bureau.key";

/// What `make` wrote.
#[derive(Debug, Clone)]
pub struct Made {
    pub ca_cert: PathBuf,
    pub server_cert: PathBuf,
    pub server_key: PathBuf,
    /// Whether the authority was made now (the laptops need its certificate) or was there.
    pub ca_created: bool,
}

fn failed(what: &str, e: impl std::fmt::Display) -> HubError {
    HubError::Server(format!("certificat : {what} : {e}"))
}

/// A day as rcgen takes it.
fn ymd(d: chrono::NaiveDate) -> (i32, u8, u8) {
    (
        d.year(),
        u8::try_from(d.month()).unwrap_or(1),
        u8::try_from(d.day()).unwrap_or(1),
    )
}

macro_rules! day {
    ($d:expr) => {{
        let (y, m, dd) = ymd($d);
        rcgen::date_time_ymd(y, m, dd)
    }};
}

fn ca_params(union: &str, now: chrono::NaiveDate) -> Result<CertificateParams, HubError> {
    let mut p = CertificateParams::new(Vec::<String>::new()).map_err(|e| failed("autorité", e))?;
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, format!("Autorité Sene — {union}"));
    dn.push(DnType::OrganizationName, union.to_owned());
    p.distinguished_name = dn;
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    p.not_before = day!(now.pred_opt().unwrap_or(now));
    p.not_after = day!(now.with_year(now.year() + 20).unwrap_or(now));
    Ok(p)
}

fn write_private(path: &Path, text: &str) -> Result<(), HubError> {
    std::fs::write(path, text).map_err(|e| failed(&path.display().to_string(), e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
            .map_err(|e| failed(&path.display().to_string(), e))?;
    }
    Ok(())
}

/// Makes (or reuses) the union's authority in `dir` and a server certificate signed by it for
/// `names` (host names or IP addresses the laptops use to reach the office), valid `days` days
/// from `today`.
///
/// # Errors
/// [`HubError::Server`] for no name, a name that cannot be in a certificate, an unreadable
/// authority key, or a file that cannot be written.
pub fn make(
    dir: &Path,
    union: &str,
    names: &[String],
    days: u32,
    today: chrono::NaiveDate,
) -> Result<Made, HubError> {
    if names.is_empty() {
        return Err(HubError::Server(
            "donnez au moins un nom ou une adresse du bureau : --name 192.168.1.10".into(),
        ));
    }
    std::fs::create_dir_all(dir).map_err(|e| failed(&dir.display().to_string(), e))?;
    let ca_cert = dir.join(CA_CERT);
    let ca_key_path = dir.join(CA_KEY);
    let params = ca_params(union, today)?;
    let (ca_key, ca_created) = if ca_key_path.exists() && ca_cert.exists() {
        let pem = std::fs::read_to_string(&ca_key_path)
            .map_err(|e| failed(&ca_key_path.display().to_string(), e))?;
        (
            KeyPair::from_pem(&pem).map_err(|e| failed("clé de l'autorité illisible", e))?,
            false,
        )
    } else {
        let key = KeyPair::generate().map_err(|e| failed("clé de l'autorité", e))?;
        let cert = params
            .self_signed(&key)
            .map_err(|e| failed("autorité", e))?;
        write_private(&ca_key_path, &key.serialize_pem())?;
        std::fs::write(&ca_cert, cert.pem()).map_err(|e| failed(CA_CERT, e))?;
        (key, true)
    };
    let issuer = Issuer::new(params, ca_key);

    let mut sans = Vec::new();
    for n in names {
        let n = n.trim();
        sans.push(match n.parse::<IpAddr>() {
            Ok(ip) => SanType::IpAddress(ip),
            Err(_) => SanType::DnsName(
                n.to_owned()
                    .try_into()
                    .map_err(|e| failed(&format!("nom « {n} »"), e))?,
            ),
        });
    }
    let mut sp = CertificateParams::new(Vec::<String>::new()).map_err(|e| failed("bureau", e))?;
    sp.subject_alt_names = sans;
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, names[0].trim().to_owned());
    dn.push(DnType::OrganizationName, union.to_owned());
    sp.distinguished_name = dn;
    sp.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    sp.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    sp.not_before = day!(today.pred_opt().unwrap_or(today));
    sp.not_after = day!(today + chrono::Days::new(u64::from(days)));
    let key = KeyPair::generate().map_err(|e| failed("clé du bureau", e))?;
    let cert = sp
        .signed_by(&key, &issuer)
        .map_err(|e| failed("bureau", e))?;
    let server_cert = dir.join(SERVER_CERT);
    let server_key = dir.join(SERVER_KEY);
    write_private(&server_key, &key.serialize_pem())?;
    std::fs::write(&server_cert, cert.pem()).map_err(|e| failed(SERVER_CERT, e))?;
    Ok(Made {
        ca_cert,
        server_cert,
        server_key,
        ca_created,
    })
}
