//! Sync commands: enroll, sync over HTTP or USB file, the conflict queue, and the hub.

use sene_app::sync::SyncReport;
use sene_domain::{Device, DeviceId, Lang};
use sene_hub::{client, enroll, usb, ServeOptions};
use serde_json::json;

use super::progress::Progress;
use crate::cli::{ConflictsCmd, EnrollArgs, HubCmd, SyncArgs, SyncCmd};
use crate::ctx::Ctx;
use crate::error::{CliError, CliResult};
use crate::files::write_atomically;
use crate::lang::tr;
use crate::lookup;
use crate::output::Output;

impl From<sene_hub::HubError> for CliError {
    fn from(e: sene_hub::HubError) -> Self {
        match e {
            sene_hub::HubError::App(a) => CliError::App(a),
            other => CliError::msg(
                other.code(),
                other.message(sene_domain::Lang::Fr),
                other.message(sene_domain::Lang::En),
            ),
        }
    }
}

fn device(ctx: &Ctx, key: &str) -> CliResult<Device> {
    if let Ok(id) = key.parse::<DeviceId>() {
        if let Some(d) = ctx.db().device(id)? {
            return Ok(d);
        }
    }
    let rows = ctx.db().list_rows(sene_store::Table::Devices, u32::MAX)?;
    let want = key.trim().to_uppercase();
    let id = rows
        .iter()
        .find(|r| r.get("receipt_prefix").and_then(|v| v.as_str()) == Some(want.as_str()))
        .and_then(|r| r.get("id").and_then(|v| v.as_str()))
        .and_then(|s| s.parse::<DeviceId>().ok())
        .ok_or_else(|| CliError::not_found("appareil", key))?;
    ctx.db()
        .device(id)?
        .ok_or_else(|| CliError::not_found("appareil", key))
}

/// What one side of a sync took in; `who` is said in the session's language.
fn report_lines(lang: Lang, out: &mut Output, r: &SyncReport, who: &str) {
    out.push(tr(
        lang,
        format!(
            "{who} : {} document(s) modifié(s), {} enregistrement(s), {} conflit(s) ou doublon(s) nouveaux",
            r.docs_changed, r.records, r.conflicts
        ),
        format!(
            "{who}: {} document(s) changed, {} record(s), {} new conflict(s) or duplicate(s)",
            r.docs_changed, r.records, r.conflicts
        ),
    ));
    for x in &r.refused {
        out.push(tr(
            lang,
            format!("REFUSÉ {} : {}", x.doc, x.reason),
            format!("REFUSED {}: {}", x.doc, x.reason),
        ));
    }
}

pub fn enroll(ctx: &mut Ctx, a: EnrollArgs) -> CliResult<Output> {
    let device: DeviceId = a.device.parse().map_err(|_| {
        CliError::msg(
            "invalid_argument",
            format!("--device : « {} » n'est pas un UUID", a.device),
            format!("--device: \"{}\" is not a UUID", a.device),
        )
    })?;
    let ca = match &a.ca {
        Some(p) => Some(std::fs::read_to_string(p).map_err(|err| {
            CliError::msg(
                "file_unreadable",
                format!("certificat {} illisible : {err}", p.display()),
                format!("cannot read certificate {}: {err}", p.display()),
            )
        })?),
        None => None,
    };
    let e = client::enroll_with(
        &mut ctx.ledger,
        &a.hub,
        device,
        &a.pairing_code,
        ca.as_deref(),
    )?;
    let (json, lang) = (ctx.json, ctx.lang);
    let mut bar = Progress::new(json);
    let r = client::sync(&mut ctx.ledger, None, &mut |p| {
        progress_line(&mut bar, lang, p)
    })?;
    drop(bar);
    Ok(Output::new(
        &json!({ "device_id": e.device_id, "agent_id": e.agent_id, "union": e.union, "sync": r }),
    )?
    .line(tr(
        lang,
        format!(
            "Appareil enrôlé dans « {} ». Première synchronisation : {} enregistrement(s) reçus.",
            e.union, r.pulled.records
        ),
        format!(
            "Device enrolled in \"{}\". First sync: {} record(s) received.",
            e.union, r.pulled.records
        ),
    )))
}

/// A sync's step (the hub client's, as the window receives them): a line, or the bar's text on
/// a terminal.
fn progress_line(bar: &mut Progress, lang: Lang, p: &client::Progress) {
    let line = match p {
        client::Progress::Sending { round, docs, bytes } => tr(
            lang,
            format!("[{round}] envoi : {docs} document(s), {bytes} octets"),
            format!("[{round}] sending: {docs} document(s), {bytes} bytes"),
        ),
        client::Progress::Answered { round, bytes } => tr(
            lang,
            format!("[{round}] réponse : {bytes} octets, intégration…"),
            format!("[{round}] answer: {bytes} bytes, applying…"),
        ),
        client::Progress::Received {
            round,
            docs,
            bytes,
            records,
        } => tr(
            lang,
            format!("[{round}] reçu : {docs} document(s), {bytes} octets, {records} enregistrement(s) appliqués"),
            format!("[{round}] received: {docs} document(s), {bytes} bytes, {records} record(s) applied"),
        ),
        client::Progress::Done => tr(lang, "synchronisation terminée", "sync done"),
    };
    bar.note(&line, *p == client::Progress::Done);
}

pub fn sync(ctx: &mut Ctx, a: SyncArgs) -> CliResult<Output> {
    let enrolled = ctx.ledger.setting(client::keys::HUB_TOKEN)?.is_some();
    match a.action {
        None => {
            let (json, lang) = (ctx.json, ctx.lang);
            let mut bar = Progress::new(json);
            let r = client::sync(&mut ctx.ledger, a.hub.as_deref(), &mut |p| {
                progress_line(&mut bar, lang, p)
            })?;
            drop(bar);
            let mut out = Output::new(&r)?;
            out.push(tr(
                lang,
                format!(
                    "{} aller-retour(s), {} octets envoyés, {} reçus",
                    r.rounds, r.bytes_sent, r.bytes_received
                ),
                format!(
                    "{} round trip(s), {} bytes sent, {} received",
                    r.rounds, r.bytes_sent, r.bytes_received
                ),
            ));
            report_lines(
                lang,
                &mut out,
                &r.pushed,
                &tr(lang, "Au bureau", "At the office"),
            );
            report_lines(lang, &mut out, &r.pulled, &tr(lang, "Ici", "Here"));
            for x in &r.refused_by_hub {
                out.push(tr(
                    lang,
                    format!("Le bureau a refusé {} : {}", x.doc, x.reason),
                    format!("The office refused {}: {}", x.doc, x.reason),
                ));
            }
            Ok(out)
        }
        Some(SyncCmd::Export(e)) => {
            let bytes = match (&e.device, enrolled) {
                (Some(d), _) => {
                    let dv = device(ctx, d)?;
                    usb::hub_export(&mut ctx.ledger, dv.id)?
                }
                (None, true) if e.all => usb::device_export_all(&mut ctx.ledger)?,
                (None, true) => usb::device_export(&mut ctx.ledger)?,
                (None, false) => {
                    return Err(CliError::msg(
                        "invalid_argument",
                        "au bureau, donnez l'appareil destinataire : --device",
                        "at the office, name the receiving device: --device",
                    ))
                }
            };
            write_atomically(&e.to, &bytes)?;
            Ok(
                Output::new(&json!({ "file": e.to, "bytes": bytes.len() }))?.line(tr(
                    ctx.lang,
                    format!(
                        "Fichier écrit : {} ({} octets). Portez-le à l'autre côté et faites « sene sync import ».",
                        e.to.display(),
                        bytes.len()
                    ),
                    format!(
                        "File written: {} ({} bytes). Take it to the other side and run \"sene sync import\".",
                        e.to.display(),
                        bytes.len()
                    ),
                )),
            )
        }
        Some(SyncCmd::Import(i)) => {
            let bytes = std::fs::read(&i.file).map_err(|err| {
                CliError::msg(
                    "file_unreadable",
                    format!("fichier {} illisible : {err}", i.file.display()),
                    format!("cannot read {}: {err}", i.file.display()),
                )
            })?;
            let r = if enrolled {
                usb::device_import(&mut ctx.ledger, &bytes)?
            } else {
                usb::hub_import(&mut ctx.ledger, &bytes)?
            };
            let mut out = Output::new(&r)?;
            report_lines(ctx.lang, &mut out, &r, "Import");
            Ok(out)
        }
    }
}

pub fn conflicts(ctx: &mut Ctx, c: ConflictsCmd) -> CliResult<Output> {
    match c {
        ConflictsCmd::List { all } => {
            let rows = ctx.ledger.conflicts(!all)?;
            let mut out = Output::new(&rows)?;
            for k in &rows {
                let en = ctx.lang == sene_domain::Lang::En;
                let state = match (k.resolved_at.is_some(), k.money, en) {
                    (true, _, false) => "résolu",
                    (true, _, true) => "resolved",
                    (false, true, false) => "ARGENT",
                    (false, true, true) => "MONEY",
                    (false, false, false) => "ouvert",
                    (false, false, true) => "open",
                };
                // as a person reads it: the record, what differs, each value with who, where, when
                let t = ctx.ledger.conflict_text(k, ctx.lang)?;
                out.push(format!("{} [{state}] {} — {}", k.id, t.record, t.what));
                for (i, c) in t.candidates.iter().enumerate() {
                    out.push(format!("  {}. {c}", i + 1));
                }
            }
            if rows.is_empty() {
                out.push(tr(ctx.lang, "Aucun conflit ouvert.", "No open conflict."));
            }
            Ok(out)
        }
        ConflictsCmd::Resolve { id, value, reason } => {
            let actor = ctx.actor()?;
            let v = value.map(|t| serde_json::from_str(&t).unwrap_or(serde_json::Value::String(t)));
            let k = ctx
                .ledger
                .resolve_conflict(&actor, &id, v.as_ref(), &reason)?;
            Ok(Output::new(&k)?.line(tr(
                ctx.lang,
                format!("Conflit {} résolu.", k.id),
                format!("Conflict {} resolved.", k.id),
            )))
        }
    }
}

pub fn hub(ctx: &mut Ctx, c: HubCmd) -> CliResult<Output> {
    match c {
        HubCmd::Serve {
            listen,
            cert,
            key,
            backup_dir,
            backup_every,
            no_backup,
        } => {
            sene_hub::init_logging();
            let schedule = if no_backup {
                None
            } else {
                Some(sene_hub::schedule::BackupSchedule {
                    dir: backup_dir.unwrap_or_else(|| {
                        sene_hub::schedule::BackupSchedule::default_for(&ctx.store).dir
                    }),
                    every: period(&backup_every, "--backup-every")?,
                })
            };
            let lang = ctx.lang;
            match &schedule {
                Some(s) => eprintln!(
                    "{}",
                    tr(
                        lang,
                        format!(
                            "Sauvegardes automatiques dans {} (toutes les {backup_every} quand la base a changé), confiées à la machine de secours quand elle les demande.",
                            s.dir.display()
                        ),
                        format!(
                            "Automatic backups in {} (every {backup_every} when the store changed), handed to the standby machine when it asks for them.",
                            s.dir.display()
                        ),
                    )
                ),
                None => eprintln!(
                    "{}",
                    tr(
                        lang,
                        "Attention : aucune sauvegarde automatique (--no-backup) : les règlements arrêtés et les résolutions du bureau ne sont que sur ce disque.",
                        "Warning: no automatic backup (--no-backup): the locked settlements and the office's resolutions are only on this disk.",
                    )
                ),
            }
            let listen = listen.parse().map_err(|_| {
                CliError::msg(
                    "invalid_argument",
                    format!("--listen : adresse « {listen} » invalide (ex. 0.0.0.0:8750)"),
                    format!("--listen: invalid address \"{listen}\" (e.g. 0.0.0.0:8750)"),
                )
            })?;
            let opts = ServeOptions {
                store: ctx.store.clone(),
                listen,
                tls: cert.zip(key),
                key: ctx.key.clone(),
                backups: schedule,
            };
            let rt = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .map_err(|e| CliError::msg("server", e.to_string(), e.to_string()))?;
            rt.block_on(sene_hub::serve(opts, None))?;
            Ok(Output::new(&json!({ "stopped": true }))?.line(tr(
                lang,
                "Serveur arrêté.",
                "Server stopped.",
            )))
        }
        HubCmd::Cert { names, out, days } => {
            let union = ctx.ledger.union()?.name;
            let made = sene_hub::cert::make(&out, &union, &names, days, ctx.today())?;
            let mut o = Output::new(&json!({
                "ca_cert": made.ca_cert,
                "server_cert": made.server_cert,
                "server_key": made.server_key,
                "ca_created": made.ca_created,
            }))?;
            let lang = ctx.lang;
            let (ca, cert, key) = (
                made.ca_cert.display(),
                made.server_cert.display(),
                made.server_key.display(),
            );
            o.push(if made.ca_created {
                tr(
                    lang,
                    format!("Autorité de l'union créée : {ca} (sa clé reste au bureau, à côté)"),
                    format!("Union authority created: {ca} (its key stays at the office, next to it)"),
                )
            } else {
                tr(
                    lang,
                    format!("Autorité de l'union déjà là, réutilisée : {ca} (les portables la connaissent déjà)"),
                    format!("Union authority already there, reused: {ca} (the laptops already know it)"),
                )
            });
            let hosts = names.join(", ");
            o.push(tr(
                lang,
                format!("Certificat du bureau pour {hosts} : {cert} et {key}"),
                format!("Office certificate for {hosts}: {cert} and {key}"),
            ));
            o.push(tr(
                lang,
                format!("Lancez : sene hub serve --listen 0.0.0.0:8750 --cert {cert} --key {key}"),
                format!("Run: sene hub serve --listen 0.0.0.0:8750 --cert {cert} --key {key}"),
            ));
            let (host, file) = (&names[0], sene_hub::cert::CA_CERT);
            o.push(tr(
                lang,
                format!("Donnez aux portables le fichier {ca} (clé USB) : sene enroll --hub https://{host}:8750 … --ca {file}"),
                format!("Give the laptops the file {ca} (USB key): sene enroll --hub https://{host}:8750 … --ca {file}"),
            ));
            Ok(o)
        }
        HubCmd::Pair {
            device: d,
            federation: true,
            ..
        } => {
            let dv = device(ctx, &d)?;
            let p = enroll::pair_federation(&mut ctx.ledger, dv.id)?;
            Ok(Output::new(&p)?.line(tr(
                ctx.lang,
                format!(
                    "Code d'appairage de la fédération « {} » ({}) : {}   (valable jusqu'au {}, une seule fois). Elle lira tous les documents de l'union et n'en écrira aucun.",
                    dv.label, dv.id, p.code, p.expires
                ),
                format!(
                    "Pairing code of the federation \"{}\" ({}): {}   (valid until {}, once). It will read every document of the union and write none.",
                    dv.label, dv.id, p.code, p.expires
                ),
            )))
        }
        HubCmd::Pair {
            device: d,
            for_agent,
            cooperatives,
            federation: false,
        } => {
            let dv = device(ctx, &d)?;
            let agent = lookup::agent(&ctx.db(), for_agent.as_deref().unwrap_or_default())?;
            let coops = if cooperatives.is_empty() {
                agent.cooperatives.clone()
            } else {
                cooperatives
                    .iter()
                    .map(|c| lookup::cooperative(&ctx.db(), c).map(|c| c.id))
                    .collect::<CliResult<Vec<_>>>()?
            };
            let p = enroll::pair(&mut ctx.ledger, dv.id, agent.id, &coops)?;
            Ok(Output::new(&p)?.line(tr(
                ctx.lang,
                format!(
                    "Code d'appairage de « {} » ({}) : {}   (valable jusqu'au {}, une seule fois)",
                    dv.label, dv.id, p.code, p.expires
                ),
                format!(
                    "Pairing code of \"{}\" ({}): {}   (valid until {}, once)",
                    dv.label, dv.id, p.code, p.expires
                ),
            )))
        }
        HubCmd::Revoke { device: d } => {
            let dv = device(ctx, &d)?;
            let done = enroll::revoke(&mut ctx.ledger, dv.id)?;
            Ok(
                Output::new(&json!({ "device": dv.id, "revoked": done }))?.line(
                    match (done, ctx.lang) {
                        (true, Lang::Fr) => format!("Appareil « {} » révoqué.", dv.label),
                        (true, Lang::En) => format!("Device \"{}\" revoked.", dv.label),
                        (false, Lang::Fr) => "Déjà révoqué.".into(),
                        (false, Lang::En) => "Already revoked.".into(),
                    },
                ),
            )
        }
        HubCmd::Devices => {
            let rows = ctx.db().hub_devices()?;
            let mut out = Output::new(&rows)?;
            let lang = ctx.lang;
            for r in &rows {
                let state = if r.revoked_at.is_some() {
                    tr(lang, "révoqué", "revoked")
                } else if r.token_hash.is_some() {
                    tr(lang, "enrôlé", "enrolled")
                } else {
                    tr(lang, "code en attente", "code pending")
                };
                let last = r
                    .last_sync_at
                    .clone()
                    .unwrap_or_else(|| tr(lang, "jamais", "never"));
                let scope = if enroll::is_federation(r) {
                    tr(
                        lang,
                        "fédération : toute l'union, lecture seule",
                        "federation: the whole union, read-only",
                    )
                } else {
                    tr(lang, "coopératives ", "cooperatives ") + &r.cooperatives
                };
                out.push(tr(
                    lang,
                    format!(
                        "{} [{state}] agent {} {scope} dernière synchro {last}",
                        r.device_id, r.agent_id
                    ),
                    format!(
                        "{} [{state}] agent {} {scope} last sync {last}",
                        r.device_id, r.agent_id
                    ),
                ));
            }
            Ok(out)
        }
    }
}

/// `sene standby`: keeps the office's newest backup on this (secretariat) machine, every
/// period or once.
pub fn standby(ctx: &mut Ctx, a: &crate::cli::StandbyArgs) -> CliResult<Output> {
    let every = period(&a.every, "--every")?;
    let lang = ctx.lang;
    loop {
        let started = std::time::Instant::now();
        let mut shown = 0u64;
        let pulled = sene_hub::standby::pull(&ctx.ledger, &a.dir, &mut |got, total| {
            // a line every 8 MB: the terminal shows it moves
            if got - shown >= 8 << 20 || got == total {
                shown = got;
                eprintln!(
                    "{}",
                    tr(
                        lang,
                        format!("  {} Mo sur {} Mo", got >> 20, total >> 20),
                        format!("  {} MB of {} MB", got >> 20, total >> 20),
                    )
                );
            }
        });
        match pulled {
            Ok(p) => {
                let (file, made) = (p.file.display(), &p.made_at);
                let secs = started.elapsed().as_secs_f64();
                let line = if p.downloaded == 0 {
                    tr(
                        lang,
                        format!(
                            "Copie du bureau à jour : {file} (faite le {made}), rien à reprendre."
                        ),
                        format!(
                            "Office copy up to date: {file} (made on {made}), nothing to fetch."
                        ),
                    )
                } else {
                    tr(
                        lang,
                        format!(
                            "Copie du bureau reprise : {file} (faite le {made}), {} octets en {secs:.1} s, vérifiée.",
                            p.downloaded
                        ),
                        format!(
                            "Office copy fetched: {file} (made on {made}), {} bytes in {secs:.1} s, verified.",
                            p.downloaded
                        ),
                    )
                };
                if a.once {
                    return Ok(Output::new(&p)?.line(line));
                }
                eprintln!("{line}");
            }
            Err(e) if a.once => return Err(e.into()),
            // the office may be off or the link down: the next turn tries again
            Err(e) => eprintln!(
                "{}",
                tr(
                    lang,
                    format!("Copie du bureau non reprise : {}", e.message(lang)),
                    format!("Office copy not fetched: {}", e.message(lang)),
                )
            ),
        }
        std::thread::sleep(every);
    }
}

/// A period option (`1h`, `30m`, `5m`…), at least a minute.
fn period(text: &str, option: &str) -> CliResult<std::time::Duration> {
    sene_hub::schedule::parse_period(text).ok_or_else(|| {
        CliError::msg(
            "invalid_argument",
            format!("{option} : période « {text} » illisible ou de moins d'une minute : écrivez par ex. 5m, 30m, 1h, 1d"),
            format!("{option}: period \"{text}\" unreadable or under a minute: write e.g. 5m, 30m, 1h, 1d"),
        )
    })
}
