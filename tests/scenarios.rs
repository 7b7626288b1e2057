//! The scenarios across crates, one test binary: each file beside this one is a module
//! (`cargo test -p sene-scenarios --test scenarios restore::` runs one of them). What they
//! start from (a union, its hub on loopback, laptops enrolled with it) is `sene-fixture`.

mod authz;
mod backup_load;
mod crash;
mod decisions;
mod federation_scope;
mod hub;
mod one_round;
mod registry;
mod restore;
mod standby;
mod upgrade;
mod wire_versions;
