//! Sync commands: enroll, sync over HTTP or USB file, the conflict queue, and the hub.

use sene_app::sync::SyncReport;
use sene_domain::{Device, DeviceId};
use sene_hub::{client, enroll, usb, ServeOptions};
use serde_json::json;

use crate::cli::{ConflictsCmd, EnrollArgs, HubCmd, SyncArgs, SyncCmd};
use crate::ctx::Ctx;
use crate::error::{CliError, CliResult};
use crate::files::write_atomically;
use crate::lookup;
use crate::output::{progress, Output};

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

fn report_lines(out: &mut Output, r: &SyncReport, who: &str) {
    out.push(format!("{who} : {} document(s) modifié(s), {} enregistrement(s), {} conflit(s) ou doublon(s) nouveaux", r.docs_changed, r.records, r.conflicts));
    for x in &r.refused {
        out.push(format!("REFUSÉ {} : {}", x.doc, x.reason));
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
    let json = ctx.json;
    let r = client::sync(&mut ctx.ledger, None, &mut |p| progress_line(json, p))?;
    Ok(Output::new(
        &json!({ "device_id": e.device_id, "agent_id": e.agent_id, "union": e.union, "sync": r }),
    )?
    .line(format!(
        "Appareil enrôlé dans « {} ». Première synchronisation : {} enregistrement(s) reçus.",
        e.union, r.pulled.records
    )))
}

fn progress_line(json: bool, p: &client::Progress) {
    let line = match p {
        client::Progress::Sending { round, docs, bytes } => format!("[{round}] envoi : {docs} document(s), {bytes} octets"),
        client::Progress::Received { round, docs, bytes, records } => format!("[{round}] reçu : {docs} document(s), {bytes} octets, {records} enregistrement(s) appliqués"),
        client::Progress::Done => "synchronisation terminée".into(),
    };
    progress(json, &line);
}

pub fn sync(ctx: &mut Ctx, a: SyncArgs) -> CliResult<Output> {
    let enrolled = ctx.ledger.setting(client::keys::HUB_TOKEN)?.is_some();
    match a.action {
        None => {
            let json = ctx.json;
            let r = client::sync(&mut ctx.ledger, a.hub.as_deref(), &mut |p| {
                progress_line(json, p)
            })?;
            let mut out = Output::new(&r)?;
            out.push(format!(
                "{} aller-retour(s), {} octets envoyés, {} reçus",
                r.rounds, r.bytes_sent, r.bytes_received
            ));
            report_lines(&mut out, &r.pushed, "Au bureau");
            report_lines(&mut out, &r.pulled, "Ici");
            for x in &r.refused_by_hub {
                out.push(format!("Le bureau a refusé {} : {}", x.doc, x.reason));
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
            Ok(Output::new(&json!({ "file": e.to, "bytes": bytes.len() }))?.line(format!("Fichier écrit : {} ({} octets). Portez-le à l'autre côté et faites « sene sync import ».", e.to.display(), bytes.len())))
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
            report_lines(&mut out, &r, "Import");
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
                out.push("Aucun conflit ouvert.");
            }
            Ok(out)
        }
        ConflictsCmd::Resolve { id, value, reason } => {
            let actor = ctx.actor()?;
            let v = value.map(|t| serde_json::from_str(&t).unwrap_or(serde_json::Value::String(t)));
            let k = ctx
                .ledger
                .resolve_conflict(&actor, &id, v.as_ref(), &reason)?;
            Ok(Output::new(&k)?.line(format!("Conflit {} résolu.", k.id)))
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
            match &schedule {
                Some(s) => eprintln!(
                    "Sauvegardes automatiques dans {} (toutes les {backup_every} quand la base a changé), confiées à la machine de secours quand elle les demande.",
                    s.dir.display()
                ),
                None => eprintln!(
                    "Attention : aucune sauvegarde automatique (--no-backup) : les règlements arrêtés et les résolutions du bureau ne sont que sur ce disque."
                ),
            }
            let listen = listen.parse().map_err(|_| {
                CliError::msg(
                    "invalid_argument",
                    format!("--listen : adresse « {listen} » invalide (ex. 0.0.0.0:8750)"),
                    format!("--listen: invalid address \"{listen}\""),
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
            Ok(Output::new(&json!({ "stopped": true }))?.line("Serveur arrêté."))
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
            if made.ca_created {
                o.push(format!(
                    "Autorité de l'union créée : {} (sa clé reste au bureau, à côté)",
                    made.ca_cert.display()
                ));
            } else {
                o.push(format!(
                    "Autorité de l'union déjà là, réutilisée : {} (les portables la connaissent déjà)",
                    made.ca_cert.display()
                ));
            }
            o.push(format!(
                "Certificat du bureau pour {} : {} et {}",
                names.join(", "),
                made.server_cert.display(),
                made.server_key.display()
            ));
            o.push(format!(
                "Lancez : sene hub serve --listen 0.0.0.0:8750 --cert {} --key {}",
                made.server_cert.display(),
                made.server_key.display()
            ));
            o.push(format!(
                "Donnez aux portables le fichier {} (clé USB) : sene enroll --hub https://{}:8750 … --ca {}",
                made.ca_cert.display(),
                names[0],
                sene_hub::cert::CA_CERT
            ));
            Ok(o)
        }
        HubCmd::Pair {
            device: d,
            for_agent,
            cooperatives,
        } => {
            let dv = device(ctx, &d)?;
            let agent = lookup::agent(&ctx.db(), &for_agent)?;
            let coops = if cooperatives.is_empty() {
                agent.cooperatives.clone()
            } else {
                cooperatives
                    .iter()
                    .map(|c| lookup::cooperative(&ctx.db(), c).map(|c| c.id))
                    .collect::<CliResult<Vec<_>>>()?
            };
            let p = enroll::pair(&mut ctx.ledger, dv.id, agent.id, &coops)?;
            Ok(Output::new(&p)?.line(format!(
                "Code d'appairage de « {} » ({}) : {}   (valable jusqu'au {}, une seule fois)",
                dv.label, dv.id, p.code, p.expires
            )))
        }
        HubCmd::Revoke { device: d } => {
            let dv = device(ctx, &d)?;
            let done = enroll::revoke(&mut ctx.ledger, dv.id)?;
            Ok(
                Output::new(&json!({ "device": dv.id, "revoked": done }))?.line(if done {
                    format!("Appareil « {} » révoqué.", dv.label)
                } else {
                    "Déjà révoqué.".into()
                }),
            )
        }
        HubCmd::Devices => {
            let rows = ctx.db().hub_devices()?;
            let mut out = Output::new(&rows)?;
            for r in &rows {
                let state = if r.revoked_at.is_some() {
                    "révoqué"
                } else if r.token_hash.is_some() {
                    "enrôlé"
                } else {
                    "code en attente"
                };
                out.push(format!(
                    "{} [{state}] agent {} coopératives {} dernière synchro {}",
                    r.device_id,
                    r.agent_id,
                    r.cooperatives,
                    r.last_sync_at.as_deref().unwrap_or("jamais")
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
    loop {
        let started = std::time::Instant::now();
        let mut shown = 0u64;
        let pulled = sene_hub::standby::pull(&ctx.ledger, &a.dir, &mut |got, total| {
            // a line every 8 MB: the terminal shows it moves
            if got - shown >= 8 << 20 || got == total {
                shown = got;
                eprintln!("  {} Mo sur {} Mo", got >> 20, total >> 20);
            }
        });
        match pulled {
            Ok(p) => {
                let line = if p.downloaded == 0 {
                    format!(
                        "Copie du bureau à jour : {} (faite le {}), rien à reprendre.",
                        p.file.display(),
                        p.made_at
                    )
                } else {
                    format!(
                        "Copie du bureau reprise : {} (faite le {}), {} octets en {:.1} s, vérifiée.",
                        p.file.display(),
                        p.made_at,
                        p.downloaded,
                        started.elapsed().as_secs_f64()
                    )
                };
                if a.once {
                    return Ok(Output::new(&p)?.line(line));
                }
                eprintln!("{line}");
            }
            Err(e) if a.once => return Err(e.into()),
            // the office may be off or the link down: the next turn tries again
            Err(e) => eprintln!("Copie du bureau non reprise : {}", e.message(ctx.lang)),
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
