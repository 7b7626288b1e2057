//! Receipts rendered to PDF and read back: the file structure (header, byte offsets of the
//! cross-reference table, trailer, fonts), the text shown, accents, reversals, pagination.
#![allow(clippy::unwrap_used)]

use chrono::NaiveDate;
use sene_domain::Money;
use sene_print::*;

fn sample() -> ReceiptDoc {
    ReceiptDoc {
        title: "Reçu de décaissement d'avance".into(),
        number: "A07-000123".into(),
        date: NaiveDate::from_ymd_opt(2026, 7, 14).unwrap(),
        union_name: "Union Faso Jigi — Ségou".into(),
        cooperative_name: "Coopérative de Diéla (DIE)".into(),
        member_name: "Aïssata Traoré".into(),
        member_number: "DIE-0042".into(),
        agent_name: "Moussa Coulibaly".into(),
        lines: vec![
            ("Campagne".into(), "Céréales sèches 2026/27".into()),
            ("Culture".into(), "maïs".into()),
            (
                "Quantité engagée".into(),
                format_kg("1234.5".parse().unwrap()),
            ),
            ("Mode de paiement".into(), "espèces".into()),
            (
                "Remarque (test)".into(),
                r"a\b (c) ô û ç à è É Œ «x» €".into(),
            ),
        ],
        amount_label: "Montant de l'avance versée".into(),
        amount: Money::from_francs(200_000).unwrap(),
        cancels: None,
        cancel_reason: None,
        duplicate: false,
        proof: None,
    }
}

/// Collapses runs of whitespace (tabs, line breaks, no-break spaces) to one space.
fn flat(s: &str) -> String {
    s.split(|c: char| c.is_whitespace() || c == '\u{a0}' || c == '\u{c}')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn find(hay: &[u8], needle: &str) -> Option<usize> {
    hay.windows(needle.len())
        .position(|w| w == needle.as_bytes())
}

fn rfind(hay: &[u8], needle: &str) -> Option<usize> {
    hay.windows(needle.len())
        .rposition(|w| w == needle.as_bytes())
}

/// The ASCII text from `at` to the next line feed.
fn line_at(pdf: &[u8], at: usize) -> &str {
    let end = at + pdf[at..].iter().position(|&b| b == b'\n').unwrap();
    std::str::from_utf8(&pdf[at..end]).unwrap()
}

/// An independent check of the cross-reference table: every in-use entry's offset points at
/// `n 0 obj`, entries are 20 bytes, `startxref` points at `xref`, `/Size` counts the entries.
fn check_xref(pdf: &[u8]) {
    let sx = rfind(pdf, "startxref\n").unwrap();
    let xref_at: usize = line_at(pdf, sx + 10).parse().unwrap();
    assert_eq!(&pdf[xref_at..xref_at + 5], b"xref\n");
    let header = line_at(pdf, xref_at + 5);
    let entries_at = xref_at + 5 + header.len() + 1;
    let (first, count) = header.split_once(' ').unwrap();
    assert_eq!(first, "0");
    let count: usize = count.parse().unwrap();
    for i in 0..count {
        let e = &pdf[entries_at + 20 * i..entries_at + 20 * (i + 1)];
        let e = std::str::from_utf8(e).unwrap();
        assert!(e.ends_with(" \n"), "{e:?}");
        if i == 0 {
            assert_eq!(e, "0000000000 65535 f \n");
            continue;
        }
        assert_eq!(&e[10..18], " 00000 n", "{e:?}");
        let off: usize = e[..10].parse().unwrap();
        let expected = format!("{i} 0 obj\n");
        assert_eq!(
            &pdf[off..off + expected.len()],
            expected.as_bytes(),
            "object {i} at {off}"
        );
    }
    let trailer = std::str::from_utf8(&pdf[entries_at + 20 * count..]).unwrap();
    assert!(trailer.starts_with("trailer\n<<"), "{trailer}");
    assert!(trailer.contains(&format!("/Size {count} ")), "{trailer}");
    assert!(
        trailer.contains(&format!("startxref\n{xref_at}\n%%EOF")),
        "{trailer}"
    );
    assert!(trailer.ends_with("%%EOF\n"));
}

#[test]
fn a_receipt_is_a_valid_pdf() {
    let pdf = render_receipt(&sample());
    assert!(pdf.starts_with(b"%PDF-1.4\n"));
    check_xref(&pdf);
    let info = inspect(&pdf).unwrap();
    assert_eq!(info.version, "1.4");
    assert_eq!(info.pages.len(), 1);
    let p = &info.pages[0];
    assert_eq!((p.width, p.height), (420, 595), "A5 portrait");
    assert_eq!(
        p.fonts.get("F1"),
        Some(&("Helvetica".to_owned(), "WinAnsiEncoding".to_owned()))
    );
    assert_eq!(
        p.fonts.get("F2"),
        Some(&("Helvetica-Bold".to_owned(), "WinAnsiEncoding".to_owned()))
    );
    // the content stream is readable as it is (not compressed)
    let content = String::from_utf8(p.content.clone()).unwrap();
    assert!(content.contains(": DIE-0042) Tj"), "{content}");
    // the same receipt gives the same bytes
    assert_eq!(pdf, render_receipt(&sample()));
}

#[test]
fn the_text_reads_back_with_its_accents() {
    let doc = sample();
    let text = pdf_text(&render_receipt(&doc));
    for expected in [
        "Reçu de décaissement d'avance",
        "Reçu N°\u{a0}A07-000123",
        "14/07/2026",
        "Union Faso Jigi — Ségou",
        "Coopérative de Diéla (DIE)",
        "Aïssata Traoré",
        "N° de membre\u{a0}: DIE-0042",
        "Agent\u{a0}: Moussa Coulibaly",
        "Céréales sèches 2026/27",
        "1\u{a0}234,5\u{a0}kg",
        "200\u{a0}000\u{a0}FCFA",
        r"a\b (c) ô û ç à è É Œ «x» €",
        "Montant de l'avance versée",
        "Signature de l'agent",
        "Signature ou empreinte du membre",
    ] {
        assert!(text.contains(expected), "{expected:?} missing from\n{text}");
    }
    assert_eq!(doc.amount_in_words(), "deux cent mille francs CFA");
    assert!(
        flat(&text).contains("Soit : deux cent mille francs CFA"),
        "{text}"
    );
    assert!(!text.contains("DUPLICATA"));
    assert!(!text.contains("Annule"));
    // label and value of a line share a baseline
    assert!(text.contains("Culture\tmaïs"), "{text}");
}

#[test]
fn a_reversal_names_the_cancelled_receipt() {
    let doc = ReceiptDoc {
        title: "Reçu d'annulation".into(),
        number: "A07-000124".into(),
        cancels: Some("A07-000123".into()),
        cancel_reason: Some("montant saisi 250 000 au lieu de 200 000".into()),
        amount_label: "Montant annulé".into(),
        duplicate: true,
        proof: None,
        ..sample()
    };
    let pdf = render_receipt(&doc);
    check_xref(&pdf);
    let text = pdf_text(&pdf);
    assert!(text.contains("Annule le reçu N°\u{a0}A07-000123"), "{text}");
    assert!(
        flat(&text).contains("Motif : montant saisi 250 000 au lieu de 200 000"),
        "{text}"
    );
    assert!(text.contains("DUPLICATA"));
    assert!(text.contains("Montant annulé"));
}

#[test]
fn a_long_receipt_moves_to_a4_and_long_words_wrap() {
    let mut doc = sample();
    doc.amount = Money::from_francs(47_777_777).unwrap();
    doc.lines = (1..=25)
        .map(|i| (format!("Ligne {i}"), format!("{i} sacs")))
        .collect();
    let pdf = render_receipt(&doc);
    check_xref(&pdf);
    let info = inspect(&pdf).unwrap();
    assert_eq!((info.pages[0].width, info.pages[0].height), (595, 842));
    let text = pdf_text(&pdf);
    assert_eq!(info.pages.len(), 1);
    assert!(text.contains("Ligne 25\t25 sacs"), "{text}");
    assert!(
        flat(&text).contains(
            "quarante-sept millions sept cent soixante-dix-sept mille sept cent soixante-dix-sept francs CFA"
        ),
        "{text}"
    );
}

#[test]
fn a_full_delivery_receipt_fits_on_a5() {
    let mut doc = sample();
    doc.title = "Reçu de livraison".into();
    doc.member_name = "Mariam Fatoumata Dembélé-Coulibaly".into();
    doc.lines = (1..=12)
        .map(|i| {
            (
                format!("Tare des sacs ({i} × 0,5 kg)"),
                format!("1\u{a0}126,{i} kg"),
            )
        })
        .collect();
    doc.amount = Money::from_francs(49_999_999).unwrap();
    doc.amount_label = "Valeur de la livraison (poids accepté × prix de base)".into();
    let info = inspect(&render_receipt(&doc)).unwrap();
    assert_eq!(info.pages.len(), 1);
    assert_eq!(info.pages[0].width, 420);
}

#[test]
fn damaged_files_are_refused() {
    let pdf = render_receipt(&sample());
    // the cross-reference entry of object 3 off by one byte
    let at = find(&pdf, "\n3 0 obj").unwrap() + 1;
    let entry = find(&pdf, &format!("{at:010} 00000 n")).unwrap();
    let mut moved = pdf.clone();
    moved[entry..entry + 10].copy_from_slice(format!("{:010}", at + 1).as_bytes());
    let e = inspect(&moved).unwrap_err();
    assert!(e.0.contains("l'objet 3"), "{e}");
    // the table moved: startxref is wrong
    let mut shifted = pdf.clone();
    shifted.insert(find(&pdf, "xref\n").unwrap(), b'\n');
    assert!(inspect(&shifted).unwrap_err().0.contains("startxref"));
    // a wrong stream length
    let len = find(&pdf, "/Length ").unwrap();
    let mut bad = pdf.clone();
    bad.insert(len + 8, b'1');
    assert!(inspect(&bad).is_err());
    assert_eq!(pdf_text(&pdf[..pdf.len() / 2]), "");
}

#[test]
fn documents_span_pages_with_their_table_header() {
    let mut f = Flow::new(PageSize::A4, "Liste des paiements", 36);
    f.paragraph(
        Font::Bold,
        14,
        Align::Center,
        "Liste des paiements — Coopérative de Diéla",
    );
    let rows: Vec<Vec<String>> = (1..=120)
        .map(|i| {
            vec![
                format!("DIE-{i:04}"),
                format!("Membre n° {i} « Kéita »"),
                format_money(Money::from_francs(i * 1_000).unwrap()),
            ]
        })
        .collect();
    f.table(
        &[
            Column::new("N° de membre", 2, Align::Left),
            Column::new("Nom", 5, Align::Left),
            Column::new("Montant", 2, Align::Right),
        ],
        &rows,
        10,
    );
    let mut doc = f.finish();
    doc.number_pages(8);
    let pdf = doc.to_pdf();
    check_xref(&pdf);
    let info = inspect(&pdf).unwrap();
    let n = info.pages.len();
    assert!(n >= 3, "{n} pages");
    let text = pdf_text(&pdf);
    let pages: Vec<&str> = text.split("\n\u{c}\n").collect();
    assert_eq!(pages.len(), n);
    for (i, p) in pages.iter().enumerate() {
        assert!(p.contains("N° de membre\tNom\tMontant"), "page {i}: {p}");
        assert!(p.contains(&format!("Page {}/{n}", i + 1)), "page {i}: {p}");
    }
    assert!(text.contains("DIE-0120\tMembre n° 120 « Kéita »\t120\u{a0}000\u{a0}FCFA"));
    assert!(pages[0].starts_with("Liste des paiements — Coopérative de Diéla"));
}

#[test]
fn pdftotext_agrees_when_installed() {
    let probe = std::process::Command::new("pdftotext").arg("-v").output();
    if probe.is_err() {
        eprintln!("pdftotext absent: only the crate's own reader checks the files");
        return;
    }
    let dir = std::env::temp_dir().join(format!("sene-print-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("recu.pdf");
    std::fs::write(&path, render_receipt(&sample())).unwrap();
    let out = std::process::Command::new("pdftotext")
        .arg("-enc")
        .arg("UTF-8")
        .arg(&path)
        .arg("-")
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = flat(&String::from_utf8_lossy(&out.stdout));
    for expected in [
        "Reçu de décaissement d'avance",
        "A07-000123",
        "Aïssata Traoré",
        "200 000 FCFA",
        "deux cent mille francs CFA",
    ] {
        assert!(text.contains(expected), "{expected:?} missing from {text}");
    }
}
