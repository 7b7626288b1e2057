//! `sene federation …`: the federation hub (crates/federation). No Sene store: the federation's
//! PostgreSQL database (`--postgres`) and the folder of the unions' replicas (`--data`).

use std::path::PathBuf;
use std::sync::Arc;

use sene_domain::Lang;
use sene_federation::{Credentials, Federation, FederationError, PullReport};
use serde_json::json;

use crate::cli::{FederationAccountCmd, FederationArgs, FederationCmd};
use crate::error::{CliError, CliResult};
use crate::lang::tr;
use crate::output::Output;

impl From<FederationError> for CliError {
    fn from(e: FederationError) -> Self {
        CliError::msg(e.code(), e.message(Lang::Fr), e.message(Lang::En))
    }
}

fn runtime() -> CliResult<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::msg("server", e.to_string(), e.to_string()))
}

fn data_dir(given: Option<PathBuf>) -> CliResult<PathBuf> {
    given
        .or_else(|| dirs::data_dir().map(|d| d.join("sene").join("federation")))
        .ok_or_else(|| {
            CliError::msg(
                "invalid_argument",
                "aucun dossier de données : donnez --data DOSSIER",
                "no data folder: give --data FOLDER",
            )
        })
}

fn id<T: std::str::FromStr>(flag: &str, text: &str) -> CliResult<T> {
    text.trim().parse().map_err(|_| {
        CliError::msg(
            "invalid_argument",
            format!("{flag} : « {text} » n'est pas un identifiant (UUID)"),
            format!("{flag}: \"{text}\" is not an id (UUID)"),
        )
    })
}

fn read(path: &PathBuf) -> CliResult<String> {
    std::fs::read_to_string(path).map_err(|e| {
        CliError::msg(
            "file",
            format!("{} : {e}", path.display()),
            format!("{}: {e}", path.display()),
        )
    })
}

fn pulled(lang: Lang, p: &PullReport) -> String {
    tr(
        lang,
        format!(
            "  {} : {} octets reçus, {} enregistrement(s) fusionné(s), {} ligne(s) écrite(s), {} supprimée(s)",
            p.union, p.bytes_received, p.records_merged, p.rows_written, p.rows_deleted
        ),
        format!(
            "  {}: {} bytes received, {} record(s) merged, {} row(s) written, {} deleted",
            p.union, p.bytes_received, p.records_merged, p.rows_written, p.rows_deleted
        ),
    )
}

/// Runs `sene federation …`.
pub fn run(a: FederationArgs, _json: bool, lang: Lang) -> CliResult<Output> {
    let pg = a.postgres.ok_or_else(|| {
        CliError::msg(
            "invalid_argument",
            "la base de la fédération manque : --postgres URL (ou SENE_FEDERATION_POSTGRES)",
            "the federation's database is missing: --postgres URL (or SENE_FEDERATION_POSTGRES)",
        )
    })?;
    let data = data_dir(a.data)?;
    let rt = runtime()?;
    match a.command {
        FederationCmd::Serve {
            every,
            listen,
            cert,
            key,
        } => {
            let every = sene_hub::schedule::parse_period(&every).ok_or_else(|| {
                CliError::msg(
                    "invalid_argument",
                    format!("--every : période « {every} » illisible ou de moins d'une minute : écrivez par ex. 5m, 15m, 1h"),
                    format!("--every: period \"{every}\" unreadable or under a minute: write e.g. 5m, 15m, 1h"),
                )
            })?;
            let listen: std::net::SocketAddr = listen.parse().map_err(|_| {
                CliError::msg(
                    "invalid_argument",
                    format!("--listen : adresse « {listen} » illisible (ex. 127.0.0.1:8790)"),
                    format!("--listen: invalid address \"{listen}\" (e.g. 127.0.0.1:8790)"),
                )
            })?;
            // the national page's passwords and session cookies travel only in HTTPS off this machine
            if cert.is_none() && !listen.ip().is_loopback() {
                return Err(CliError::msg(
                    "invalid_argument",
                    format!("--listen {listen} : hors de cette machine, la page nationale se sert en HTTPS (mots de passe) : donnez --cert et --key (sene hub cert les fait), ou écoutez sur 127.0.0.1"),
                    format!("--listen {listen}: off this machine, the national page is served in HTTPS (passwords): give --cert and --key (sene hub cert makes them), or listen on 127.0.0.1"),
                ));
            }
            sene_hub::init_logging();
            rt.block_on(sene_federation::serve::serve(
                sene_federation::serve::ServeOptions {
                    pg_url: pg,
                    data,
                    every,
                    listen: Some(listen),
                    tls: cert.zip(key),
                },
                None,
            ))?;
            Ok(Output::new(&json!({ "stopped": true }))?.line(tr(
                lang,
                "Fédération arrêtée.",
                "Federation stopped.",
            )))
        }
        cmd => rt.block_on(async move {
            let fed = Arc::new(Federation::open(&pg, &data).await?);
            once(&fed, cmd, lang).await
        }),
    }
}

async fn once(fed: &Arc<Federation>, cmd: FederationCmd, lang: Lang) -> CliResult<Output> {
    match cmd {
        FederationCmd::Account(a) => account(fed, a, lang).await,
        FederationCmd::AddUnion {
            name,
            url,
            device,
            code,
            token,
            agent,
            bundle_key,
            ca,
        } => {
            let device = id("--device", &device)?;
            let ca = ca.as_ref().map(read).transpose()?;
            let union = match (code, token) {
                (Some(code), _) => {
                    let url = url.ok_or_else(|| {
                        CliError::msg(
                            "invalid_argument",
                            "--code enrôle la fédération auprès du bureau de l'union : donnez aussi --url",
                            "--code enrolls the federation with the union's office: give --url too",
                        )
                    })?;
                    fed.enroll_union(&name, &url, device, &code, ca.as_deref())
                        .await?
                }
                (None, Some(token)) => {
                    let agent = id("--agent", agent.as_deref().unwrap_or_default())?;
                    fed.add_union(
                        &name,
                        url.as_deref(),
                        Credentials {
                            device,
                            agent,
                            token,
                            bundle_key,
                            ca_pem: ca,
                        },
                    )
                    .await?
                }
                (None, None) => {
                    return Err(CliError::msg(
                        "invalid_argument",
                        "donnez --code (code d'appairage) ou --token",
                        "give --code (pairing code) or --token",
                    ))
                }
            };
            Ok(
                Output::new(&json!({ "union_id": union.to_string(), "name": name }))?.line(tr(
                    lang,
                    format!("Union « {name} » ajoutée ({union}) : sene federation pull « {name} » pour la première collecte."),
                    format!("Union \"{name}\" added ({union}): sene federation pull \"{name}\" for its first pull."),
                )),
            )
        }
        FederationCmd::Unions => {
            let st = fed.status().await?;
            let mut out = Output::new(&st)?;
            for s in &st {
                let age = s.age_seconds.map_or_else(
                    || tr(lang, "jamais collectée", "never pulled"),
                    |a| {
                        tr(
                            lang,
                            format!("il y a {} min", a / 60),
                            format!("{} min ago", a / 60),
                        )
                    },
                );
                let link = s
                    .hub_url
                    .clone()
                    .unwrap_or_else(|| tr(lang, "clé USB", "USB stick"));
                let mut line = format!("  {} ({link}) : {age}", s.name);
                if s.failing {
                    line.push_str(&tr(
                        lang,
                        format!(" ; ÉCHEC : {}", s.last_error.clone().unwrap_or_default()),
                        format!("; FAILING: {}", s.last_error.clone().unwrap_or_default()),
                    ));
                }
                out.push(line);
            }
            if st.is_empty() {
                out.push(tr(lang, "(aucune union)", "(no union)"));
            }
            Ok(out)
        }
        FederationCmd::Pull { union, rebuild } => {
            let results = match union {
                Some(n) => vec![(n.clone(), fed.pull(&n, rebuild).await)],
                None if rebuild => {
                    let mut v = Vec::new();
                    for u in fed.unions().await? {
                        if u.hub_url.is_some() {
                            let r = fed.pull(&u.name, true).await;
                            v.push((u.name, r));
                        }
                    }
                    v
                }
                None => fed.pull_all().await?,
            };
            let mut json = Vec::new();
            let mut lines = Vec::new();
            let mut failed = Vec::new();
            for (name, r) in results {
                match r {
                    Ok(p) => {
                        lines.push(pulled(lang, &p));
                        json.push(json!({ "union": name, "ok": true, "report": p }));
                    }
                    Err(e) => {
                        lines.push(tr(
                            lang,
                            format!("  {name} : ÉCHEC : {}", e.message(Lang::Fr)),
                            format!("  {name}: FAILED: {}", e.message(Lang::En)),
                        ));
                        json.push(json!({ "union": name, "ok": false, "code": e.code(), "error": e.message(lang) }));
                        failed.push((name, e));
                    }
                }
            }
            // one union: its error is the command's; several: the others' results are shown
            if json.len() == 1 {
                if let Some((_, e)) = failed.pop() {
                    return Err(e.into());
                }
            }
            let mut out = Output::new(&json)?;
            for l in lines {
                out.push(l);
            }
            Ok(out)
        }
        FederationCmd::Import { file, union } => {
            let bytes = std::fs::read(&file).map_err(|e| {
                CliError::msg(
                    "file",
                    format!("{} : {e}", file.display()),
                    format!("{}: {e}", file.display()),
                )
            })?;
            let p = fed.import(&union, bytes).await?;
            Ok(Output::new(&p)?.line(pulled(lang, &p)))
        }
        FederationCmd::Serve { .. } => {
            Err(CliError::msg("internal", "déjà traité", "already handled"))
        }
    }
}

impl From<sene_federation::web::WebError> for CliError {
    fn from(e: sene_federation::web::WebError) -> Self {
        CliError::msg(e.code(), e.message(Lang::Fr), e.message(Lang::En))
    }
}

/// The password of a new account: `SENE_FEDERATION_PASSWORD`, else one line of the input
/// (asked for when it is a terminal).
fn password(lang: Lang) -> CliResult<String> {
    use std::io::{BufRead as _, IsTerminal as _, Write as _};
    if let Ok(p) = std::env::var("SENE_FEDERATION_PASSWORD") {
        return Ok(p);
    }
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprint!(
            "{}",
            tr(
                lang,
                "Mot de passe (8 caractères au moins) : ",
                "Password (at least 8 characters): "
            )
        );
        let _ = std::io::stderr().flush();
    }
    let mut line = String::new();
    let read = stdin.lock().read_line(&mut line).map_err(|e| {
        CliError::msg(
            "input_unreadable",
            format!("lecture de l'entrée impossible : {e}"),
            format!("cannot read the input: {e}"),
        )
    })?;
    if read == 0 {
        return Err(CliError::msg(
            "input_missing",
            "rien à lire sur l'entrée : donnez le mot de passe dans SENE_FEDERATION_PASSWORD, ou tapez-le dans un terminal",
            "nothing to read on the input: give the password in SENE_FEDERATION_PASSWORD, or type it in a terminal",
        ));
    }
    Ok(line.trim_end_matches(['\n', '\r']).to_owned())
}

/// `sene federation account add|list`: the national page's accounts.
async fn account(
    fed: &Arc<Federation>,
    cmd: FederationAccountCmd,
    lang: Lang,
) -> CliResult<Output> {
    use sene_federation::web::{self, Role};
    let c = fed.client().await?;
    match cmd {
        FederationAccountCmd::Add { name, role, lender } => {
            let role = web::role(&role, lender.as_deref())?;
            let pass = password(lang)?;
            let a = web::auth::add_account(&c, &name, &role, &pass).await?;
            let (kind, key) = match &a.role {
                Role::Staff => ("staff", None),
                Role::Lender(k) => ("lender", Some(k.clone())),
            };
            Ok(
                Output::new(&json!({ "name": a.name, "role": kind, "lender_key": key }))?.line(
                    match &a.role {
                        Role::Staff => tr(
                            lang,
                            format!(
                                "Compte « {} » ajouté : personnel de la fédération (voit tout).",
                                a.name
                            ),
                            format!(
                                "Account \"{}\" added: federation staff (sees everything).",
                                a.name
                            ),
                        ),
                        Role::Lender(k) => tr(
                            lang,
                            format!(
                                "Compte « {} » ajouté : prêteur « {k} » (ne voit que ses lignes).",
                                a.name
                            ),
                            format!(
                                "Account \"{}\" added: lender \"{k}\" (sees only its own lines).",
                                a.name
                            ),
                        ),
                    },
                ),
            )
        }
        FederationAccountCmd::Remove { name } => {
            web::auth::remove_account(&c, &name).await?;
            Ok(Output::new(&json!({ "removed": name }))?.line(tr(
                lang,
                format!("Compte « {name} » retiré : il ne peut plus se connecter."),
                format!("Account \"{name}\" removed: it can no longer sign in."),
            )))
        }
        FederationAccountCmd::List => {
            let all = web::auth::accounts(&c).await?;
            let rows: Vec<_> = all
                .iter()
                .map(|a| match &a.role {
                    Role::Staff => json!({ "name": a.name, "role": "staff" }),
                    Role::Lender(k) => json!({ "name": a.name, "role": "lender", "lender_key": k }),
                })
                .collect();
            let mut out = Output::new(&rows)?;
            for a in &all {
                out.push(match &a.role {
                    Role::Staff => tr(
                        lang,
                        format!("  {} : personnel", a.name),
                        format!("  {}: staff", a.name),
                    ),
                    Role::Lender(k) => tr(
                        lang,
                        format!("  {} : prêteur « {k} »", a.name),
                        format!("  {}: lender \"{k}\"", a.name),
                    ),
                });
            }
            if all.is_empty() {
                out.push(tr(lang, "(aucun compte)", "(no account)"));
            }
            Ok(out)
        }
    }
}
