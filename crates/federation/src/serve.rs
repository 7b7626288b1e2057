//! `sene federation serve`: the scheduler that pulls every union every N minutes, and the
//! HTTP server of the federation. It serves only `GET /v1/health` and `GET /v1/unions` (each
//! union's freshness) for now: the national page mounts its own routes on [`router`]'s
//! [`Router`] (`router(state).merge(web::routes(state))`), with [`State`] giving it the
//! database and the federation.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State as Extract;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};

use crate::{Federation, FederationError};

/// What the routes share.
#[derive(Clone)]
pub struct State {
    pub federation: Arc<Federation>,
}

/// How `serve` runs.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub pg_url: String,
    /// The replicas' folder.
    pub data: std::path::PathBuf,
    /// Time between the starts of two rounds of pulls.
    pub every: Duration,
    /// Where to serve HTTP (`None`: the scheduler only).
    pub listen: Option<SocketAddr>,
    /// HTTPS with this certificate and key (PEM, as `sene hub cert` makes them); `None`: HTTP.
    pub tls: Option<(std::path::PathBuf, std::path::PathBuf)>,
}

/// The federation's routes.
pub fn router(state: State) -> Router {
    Router::new()
        .route("/v1/health", get(|| async { "ok" }))
        .route("/v1/unions", get(unions))
        .with_state(state)
}

async fn unions(Extract(s): Extract<State>) -> Response {
    match s.federation.status().await {
        Ok(st) => Json(st).into_response(),
        Err(e) => (
            StatusCode::SERVICE_UNAVAILABLE,
            e.message(sene_domain::Lang::Fr),
        )
            .into_response(),
    }
}

/// One round: every union pulled (each on its own), the outcome logged.
pub async fn round(fed: &Arc<Federation>) {
    match fed.pull_all().await {
        Ok(outcomes) => {
            for (name, r) in outcomes {
                match r {
                    Ok(p) => tracing::info!(
                        union = %name,
                        bytes = p.bytes_received,
                        records = p.records_merged,
                        rows = p.rows_written,
                        "pulled"
                    ),
                    Err(e) => tracing::warn!(union = %name, code = e.code(), "pull failed: {e}"),
                }
            }
        }
        Err(e) => tracing::error!("cannot read the list of unions: {e}"),
    }
    crate::web::refresh_after_pulls(fed).await;
}

/// Starts the scheduler (a round at once, then every `every`) on the current runtime.
pub fn start_scheduler(fed: Arc<Federation>, every: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            round(&fed).await;
        }
    })
}

/// Opens the federation (migrations applied), starts the scheduler, serves the router when
/// asked, until Ctrl-C. `ready` receives the address bound (or `None`).
///
/// # Errors
/// PostgreSQL at start-up; the listening address.
pub async fn serve(
    opts: ServeOptions,
    ready: Option<tokio::sync::oneshot::Sender<Option<SocketAddr>>>,
) -> Result<(), FederationError> {
    let fed = Arc::new(
        Federation::open(&opts.pg_url, &opts.data)
            .await?
            .keep_replicas_open(crate::KEEP_OPEN),
    );
    let scheduler = start_scheduler(Arc::clone(&fed), opts.every);
    let server = match opts.listen {
        Some(addr) => {
            let listener =
                tokio::net::TcpListener::bind(addr)
                    .await
                    .map_err(|e| FederationError::Io {
                        path: addr.to_string(),
                        detail: e.to_string(),
                    })?;
            let bound = listener.local_addr().ok();
            if let Some(r) = ready {
                let _ = r.send(bound);
            }
            let state = State {
                federation: Arc::clone(&fed),
            };
            let app = router(state.clone()).merge(crate::web::routes(state));
            let tls = opts.tls.clone();
            Some(tokio::spawn(async move {
                let served = match tls {
                    Some((cert, key)) => match listener.into_std() {
                        Ok(l) => crate::web::serve_https(l, app, &cert, &key)
                            .await
                            .map_err(|e| e.to_string()),
                        Err(e) => Err(e.to_string()),
                    },
                    None => axum::serve(listener, app).await.map_err(|e| e.to_string()),
                };
                if let Err(e) = served {
                    tracing::error!("federation server stopped: {e}");
                }
            }))
        }
        None => {
            if let Some(r) = ready {
                let _ = r.send(None);
            }
            None
        }
    };
    let _ = tokio::signal::ctrl_c().await;
    scheduler.abort();
    if let Some(s) = server {
        s.abort();
    }
    Ok(())
}
