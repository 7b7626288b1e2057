//! sene-federation against a real PostgreSQL server (a temporary cluster per test), and real
//! union hubs on loopback (sene-fixture).
#![allow(clippy::unwrap_used, clippy::too_many_lines)]

mod measure;
mod pulls;
mod schema;
mod web;

pub fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}
