//! The national page (#23 item 3): served by the federation over HTTPS, rendered on the
//! server (HTML, inline SVG charts, one stylesheet; no script), French first (`?lang=en`
//! switches to English and is kept in a cookie).
//!
//! Routes ([`routes`], merged on [`crate::serve::router`]):
//! - `GET /login`, `POST /login` (name, password), `POST /logout`;
//! - `GET /national`: staff only — freshness of each union, per union × crop family × campaign
//!   figures and their charts, per lender across unions, every credit line; a lender account is
//!   sent to its own page;
//! - `GET /lenders/{key}`: one lender's figures and credit lines (`key`: its folded name,
//!   `lenders.name_key`); staff see any, a lender account its own only (else 403);
//! - `GET /national.xlsx`: what the account sees, as a workbook;
//! - `GET /assets/national.css`.
//!
//! Accounts and sessions: [`auth`]. A lender account never reads the campaigns' table (the
//! members' figures) nor another lender's rows: its queries are filtered by its key in SQL.

use axum::body::Bytes;
use axum::extract::{Path, State as Extract};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use sene_domain::Lang;

use crate::serve::State;
use crate::FederationError;

pub mod auth;
mod page;
pub mod queries;
mod xlsx;

pub use auth::{Account, Role};
pub use page::{kg, money, pct};

/// The session cookie.
pub const SESSION_COOKIE: &str = "sene_fed_session";
/// The language cookie.
pub const LANG_COOKIE: &str = "sene_lang";

/// The national page's errors, in French and English.
#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("base PostgreSQL de la fédération : {0}")]
    Postgres(#[from] tokio_postgres::Error),
    #[error(transparent)]
    Federation(#[from] FederationError),
    #[error("nom de compte vide ou trop long (100 caractères au plus)")]
    BadName,
    #[error("mot de passe trop court : {min} caractères au moins", min = auth::MIN_PASSWORD)]
    ShortPassword,
    #[error("un compte nommé « {0} » existe déjà")]
    AccountExists(String),
    #[error("aucun compte nommé « {0} » : sene federation account list")]
    UnknownAccount(String),
    #[error("aucune union ne connaît le prêteur « {given} » ({})", known_fr(.known))]
    UnknownLender { given: String, known: Vec<String> },
    #[error("un compte prêteur a besoin de --lender NOM ; un compte du personnel n'en a pas")]
    LenderRole,
    #[error("rôle « {0} » inconnu : staff (personnel de la fédération) ou lender (prêteur)")]
    BadRole(String),
    #[error("nom ou mot de passe incorrect")]
    BadCredentials,
    #[error("mot de passe : {0}")]
    Hash(String),
    #[error("export XLSX : {0}")]
    Xlsx(String),
    #[error("serveur HTTPS : {0}")]
    Tls(String),
}

fn known_fr(known: &[String]) -> String {
    if known.is_empty() {
        "aucune union collectée : sene federation pull d'abord".to_owned()
    } else {
        format!("prêteurs connus : {}", known.join(", "))
    }
}

impl WebError {
    /// The message in `lang`.
    #[must_use]
    pub fn message(&self, lang: Lang) -> String {
        match self {
            WebError::Federation(e) => e.message(lang),
            _ if lang == Lang::Fr => self.to_string(),
            WebError::Postgres(e) => format!("the federation's PostgreSQL database: {e}"),
            WebError::BadName => "account name empty or too long (100 characters at most)".into(),
            WebError::ShortPassword => format!(
                "password too short: at least {} characters",
                auth::MIN_PASSWORD
            ),
            WebError::AccountExists(n) => format!("an account named \"{n}\" already exists"),
            WebError::UnknownAccount(n) => {
                format!("no account named \"{n}\": sene federation account list")
            }
            WebError::UnknownLender { given, known } => format!(
                "no union knows the lender \"{given}\" ({})",
                if known.is_empty() {
                    "no union pulled yet: sene federation pull first".to_owned()
                } else {
                    format!("lenders known: {}", known.join(", "))
                }
            ),
            WebError::LenderRole => {
                "a lender account needs --lender NAME; a staff account has none".into()
            }
            WebError::BadRole(r) => {
                format!("unknown role \"{r}\": staff (the federation's staff) or lender")
            }
            WebError::BadCredentials => "wrong name or password".into(),
            WebError::Hash(e) => format!("password: {e}"),
            WebError::Xlsx(e) => format!("XLSX export: {e}"),
            WebError::Tls(e) => format!("HTTPS server: {e}"),
        }
    }

    /// A stable code.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            WebError::Postgres(_) => "postgres",
            WebError::Federation(e) => e.code(),
            WebError::BadName => "invalid_argument",
            WebError::ShortPassword => "short_password",
            WebError::AccountExists(_) => "account_exists",
            WebError::UnknownAccount(_) => "unknown_account",
            WebError::UnknownLender { .. } => "unknown_lender",
            WebError::LenderRole | WebError::BadRole(_) => "invalid_argument",
            WebError::BadCredentials => "bad_credentials",
            WebError::Hash(_) => "hash",
            WebError::Xlsx(_) => "xlsx",
            WebError::Tls(_) => "tls",
        }
    }
}

/// The role `sene federation account add --role R [--lender X]` asks for.
///
/// # Errors
/// [`WebError::BadRole`], [`WebError::LenderRole`].
pub fn role(kind: &str, lender: Option<&str>) -> Result<Role, WebError> {
    match (kind.trim(), lender) {
        ("staff", None) => Ok(Role::Staff),
        ("lender", Some(l)) if !l.trim().is_empty() => Ok(Role::Lender(l.to_owned())),
        ("staff" | "lender", _) => Err(WebError::LenderRole),
        (other, _) => Err(WebError::BadRole(other.to_owned())),
    }
}

/// The page's routes.
pub fn routes(state: State) -> Router {
    Router::new()
        .route("/", get(|| async { Redirect::to("/national") }))
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
        .route("/national", get(national))
        .route("/national.xlsx", get(export))
        .route("/lenders/{key}", get(lender))
        .route("/assets/national.css", get(css))
        .with_state(state)
}

/// After a round of pulls (`serve::round`): sums the figures of the unions whose projection
/// changed, so the next page view has nothing to sum. A failure is logged, not fatal (the page
/// sums what is stale itself).
pub async fn refresh_after_pulls(fed: &crate::Federation) {
    let out = match fed.client().await {
        Ok(mut c) => queries::refresh(&mut c).await,
        Err(e) => Err(e.into()),
    };
    match out {
        Ok(n) => tracing::info!(unions = n, "national figures summed"),
        Err(e) => tracing::warn!("national figures not summed: {e}"),
    }
}

/// Serves `app` over HTTPS (rustls) on a bound listener, with the certificate and key files
/// (PEM) `sene hub cert` makes.
///
/// # Errors
/// [`WebError::Tls`]: unreadable certificate or key, the listener.
pub async fn serve_https(
    listener: std::net::TcpListener,
    app: Router,
    cert: &std::path::Path,
    key: &std::path::Path,
) -> Result<(), WebError> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let config = axum_server::tls_rustls::RustlsConfig::from_pem_file(cert, key)
        .await
        .map_err(|e| WebError::Tls(format!("{} / {} : {e}", cert.display(), key.display())))?;
    listener
        .set_nonblocking(true)
        .map_err(|e| WebError::Tls(e.to_string()))?;
    axum_server::from_tcp_rustls(listener, config)
        .map_err(|e| WebError::Tls(e.to_string()))?
        .serve(app.into_make_service())
        .await
        .map_err(|e| WebError::Tls(e.to_string()))
}

fn cookie<'a>(h: &'a HeaderMap, name: &str) -> Option<&'a str> {
    h.get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|p| p.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The query's `lang`, else the cookie's, else French; and whether the query set it.
fn lang_of(h: &HeaderMap, query: Option<&str>) -> (Lang, bool) {
    let asked = query.and_then(|q| {
        form(q)
            .into_iter()
            .find(|(k, _)| k == "lang")
            .map(|(_, v)| v)
    });
    match asked.as_deref() {
        Some("en") => (Lang::En, true),
        Some("fr") => (Lang::Fr, true),
        _ => (
            if cookie(h, LANG_COOKIE) == Some("en") {
                Lang::En
            } else {
                Lang::Fr
            },
            false,
        ),
    }
}

fn lang_cookie(lang: Lang) -> String {
    format!(
        "{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Strict; Secure",
        if lang == Lang::Fr { "fr" } else { "en" }
    )
}

/// `a=b&c=d` decoded (`+` a space, `%XX` a byte).
fn form(s: &str) -> Vec<(String, String)> {
    fn decode(s: &str) -> String {
        let b = s.as_bytes();
        let mut out = Vec::with_capacity(b.len());
        let mut i = 0;
        while i < b.len() {
            match b[i] {
                b'+' => out.push(b' '),
                b'%' if i + 2 < b.len() => {
                    let hex = std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("");
                    match u8::from_str_radix(hex, 16) {
                        Ok(v) => {
                            out.push(v);
                            i += 2;
                        }
                        Err(_) => out.push(b'%'),
                    }
                }
                c => out.push(c),
            }
            i += 1;
        }
        String::from_utf8_lossy(&out).into_owned()
    }
    s.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}

fn html(status: StatusCode, lang: Lang, set_lang: bool, body: String) -> Response {
    let mut r = (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body,
    )
        .into_response();
    if set_lang {
        if let Ok(v) = lang_cookie(lang).parse() {
            r.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    r
}

fn failure(lang: Lang, e: &WebError) -> Response {
    tracing::error!("national page: {e}");
    html(
        StatusCode::SERVICE_UNAVAILABLE,
        lang,
        false,
        page::layout(
            lang,
            page::t(lang, "Erreur", "Error"),
            None,
            "/national",
            &format!("<p class=\"error\">{}</p>", page::esc(&e.message(lang))),
        ),
    )
}

/// The signed-in account, or where to go instead.
async fn signed_in(
    s: &State,
    h: &HeaderMap,
    lang: Lang,
) -> Result<(tokio_postgres::Client, Account), Response> {
    let c = s
        .federation
        .client()
        .await
        .map_err(|e| failure(lang, &e.into()))?;
    let Some(token) = cookie(h, SESSION_COOKIE) else {
        return Err(Redirect::to("/login").into_response());
    };
    match auth::session(&c, token).await {
        Ok(Some(a)) => Ok((c, a)),
        Ok(None) => Err(Redirect::to("/login").into_response()),
        Err(e) => Err(failure(lang, &e)),
    }
}

async fn login_page(axum::extract::RawQuery(q): axum::extract::RawQuery, h: HeaderMap) -> Response {
    let (lang, set) = lang_of(&h, q.as_deref());
    html(StatusCode::OK, lang, set, page::login(lang, None, ""))
}

async fn login(Extract(s): Extract<State>, h: HeaderMap, body: Bytes) -> Response {
    let (lang, _) = lang_of(&h, None);
    let f = form(&String::from_utf8_lossy(&body));
    let get = |k: &str| {
        f.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let (name, password) = (get("name"), get("password"));
    let c = match s.federation.client().await {
        Ok(c) => c,
        Err(e) => return failure(lang, &e.into()),
    };
    match auth::sign_in(&c, &name, &password).await {
        Ok(token) => {
            let mut r = Redirect::to("/national").into_response();
            if let Ok(v) = format!(
                "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Secure; Max-Age={}",
                auth::SESSION_HOURS * 3600
            )
            .parse()
            {
                r.headers_mut().append(header::SET_COOKIE, v);
            }
            r
        }
        Err(WebError::BadCredentials) => html(
            StatusCode::UNAUTHORIZED,
            lang,
            false,
            page::login(
                lang,
                Some(&format!(
                    "{}.",
                    capitalised(&WebError::BadCredentials.message(lang))
                )),
                &name,
            ),
        ),
        Err(e) => failure(lang, &e),
    }
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

async fn logout(Extract(s): Extract<State>, h: HeaderMap) -> Response {
    if let (Some(token), Ok(c)) = (cookie(&h, SESSION_COOKIE), s.federation.client().await) {
        let _ = auth::sign_out(&c, token).await;
    }
    let mut r = Redirect::to("/login").into_response();
    if let Ok(v) =
        format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Secure; Max-Age=0").parse()
    {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}

async fn national(
    Extract(s): Extract<State>,
    axum::extract::RawQuery(q): axum::extract::RawQuery,
    h: HeaderMap,
) -> Response {
    let (lang, set) = lang_of(&h, q.as_deref());
    let (mut c, who) = match signed_in(&s, &h, lang).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    if let Role::Lender(k) = &who.role {
        let mut r = Redirect::to(&format!("/lenders/{}", page::url_part(k))).into_response();
        if set {
            if let Ok(v) = lang_cookie(lang).parse() {
                r.headers_mut().append(header::SET_COOKIE, v);
            }
        }
        return r;
    }
    let go = async {
        queries::refresh(&mut c).await?;
        let st = crate::status(&c).await?;
        let camp = queries::campaigns(&c).await?;
        let lend = queries::lenders(&c, None).await?;
        let lines = queries::credit_lines(&c, None).await?;
        Ok::<_, WebError>(format!(
            "{}{}{}{}{}",
            page::export(lang, "/national.xlsx"),
            page::freshness(lang, &st),
            page::campaigns(lang, &camp),
            page::lenders(lang, &lend),
            page::lines(lang, &lines)
        ))
    };
    match go.await {
        Ok(body) => html(
            StatusCode::OK,
            lang,
            set,
            page::layout(
                lang,
                page::t(
                    lang,
                    "Fédération — chiffres nationaux",
                    "Federation — national figures",
                ),
                Some(&who.name),
                "/national",
                &body,
            ),
        ),
        Err(e) => failure(lang, &e),
    }
}

async fn lender(
    Extract(s): Extract<State>,
    Path(key): Path<String>,
    axum::extract::RawQuery(q): axum::extract::RawQuery,
    h: HeaderMap,
) -> Response {
    let (lang, set) = lang_of(&h, q.as_deref());
    let (mut c, who) = match signed_in(&s, &h, lang).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    if let Role::Lender(own) = &who.role {
        if *own != key {
            return html(
                StatusCode::FORBIDDEN,
                lang,
                set,
                page::refused(lang, &who.name),
            );
        }
    }
    let go = async {
        queries::refresh(&mut c).await?;
        let unions = queries::lender_unions(&c, &key).await?;
        let st: Vec<_> = crate::status(&c)
            .await?
            .into_iter()
            .filter(|u| unions.contains(u.union_id.as_uuid()))
            .collect();
        let lend = queries::lenders(&c, Some(&key)).await?;
        let lines = queries::credit_lines(&c, Some(&key)).await?;
        let name = lend.first().map_or_else(|| key.clone(), |l| l.name.clone());
        Ok::<_, WebError>((
            name,
            format!(
                "{}{}{}{}{}",
                page::export(lang, "/national.xlsx"),
                page::lines_chart(lang, &lines),
                page::lenders(lang, &lend),
                page::lines(lang, &lines),
                page::freshness(lang, &st)
            ),
        ))
    };
    match go.await {
        Ok((name, body)) => {
            let back = if who.role == Role::Staff {
                format!(
                    "<p><a href=\"/national\">{}</a></p>",
                    page::t(lang, "← Chiffres nationaux", "← National figures")
                )
            } else {
                String::new()
            };
            html(
                StatusCode::OK,
                lang,
                set,
                page::layout(
                    lang,
                    &format!("{} — {}", page::t(lang, "Prêteur", "Lender"), name),
                    Some(&who.name),
                    &format!("/lenders/{}", page::url_part(&key)),
                    &format!("{back}{body}"),
                ),
            )
        }
        Err(e) => failure(lang, &e),
    }
}

async fn export(Extract(s): Extract<State>, h: HeaderMap) -> Response {
    let (lang, _) = lang_of(&h, None);
    let (mut c, who) = match signed_in(&s, &h, lang).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let only = match &who.role {
        Role::Staff => None,
        Role::Lender(k) => Some(k.as_str()),
    };
    let go = async {
        queries::refresh(&mut c).await?;
        let camp = match only {
            None => Some(queries::campaigns(&c).await?),
            Some(_) => None,
        };
        let lend = queries::lenders(&c, only).await?;
        let lines = queries::credit_lines(&c, only).await?;
        xlsx::workbook(lang, camp.as_deref(), &lend, &lines)
    };
    match go.await {
        Ok(bytes) => (
            StatusCode::OK,
            [
                (
                    header::CONTENT_TYPE,
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                ),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"federation-chiffres-nationaux.xlsx\"",
                ),
                (header::CACHE_CONTROL, "no-store"),
            ],
            bytes,
        )
            .into_response(),
        Err(e) => failure(lang, &e),
    }
}

async fn css() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        page::CSS,
    )
        .into_response()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn forms_and_cookies() {
        assert_eq!(
            form("name=Awa+Traor%C3%A9&password=a%26b%3D&x"),
            vec![
                ("name".into(), "Awa Traoré".into()),
                ("password".into(), "a&b=".into()),
                ("x".into(), String::new())
            ]
        );
        assert_eq!(form("a=%"), vec![("a".into(), "%".into())]);
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, "a=1; sene_lang=en".parse().unwrap());
        assert_eq!(cookie(&h, LANG_COOKIE), Some("en"));
        assert_eq!(lang_of(&h, None), (Lang::En, false));
        assert_eq!(lang_of(&h, Some("lang=fr")), (Lang::Fr, true));
        assert_eq!(role("staff", None).unwrap(), Role::Staff);
        assert!(role("lender", None).is_err());
        assert!(role("boss", None).is_err());
    }
}
