//! The union office's own exchanges through `Session`: the hub's store on the demo union, two
//! laptops enrolled through the hub the office runs; a laptop's USB file read at the office
//! (merged as an HTTP sync, its last exchange noted), a file written for a laptop (what it
//! lacks), the devices' table, the office's status (nothing "waiting" there), and the refusals
//! said at the form in the session's language: not a Sene file, a file the office made, an
//! altered file, a revoked laptop's file (kept for review, nothing merged).
#![allow(clippy::unwrap_used)]

use chrono::{TimeZone, Utc};
use sene_api::*;

fn session(dir: &std::path::Path, hour: u32) -> Session {
    crate::common::session(dir, Utc.with_ymd_and_hms(2027, 1, 15, hour, 0, 0).unwrap())
        .with_store_path(dir.join("sene.sqlite"))
}

fn member(coop: &CooperativeView, n: u32, name: &str) -> NewMemberRequest {
    NewMemberRequest {
        cooperative_id: coop.id.clone(),
        number: format!("{}-{n}", coop.code),
        full_name: name.into(),
        sex: "F".into(),
        birth_year: Some(1990),
        village: "Kondogola".into(),
        phone: None,
        nina: None,
        crops: vec!["rice".into()],
        confirmed: true,
    }
}

fn found(s: &Session, name: &str) -> bool {
    !s.search_members(&SearchRequest {
        query: name.into(),
        cooperative_id: None,
    })
    .unwrap()
    .is_empty()
}

/// A laptop paired at the office for `agent` (its device id and code).
fn pair(office: &mut Session, agent: &AgentView, prefix: &str) -> (String, String) {
    let p = office
        .pair_device(&PairRequest {
            agent_id: agent.id.clone(),
            device_label: format!("Portable {prefix}"),
            receipt_prefix: prefix.into(),
            federation: false,
        })
        .unwrap();
    (p.device_id, p.code)
}

/// The laptop `device`, enrolled with `code` through the office's hub at `url`.
fn enroll(url: &str, (device, code): &(String, String)) -> Session {
    let dir = tempfile::tempdir().unwrap().keep();
    let mut l = session(&dir, 10);
    l.enroll(
        &EnrollRequest {
            hub_url: url.into(),
            device_id: device.clone(),
            code: code.clone(),
        },
        &mut |_| {},
    )
    .unwrap();
    l
}

fn row<'a>(rows: &'a [HubDeviceView], id: &str) -> &'a HubDeviceView {
    rows.iter().find(|d| d.device_id == id).expect("the device")
}

#[test]
fn the_office_reads_a_laptops_file_and_writes_one_for_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut office = session(dir.path(), 9);
    office.load_demo(&mut |_| {}).unwrap();
    let url = office
        .hub_start(&HubStartRequest {
            listen: "127.0.0.1:0".into(),
        })
        .unwrap()
        .urls[0]
        .clone();
    let agents = office.agents().unwrap();
    let field: Vec<&AgentView> = agents
        .iter()
        .filter(|a| a.role == "field_agent" && !a.cooperatives.is_empty())
        .collect();
    // both paired first (a device registered is a change of the union's document, which
    // every laptop receives), then enrolled
    let a = pair(&mut office, field[0], "USBA");
    let b = pair(&mut office, field[1], "USBB");
    let (awa_id, lost_id) = (a.0.clone(), b.0.clone());
    let mut awa = enroll(&url, &a);
    let mut lost = enroll(&url, &b);

    // the office: nothing "waiting", no sync of its own, no terminal command
    let st = office.sync_status().unwrap();
    assert!(st.office && !st.enrolled, "{st:?}");
    assert_eq!(
        st.pending_changes, 0,
        "the office sends nothing: it is the hub"
    );
    let e = office.sync_now(&mut |_| {}).unwrap_err();
    assert!(e.message.contains("bureau de l'union"), "{e:?}");
    assert!(!e.message.contains("sene "), "no terminal command: {e:?}");
    // a field laptop keeps its own count
    let st = awa.sync_status().unwrap();
    assert!(
        !st.office && st.enrolled && st.devices_behind == 0,
        "{st:?}"
    );

    // both laptops enrolled, each synced once (at enrollment, one round trip), each up to
    // date: what that sync's answer carried is sent, confirmed at the laptop's next sync
    let rows = office.hub_devices().unwrap();
    for id in [&awa_id, &lost_id] {
        let d = row(&rows, id);
        assert_eq!(d.state, "enrolled", "{d:?}");
        assert!(d.last_sync_at.is_some() && d.may_export, "{d:?}");
        assert_eq!(d.lacks_changes, Some(0), "{d:?}");
        assert_eq!(
            d.lacks_label,
            "À jour : envoyé, confirmation à sa prochaine synchronisation"
        );
    }
    assert_eq!(row(&rows, &awa_id).label, "Portable USBA");

    // the laptop records a member offline and writes its file, with its steps
    let coops = awa.cooperatives().unwrap();
    let coop = coops
        .iter()
        .find(|c| field[0].cooperatives.contains(&c.code))
        .unwrap()
        .clone();
    awa.register_member(&member(&coop, 8101, "Mariam Dembélé"))
        .unwrap();
    let stick = tempfile::tempdir().unwrap();
    let file = stick.path().join("awa.sene");
    let mut steps = Vec::new();
    let w = awa
        .usb_export(
            &UsbExportRequest {
                path: file.display().to_string(),
                device_id: String::new(),
            },
            &mut |p| steps.push(p.clone()),
        )
        .unwrap();
    assert!(w.bytes > 0);
    assert_eq!(steps.last().map(|p| p.done), Some(3), "{steps:?}");

    // the office reads it: merged, its last exchange noted, with progress
    assert!(!found(&office, "Mariam Dembélé"));
    let mut steps = Vec::new();
    let r = office
        .usb_import(
            &PathRequest {
                path: file.display().to_string(),
            },
            &mut |p| steps.push(p.clone()),
        )
        .unwrap();
    assert!(r.received >= 1, "{r:?}");
    assert!(r.message.contains("Portable USBA"), "{r:?}");
    assert_eq!(
        steps.iter().map(|p| p.done).collect::<Vec<_>>(),
        [1, 2, 3, 4]
    );
    assert!(found(&office, "Mariam Dembélé"));
    let rows = office.hub_devices().unwrap();
    let d = row(&rows, &awa_id);
    assert_eq!(d.last_sync_at.as_deref(), Some("2027-01-15T09:00:00Z"));
    // its own changes are not counted as something it lacks
    assert_eq!(d.lacks_changes, Some(0), "{d:?}");
    // read twice: nothing new
    let again = office
        .usb_import(
            &PathRequest {
                path: file.display().to_string(),
            },
            &mut |_| {},
        )
        .unwrap();
    assert_eq!(again.received, 0);

    // the office registers a member in the laptop's cooperative: the laptop lacks it
    office
        .register_member(&member(&coop, 8102, "Oumou Sangaré"))
        .unwrap();
    let rows = office.hub_devices().unwrap();
    let d = row(&rows, &awa_id);
    assert!(d.lacks_changes.unwrap() >= 1, "{d:?}");
    assert!(
        d.lacks_label.contains("modification(s) à recevoir"),
        "{d:?}"
    );
    assert!(office.sync_status().unwrap().devices_behind >= 1);

    // a file for the laptop: refused without a laptop named, at that field
    let back = stick.path().join("pour-awa.sene");
    let e = office
        .usb_export(
            &UsbExportRequest {
                path: back.display().to_string(),
                device_id: String::new(),
            },
            &mut |_| {},
        )
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("device_id"), "{e:?}");
    let mut steps = Vec::new();
    office
        .usb_export(
            &UsbExportRequest {
                path: back.display().to_string(),
                device_id: awa_id.clone(),
            },
            &mut |p| steps.push(p.clone()),
        )
        .unwrap();
    assert_eq!(steps.last().map(|p| p.done), Some(3), "{steps:?}");
    assert!(!found(&awa, "Oumou Sangaré"));
    let got = awa
        .usb_import(
            &PathRequest {
                path: back.display().to_string(),
            },
            &mut |_| {},
        )
        .unwrap();
    assert!(got.received >= 1, "{got:?}");
    assert!(found(&awa, "Oumou Sangaré"));

    // bad input, said at the file's field
    let photo = stick.path().join("photo.jpg");
    std::fs::write(&photo, b"\xff\xd8\xff\xe0 not a sync file").unwrap();
    let import = |s: &mut Session, p: &std::path::Path| {
        s.usb_import(
            &PathRequest {
                path: p.display().to_string(),
            },
            &mut |_| {},
        )
        .unwrap_err()
    };
    let e = import(&mut office, &photo);
    assert_eq!(e.code, ErrorCode::File);
    assert_eq!(e.field.as_deref(), Some("path"));
    assert!(
        e.message.contains("n'est pas un fichier d'échange Sene"),
        "{e:?}"
    );
    // a file that is not there: said in French, not in the system's words
    let e = import(&mut office, &stick.path().join("absent.sene"));
    assert_eq!(e.code, ErrorCode::File);
    assert!(
        e.message.contains("absent.sene introuvable")
            && e.message.contains("clé USB est branchée")
            && !e.message.contains("os error"),
        "{e:?}"
    );
    // the file the office made for the laptop is the laptop's to read
    let e = import(&mut office, &back);
    assert!(
        e.message.contains("fait par le bureau pour un portable"),
        "{e:?}"
    );
    // an altered file
    let mut bytes = std::fs::read(&file).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    let altered = stick.path().join("altered.sene");
    std::fs::write(&altered, &bytes).unwrap();
    let e = import(&mut office, &altered);
    assert_eq!(e.code, ErrorCode::SyncUnauthentic, "{e:?}");
    // and on the laptop, a file meant for another laptop
    lost.register_member(&member(
        &lost
            .cooperatives()
            .unwrap()
            .into_iter()
            .find(|c| field[1].cooperatives.contains(&c.code))
            .unwrap(),
        8103,
        "Kadiatou Traoré",
    ))
    .unwrap();

    // a revoked laptop: its file kept for review, nothing merged; nothing more goes to it
    let lost_file = stick.path().join("perdu.sene");
    lost.usb_export(
        &UsbExportRequest {
            path: lost_file.display().to_string(),
            device_id: String::new(),
        },
        &mut |_| {},
    )
    .unwrap();
    let rows = office
        .revoke_device(&DeviceRequest {
            device_id: lost_id.clone(),
        })
        .unwrap();
    let d = row(&rows, &lost_id);
    assert_eq!(d.state, "revoked");
    assert!(
        !d.may_export && !d.may_revoke && d.lacks_changes.is_none(),
        "{d:?}"
    );
    let e = import(&mut office, &lost_file);
    assert_eq!(e.field.as_deref(), Some("path"));
    assert!(e.message.contains("révoqué"), "{e:?}");
    assert!(e.message.contains("quarantaine"), "{e:?}");
    assert!(!found(&office, "Kadiatou Traoré"));
    let e = office
        .usb_export(
            &UsbExportRequest {
                path: stick.path().join("x.sene").display().to_string(),
                device_id: lost_id.clone(),
            },
            &mut |_| {},
        )
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("device_id"));
    assert!(e.message.contains("révoqué"), "{e:?}");

    // in English, in English
    office.set_lang(&LangRequest { lang: "en".into() }).unwrap();
    let e = import(&mut office, &photo);
    assert!(e.message.contains("not a Sene exchange file"), "{e:?}");
    let e = import(&mut office, &lost_file);
    assert!(e.message.contains("revoked"), "{e:?}");
    let e = office.sync_now(&mut |_| {}).unwrap_err();
    assert!(e.message.contains("union office"), "{e:?}");
    let rows = office.hub_devices().unwrap();
    assert_eq!(row(&rows, &lost_id).state_label, "Revoked");
    // what the office's file carried counts as lacking until the laptop syncs (the office
    // cannot know it was read), and the revocation is new to it
    assert!(
        row(&rows, &awa_id)
            .lacks_label
            .contains("change(s) to receive"),
        "{rows:?}"
    );
    // its sync is one round trip: the answer carried the news, which its next sync confirms
    awa.sync_now(&mut |_| {}).unwrap();
    let rows = office.hub_devices().unwrap();
    assert_eq!(row(&rows, &awa_id).lacks_changes, Some(0), "{rows:?}");
    assert_eq!(
        row(&rows, &awa_id).lacks_label,
        "Up to date: sent, confirmed at its next sync",
        "{rows:?}"
    );
    assert_eq!(office.sync_status().unwrap().devices_behind, 0);
    awa.sync_now(&mut |_| {}).unwrap();
    let rows = office.hub_devices().unwrap();
    assert_eq!(row(&rows, &awa_id).lacks_label, "Up to date", "{rows:?}");
}
