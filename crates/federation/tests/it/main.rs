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
        // a measure reads each thread's CPU from /proc: none may end meanwhile
        .thread_keep_alive(std::time::Duration::from_secs(3600))
        .enable_all()
        .build()
        .unwrap()
}
