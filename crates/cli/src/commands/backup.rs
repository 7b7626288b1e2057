//! `sene backup` and `sene restore`: a consistent copy of the live store with its manifest, its
//! verification, and putting one back in place with a new sync identity and receipt series.

use std::path::Path;

use sene_app::Ledger;
use sene_domain::Lang;
use sene_store::backup::{self, BackupError};
use sene_store::DataKey;
use serde_json::json;

use crate::cli::{BackupArgs, BackupCmd};
use crate::ctx::{open_ledger_as_found, unlock, Ctx};
use crate::error::{CliError, CliResult};
use crate::output::Output;

fn err(e: &BackupError) -> CliError {
    CliError::msg(e.code(), e.message(Lang::Fr), e.message(Lang::En))
}

/// The data key of an encrypted backup, from its own key file (the passphrases it had).
fn backup_key(file: &Path) -> CliResult<Option<DataKey>> {
    let manifest = backup::read_manifest(file).map_err(|e| err(&e))?;
    if !manifest.encrypted {
        return Ok(None);
    }
    Ok(Some(unlock(file)?.1))
}

/// `sene backup --to DIR`.
pub fn backup(ctx: &Ctx, a: &BackupArgs) -> CliResult<Output> {
    let Some(dir) = &a.to else {
        return Err(CliError::msg(
            "invalid_argument",
            "dites où écrire la sauvegarde : sene backup --to DOSSIER (ou sene backup verify FICHIER)",
            "say where to write the backup: sene backup --to FOLDER (or sene backup verify FILE)",
        ));
    };
    let started = std::time::Instant::now();
    eprintln!("Sauvegarde de {} en cours…", ctx.store.display());
    let made = ctx
        .ledger
        .backup_into(dir, ctx.key.as_ref())
        .map_err(|e| err(&e))?;
    let m = &made.manifest;
    Ok(Output::new(&json!({ "file": made.file, "manifest": m }))?
        .line(format!("Sauvegarde écrite : {}", made.file.display()))
        .line(format!(
            "{} octets, SHA-256 {}, schéma {}, génération {}{}",
            m.bytes,
            &m.sha256[..16],
            m.schema_version,
            m.generation,
            if m.encrypted {
                " (chiffrée, fichier de clés à côté)"
            } else {
                ""
            }
        ))
        .line(format!(
            "Durée : {:.1} s. Vérifiez-la avec : sene backup verify {}",
            started.elapsed().as_secs_f64(),
            made.file.display()
        )))
}

/// `sene backup verify FILE` and `sene backup list DIR`: no store is opened.
pub fn without_store(a: &BackupArgs) -> CliResult<Output> {
    match &a.action {
        Some(BackupCmd::Verify { file }) => {
            let key = backup_key(file)?;
            let m = backup::verify(file, key.as_ref()).map_err(|e| err(&e))?;
            Ok(Output::new(&json!({ "ok": true, "manifest": m }))?
                .line(format!("Sauvegarde saine : {}", file.display()))
                .line(format!(
                    "Faite le {}, schéma {}, génération {}, {} octets, empreinte vérifiée, contrôle d'intégrité : ok",
                    m.made_at, m.schema_version, m.generation, m.bytes
                )))
        }
        Some(BackupCmd::List { dir }) => {
            let found = backup::list(dir).map_err(|e| err(&e))?;
            let mut out = Output::new(
                &found
                    .iter()
                    .map(|(f, m)| json!({ "file": f, "manifest": m }))
                    .collect::<Vec<_>>(),
            )?;
            for (f, m) in &found {
                out.push(format!(
                    "{}  {}  {} octets",
                    m.made_at,
                    f.display(),
                    m.bytes
                ));
            }
            if found.is_empty() {
                out.push(format!("(aucune sauvegarde dans {})", dir.display()));
            }
            Ok(out)
        }
        None => Err(CliError::msg("internal", "pas d'action", "no action")),
    }
}

/// `sene restore FILE --store PATH`.
pub fn restore(store: &Path, file: &Path) -> CliResult<Output> {
    let key = backup_key(file)?;
    eprintln!("Vérification de la sauvegarde {}…", file.display());
    let manifest = backup::verify(file, key.as_ref()).map_err(|e| err(&e))?;
    backup::check_not_served(store).map_err(|e| err(&e))?;
    let stamp = chrono::Utc::now().format("%Y%m%d-%H%M%S").to_string();
    eprintln!(
        "Mise en place de la sauvegarde à la place de {}…",
        store.display()
    );
    let moved = backup::install(file, store, &stamp).map_err(|e| err(&e))?;
    let (mut ledger, _key): (Ledger, _) = open_ledger_as_found(store)?;
    let generation = ledger.mark_restored(&manifest, file, moved.as_deref())?;
    let series = ledger.next_receipt_number().ok();
    let mut out = Output::new(&json!({
        "restored": true,
        "store": store,
        "backup": file,
        "backup_made_at": manifest.made_at,
        "generation": generation,
        "first_receipt": series,
        "moved_aside": moved,
    }))?
    .line(format!(
        "Base restaurée depuis la sauvegarde du {} : {}",
        manifest.made_at,
        store.display()
    ))
    .line(format!(
        "Nouvelle identité de synchronisation (génération {generation}) : aucun numéro n'est réutilisé."
    ));
    if let Some(s) = series {
        out.push(format!(
            "Les reçus de cette base reprennent dans une nouvelle série : {s}, …"
        ));
    }
    if let Some(m) = &moved {
        out.push(format!(
            "L'ancienne base n'est pas effacée : elle est mise de côté sous {}",
            m.display()
        ));
    }
    out.push(
        "Relancez le bureau (sene hub serve) : chaque appareil renverra ce qu'il détient et que la sauvegarde n'a pas.",
    );
    Ok(out)
}
